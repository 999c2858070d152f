"""Pool, claim and guarantee endpoints: explicit input and output serializers, no logic (services decide)."""
from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.fields import AmountField, CurrencyField
from finance.api.idempotency import idempotent
from finance.api.pagination import Pagination
from finance.api.problems import validated
from finance.core.errors import PermissionDenied
from finance.parties.models import Role

from . import selectors, services
from .models import (
    Claim,
    CounterGuarantee,
    Enrolment,
    Guarantee,
    GuaranteePayout,
    GuarantorNetAssets,
    LoanCategory,
    PremiumSubsidy,
    Recovery,
    RiskPool,
)

AMOUNT = dict(max_digits=18, decimal_places=2)


def _require(user, *roles):
    if not user.has_role(*roles):
        raise PermissionDenied("无权执行此操作", "you do not have the role for this operation", code="role_required")


class PoolOut(serializers.ModelSerializer):
    balance = serializers.DecimalField(**AMOUNT)
    exposure = serializers.DecimalField(**AMOUNT)
    leverage_multiple = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    leverage_limit = serializers.DecimalField(**AMOUNT, allow_null=True)
    leverage_used_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    sponsors = serializers.SerializerMethodField()

    class Meta:
        model = RiskPool
        fields = ["id", "name", "region", "currency", "status", "funded", "withdrawn", "available", "reserved",
                  "paid", "returned", "balance", "exposure", "leverage_multiple", "leverage_limit",
                  "leverage_used_pct", "sponsors"]

    def get_sponsors(self, pool) -> list[dict]:
        return [{"organisation_id": s.organisation_id, "name": s.organisation.name, "level": s.level,
                 "funding_share": str(s.funding_share)} for s in pool.sponsors.select_related("organisation")]


def pool_out(pool: RiskPool) -> dict:
    figures = selectors.pool_figures(pool)
    for key in ("exposure", "leverage_multiple", "leverage_limit", "leverage_used_pct"):
        setattr(pool, key, figures[key])
    return PoolOut(pool).data


class PoolListApi(APIView):
    @extend_schema(responses=PoolOut(many=True), summary="Risk-compensation pools with balance, reserved, exposure")
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.pool_list(user=request.user), request, view=self)
        return paginator.get_paginated_response([pool_out(p) for p in page])


class PoolDetailApi(APIView):
    @extend_schema(responses=PoolOut, summary="One pool: balance, reserved, exposure, leverage used")
    def get(self, request, pk: int):
        return Response(pool_out(selectors.pool_get(user=request.user, pk=pk)))


class EnrolmentIn(serializers.Serializer):
    loan_id = serializers.IntegerField(min_value=1)
    pool_id = serializers.IntegerField(min_value=1)
    category = serializers.ChoiceField(choices=LoanCategory.choices, required=False, default=LoanCategory.STANDARD)
    enrolled_on = serializers.DateField(required=False)


class EnrolmentOut(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "pool", "loan", "bank", "category", "enrolled_on", "principal", "status", "policy_snapshot",
                  "figures"]


class EnrolmentCreateApi(APIView):
    @extend_schema(request=EnrolmentIn, responses={201: EnrolmentOut},
                   summary="备案: enrol one of the bank's loans in a pool (deadline, leverage and NPL checks)")
    @idempotent
    def post(self, request):
        _require(request.user, Role.BANK_OFFICER)
        data = validated(EnrolmentIn, request.data)
        pool = selectors.pool_get(user=request.user, pk=data["pool_id"])
        enrolment = services.enrolment_create(pool=pool, loan=data["loan_id"], by=request.user,
                                              category=data["category"], on=data.get("enrolled_on"))
        return Response(EnrolmentOut(enrolment).data, status=status.HTTP_201_CREATED)


class ClaimIn(serializers.Serializer):
    loan_id = serializers.IntegerField(min_value=1)
    claimed_loss = AmountField()
    documents = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RecoveryOut(serializers.ModelSerializer):
    class Meta:
        model = Recovery
        fields = ["id", "claim", "recovered", "costs", "net", "returned_to_pool", "kept_by_bank", "sponsor_parts",
                  "recovered_on"]


class ClaimOut(serializers.ModelSerializer):
    split = serializers.SerializerMethodField()
    paid = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    approval = serializers.SerializerMethodField()
    recoveries = RecoveryOut(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "pool", "loan", "bank", "category", "status", "filed_on", "claimed_loss", "split", "paid",
                  "capped_by", "paid_amount", "paid_on", "recovered_total", "costs_total", "returned_total",
                  "policy_snapshot", "approval", "documents", "recoveries"]

    def get_split(self, c) -> dict:
        return {"ratios": {"province": str(c.ratio_province), "city": str(c.ratio_city), "bank": str(c.ratio_bank)},
                "province": str(c.split_province), "city": str(c.split_city), "bank": str(c.split_bank)}

    def get_paid(self, c) -> dict:
        return {"province": str(c.pay_province), "city": str(c.pay_city), "pool_total": str(c.government_amount),
                "bank_bears": str(c.claimed_loss - c.government_amount)}

    def get_approval(self, c) -> dict:
        """Maker-checker progress: e.g. one of two levels done while the claim is still under review."""
        progress = selectors.approval_progress(c)
        return {"status": progress["status"], "levels_required": progress["levels_required"],
                "levels_done": progress["levels_done"], "approvers": [a["name"] for a in progress["approvers"]]}

    def get_documents(self, c) -> list[dict]:
        return [{"id": d.pk, "name": d.name, "sha256": d.sha256, "size": d.size} for d in c.documents.all()]


class ClaimListCreateApi(APIView):
    @extend_schema(responses=ClaimOut(many=True), summary="Claims visible to the caller")
    def get(self, request):
        paginator = Pagination()
        qs = selectors.claim_list(user=request.user, status=request.query_params.get("status"))
        page = paginator.paginate_queryset(qs.prefetch_related("documents", "recoveries"), request, view=self)
        return paginator.get_paginated_response(ClaimOut(page, many=True).data)

    @extend_schema(request={"multipart/form-data": ClaimIn, "application/json": ClaimIn}, responses={201: ClaimOut},
                   summary="File a compensation claim for an enrolled loan past the trigger, with evidence")
    @idempotent
    def post(self, request):
        _require(request.user, Role.BANK_OFFICER)
        data = validated(ClaimIn, request.data)
        claim = services.claim_file(loan=data["loan_id"], claimed_loss=data["claimed_loss"], by=request.user,
                                    documents=data["documents"])
        return Response(ClaimOut(claim).data, status=status.HTTP_201_CREATED)


class ClaimDetailApi(APIView):
    @extend_schema(responses=ClaimOut, summary="A claim: status, split, paid amounts, recoveries")
    def get(self, request, pk: int):
        return Response(ClaimOut(selectors.claim_get(user=request.user, pk=pk)).data)


class DecisionIn(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ClaimApproveApi(APIView):
    @extend_schema(request=DecisionIn, responses=ClaimOut, summary="Department review: approve one level")
    @idempotent
    def post(self, request, pk: int):
        data = validated(DecisionIn, request.data)
        claim = services.claim_approve(claim=selectors.claim_get(user=request.user, pk=pk), by=request.user,
                                       comment=data["comment"])
        return Response(ClaimOut(claim).data)


class ClaimRejectApi(APIView):
    @extend_schema(request=DecisionIn, responses=ClaimOut, summary="Department review: reject (releases a reservation)")
    @idempotent
    def post(self, request, pk: int):
        data = validated(DecisionIn, request.data)
        claim = services.claim_reject(claim=selectors.claim_get(user=request.user, pk=pk), by=request.user,
                                      reason=data["comment"])
        return Response(ClaimOut(claim).data)


class ClaimPayApi(APIView):
    @extend_schema(request=None, responses=ClaimOut,
                   summary="Pay an approved claim (by someone who neither filed nor approved it)")
    @idempotent
    def post(self, request, pk: int):
        claim = services.claim_pay(claim=selectors.claim_get(user=request.user, pk=pk), by=request.user)
        return Response(ClaimOut(claim).data)


class RecoveryIn(serializers.Serializer):
    recovered = AmountField()
    costs = AmountField(allow_zero=True, required=False, default=Decimal("0.00"))
    recovered_on = serializers.DateField()


class RecoveryCreateApi(APIView):
    @extend_schema(request=RecoveryIn, responses={201: RecoveryOut},
                   summary="Report a recovery on a compensated loan; the net goes back in the original proportions")
    @idempotent
    def post(self, request, pk: int):
        _require(request.user, Role.BANK_OFFICER)
        data = validated(RecoveryIn, request.data)
        claim = selectors.claim_get(user=request.user, pk=pk)
        rec = services.recovery_record(claim=claim, recovered=data["recovered"], costs=data["costs"],
                                       recovered_on=data["recovered_on"], by=request.user)
        return Response(RecoveryOut(rec).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- guarantees


class GuaranteeIn(serializers.Serializer):
    loan_id = serializers.IntegerField(min_value=1)
    bank_id = serializers.IntegerField(min_value=1, required=False,
                                       help_text="the lending bank (required when a guarantor registers)")
    guarantor_id = serializers.IntegerField(min_value=1, required=False,
                                            help_text="the guarantor (required when the bank registers)")
    amount = AmountField()
    fee_rate = serializers.CharField(max_length=20, help_text="percent per year as a decimal string, e.g. 0.5")
    counter_guarantee = serializers.ChoiceField(choices=CounterGuarantee.choices)
    start_on = serializers.DateField()
    end_on = serializers.DateField()


class PayoutOut(serializers.ModelSerializer):
    approval = serializers.SerializerMethodField()

    class Meta:
        model = GuaranteePayout
        fields = ["id", "guarantee", "amount", "paid_on", "shares", "split", "compensation", "compensation_cap",
                  "status", "compensation_paid_on", "recovered_total", "policy_snapshot", "approval"]

    def get_approval(self, p) -> dict:
        progress = selectors.approval_progress(p)
        return {"status": progress["status"], "levels_required": progress["levels_required"],
                "levels_done": progress["levels_done"]}


class GuaranteeOut(serializers.ModelSerializer):
    payout = serializers.SerializerMethodField()

    class Meta:
        model = Guarantee
        fields = ["id", "loan", "guarantor", "bank", "currency", "amount", "fee_rate", "counter_guarantee",
                  "start_on", "end_on", "premium_subsidy_rate", "premium_subsidy_yearly", "status", "confirmed_at",
                  "policy_snapshot", "payout"]

    def get_payout(self, g) -> dict | None:
        payout = GuaranteePayout.objects.filter(guarantee=g).first()
        return PayoutOut(payout).data if payout else None


class GuaranteeListCreateApi(APIView):
    @extend_schema(responses=GuaranteeOut(many=True), summary="Guarantees visible to the caller")
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.guarantee_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(GuaranteeOut(page, many=True).data)

    @extend_schema(request=GuaranteeIn, responses={201: GuaranteeOut},
                   summary="鲁科担: a guarantor proposes a guarantee on a named bank's loan (the bank confirms), "
                           "or the bank registers one on its own loan")
    @idempotent
    def post(self, request):
        _require(request.user, Role.GUARANTOR_OFFICER, Role.BANK_OFFICER)
        data = validated(GuaranteeIn, request.data)
        g = services.guarantee_register(loan=data["loan_id"], bank=data.get("bank_id"),
                                        guarantor=data.get("guarantor_id"), amount=data["amount"],
                                        fee_rate=data["fee_rate"], counter_guarantee=data["counter_guarantee"],
                                        start_on=data["start_on"], end_on=data["end_on"], by=request.user)
        return Response(GuaranteeOut(g).data, status=status.HTTP_201_CREATED)


class GuaranteeDetailApi(APIView):
    @extend_schema(responses=GuaranteeOut, summary="One guarantee with its payout")
    def get(self, request, pk: int):
        return Response(GuaranteeOut(selectors.guarantee_get(user=request.user, pk=pk)).data)


class ConfirmIn(serializers.Serializer):
    approve = serializers.BooleanField(default=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GuaranteeConfirmApi(APIView):
    @extend_schema(request=ConfirmIn, responses=GuaranteeOut,
                   summary="The lending bank confirms (or declines) a guarantor's proposal; only then it counts")
    @idempotent
    def post(self, request, pk: int):
        _require(request.user, Role.BANK_OFFICER)
        data = validated(ConfirmIn, request.data)
        g = services.guarantee_confirm(guarantee=selectors.guarantee_get(user=request.user, pk=pk).pk,
                                       by=request.user, approve=data["approve"], reason=data["reason"])
        return Response(GuaranteeOut(g).data)


class PayoutIn(serializers.Serializer):
    amount = AmountField()
    paid_on = serializers.DateField()


class PayoutCreateApi(APIView):
    @extend_schema(request=PayoutIn, responses={201: PayoutOut},
                   summary="代偿: record the guarantor's payout on default (risk split; compensation goes to review)")
    @idempotent
    def post(self, request, pk: int):
        _require(request.user, Role.GUARANTOR_OFFICER)
        data = validated(PayoutIn, request.data)
        payout = services.payout_record(guarantee=selectors.guarantee_get(user=request.user, pk=pk).pk,
                                        amount=data["amount"], paid_on=data["paid_on"], by=request.user)
        return Response(PayoutOut(payout).data, status=status.HTTP_201_CREATED)


class PayoutApproveApi(APIView):
    approve = True

    @extend_schema(request=DecisionIn, responses=PayoutOut,
                   summary="Department review of a payout's compensation (one level)")
    @idempotent
    def post(self, request, pk: int):
        data = validated(DecisionIn, request.data)
        payout = services.payout_decide(payout=selectors.payout_get(user=request.user, pk=pk).pk, by=request.user,
                                        approve=self.approve, comment=data["comment"])
        return Response(PayoutOut(payout).data)


class PayoutRejectApi(PayoutApproveApi):
    approve = False


class PayoutPayApi(APIView):
    @extend_schema(request=None, responses=PayoutOut,
                   summary="Pay an approved compensation (by someone who neither recorded nor approved it)")
    @idempotent
    def post(self, request, pk: int):
        payout = services.payout_compensation_pay(payout=selectors.payout_get(user=request.user, pk=pk).pk,
                                                  by=request.user)
        return Response(PayoutOut(payout).data)


class PayoutRecoveryApi(APIView):
    @extend_schema(request=RecoveryIn, responses={201: PayoutOut},
                   summary="Report a recovery after a payout; the net goes back to the parties in proportion")
    @idempotent
    def post(self, request, pk: int):
        _require(request.user, Role.GUARANTOR_OFFICER)
        data = validated(RecoveryIn, request.data)
        payout = selectors.payout_get(user=request.user, pk=pk)
        services.guarantee_recovery_record(payout=payout.pk, recovered=data["recovered"], costs=data["costs"],
                                           recovered_on=data["recovered_on"], by=request.user)
        return Response(PayoutOut(selectors.payout_get(user=request.user, pk=pk)).data,
                        status=status.HTTP_201_CREATED)


class PremiumSubsidyOut(serializers.ModelSerializer):
    class Meta:
        model = PremiumSubsidy
        fields = ["id", "guarantee", "period_start", "period_end", "amount", "currency", "status", "paid_on"]


class PremiumSubsidyIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=1, max_value=100, help_text="guarantee year, 1 = the first")


class PremiumSubsidyCreateApi(APIView):
    @extend_schema(request=PremiumSubsidyIn, responses={201: PremiumSubsidyOut},
                   summary="担保费补贴: apply for one guarantee year's premium subsidy (maker-checker, then paid)")
    @idempotent
    def post(self, request, pk: int):
        _require(request.user, Role.GUARANTOR_OFFICER)
        data = validated(PremiumSubsidyIn, request.data)
        row = services.premium_subsidy_apply(guarantee=selectors.guarantee_get(user=request.user, pk=pk).pk,
                                             year=data["year"], by=request.user)
        return Response(PremiumSubsidyOut(row).data, status=status.HTTP_201_CREATED)


class PremiumSubsidyDecideApi(APIView):
    approve = True

    @extend_schema(request=DecisionIn, responses=PremiumSubsidyOut,
                   summary="Department review of a premium subsidy (one level)")
    @idempotent
    def post(self, request, pk: int):
        data = validated(DecisionIn, request.data)
        row = services.premium_subsidy_decide(subsidy=selectors.premium_subsidy_get(user=request.user, pk=pk).pk,
                                              by=request.user, approve=self.approve, comment=data["comment"])
        return Response(PremiumSubsidyOut(row).data)


class PremiumSubsidyRejectApi(PremiumSubsidyDecideApi):
    approve = False


class PremiumSubsidyPayApi(APIView):
    @extend_schema(request=None, responses=PremiumSubsidyOut,
                   summary="Pay an approved premium subsidy (by someone who neither applied nor approved)")
    @idempotent
    def post(self, request, pk: int):
        row = services.premium_subsidy_pay(subsidy=selectors.premium_subsidy_get(user=request.user, pk=pk).pk,
                                           by=request.user)
        return Response(PremiumSubsidyOut(row).data)


class NetAssetsIn(serializers.Serializer):
    net_assets = AmountField()
    currency = CurrencyField(required=False, default="CNY")
    as_of = serializers.DateField()


class NetAssetsOut(serializers.ModelSerializer):
    class Meta:
        model = GuarantorNetAssets
        fields = ["id", "guarantor", "net_assets", "currency", "as_of"]


class NetAssetsCreateApi(APIView):
    @extend_schema(request=NetAssetsIn, responses={201: NetAssetsOut},
                   summary="The guarantor's net assets (audited), the base of its leverage cap")
    @idempotent
    def post(self, request):
        _require(request.user, Role.GUARANTOR_OFFICER)
        data = validated(NetAssetsIn, request.data)
        row = services.guarantor_net_assets_record(net_assets=data["net_assets"], currency=data["currency"],
                                                   as_of=data["as_of"], by=request.user)
        return Response(NetAssetsOut(row).data, status=status.HTTP_201_CREATED)

"""Guarantee endpoints (鲁科担): registration, the bank's confirmation, payouts and their review, the premium
subsidy, the guarantor's net assets. Explicit serializers, no logic (services decide)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.actions import require_role, review_views
from finance.api.fields import AmountField, CurrencyField
from finance.api.idempotency import idempotent
from finance.api.pagination import Pagination
from finance.api.problems import validated
from finance.parties.models import Role

from .. import selectors, services
from ..models import CounterGuarantee, Guarantee, GuaranteePayout, GuarantorNetAssets, PremiumSubsidy
from .pools import RecoveryIn


class GuaranteeIn(serializers.Serializer):
    loan_id = serializers.IntegerField(min_value=1)
    bank_id = serializers.IntegerField(
        min_value=1, required=False, help_text="the lending bank (required when a guarantor registers)"
    )
    guarantor_id = serializers.IntegerField(
        min_value=1, required=False, help_text="the guarantor (required when the bank registers)"
    )
    amount = AmountField()
    fee_rate = serializers.CharField(
        max_length=20, help_text="percent per year as a decimal string, e.g. 0.5"
    )
    counter_guarantee = serializers.ChoiceField(choices=CounterGuarantee.choices)
    start_on = serializers.DateField()
    end_on = serializers.DateField()


class PayoutOut(serializers.ModelSerializer):
    approval = serializers.SerializerMethodField()

    class Meta:
        model = GuaranteePayout
        fields = [
            "id",
            "guarantee",
            "amount",
            "paid_on",
            "shares",
            "split",
            "compensation",
            "compensation_cap",
            "status",
            "compensation_paid_on",
            "recovered_total",
            "policy_snapshot",
            "approval",
        ]

    def get_approval(self, p) -> dict:
        progress = selectors.approval_progress(p)
        return {
            "status": progress["status"],
            "levels_required": progress["levels_required"],
            "levels_done": progress["levels_done"],
        }


class GuaranteeOut(serializers.ModelSerializer):
    payout = serializers.SerializerMethodField()

    class Meta:
        model = Guarantee
        fields = [
            "id",
            "loan",
            "guarantor",
            "bank",
            "currency",
            "amount",
            "fee_rate",
            "counter_guarantee",
            "start_on",
            "end_on",
            "premium_subsidy_rate",
            "premium_subsidy_yearly",
            "status",
            "confirmed_at",
            "policy_snapshot",
            "payout",
        ]

    def get_payout(self, g) -> dict | None:
        payout = GuaranteePayout.objects.filter(guarantee=g).first()
        return PayoutOut(payout).data if payout else None


class GuaranteeListCreateApi(APIView):
    @extend_schema(responses=GuaranteeOut(many=True), summary="Guarantees visible to the caller")
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.guarantee_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(GuaranteeOut(page, many=True).data)

    @extend_schema(
        request=GuaranteeIn,
        responses={201: GuaranteeOut},
        summary="鲁科担: a guarantor proposes a guarantee on a named bank's loan (the bank confirms), "
        "or the bank registers one on its own loan",
    )
    @idempotent
    def post(self, request):
        require_role(request.user, Role.GUARANTOR_OFFICER, Role.BANK_OFFICER)
        data = validated(GuaranteeIn, request.data)
        g = services.guarantee_register(
            loan=data["loan_id"],
            bank=data.get("bank_id"),
            guarantor=data.get("guarantor_id"),
            amount=data["amount"],
            fee_rate=data["fee_rate"],
            counter_guarantee=data["counter_guarantee"],
            start_on=data["start_on"],
            end_on=data["end_on"],
            by=request.user,
        )
        return Response(GuaranteeOut(g).data, status=status.HTTP_201_CREATED)


class GuaranteeDetailApi(APIView):
    @extend_schema(responses=GuaranteeOut, summary="One guarantee with its payout")
    def get(self, request, pk: int):
        return Response(GuaranteeOut(selectors.guarantee_get(user=request.user, pk=pk)).data)


class ConfirmIn(serializers.Serializer):
    approve = serializers.BooleanField(default=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GuaranteeConfirmApi(APIView):
    @extend_schema(
        request=ConfirmIn,
        responses=GuaranteeOut,
        summary="The lending bank confirms (or declines) a guarantor's proposal; only then it counts",
    )
    @idempotent
    def post(self, request, pk: int):
        require_role(request.user, Role.BANK_OFFICER)
        data = validated(ConfirmIn, request.data)
        g = services.guarantee_confirm(
            guarantee=selectors.guarantee_get(user=request.user, pk=pk).pk,
            by=request.user,
            approve=data["approve"],
            reason=data["reason"],
        )
        return Response(GuaranteeOut(g).data)


class PayoutIn(serializers.Serializer):
    amount = AmountField()
    paid_on = serializers.DateField()


class PayoutCreateApi(APIView):
    @extend_schema(
        request=PayoutIn,
        responses={201: PayoutOut},
        summary="代偿: record the guarantor's payout on default (risk split; compensation goes to review)",
    )
    @idempotent
    def post(self, request, pk: int):
        require_role(request.user, Role.GUARANTOR_OFFICER)
        guarantee = selectors.guarantee_get(user=request.user, pk=pk).pk  # another's: 404 before the body
        data = validated(PayoutIn, request.data)
        payout = services.payout_record(
            guarantee=guarantee,
            amount=data["amount"],
            paid_on=data["paid_on"],
            by=request.user,
        )
        return Response(PayoutOut(payout).data, status=status.HTTP_201_CREATED)


def _payout(request, pk: int) -> int:
    return selectors.payout_get(user=request.user, pk=pk).pk


PayoutApproveApi, PayoutRejectApi, PayoutPayApi = review_views(
    names=("PayoutApproveApi", "PayoutRejectApi", "PayoutPayApi"),
    summaries=("Department review of a payout's compensation (one level)",
               "Department review of a payout's compensation (one level)",
               "Pay an approved compensation (by someone who neither recorded nor approved it)"),
    item=_payout, output=PayoutOut,
    decide=lambda payout, **kw: services.payout_decide(payout=payout, **kw),
    pay=lambda payout, by: services.payout_compensation_pay(payout=payout, by=by),
)


class PayoutRecoveryApi(APIView):
    @extend_schema(
        request=RecoveryIn,
        responses={201: PayoutOut},
        summary="Report a recovery after a payout; the net goes back to the parties in proportion",
    )
    @idempotent
    def post(self, request, pk: int):
        require_role(request.user, Role.GUARANTOR_OFFICER)
        data = validated(RecoveryIn, request.data)
        payout = selectors.payout_get(user=request.user, pk=pk)
        services.guarantee_recovery_record(
            payout=payout.pk,
            recovered=data["recovered"],
            costs=data["costs"],
            recovered_on=data["recovered_on"],
            by=request.user,
        )
        return Response(
            PayoutOut(selectors.payout_get(user=request.user, pk=pk)).data, status=status.HTTP_201_CREATED
        )


class PremiumSubsidyOut(serializers.ModelSerializer):
    class Meta:
        model = PremiumSubsidy
        fields = ["id", "guarantee", "period_start", "period_end", "amount", "currency", "status", "paid_on"]


class PremiumSubsidyIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=1, max_value=100, help_text="guarantee year, 1 = the first")


class PremiumSubsidyCreateApi(APIView):
    @extend_schema(
        request=PremiumSubsidyIn,
        responses={201: PremiumSubsidyOut},
        summary="担保费补贴: apply for one guarantee year's premium subsidy (maker-checker, then paid)",
    )
    @idempotent
    def post(self, request, pk: int):
        require_role(request.user, Role.GUARANTOR_OFFICER)
        guarantee = selectors.guarantee_get(user=request.user, pk=pk).pk  # another's: 404 before the body
        data = validated(PremiumSubsidyIn, request.data)
        row = services.premium_subsidy_apply(guarantee=guarantee, year=data["year"], by=request.user)
        return Response(PremiumSubsidyOut(row).data, status=status.HTTP_201_CREATED)


def _premium_subsidy(request, pk: int) -> int:
    return selectors.premium_subsidy_get(user=request.user, pk=pk).pk


PremiumSubsidyDecideApi, PremiumSubsidyRejectApi, PremiumSubsidyPayApi = review_views(
    names=("PremiumSubsidyDecideApi", "PremiumSubsidyRejectApi", "PremiumSubsidyPayApi"),
    summaries=("Department review of a premium subsidy (one level)",
               "Department review of a premium subsidy (one level)",
               "Pay an approved premium subsidy (by someone who neither applied nor approved)"),
    item=_premium_subsidy, output=PremiumSubsidyOut,
    decide=lambda subsidy, **kw: services.premium_subsidy_decide(subsidy=subsidy, **kw),
    pay=lambda subsidy, by: services.premium_subsidy_pay(subsidy=subsidy, by=by),
)


class NetAssetsIn(serializers.Serializer):
    net_assets = AmountField()
    currency = CurrencyField(required=False, default="CNY")
    as_of = serializers.DateField()


class NetAssetsOut(serializers.ModelSerializer):
    class Meta:
        model = GuarantorNetAssets
        fields = ["id", "guarantor", "net_assets", "currency", "as_of"]


class NetAssetsCreateApi(APIView):
    @extend_schema(
        request=NetAssetsIn,
        responses={201: NetAssetsOut},
        summary="The guarantor's net assets (audited), the base of its leverage cap",
    )
    @idempotent
    def post(self, request):
        require_role(request.user, Role.GUARANTOR_OFFICER)
        data = validated(NetAssetsIn, request.data)
        row = services.guarantor_net_assets_record(
            net_assets=data["net_assets"], currency=data["currency"], as_of=data["as_of"], by=request.user
        )
        return Response(NetAssetsOut(row).data, status=status.HTTP_201_CREATED)

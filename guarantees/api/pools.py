"""Pool, enrolment and claim endpoints: explicit input and output serializers, no logic (services decide)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.actions import require_role, review_views
from finance.api.fields import AmountField
from finance.api.idempotency import idempotent
from finance.api.pagination import Pagination
from finance.api.problems import validated
from finance.parties.models import Role

from .. import selectors, services
from ..models import (
    Claim,
    Enrolment,
    LoanCategory,
    Recovery,
    RiskPool,
)

AMOUNT = dict(max_digits=18, decimal_places=2)
POOL_ROLES = (Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)  # as the pages


class PoolOut(serializers.ModelSerializer):
    balance = serializers.DecimalField(**AMOUNT)
    exposure = serializers.DecimalField(**AMOUNT)
    leverage_multiple = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    leverage_limit = serializers.DecimalField(**AMOUNT, allow_null=True)
    leverage_used_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    sponsors = serializers.SerializerMethodField()

    class Meta:
        model = RiskPool
        fields = [
            "id",
            "name",
            "region",
            "currency",
            "status",
            "funded",
            "withdrawn",
            "available",
            "reserved",
            "paid",
            "returned",
            "balance",
            "exposure",
            "leverage_multiple",
            "leverage_limit",
            "leverage_used_pct",
            "sponsors",
        ]

    def get_sponsors(self, pool) -> list[dict]:
        return [
            {
                "organisation_id": s.organisation_id,
                "name": s.organisation.name,
                "level": s.level,
                "funding_share": str(s.funding_share),
            }
            for s in pool.sponsors.select_related("organisation")
        ]


def pool_out(pool: RiskPool) -> dict:
    figures = selectors.pool_figures(pool)
    for key in ("exposure", "leverage_multiple", "leverage_limit", "leverage_used_pct"):
        setattr(pool, key, figures[key])
    return PoolOut(pool).data


class PoolListApi(APIView):
    @extend_schema(
        responses=PoolOut(many=True), summary="Risk-compensation pools with balance, reserved, exposure"
    )
    def get(self, request):
        require_role(request.user, *POOL_ROLES)  # as the pages: banks and oversight read pools
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.pool_list(user=request.user), request, view=self)
        return paginator.get_paginated_response([pool_out(p) for p in page])


class PoolDetailApi(APIView):
    @extend_schema(responses=PoolOut, summary="One pool: balance, reserved, exposure, leverage used")
    def get(self, request, pk: int):
        require_role(request.user, *POOL_ROLES)
        return Response(pool_out(selectors.pool_get(user=request.user, pk=pk)))


class EnrolmentIn(serializers.Serializer):
    loan_id = serializers.IntegerField(min_value=1)
    pool_id = serializers.IntegerField(min_value=1)
    category = serializers.ChoiceField(
        choices=LoanCategory.choices, required=False, default=LoanCategory.STANDARD
    )
    enrolled_on = serializers.DateField(required=False)


class EnrolmentOut(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = [
            "id",
            "pool",
            "loan",
            "bank",
            "category",
            "enrolled_on",
            "principal",
            "status",
            "policy_snapshot",
            "figures",
        ]


class EnrolmentCreateApi(APIView):
    @extend_schema(
        request=EnrolmentIn,
        responses={201: EnrolmentOut},
        summary="备案: enrol one of the bank's loans in a pool (deadline, leverage and NPL checks)",
    )
    @idempotent
    def post(self, request):
        require_role(request.user, Role.BANK_OFFICER)
        data = validated(EnrolmentIn, request.data)
        pool = selectors.pool_get(user=request.user, pk=data["pool_id"])
        enrolment = services.enrolment_create(
            pool=pool,
            loan=data["loan_id"],
            by=request.user,
            category=data["category"],
            on=data.get("enrolled_on"),
        )
        return Response(EnrolmentOut(enrolment).data, status=status.HTTP_201_CREATED)


class ClaimIn(serializers.Serializer):
    loan_id = serializers.IntegerField(min_value=1)
    claimed_loss = AmountField()
    documents = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RecoveryOut(serializers.ModelSerializer):
    class Meta:
        model = Recovery
        fields = [
            "id",
            "claim",
            "recovered",
            "costs",
            "net",
            "returned_to_pool",
            "kept_by_bank",
            "sponsor_parts",
            "recovered_on",
        ]


class ClaimOut(serializers.ModelSerializer):
    split = serializers.SerializerMethodField()
    paid = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    approval = serializers.SerializerMethodField()
    recoveries = RecoveryOut(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "pool",
            "loan",
            "bank",
            "category",
            "status",
            "filed_on",
            "claimed_loss",
            "split",
            "paid",
            "capped_by",
            "paid_amount",
            "paid_on",
            "recovered_total",
            "costs_total",
            "returned_total",
            "policy_snapshot",
            "approval",
            "documents",
            "recoveries",
        ]

    def get_split(self, c) -> dict:
        return {
            "ratios": {
                "province": str(c.ratio_province),
                "city": str(c.ratio_city),
                "bank": str(c.ratio_bank),
            },
            "province": str(c.split_province),
            "city": str(c.split_city),
            "bank": str(c.split_bank),
        }

    def get_paid(self, c) -> dict:
        return {
            "province": str(c.pay_province),
            "city": str(c.pay_city),
            "pool_total": str(c.government_amount),
            "bank_bears": str(c.claimed_loss - c.government_amount),
        }

    def get_approval(self, c) -> dict:
        """Maker-checker progress: e.g. one of two levels done while the claim is still under review."""
        progress = selectors.approval_progress(c)
        return {
            "status": progress["status"],
            "levels_required": progress["levels_required"],
            "levels_done": progress["levels_done"],
            "approvers": [a["name"] for a in progress["approvers"]],
        }

    def get_documents(self, c) -> list[dict]:
        return [{"id": d.pk, "name": d.name, "sha256": d.sha256, "size": d.size} for d in c.documents.all()]


class ClaimListCreateApi(APIView):
    @extend_schema(responses=ClaimOut(many=True), summary="Claims visible to the caller")
    def get(self, request):
        paginator = Pagination()
        qs = selectors.claim_list(user=request.user, status=request.query_params.get("status"))
        page = paginator.paginate_queryset(qs.prefetch_related("documents", "recoveries"), request, view=self)
        return paginator.get_paginated_response(ClaimOut(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ClaimIn, "application/json": ClaimIn},
        responses={201: ClaimOut},
        summary="File a compensation claim for an enrolled loan past the trigger, with evidence",
    )
    @idempotent
    def post(self, request):
        require_role(request.user, Role.BANK_OFFICER)
        data = validated(ClaimIn, request.data)
        claim = services.claim_file(
            loan=data["loan_id"],
            claimed_loss=data["claimed_loss"],
            by=request.user,
            documents=data["documents"],
        )
        return Response(ClaimOut(claim).data, status=status.HTTP_201_CREATED)


class ClaimDetailApi(APIView):
    @extend_schema(responses=ClaimOut, summary="A claim: status, split, paid amounts, recoveries")
    def get(self, request, pk: int):
        return Response(ClaimOut(selectors.claim_get(user=request.user, pk=pk)).data)


def _claim(request, pk: int):
    return selectors.claim_get(user=request.user, pk=pk)


def _claim_decide(claim, *, by, approve: bool, comment: str):
    if approve:
        return services.claim_approve(claim=claim, by=by, comment=comment)
    return services.claim_reject(claim=claim, by=by, reason=comment)


ClaimApproveApi, ClaimRejectApi, ClaimPayApi = review_views(
    names=("ClaimApproveApi", "ClaimRejectApi", "ClaimPayApi"),
    summaries=("Department review: approve one level", "Department review: reject (releases a reservation)",
               "Pay an approved claim (by someone who neither filed nor approved it)"),
    item=_claim, output=ClaimOut, decide=_claim_decide,
    pay=lambda claim, by: services.claim_pay(claim=claim, by=by),
)


class RecoveryIn(serializers.Serializer):
    recovered = AmountField()
    costs = AmountField(allow_zero=True, required=False, default=Decimal("0.00"))
    recovered_on = serializers.DateField()


class RecoveryCreateApi(APIView):
    @extend_schema(
        request=RecoveryIn,
        responses={201: RecoveryOut},
        summary="Report a recovery on a compensated loan; the net goes back in the original proportions",
    )
    @idempotent
    def post(self, request, pk: int):
        require_role(request.user, Role.BANK_OFFICER)
        data = validated(RecoveryIn, request.data)
        claim = selectors.claim_get(user=request.user, pk=pk)
        rec = services.recovery_record(
            claim=claim,
            recovered=data["recovered"],
            costs=data["costs"],
            recovered_on=data["recovered_on"],
            by=request.user,
        )
        return Response(RecoveryOut(rec).data, status=status.HTTP_201_CREATED)

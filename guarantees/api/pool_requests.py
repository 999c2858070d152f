"""Contributions and withdrawals over the API, for a department's treasury system: ask, then another
reviewer approves (the approval posts the movement) or refuses. The same services as the pages decide."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.fields import AmountField
from finance.api.idempotency import idempotent
from finance.api.problems import validated
from finance.core.errors import NotFound, PermissionDenied
from finance.parties.models import Role

from .. import selectors
from ..models import MovementKind, PoolRequest, PoolRequestStatus
from ..services.pool_requests import pool_request_create, pool_request_decide

IDEMPOTENCY = [OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)]


def _reviewer(request) -> None:
    if not request.user.has_role(Role.DEPARTMENT_REVIEWER):
        raise PermissionDenied(
            "只有主管部门的审核人员可以办理资金池出资或撤资",
            "only a department reviewer handles the pool's contributions and withdrawals",
            code="role_required",
        )


class PoolRequestIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    amount = AmountField(help_text='decimal string in the pool\'s currency, e.g. "5000000.00"')
    value_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="when the money moves (default today; not after today)",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PoolDecisionIn(serializers.Serializer):
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="required to refuse"
    )


class PoolRequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    pool_id = serializers.IntegerField()
    sponsor = serializers.CharField(source="sponsor.organisation.name")
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    value_date = serializers.DateField()
    status = serializers.ChoiceField(choices=PoolRequestStatus.choices)
    movement_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    decision_note = serializers.CharField()


class PoolRequestCreateApi(APIView):
    @extend_schema(
        request=PoolRequestIn,
        responses={201: PoolRequestOut},
        parameters=IDEMPOTENCY,
        summary="A sponsoring department asks for its contribution to or withdrawal from the pool; "
        "another reviewer approves it before it is posted",
    )
    @idempotent
    def post(self, request, pk: int):
        _reviewer(request)
        try:
            pool = selectors.pool_get(user=request.user, pk=pk)
        except NotFound:
            raise Http404 from None
        data = validated(PoolRequestIn, request.data)
        sponsor = pool.sponsors.filter(organisation_id=request.user.organisation_id).first()
        if sponsor is None:
            raise PermissionDenied(
                "您所在部门不是此资金池的出资方",
                "your department does not sponsor this pool",
                code="not_a_sponsor",
            )
        item = pool_request_create(
            pool=pool,
            sponsor=sponsor,
            kind=data["kind"],
            amount=data["amount"],
            value_date=data["value_date"],
            note=data["note"],
            by=request.user,
        )
        return Response(PoolRequestOut(item).data, status=status.HTTP_201_CREATED)


def _request(request, pk) -> PoolRequest:
    _reviewer(request)
    item = PoolRequest.objects.select_related("sponsor__organisation").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


class PoolRequestApproveApi(APIView):
    @extend_schema(
        request=PoolDecisionIn,
        responses=PoolRequestOut,
        parameters=IDEMPOTENCY,
        summary="Another reviewer of a sponsoring department approves: the movement is posted",
    )
    @idempotent
    def post(self, request, pk: int):
        item = _request(request, pk)
        data = validated(PoolDecisionIn, request.data)
        item = pool_request_decide(request=item, by=request.user, approve=True, note=data["note"])
        return Response(PoolRequestOut(item).data)


class PoolRequestRejectApi(APIView):
    @extend_schema(
        request=PoolDecisionIn,
        responses=PoolRequestOut,
        parameters=IDEMPOTENCY,
        summary="Another reviewer of a sponsoring department refuses (a note is required)",
    )
    @idempotent
    def post(self, request, pk: int):
        item = _request(request, pk)
        data = validated(PoolDecisionIn, request.data)
        item = pool_request_decide(request=item, by=request.user, approve=False, note=data["note"])
        return Response(PoolRequestOut(item).data)


urlpatterns = [
    path("pools/<int:pk>/requests/", PoolRequestCreateApi.as_view(), name="api-pool-requests"),
    path("pool-requests/<int:pk>/approve/", PoolRequestApproveApi.as_view(), name="api-pool-request-approve"),
    path("pool-requests/<int:pk>/reject/", PoolRequestRejectApi.as_view(), name="api-pool-request-reject"),
]

"""Priced rounds and cap tables (and their Open Cap Table Format export)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.actions import require_role
from finance.api.idempotency import idempotent
from finance.api.problems import validated
from finance.core.inputs import today

from .. import captable, services
from ..caps import cap_state
from ._common import APPLICANTS, M, _enterprise, cap_figures, check_enterprise_visible


class OtherConvertingIn(serializers.Serializer):
    amount = serializers.CharField()
    discount = serializers.CharField(required=False, allow_blank=True, default="")
    valuation_cap = serializers.CharField(required=False, allow_blank=True, default="")


class RoundIn(serializers.Serializer):
    round_date = serializers.CharField()
    price_per_share = serializers.CharField()
    pre_money = serializers.CharField()
    new_money = serializers.CharField()
    fd_shares_before = serializers.CharField()
    other_converting = OtherConvertingIn(many=True, required=False, default=list)


class RoundOut(serializers.Serializer):
    id = serializers.IntegerField()
    round_date = serializers.DateField()
    price_per_share = serializers.DecimalField(max_digits=24, decimal_places=6)
    derived_price = serializers.DecimalField(max_digits=24, decimal_places=6)
    pre_money = serializers.DecimalField(**M)
    new_money = serializers.DecimalField(**M)
    fd_shares_before = serializers.IntegerField()


class RoundReportApi(APIView):
    @extend_schema(
        request=RoundIn, responses={201: RoundOut}, summary="Report a priced round (enterprise or manager)"
    )
    @idempotent
    def post(self, request, pk: int):
        check_enterprise_visible(request, pk)
        require_role(request.user, *APPLICANTS)
        d = validated(RoundIn, request.data)
        r = services.round_report(enterprise=_enterprise(request, pk), by=request.user, **d)
        return Response(RoundOut(r).data, status=status.HTTP_201_CREATED)


class CapTableApi(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="An enterprise's cap table (ownership from share counts) and talent-cap headroom",
    )
    def get(self, request, pk: int):
        check_enterprise_visible(request, pk)
        t = captable.cap_table(pk)
        state = cap_state(pk, on=today())
        return Response(
            {
                "enterprise": pk,
                "total_shares": t["total_shares"],
                "holders": [
                    {
                        "name": r["name"],
                        "kind": r["kind"],
                        "kind_label": str(r["kind_label"]),
                        "shares": r["shares"],
                        "ownership": str(r["ownership"]),
                    }
                    for r in t["holders"]
                ],
                "converting": [
                    {
                        "agreement": a.pk,
                        "programme": a.programme.name,
                        "amount": str(a.disbursed or a.amount),
                        "status": a.status,
                    }
                    for a in t["converting"]
                ],
                "talent_cap": cap_figures(state),
            }
        )


class CapTableOcfApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The cap table as Open Cap Table Format JSON")
    def get(self, request, pk: int):
        check_enterprise_visible(request, pk)
        return Response(captable.ocf_export(pk))

"""Talent-startup equity, and the programmes' equity positions and their exits."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.actions import require_role
from finance.api.fields import AmountField
from finance.api.idempotency import idempotent
from finance.api.problems import validated
from finance.core.inputs import today
from finance.parties.models import Role

from .. import selectors, services
from ..models import ExitKind
from ._common import APPLICANTS, M, _enterprise, _programme, _with_cap


class TalentOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    programme = serializers.CharField(source="programme.name")
    enterprise = serializers.CharField(source="enterprise.name")
    amount = serializers.DecimalField(**M)
    price_per_share = serializers.DecimalField(max_digits=24, decimal_places=6)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    eligibility = serializers.DictField()


class TalentApplyIn(serializers.Serializer):
    programme = serializers.IntegerField(min_value=1)
    enterprise = serializers.IntegerField(min_value=1, required=False)
    title = serializers.CharField(max_length=200)
    amount = AmountField()
    price_per_share = serializers.CharField()
    founded_on = serializers.CharField()
    talent_team_leads = serializers.BooleanField()
    registered_in_shandong = serializers.BooleanField()
    own_ip_count = serializers.IntegerField(min_value=0)
    founders_cash = serializers.CharField()


class TalentListApi(APIView):
    @extend_schema(responses=TalentOut(many=True), summary="Talent-equity investments visible to the caller")
    def get(self, request):
        return Response(TalentOut(selectors.talent_list(user=request.user)[:500], many=True).data)

    @extend_schema(
        request=TalentApplyIn, responses={201: TalentOut}, summary="Apply for talent-startup equity"
    )
    @idempotent
    def post(self, request):
        require_role(request.user, *APPLICANTS)
        d = validated(TalentApplyIn, request.data)
        t = services.talent_equity_apply(
            programme=_programme(request, d.pop("programme")),
            enterprise=_enterprise(request, d.pop("enterprise", None)),
            by=request.user,
            **d,
        )
        return Response(_with_cap(TalentOut(t).data, t.cap), status=status.HTTP_201_CREATED)


class TalentActionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["submit", "approve", "reject", "sign", "fund"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False)


class TalentActionApi(APIView):
    @extend_schema(
        request=TalentActionIn, responses=TalentOut, summary="A manager's step on a talent investment"
    )
    @idempotent
    def post(self, request, pk: int):
        t = get_object_or_404(selectors.talent_list(user=request.user), pk=pk)
        require_role(request.user, Role.FUND_MANAGER)
        d = validated(TalentActionIn, request.data)
        act, by = d["action"], request.user
        if act == "submit":
            services.talent_equity_submit(talent=t, by=by, reason=d["comment"])
        elif act in ("approve", "reject"):
            services.talent_equity_decide(talent=t, by=by, approve=act == "approve", comment=d["comment"])
        elif act == "sign":
            services.talent_equity_sign(talent=t, by=by)
        else:
            services.talent_equity_fund(talent=t, funded_on=d.get("on") or today(), by=by)
        t.refresh_from_db()
        return Response(TalentOut(t).data)


class ExitIn(serializers.Serializer):
    exited_on = serializers.CharField()
    proceeds = serializers.CharField()
    kind = serializers.ChoiceField(choices=ExitKind.choices)
    buyer = serializers.CharField(max_length=200)


class PositionOut(serializers.Serializer):
    id = serializers.IntegerField()
    programme = serializers.CharField(source="programme.name")
    enterprise = serializers.CharField(source="enterprise.name")
    kind = serializers.CharField()
    cost = serializers.DecimalField(**M)
    shares = serializers.IntegerField()
    invested_on = serializers.DateField()
    exit_due_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    proceeds = serializers.DecimalField(**M, allow_null=True)
    min_exit_price = serializers.DecimalField(**M, allow_null=True)
    multiple = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    irr = serializers.DecimalField(max_digits=12, decimal_places=6, allow_null=True)


class PositionListApi(APIView):
    @extend_schema(
        responses=PositionOut(many=True), summary="Equity the programmes hold (at cost) and their exits"
    )
    def get(self, request):
        return Response(PositionOut(selectors.position_list(user=request.user)[:500], many=True).data)


class PositionExitApi(APIView):
    @extend_schema(
        request=ExitIn, responses=PositionOut, summary="Sale or buy-back at ≥ the minimum exit price"
    )
    @idempotent
    def post(self, request, pk: int):
        pos = get_object_or_404(selectors.position_list(user=request.user), pk=pk)
        d = validated(ExitIn, request.data)
        return Response(PositionOut(services.position_exit(position=pos, by=request.user, **d)).data)

"""先投后股 agreements: apply, the manager's steps, the checker's decision on a conversion or a closure."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.actions import decision_view, require_role
from finance.api.fields import AmountField
from finance.api.idempotency import idempotent
from finance.api.problems import validated
from finance.core.errors import NotFound
from finance.core.inputs import today
from finance.parties.models import Role

from .. import selectors, services
from ..models import Closure, ClosureWay, Conversion
from ._common import APPLICANTS, M, _enterprise, _history, _programme, _with_cap


class TrancheOut(serializers.Serializer):
    number = serializers.IntegerField()
    amount = serializers.DecimalField(**M)
    due_on = serializers.DateField()
    paid_on = serializers.DateField(allow_null=True)


class AgreementOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    programme = serializers.CharField(source="programme.name")
    enterprise = serializers.CharField(source="enterprise.name")
    amount = serializers.DecimalField(**M)
    currency = serializers.CharField(source="programme.currency")
    disbursed = serializers.DecimalField(**M)
    discount = serializers.DecimalField(max_digits=8, decimal_places=6, allow_null=True)
    valuation_cap = serializers.DecimalField(**M, allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    signed_on = serializers.DateField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    min_round_size = serializers.DecimalField(**M, allow_null=True)
    max_share = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)


class AgreementDetailOut(AgreementOut):
    tranches = TrancheOut(many=True, source="tranches.all")
    history = serializers.ListField(child=serializers.DictField())


class TrancheIn(serializers.Serializer):
    amount = AmountField()
    due_on = serializers.DateField()


class InvestFirstApplyIn(serializers.Serializer):
    programme = serializers.IntegerField(min_value=1)
    enterprise = serializers.IntegerField(min_value=1, required=False)
    title = serializers.CharField(max_length=200)
    amount = AmountField()
    tranches = TrancheIn(many=True)
    discount = serializers.CharField(required=False, allow_blank=True, default="")
    valuation_cap = serializers.CharField(required=False, allow_blank=True, default="")


def _agreement_detail(a):
    a.history = _history(a)
    return AgreementDetailOut(a).data


class AgreementListApi(APIView):
    @extend_schema(responses=AgreementOut(many=True), summary="先投后股 agreements visible to the caller")
    def get(self, request):
        return Response(AgreementOut(selectors.agreement_list(user=request.user,
                                                               status=request.query_params.get("status"))[:500],
                                     many=True).data)

    @extend_schema(request=InvestFirstApplyIn, responses={201: AgreementDetailOut},
                   summary="Apply for 先投后股 (the enterprise through the portal, or the manager)")
    @idempotent
    def post(self, request):
        require_role(request.user, *APPLICANTS)
        d = validated(InvestFirstApplyIn, request.data)
        a = services.invest_first_apply(
            programme=_programme(request, d["programme"]),
            enterprise=_enterprise(request, d.get("enterprise")),
            title=d["title"],
            amount=d["amount"],
            tranches=d["tranches"],
            discount=d["discount"] or None,
            valuation_cap=d["valuation_cap"] or None,
            by=request.user,
        )
        return Response(_with_cap(_agreement_detail(a), a.cap), status=status.HTTP_201_CREATED)


class AgreementDetailApi(APIView):
    @extend_schema(responses=AgreementDetailOut, summary="A 先投后股 agreement with tranches and history")
    def get(self, request, pk: int):
        return Response(
            _agreement_detail(get_object_or_404(selectors.agreement_list(user=request.user), pk=pk))
        )


class AgreementActionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["submit", "approve", "reject", "sign", "pay_tranche",
                                              "propose_conversion", "propose_closure"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False)
    tranche = serializers.IntegerField(required=False, min_value=1)
    round = serializers.IntegerField(required=False, min_value=1)
    way = serializers.ChoiceField(choices=ClosureWay.choices, required=False)
    agreed_amount = serializers.CharField(required=False, allow_blank=True, default="")
    target_project = serializers.CharField(required=False, allow_blank=True, default="")


class AgreementActionApi(APIView):
    @extend_schema(
        request=AgreementActionIn, responses=AgreementDetailOut, summary="A manager's step on an agreement"
    )
    @idempotent
    def post(self, request, pk: int):
        a = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
        require_role(request.user, Role.FUND_MANAGER)
        d = validated(AgreementActionIn, request.data)
        act, by = d["action"], request.user
        if act == "submit":
            services.invest_first_submit(agreement=a, by=by, reason=d["comment"])
        elif act in ("approve", "reject"):
            services.invest_first_decide(agreement=a, by=by, approve=act == "approve", comment=d["comment"])
        elif act == "sign":
            services.invest_first_sign(agreement=a, signed_on=d.get("on") or today(), by=by)
        elif act == "pay_tranche":
            t = a.tranches.filter(number=d.get("tranche") or 0).first()
            if t is None:
                raise NotFound("拨付期次", "tranche")
            services.tranche_pay(tranche=t, paid_on=d.get("on") or today(), by=by)
        elif act == "propose_conversion":
            r = selectors.round_list(user=by).filter(pk=d.get("round") or 0).first()
            if r is None:
                raise NotFound("融资轮", "round")
            services.conversion_propose(agreement=a, round=r, by=by)
        else:
            services.closure_propose(
                agreement=a,
                way=d.get("way") or "",
                reason=d["comment"],
                by=by,
                agreed_amount=d["agreed_amount"] or None,
                target_project=d["target_project"],
            )
        a.refresh_from_db()
        return Response(_agreement_detail(a))


class DirectDecisionIn(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DirectDecisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    agreement = serializers.IntegerField(source="agreement_id")
    status = serializers.CharField()
    entry = serializers.IntegerField(source="entry_id", allow_null=True)


ConversionDecisionApi = decision_view(
    "ConversionDecisionApi", body=DirectDecisionIn, output=DirectDecisionOut,
    item=lambda request, pk: get_object_or_404(
        Conversion.objects.filter(agreement__in=selectors.agreement_list(user=request.user)), pk=pk),
    decide=lambda c, **kw: services.conversion_decide(conversion=c, **kw),
    summary="The checker decides a proposed conversion",
)
ClosureDecisionApi = decision_view(
    "ClosureDecisionApi", body=DirectDecisionIn, output=DirectDecisionOut,
    item=lambda request, pk: get_object_or_404(
        Closure.objects.filter(agreement__in=selectors.agreement_list(user=request.user)), pk=pk),
    decide=lambda c, **kw: services.closure_decide(closure=c, **kw),
    summary="The checker decides a proposed closure",
)

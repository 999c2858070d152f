"""API of the direct instruments (/api/v1/funds/direct/...).

Reads for departments, auditors, managers and enterprises (each scoped: another organisation's object is 404);
writes for managers (and an enterprise's own applications and round reports), each with an Idempotency-Key.
Explicit input serializers; every rule lives in the services.
"""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.fields import AmountField
from finance.api.idempotency import idempotent
from finance.api.problems import validated
from finance.approvals.selectors import history
from finance.core.errors import NotFound, PermissionDenied
from finance.core.inputs import today
from finance.parties.models import Organisation, OrgKind, Role

from . import captable, selectors, services
from .caps import cap_state
from .models import Closure, ClosureWay, Conversion, EquityLegKind, ExitKind

M = {"max_digits": 18, "decimal_places": 2}


def _require_role(request, *roles: str) -> None:
    """Who may write, checked before the body is read: a role that may not act gets 403, not the input
    rules."""
    if not request.user.has_role(*roles):
        raise PermissionDenied("您的角色不能办理此事项", "your role cannot do this", code="role_required")


# the enterprise through the portal, or the programme's manager
APPLICANTS = (Role.APPLICANT, Role.FUND_MANAGER)


def _with_cap(data: dict, state) -> dict:
    """An application's answer shows the talent-cap headroom it was checked against."""
    return {
        **data,
        "talent_cap": {"cap": str(state.cap), "used": str(state.used), "headroom": str(state.headroom)},
    }


def _history(obj) -> list[dict]:
    return [
        {
            "at": c.at.isoformat(),
            "by": c.by.username if c.by else None,
            "from": c.from_state,
            "to": c.to_state,
            "reason": c.reason,
        }
        for c in history(obj)
    ]


def _enterprise(request, pk) -> Organisation:
    """The enterprise named in a write: an enterprise user may only name itself."""
    if pk is None:
        pk = request.user.organisation_id
    org = Organisation.objects.filter(pk=pk, kind__in=[OrgKind.ENTERPRISE, OrgKind.UNIVERSITY]).first()
    if org is None:
        raise NotFound("企业", "enterprise")
    return org


def _programme(request, pk):
    """Programmes the caller may apply to: any active programme (the portal) — scope is checked by the
    service."""
    from .models import Programme

    p = Programme.objects.filter(pk=pk).first()
    if p is None:
        raise NotFound("专项", "programme")
    return p


# ---------------------------------------------------------------- programmes


class ExposureOut(serializers.Serializer):
    budget = serializers.DecimalField(**M)
    funded = serializers.DecimalField(**M)
    cash = serializers.DecimalField(**M)
    project_funding = serializers.DecimalField(**M)
    equity = serializers.DecimalField(**M)
    grant_expense = serializers.DecimalField(**M)
    other_projects = serializers.DecimalField(**M)
    gains = serializers.DecimalField(**M)
    exposure = serializers.DecimalField(**M)
    support_given = serializers.DecimalField(**M)


class ProgrammeOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    owner_department = serializers.CharField(source="owner_department.name")
    manager = serializers.CharField(source="manager.name")
    currency = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    exposure = ExposureOut()


class ProgrammeListApi(APIView):
    @extend_schema(
        responses=ProgrammeOut(many=True), summary="Programmes of direct instruments with their exposure"
    )
    def get(self, request):
        rows = list(selectors.programme_list(user=request.user).select_related("owner_department", "manager"))
        for p in rows:
            p.exposure = selectors.programme_exposure(p)
        return Response(ProgrammeOut(rows, many=True).data)


# ---------------------------------------------------------------- 先投后股


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
        _require_role(request, *APPLICANTS)
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
        _require_role(request, Role.FUND_MANAGER)
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


class ConversionDecisionApi(APIView):
    @extend_schema(
        request=DirectDecisionIn,
        responses=DirectDecisionOut,
        summary="The checker decides a proposed conversion",
    )
    @idempotent
    def post(self, request, pk: int):
        c = get_object_or_404(
            Conversion.objects.filter(agreement__in=selectors.agreement_list(user=request.user)), pk=pk
        )
        d = validated(DirectDecisionIn, request.data)
        c = services.conversion_decide(
            conversion=c, by=request.user, approve=d["approve"], comment=d["comment"]
        )
        return Response(DirectDecisionOut(c).data)


class ClosureDecisionApi(APIView):
    @extend_schema(
        request=DirectDecisionIn,
        responses=DirectDecisionOut,
        summary="The checker decides a proposed closure",
    )
    @idempotent
    def post(self, request, pk: int):
        c = get_object_or_404(
            Closure.objects.filter(agreement__in=selectors.agreement_list(user=request.user)), pk=pk
        )
        d = validated(DirectDecisionIn, request.data)
        c = services.closure_decide(closure=c, by=request.user, approve=d["approve"], comment=d["comment"])
        return Response(DirectDecisionOut(c).data)


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
        if not selectors.enterprise_visible(user=request.user, enterprise_id=pk):
            raise NotFound("企业", "enterprise")
        _require_role(request, *APPLICANTS)
        d = validated(RoundIn, request.data)
        r = services.round_report(enterprise=_enterprise(request, pk), by=request.user, **d)
        return Response(RoundOut(r).data, status=status.HTTP_201_CREATED)


class CapTableApi(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="An enterprise's cap table (ownership from share counts) and talent-cap headroom",
    )
    def get(self, request, pk: int):
        if not selectors.enterprise_visible(user=request.user, enterprise_id=pk):
            raise NotFound("企业", "enterprise")
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
                "talent_cap": {
                    "cap": str(state.cap),
                    "used": str(state.used),
                    "headroom": str(state.headroom),
                },
            }
        )


class CapTableOcfApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The cap table as Open Cap Table Format JSON")
    def get(self, request, pk: int):
        if not selectors.enterprise_visible(user=request.user, enterprise_id=pk):
            raise NotFound("企业", "enterprise")
        return Response(captable.ocf_export(pk))


# ---------------------------------------------------------------- talent equity


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
        _require_role(request, *APPLICANTS)
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
        _require_role(request, Role.FUND_MANAGER)
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


# ---------------------------------------------------------------- 拨投贷


class GILOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    programme = serializers.CharField(source="programme.name")
    enterprise = serializers.CharField(source="enterprise.name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    grant = serializers.SerializerMethodField()
    equity = serializers.SerializerMethodField()
    loan = serializers.SerializerMethodField()
    exposure = serializers.SerializerMethodField()

    def get_grant(self, g) -> dict:
        return {
            "amount": str(g.grant_amount),
            "paid_on": g.grant_paid_on.isoformat() if g.grant_paid_on else None,
        }

    def get_equity(self, g) -> dict:
        return {"kind": g.equity_kind, "amount": str(g.equity_amount), "agreement": g.invest_first_id,
                "agreement_status": g.invest_first.status if g.invest_first_id else None,
                "position": g.position_id, "position_status": g.position.status if g.position_id else None}

    def get_loan(self, g) -> dict:
        return {"bank": g.loan_bank.name if g.loan_bank_id else None, "reference": g.loan_reference,
                "pool_enrolled": g.loan_pool_enrolled}

    def get_exposure(self, g) -> dict:
        x = services.grant_invest_loan_exposure(g)
        out = {k: str(v) for k, v in x.items() if k != "loan"}
        out["loan"] = None if not x["loan"] else {k: str(v) for k, v in x["loan"].items()}
        return out


class GILApplyIn(serializers.Serializer):
    programme = serializers.IntegerField(min_value=1)
    enterprise = serializers.IntegerField(min_value=1, required=False)
    title = serializers.CharField(max_length=200)
    grant_amount = serializers.CharField(required=False, default="0")
    equity_kind = serializers.ChoiceField(choices=EquityLegKind.choices, required=False, default="")
    equity_amount = serializers.CharField(required=False, default="0")
    equity_price_per_share = serializers.CharField(required=False, allow_blank=True, default="")
    loan_bank = serializers.IntegerField(required=False, min_value=1)
    loan_reference = serializers.CharField(required=False, allow_blank=True, default="")


class GILListApi(APIView):
    @extend_schema(
        responses=GILOut(many=True), summary="拨投贷 projects: legs, states and total fiscal exposure"
    )
    def get(self, request):
        return Response(GILOut(selectors.grant_invest_loan_list(user=request.user)[:200], many=True).data)

    @extend_schema(request=GILApplyIn, responses={201: GILOut}, summary="Apply for 拨投贷")
    @idempotent
    def post(self, request):
        _require_role(request, *APPLICANTS)
        d = validated(GILApplyIn, request.data)
        bank = None
        if d.get("loan_bank"):
            bank = Organisation.objects.filter(pk=d["loan_bank"], kind=OrgKind.BANK).first()
            if bank is None:
                raise NotFound("银行", "bank")
        g = services.grant_invest_loan_apply(
            programme=_programme(request, d["programme"]),
            enterprise=_enterprise(request, d.get("enterprise")),
            title=d["title"],
            by=request.user,
            grant_amount=d["grant_amount"],
            equity_kind=d["equity_kind"],
            equity_amount=d["equity_amount"],
            equity_price_per_share=d["equity_price_per_share"] or None,
            loan_bank=bank,
            loan_reference=d["loan_reference"],
        )
        return Response(_with_cap(GILOut(g).data, g.cap), status=status.HTTP_201_CREATED)


class GILDetailApi(APIView):
    @extend_schema(responses=GILOut, summary="One 拨投贷 project")
    def get(self, request, pk: int):
        return Response(
            GILOut(get_object_or_404(selectors.grant_invest_loan_list(user=request.user), pk=pk)).data
        )


class GILActionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["review", "submit", "approve", "reject", "sign", "pay_grant",
                                              "fund_equity", "link_loan", "monitor", "exit", "close"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False)
    bank = serializers.IntegerField(required=False, min_value=1)
    reference = serializers.CharField(required=False, allow_blank=True, default="")
    pool_enrolled = serializers.BooleanField(required=False, default=False)


class GILActionApi(APIView):
    @extend_schema(request=GILActionIn, responses=GILOut, summary="A manager's step on a 拨投贷 project")
    @idempotent
    def post(self, request, pk: int):
        g = get_object_or_404(selectors.grant_invest_loan_list(user=request.user), pk=pk)
        _require_role(request, Role.FUND_MANAGER)
        d = validated(GILActionIn, request.data)
        act, by, on = d["action"], request.user, d.get("on") or today()
        if act == "review":
            services.grant_invest_loan_review(project=g, by=by, reason=d["comment"])
        elif act == "submit":
            services.grant_invest_loan_submit(project=g, by=by, reason=d["comment"])
        elif act in ("approve", "reject"):
            services.grant_invest_loan_decide(
                project=g, by=by, approve=act == "approve", comment=d["comment"]
            )
        elif act == "sign":
            services.grant_invest_loan_sign(project=g, signed_on=on, by=by)
        elif act == "pay_grant":
            services.grant_invest_loan_pay_grant(project=g, paid_on=on, by=by)
        elif act == "fund_equity":
            services.grant_invest_loan_fund_equity(project=g, funded_on=on, by=by)
        elif act == "link_loan":
            bank = Organisation.objects.filter(pk=d.get("bank") or 0, kind=OrgKind.BANK).first()
            if bank is None:
                raise NotFound("银行", "bank")
            services.grant_invest_loan_link_loan(project=g, bank=bank, reference=d["reference"], by=by,
                                                 pool_enrolled=d["pool_enrolled"])
        else:
            to = {"monitor": "monitoring", "exit": "exited", "close": "closed"}[act]
            services.grant_invest_loan_move(project=g, to=to, by=by, reason=d["comment"])
        g = selectors.grant_invest_loan_list(user=request.user).get(pk=g.pk)
        return Response(GILOut(g).data)


class CapHeadroomApi(APIView):
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        summary="Talent-cap headroom of an enterprise (what an application page shows)",
    )
    def get(self, request, pk: int):
        if not selectors.enterprise_visible(user=request.user, enterprise_id=pk):
            raise NotFound("企业", "enterprise")
        s = cap_state(pk, on=today())
        return Response({"cap": str(s.cap), "used": str(s.used), "headroom": str(s.headroom),
                         "items": [{**i, "amount": str(i["amount"])} for i in s.items]})

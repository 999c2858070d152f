"""拨投贷 projects: apply, the manager's steps, the legs and the total fiscal exposure."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.actions import require_role
from finance.api.idempotency import idempotent
from finance.api.problems import validated
from finance.core.errors import NotFound
from finance.core.inputs import today
from finance.parties.models import Organisation, OrgKind, Role

from .. import selectors, services
from ..models import EquityLegKind
from ._common import APPLICANTS, _enterprise, _programme, _with_cap


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
        require_role(request.user, *APPLICANTS)
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
        require_role(request.user, Role.FUND_MANAGER)
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

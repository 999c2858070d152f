"""Funds API: sub-funds with performance, capital calls (preview and create), deals and their transitions.

Explicit input serializers validated in both languages; writes accept an Idempotency-Key; every queryset is
scoped to the caller (another manager's sub-fund answers 404).
"""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.api.actions import decision_view
from finance.api.fields import AmountField
from finance.api.idempotency import idempotent
from finance.api.pagination import Pagination
from finance.api.problems import validated
from finance.approvals.models import Committee
from finance.core.errors import DomainError, PermissionDenied
from finance.core.inputs import today
from finance.parties.models import Role
from finance.parties.selectors import scope_to_caller

from . import selectors, services
from .models import CallPurpose, CallStatus, DealStatus


def _page_of(serializer_class, name: str):
    """The schema of a list paginated by ``finance.api.pagination.Pagination``."""
    return inline_serializer(name=name, fields={
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True), "results": serializer_class(many=True)})


def _manager_only(user):
    if not user.has_role(Role.FUND_MANAGER):
        raise PermissionDenied("只有基金经理可以执行此操作", "only fund managers can do this")


class PerformanceOut(serializers.Serializer):
    pic = serializers.DecimalField(max_digits=18, decimal_places=2)
    distributed = serializers.DecimalField(max_digits=18, decimal_places=2)
    nav = serializers.DecimalField(max_digits=18, decimal_places=2)
    dpi = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    rvpi = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    tvpi = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    net_irr = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    gross_irr = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    ks_pme = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


class SubFundOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    manager = serializers.CharField(source="manager.name")
    size = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()
    vintage = serializers.DateField()
    status = serializers.CharField()
    strategy = serializers.CharField()
    region = serializers.CharField()
    performance = PerformanceOut()


class CapitalAccountOut(serializers.Serializer):
    lp = serializers.CharField()
    kind = serializers.CharField()
    committed = serializers.DecimalField(max_digits=18, decimal_places=2)
    called = serializers.DecimalField(max_digits=18, decimal_places=2)
    paid_in = serializers.DecimalField(max_digits=18, decimal_places=2)
    unfunded = serializers.DecimalField(max_digits=18, decimal_places=2)
    distributed = serializers.DecimalField(max_digits=18, decimal_places=2)
    nav_share = serializers.DecimalField(max_digits=18, decimal_places=2)


class ComplianceOut(serializers.Serializer):
    in_province = serializers.DecimalField(max_digits=18, decimal_places=2)
    reinvest_required = serializers.DecimalField(max_digits=18, decimal_places=2)
    reinvest_status = serializers.CharField()
    conversion = serializers.DecimalField(max_digits=18, decimal_places=2)
    use_required = serializers.DecimalField(max_digits=18, decimal_places=2)
    use_status = serializers.CharField()
    largest = serializers.DecimalField(max_digits=18, decimal_places=2)
    single_cap = serializers.DecimalField(max_digits=18, decimal_places=2)
    single_status = serializers.CharField()
    policy = serializers.DictField(child=serializers.CharField())


class SubFundDetailOut(SubFundOut):
    capital_accounts = CapitalAccountOut(many=True)
    compliance = ComplianceOut()


def _fund(request, pk):
    return get_object_or_404(selectors.sub_fund_list(user=request.user), pk=pk)


class SubFundListApi(APIView):
    @extend_schema(responses=_page_of(SubFundOut, "PaginatedSubFundList"), operation_id="funds_sub_fund_list",
                   summary="Sub-funds visible to the caller, with performance (paginated)")
    def get(self, request):
        paginator = Pagination()
        funds = list(paginator.paginate_queryset(selectors.sub_fund_list(user=request.user).order_by("pk"),
                                                 request,
                                                 view=self))
        perf = selectors.performance(funds)
        for f in funds:
            f.performance = perf[f.pk]
        return paginator.get_paginated_response(SubFundOut(funds, many=True).data)


class SubFundDetailApi(APIView):
    @extend_schema(responses=SubFundDetailOut,
                   summary="A sub-fund: performance, LP capital accounts, compliance")
    def get(self, request, pk: int):
        fund = _fund(request, pk)
        fund.performance = selectors.performance([fund])[fund.pk]
        fund.capital_accounts = selectors.capital_accounts(fund)
        fund.compliance = selectors.compliance([fund])[fund.pk]
        return Response(SubFundDetailOut(fund).data)


class CallIn(serializers.Serializer):
    amount = AmountField()
    call_date = serializers.DateField()
    due_date = serializers.DateField(required=False)
    purpose = serializers.ChoiceField(choices=CallPurpose.choices, default=CallPurpose.INVESTMENT)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class CallPreviewIn(serializers.Serializer):
    amount = AmountField()


class CallLineOut(serializers.Serializer):
    lp = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    unfunded_after = serializers.DecimalField(max_digits=18, decimal_places=2)


class CallOut(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    number = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=CallStatus.choices, allow_null=True,
                                     help_text="pending_approval: a large call waits for approval "
                                               "before it is issued")
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()
    lines = CallLineOut(many=True)


class CallPreviewApi(APIView):
    @extend_schema(request=CallPreviewIn, responses=CallOut,
                   summary="The split a capital call would make (nothing written)")
    def post(self, request, pk: int):
        fund = get_object_or_404(selectors.sub_fund_managed(user=request.user), pk=pk)
        _manager_only(request.user)
        data = validated(CallPreviewIn, request.data)
        split = services.call_preview(sub_fund=fund, amount=data["amount"])
        return Response(CallOut({"id": None, "number": None, "status": None,
                                 "amount": sum(p for _, p in split),
                                 "currency": fund.currency,
                                 "lines": [{"lp": c.lp_name, "amount": p, "unfunded_after": c.unfunded - p}
                                           for c, p in split]}).data)


class CallCreateApi(APIView):
    @extend_schema(request=CallIn, responses={201: CallOut},
                   summary="Issue a capital call split pro rata across LPs")
    @idempotent
    def post(self, request, pk: int):
        _manager_only(request.user)
        fund = get_object_or_404(selectors.sub_fund_managed(user=request.user), pk=pk)
        data = validated(CallIn, request.data)
        call = services.call_create(sub_fund=fund, by=request.user, **data)
        return Response(_call_out(call), status=status.HTTP_201_CREATED)


def _call_out(call):
    lines = [{"lp": ln.commitment.lp_name, "amount": ln.amount, "unfunded_after": ln.commitment.unfunded}
             for ln in call.lines.select_related("commitment__organisation").order_by("commitment_id")]
    return CallOut({"id": call.pk, "number": call.number, "status": call.status, "amount": call.amount,
                    "currency": call.sub_fund.currency, "lines": lines}).data


class CallApproveIn(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


def _managed_call(request, pk: int, call: int):
    """A call of a sub-fund the caller manages (fund managers only; another manager's answers 404)."""
    _manager_only(request.user)
    fund = get_object_or_404(selectors.sub_fund_managed(user=request.user), pk=pk)
    return get_object_or_404(fund.calls, pk=call)


CallApproveApi = decision_view(
    "CallApproveApi", item=_managed_call, output=CallOut, body=CallApproveIn, answer=_call_out,
    summary="Approve or refuse a drafted large capital call (another fund manager of the GP)",
    decide=lambda call, **kw: services.call_approve(call=call, **kw),
)


class DealOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    sub_fund = serializers.CharField(source="sub_fund.name")
    enterprise = serializers.CharField(source="enterprise.name")
    instrument = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    status = serializers.CharField()
    maker = serializers.CharField(source="maker.username")
    funded_on = serializers.DateField(allow_null=True)


class DealDetailOut(DealOut):
    terms = serializers.CharField()
    pre_money = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    stake = serializers.DecimalField(max_digits=7, decimal_places=4)
    meeting_status = serializers.CharField(source="meeting.status", allow_null=True, default=None)
    history = serializers.ListField(child=serializers.DictField())


class DealFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=DealStatus.choices, required=False)


class DealListApi(APIView):
    @extend_schema(parameters=[DealFilter], responses=_page_of(DealOut, "PaginatedDealList"),
                   operation_id="funds_deal_list",
                   summary="Deals of the caller's funds (paginated)")
    def get(self, request):
        f = validated(DealFilter, request.query_params)
        qs = selectors.deal_list(user=request.user).order_by("-pk")
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DealOut(page, many=True).data)


def _deal_detail(deal):
    from finance.approvals.services import history
    deal.history = [{"at": c.at.isoformat(), "by": c.by.username if c.by else None, "from": c.from_state,
                     "to": c.to_state, "reason": c.reason} for c in history(deal)]
    return DealDetailOut(deal).data


class DealDetailApi(APIView):
    @extend_schema(responses=DealDetailOut, summary="A deal with its state history")
    def get(self, request, pk: int):
        return Response(_deal_detail(get_object_or_404(selectors.deal_list(user=request.user), pk=pk)))


class TransitionIn(serializers.Serializer):
    to = serializers.ChoiceField(choices=DealStatus.choices)
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    committee = serializers.IntegerField(required=False, help_text="committee id, when moving to 'committee'")
    on = serializers.DateField(required=False, help_text="funding date, when moving to 'funded'")
    approve = serializers.BooleanField(required=False, default=True,
                                       help_text="sign-off decision ('approved')")


class DealTransitionApi(APIView):
    @extend_schema(request=TransitionIn, responses=DealDetailOut,
                   summary="Move a deal: screening, due_diligence, committee, approved (sign-off), "
                           "contracted, funded, rejected")
    @idempotent
    def post(self, request, pk: int):
        deal = get_object_or_404(selectors.deal_list(user=request.user), pk=pk)
        _manager_only(request.user)  # a wrong role gets 403, not the input rules
        data = validated(TransitionIn, request.data)
        user, to = request.user, data["to"]
        if to == DealStatus.COMMITTEE:
            if "committee" not in data:
                raise DomainError("请选择投委会", "choose the committee", code="required", field="committee")
            committee = get_object_or_404(scope_to_caller(Committee.objects.all(), user, "organisation"),
                                          pk=data["committee"])
            deal = services.deal_submit(deal=deal, committee=committee, by=user, reason=data["reason"])
        elif to == DealStatus.APPROVED:
            deal = services.deal_signoff(deal=deal, by=user, approve=data["approve"], comment=data["reason"])
        elif to == DealStatus.FUNDED:
            deal = services.deal_fund(deal=deal, funded_on=data.get("on") or today(), by=user)
        else:
            deal = services.deal_move(deal=deal, to=to, by=user, reason=data["reason"])
        deal.refresh_from_db()
        return Response(_deal_detail(deal))

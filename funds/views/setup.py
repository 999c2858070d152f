"""Set-up and operations pages of a sub-fund: first close, later closes, stages, valuations, exits, NAV, fees.

Who may (written down here, checked on every request):
- a sub-fund is set up (first close with its terms and LPs) by a fund manager of the organisation that manages
  the guidance fund it belongs to: the guidance fund decides which sub-funds it joins;
- later closes, stage moves, valuations, exits, NAV, fee accruals and fee payments are the GP's: fund managers
  of the sub-fund's manager (``sub_fund_managed``); another GP's fund answers 404, other roles 403;
- a fee payment is asked by one fund manager, approved by another and paid by a third
  (``funds.services.fees``).
Every value is checked by the services; a refusal is shown naming the field, and nothing is written.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from finance.approvals.services import approval_current
from finance.core.errors import DomainError
from finance.core.inputs import parse_id, parse_int, today
from finance.parties.models import Organisation, OrgKind, Role
from finance.web.permissions import roles_required

from .. import selectors, services
from ..forms import error_text, lp_rows, lp_rows_for_template, percent
from ..models import DealStatus, FeeBasis, FundStatus, GuidanceFund, LPKind, SubFund
from ..services import fees

STATE_LABELS = {
    fees.UNPAID: gettext_lazy("Not requested"),
    fees.PENDING: gettext_lazy("Awaiting approval"),
    fees.APPROVED: gettext_lazy("Approved, to be paid"),
    fees.REJECTED: pgettext_lazy("fund", "Refused"),
    fees.PAID: pgettext_lazy("fund", "Paid"),
}


def _zh(request) -> bool:
    return request.LANGUAGE_CODE.startswith("zh")


def _fail(request, exc: DomainError) -> None:
    messages.error(request, error_text(exc, _zh(request)))


def _guidance_funds(user):
    """The guidance funds whose manager the caller works for (the view lets fund managers only through)."""
    if not user.organisation_id:
        raise DjangoPermissionDenied
    return GuidanceFund.objects.filter(manager_id=user.organisation_id).order_by("pk")


def _managed(request, pk) -> SubFund:
    """The caller's organisation's sub-fund (another GP's: 404); the views declare the fund manager role."""
    return get_object_or_404(selectors.sub_fund_managed(user=request.user), pk=pk)


def _terms(post) -> dict:
    return {
        "fee_rate": post.get("fee_rate") or "0",
        "fee_basis": post.get("fee_basis") or FeeBasis.PAID_IN,
        "hurdle_rate": percent(post, "hurdle_rate"),
        "catch_up_share": percent(post, "catch_up_share"),
        "carry_share": percent(post, "carry_share"),
        "hurdle_compounding": post.get("hurdle_compounding") or "simple",
        "term_years": parse_int(post.get("term_years") or "10", "term_years", min_value=1, max_value=50),
        "investment_period_years": parse_int(
            post.get("investment_period_years") or "5", "investment_period_years", min_value=1, max_value=50
        ),
        "strategy": post.get("strategy", ""),
        "region": post.get("region", ""),
        "profit_concession": bool(post.get("profit_concession")),
    }


@login_required
@roles_required(Role.FUND_MANAGER)
def subfund_create(request):
    """First close: the sub-fund, its terms and its first LPs, checked together by the set-up rules."""
    guidance = _guidance_funds(request.user)
    if not guidance.exists():
        raise DjangoPermissionDenied
    managers = Organisation.objects.filter(kind=OrgKind.FUND_MANAGER).order_by("name")
    post = request.POST
    if request.method == "POST":
        try:
            parent = get_object_or_404(guidance, pk=parse_id(post.get("guidance_fund"), "guidance_fund"))
            gp = get_object_or_404(managers, pk=parse_id(post.get("manager"), "manager"))
            fund = services.sub_fund_create(
                guidance_fund=parent,
                name=post.get("name", ""),
                manager=gp,
                size=post.get("size"),
                vintage=post.get("vintage"),
                commitments=lp_rows(post),
                currency=post.get("currency") or "CNY",
                by=request.user,
                **_terms(post),
            )
            messages.success(request, _("Sub-fund %(name)s set up (first close).") % {"name": fund.name})
            return redirect("funds:subfund-detail", pk=fund.pk)
        except DomainError as exc:
            _fail(request, exc)
    return render(
        request,
        "funds/setup_subfund.html",
        {
            "guidance": guidance,
            "managers": managers,
            "form": post
            or {"fee_rate": "2", "hurdle_rate": "8", "catch_up_share": "100", "carry_share": "20"},
            "rows": lp_rows_for_template(post),
            "lp_kinds": LPKind.choices,
            "currencies": settings.CURRENCIES,
            "fee_bases": [(b.value, b.label) for b in (FeeBasis.PAID_IN, FeeBasis.INVESTED)],
        },
    )


@login_required
@roles_required(Role.FUND_MANAGER)
def commitment_add(request, pk: int):
    """A later close: one more LP, the whole LP list checked again."""
    fund = _managed(request, pk)
    if request.method == "POST":
        p = request.POST
        try:
            c = services.commitment_add(
                sub_fund=fund,
                lp_kind=p.get("lp_kind"),
                amount=p.get("amount"),
                committed_on=p.get("committed_on"),
                investor_name=p.get("investor_name", ""),
                by=request.user,
            )
            messages.success(request, _("Commitment of %(lp)s added.") % {"lp": c.lp_name})
            return redirect("funds:subfund-operations", pk=fund.pk)
        except DomainError as exc:
            _fail(request, exc)
    return render(
        request,
        "funds/setup_commitment.html",
        {
            "fund": fund,
            "form": request.POST or {"committed_on": today().isoformat()},
            "lp_kinds": LPKind.choices,
            "commitments": fund.commitments.select_related("organisation").order_by("committed_on", "pk"),
        },
    )


def _fee_rows(fund, user):
    rows = []
    for accrual in fund.fee_accruals.order_by("period_start"):
        state = fees.fee_payment_state(accrual)
        request = approval_current(accrual) if state != fees.UNPAID else None
        maker = request.maker_id if request else None
        deciders = set(request.decisions.values_list("approver_id", flat=True)) if request else set()
        rows.append(
            {
                "accrual": accrual,
                "state": state,
                "state_label": STATE_LABELS[state],
                "can_request": state in (fees.UNPAID, fees.REJECTED) and accrual.amount > 0,
                "can_decide": state == fees.PENDING and user.pk != maker and user.pk not in deciders,
                "can_pay": state == fees.APPROVED and user.pk != maker and user.pk not in deciders,
            }
        )
    return rows


@login_required
@roles_required(Role.FUND_MANAGER)
def subfund_operations(request, pk: int):
    """The GP's operations page: closes, stage, valuations and exits, NAV, fee accruals and payments."""
    fund = _managed(request, pk)
    holdings = list(
        fund.holdings.select_related("deal").prefetch_related("valuations").order_by("invested_on")
    )
    allowed = SubFund.TRANSITIONS.get(fund.status, set())
    moves = [(s.value, s.label) for s in FundStatus if s in allowed]
    return render(
        request,
        "funds/setup_operations.html",
        {
            "fund": fund,
            "moves": moves,
            "holdings": holdings,
            "navs": selectors.nav_list(fund),
            "fees": _fee_rows(fund, request.user),
            "today": today().isoformat(),
            "commitments": fund.commitments.select_related("organisation").order_by("committed_on", "pk"),
        },
    )


def _post_action(request, pk: int, action, done: str):
    fund = _managed(request, pk)
    try:
        action(fund, request.POST, request.user)
        messages.success(request, done)
    except DomainError as exc:
        _fail(request, exc)
    return redirect("funds:subfund-operations", pk=fund.pk)


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def subfund_move(request, pk: int):
    return _post_action(
        request,
        pk,
        lambda fund, p, user: services.sub_fund_move(
            sub_fund=fund, to=p.get("to", ""), by=user, reason=p.get("reason", "")[:500]
        ),
        _("Stage changed."),
    )


def _holding(fund, p):
    return get_object_or_404(fund.holdings, pk=parse_id(p.get("holding"), "holding"))


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def valuation_create(request, pk: int):
    return _post_action(
        request,
        pk,
        lambda fund, p, user: services.valuation_record(
            holding=_holding(fund, p), as_of=p.get("as_of"), value=p.get("value"), by=user
        ),
        _("Valuation recorded."),
    )


def _exit(fund, p, user):
    """A holding from a funded deal exits through the deal (the deal moves to exited too)."""
    holding = _holding(fund, p)
    if holding.deal_id and holding.deal.status == DealStatus.FUNDED:
        services.deal_exit(
            deal=holding.deal, exited_on=p.get("exited_on"), proceeds=p.get("proceeds"), by=user
        )
    else:
        services.holding_exit(
            holding=holding, exited_on=p.get("exited_on"), proceeds=p.get("proceeds"), by=user
        )


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def holding_exit(request, pk: int):
    return _post_action(request, pk, _exit, _("Exit recorded."))


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def fee_accrue(request, pk: int):
    return _post_action(
        request,
        pk,
        lambda fund, p, user: services.fee_accrue(
            sub_fund=fund, period_start=p.get("period_start"), period_end=p.get("period_end"), by=user
        ),
        _("Management fee accrued."),
    )


def _fee_payment(fund, p, user):
    accrual = get_object_or_404(fund.fee_accruals, pk=parse_id(p.get("accrual"), "accrual"))
    action = p.get("action")
    if action == "request":
        services.fee_payment_request(accrual=accrual, by=user, comment=p.get("comment", ""))
    elif action in ("approve", "reject"):
        services.fee_payment_decide(
            accrual=accrual, by=user, approve=action == "approve", comment=p.get("comment", "")
        )
    elif action == "pay":
        services.fee_pay(accrual=accrual, by=user, paid_on=p.get("paid_on") or None)
    else:
        raise DomainError("未知操作", "unknown action", code="invalid_action", field="action")


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def fee_payment(request, pk: int):
    return _post_action(request, pk, _fee_payment, _("Saved."))

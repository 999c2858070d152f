"""Public money of the guarantee scheme through maker-checker: the payout's compensation and the premium
subsidy (担保费补贴). The guarantor's officer makes the item; department reviewers approve it level by level
(a second, different one from ``approval.<kind>.second_level_from``); a third person pays it through the
ledger (Dr expense / Cr the scheme treasury, in the guarantee's currency).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.approvals.services import (
    approval_check_payer,
    approval_current,
    approval_decide,
    approval_is_valid,
    approval_submit,
    state_change,
    state_change_record,
)
from finance.core.errors import Conflict, DomainError, InvalidTransition, NotFound
from finance.core.inputs import parse_date, parse_id, parse_text, today
from finance.core.locks import lock
from finance.core.money import fen, money_of
from finance.ledger.models import AccountKind
from finance.ledger.services import account_get_or_create, credit, debit, entry_post
from finance.parties.models import Role

from ..models import CompensationStatus, Guarantee, GuaranteePayout, GuaranteeStatus, PremiumSubsidy
from ._common import add_months, require_role
from .guarantees import PREMIUM_KIND, _own_guarantee
from .payouts import _payout_locked


def _approve_step(item, *, by, approve: bool, comment: str) -> None:
    """One decision on a compensation or premium subsidy; the last approving level moves it to approved."""
    if item.status != CompensationStatus.SUBMITTED:
        raise InvalidTransition(
            f"状态为「{item.get_status_display()}」，不能审批",
            f"it is {item.status}; it cannot be decided",
            field="status",
        )
    request = approval_current(item)
    if request is None or request.status != "pending":
        raise DomainError("没有待审批的流程", "no approval is pending", code="approval_closed", status=409)
    request = approval_decide(
        request=request, approver=by, approve=approve, comment=comment, default_role=Role.DEPARTMENT_REVIEWER
    )
    if request.status == "rejected":
        state_change(item, to=CompensationStatus.REJECTED, by=by, reason=comment or "rejected")
    elif request.status == "approved":
        state_change(item, to=CompensationStatus.APPROVED, by=by, reason=comment or "approved")
    else:
        level = request.decisions.count()
        state_change_record(
            item,
            from_state=f"level {level - 1}",
            to_state=f"level {level}",
            by=by,
            reason=comment or f"approved at level {level} of {request.levels_required}",
            field="approval",
        )


def _treasury_pay(item, *, guarantee: Guarantee, amount: Decimal, by, on: dt.date, what: str, code: str):
    """Pay approved public money: a reviewer who neither made nor approved it; Dr expense / Cr treasury."""
    require_role(by, Role.DEPARTMENT_REVIEWER)
    if item.status != CompensationStatus.APPROVED:
        raise InvalidTransition(
            f"状态为「{item.get_status_display()}」，不能支付",
            f"it is {item.status}; only approved items are paid",
            field="status",
        )
    approval_check_payer(item, by)
    if not approval_is_valid(item):
        raise DomainError(
            "审批已失效（审批后被修改）",
            "the approval is no longer valid (the item changed)",
            code="approval_stale",
            status=409,
        )
    currency = guarantee.currency
    expense = account_get_or_create(
        code=f"guarantee:{code}:expense:{currency}",
        name=f"鲁科担{what}支出",
        kind=AccountKind.EXPENSE,
        currency=currency,
    )
    treasury = account_get_or_create(
        code=f"guarantee:treasury:{currency}",
        name="鲁科担专项资金 scheme treasury",
        kind=AccountKind.ASSET,
        currency=currency,
    )
    return entry_post(
        lines=[debit(expense, money_of(guarantee, amount)), credit(treasury, money_of(guarantee, amount))],
        value_date=on,
        memo=f"{what} {code} · guarantee #{guarantee.pk} · {type(item).__name__} #{item.pk}",
        source=item,
        idempotency_ref=f"guarantee-{code}:{item.pk}:pay",
        by=by,
    )


@transaction.atomic
def payout_decide(*, payout, by, approve: bool = True, comment: str = "") -> GuaranteePayout:
    """A department reviewer decides one level of a payout's compensation."""
    comment = parse_text(comment, "comment", max_length=2000, required=False)
    _g, payout = _payout_locked(payout)
    _approve_step(payout, by=by, approve=approve, comment=comment)
    return payout


@transaction.atomic
def payout_compensation_pay(*, payout, by, on=None) -> GuaranteePayout:
    """Pay the approved compensation to the guarantor (a third person), in the guarantee's currency."""
    on = today() if on is None else parse_date(on, "paid_on", not_future=True)
    g, payout = _payout_locked(payout)
    _treasury_pay(
        payout, guarantee=g, amount=payout.compensation, by=by, on=on, what="代偿补偿", code="compensation"
    )
    payout.compensation_paid_on = on
    return state_change(
        payout, to=CompensationStatus.PAID, by=by, reason="compensation paid", also=("compensation_paid_on",)
    )


# ---------------------------------------------------------------- premium subsidy (担保费补贴)


def premium_period(guarantee: Guarantee, year: int) -> tuple[dt.date, dt.date]:
    """The ``year``-th guarantee year (1-based): [start + (year-1) years, start + year years), in the term."""
    start = add_months(guarantee.start_on, 12 * (year - 1))
    end = min(add_months(guarantee.start_on, 12 * year), guarantee.end_on)
    return start, end


@transaction.atomic
def premium_subsidy_apply(*, guarantee, year, by) -> PremiumSubsidy:
    """The guarantor applies for one guarantee year's premium subsidy (pro rata for a short last year)."""
    year = int(parse_id(year, "year"))
    g = _own_guarantee(guarantee, by)
    if g.status not in (GuaranteeStatus.ACTIVE, GuaranteeStatus.PAID_OUT):
        raise DomainError(
            f"担保状态为「{g.get_status_display()}」，不能申请担保费补贴",
            f"the guarantee is {g.status}; only confirmed guarantees earn the premium subsidy",
            code="guarantee_not_active",
            status=409,
        )
    start, end = premium_period(g, year)
    if start >= g.end_on:
        raise DomainError(
            f"担保期内没有第 {year} 年",
            f"the guarantee has no year {year}",
            code="invalid_period",
            field="year",
        )
    if start > today():
        raise DomainError(
            f"第 {year} 年尚未开始（{start}）",
            f"year {year} has not started ({start})",
            code="future_date",
            field="year",
        )
    full = add_months(start, 12)
    amount = (
        g.premium_subsidy_yearly
        if end == full
        else fen(g.premium_subsidy_yearly * Decimal((end - start).days) / Decimal((full - start).days))
    )
    if amount <= 0:
        raise DomainError(
            "担保费补贴为零", "the premium subsidy is zero", code="nothing_to_pay", field="year"
        )
    if PremiumSubsidy.objects.filter(guarantee=g, period_start=start).exclude(status="rejected").exists():
        raise Conflict(
            f"第 {year} 年的担保费补贴已申请",
            f"the premium subsidy for year {year} was already applied for",
            code="duplicate",
            field="year",
        )
    row = PremiumSubsidy.objects.create(
        guarantee=g,
        period_start=start,
        period_end=end,
        amount=amount,
        currency=g.currency,
        applied_by=by,
        policy_snapshot={"premium_subsidy_rate": str(g.premium_subsidy_rate)},
    )
    approval_submit(
        item=row, kind=PREMIUM_KIND, amount=amount, maker=by, default_role=Role.DEPARTMENT_REVIEWER
    )
    state_change_record(row, from_state="", to_state=CompensationStatus.SUBMITTED, by=by, reason="applied")
    return row


def _premium_locked(subsidy) -> tuple[Guarantee, PremiumSubsidy]:
    """The guarantee's row lock serialises every write of its premium subsidies (not in locks.ORDER)."""
    sid = getattr(subsidy, "pk", subsidy)
    gid = PremiumSubsidy.objects.filter(pk=sid).values_list("guarantee_id", flat=True).first()
    if gid is None:
        raise NotFound("担保费补贴", "premium subsidy")
    g = lock(Guarantee, gid)
    return g, PremiumSubsidy.objects.get(pk=sid)


@transaction.atomic
def premium_subsidy_decide(*, subsidy, by, approve: bool = True, comment: str = "") -> PremiumSubsidy:
    comment = parse_text(comment, "comment", max_length=2000, required=False)
    _g, row = _premium_locked(subsidy)
    _approve_step(row, by=by, approve=approve, comment=comment)
    return row


@transaction.atomic
def premium_subsidy_pay(*, subsidy, by, on=None) -> PremiumSubsidy:
    on = today() if on is None else parse_date(on, "paid_on", not_future=True)
    g, row = _premium_locked(subsidy)
    row.entry = _treasury_pay(
        row, guarantee=g, amount=row.amount, by=by, on=on, what="担保费补贴", code="premium_subsidy"
    )
    row.paid_on = on
    return state_change(
        row, to=CompensationStatus.PAID, by=by, reason="premium subsidy paid", also=("paid_on", "entry")
    )

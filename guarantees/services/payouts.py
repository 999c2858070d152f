"""代偿: the guarantor's payout on a defaulted loan, its risk split and compensation, and later recoveries.

The split needs every ``guarantee.share.*`` value (guarantor and re-guarantor ship empty: the payout is
refused naming the parameter); the compensation cap comes from the guaranteed amount alone
(``compensation_cap``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from finance.approvals.services import approval_submit, state_change
from finance.calc import split_loss
from finance.core.errors import DomainError, NotFound
from finance.core.inputs import parse_amount, parse_date
from finance.core.locks import lock
from finance.core.money import fen, percent_to_fraction
from finance.parties.models import Role
from finance.policy.selectors import PolicyUse

from ..models import CompensationStatus, Guarantee, GuaranteePayout, GuaranteeRecovery, GuaranteeStatus
from ._common import HUNDRED, ZERO, claim_triggered
from .guarantees import GUARANTEE_PARTIES, PAYOUT_KIND, _own_guarantee


def compensation_cap(guarantee: Guarantee, use: PolicyUse) -> Decimal:
    """The guarantor's compensation cap for a payout: a share of the guaranteed amount, no risk share."""
    return fen(guarantee.amount * percent_to_fraction(use("guarantee.payout_compensation_share")))


def _risk_shares(use: PolicyUse) -> dict[str, Decimal]:
    shares = {p: use(f"guarantee.share.{p}") for p in GUARANTEE_PARTIES}
    if sum(shares.values()) != HUNDRED:
        raise DomainError(
            f"担保风险分担比例合计应为 100%：{shares}",
            f"risk shares must sum to 100%: {shares}",
            code="policy_inconsistent",
            status=422,
        )
    return shares


@transaction.atomic
def payout_record(*, guarantee, amount, paid_on, by) -> GuaranteePayout:
    """代偿 on default: split the loss (guarantee.share.*), submit the guarantor's compensation for review."""
    amount = parse_amount(amount, "amount")
    paid_on = parse_date(paid_on, "paid_on", not_future=True)
    g = _own_guarantee(guarantee, by)
    if g.status != GuaranteeStatus.ACTIVE:
        raise DomainError(
            f"担保状态为「{g.get_status_display()}」，不能代偿",
            f"the guarantee is {g.status}; only active (bank-confirmed) guarantees pay out",
            code="guarantee_not_active",
            status=409,
        )
    if paid_on < g.start_on:
        raise DomainError(
            "代偿日期早于担保起始日",
            "the payout is dated before the guarantee started",
            code="invalid_date",
            field="paid_on",
        )
    if amount > g.amount:
        raise DomainError(
            f"代偿金额 {amount} 超过担保金额 {g.amount}",
            f"payout {amount} is above the guaranteed amount {g.amount}",
            code="payout_above_guarantee",
            field="amount",
        )
    use = PolicyUse(on=paid_on)
    loan = g.loan
    if not claim_triggered(loan, use("pool.claim_trigger_dpd")):
        raise DomainError(
            f"贷款未违约（逾期 {loan.dpd} 天），不能代偿",
            f"the loan is not in default ({loan.dpd} days past due); no payout",
            code="loan_not_defaulted",
            field="guarantee_id",
            status=409,
        )
    cap = compensation_cap(g, use)
    shares = _risk_shares(use)
    split = split_loss(amount, {k: percent_to_fraction(v) for k, v in shares.items()})
    compensation = min(split["guarantor"], cap)
    payout = GuaranteePayout.objects.create(
        guarantee=g,
        amount=amount,
        paid_on=paid_on,
        shares={k: str(v) for k, v in shares.items()},
        split={k: str(v) for k, v in split.items()},
        compensation=compensation,
        compensation_cap=cap,
        policy_snapshot=use.snapshot,
        recorded_by=by,
        status=CompensationStatus.SUBMITTED if compensation > 0 else CompensationStatus.PAID,
    )
    if compensation > 0:
        approval_submit(
            item=payout,
            kind=PAYOUT_KIND,
            amount=compensation,
            maker=by,
            default_role=Role.DEPARTMENT_REVIEWER,
        )
    state_change(g, to=GuaranteeStatus.PAID_OUT, by=by, reason=f"payout {amount}")
    return payout


def _payout_locked(payout) -> tuple[Guarantee, GuaranteePayout]:
    pid = getattr(payout, "pk", payout)
    gid = GuaranteePayout.objects.filter(pk=pid).values_list("guarantee_id", flat=True).first()
    if gid is None:
        raise NotFound("代偿", "payout")
    return lock(Guarantee, gid), lock(GuaranteePayout, pid)


@transaction.atomic
def guarantee_recovery_record(*, payout, recovered, costs, recovered_on, by) -> GuaranteeRecovery:
    """Recoveries after a payout go back to the four parties in the payout's proportions."""
    pid = getattr(payout, "pk", payout)
    owner = GuaranteePayout.objects.filter(pk=pid).values_list("guarantee__guarantor_id", flat=True).first()
    if owner is None or owner != by.organisation_id:
        raise NotFound("代偿", "payout")
    recovered = parse_amount(recovered, "recovered")
    costs = parse_amount(costs, "costs", allow_zero=True)
    recovered_on = parse_date(recovered_on, "recovered_on", not_future=True)
    _g, payout = _payout_locked(pid)
    if recovered_on < payout.paid_on:
        raise DomainError(
            "回收日期早于代偿日",
            "the recovery date is before the payout",
            code="invalid_date",
            field="recovered_on",
        )
    if payout.recovered_total + recovered > payout.amount:
        raise DomainError(
            f"累计回收 {payout.recovered_total + recovered} 超过代偿金额 {payout.amount}",
            f"total recovered {payout.recovered_total + recovered} would exceed the payout {payout.amount}",
            code="recovery_above_compensated",
            field="recovered",
        )
    net = max(recovered - costs, ZERO)
    shares = {k: percent_to_fraction(Decimal(v)) for k, v in payout.shares.items()}
    split = split_loss(net, shares) if net > 0 else {}
    rec = GuaranteeRecovery.objects.create(
        payout=payout,
        recovered=recovered,
        costs=costs,
        net=net,
        split={k: str(v) for k, v in split.items()},
        recovered_on=recovered_on,
        recorded_by=by,
    )
    payout.recovered_total += recovered
    payout.save(update_fields=["recovered_total"])
    return rec

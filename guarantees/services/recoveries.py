"""追偿回收 after compensation: the net (recovered − costs) goes back to the sponsors in the claim's
proportions.

What goes back is split by ``finance.calc.allocate`` over what each sponsor still has to get back (paid −
returned so far): the parts sum exactly and no sponsor ever gets back more than it paid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.approvals.services import state_change_record
from finance.calc import allocate
from finance.core.errors import DomainError, NotFound
from finance.core.inputs import parse_amount, parse_date
from finance.core.money import fen, money_of
from finance.ledger.services import credit, debit, entry_post

from ..models import Claim, ClaimStatus, Recovery
from .claims import lock_claim, sponsor_parts_of

ZERO = Decimal("0.00")


def _returned_by_sponsor(claim: Claim) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for parts in claim.recoveries.values_list("sponsor_parts", flat=True):
        for k, v in parts.items():
            out[k] = out.get(k, Decimal(0)) + Decimal(v)
    return out


def _back_to_pool(
    claim: Claim, recovered: Decimal, costs: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(cumulative recovered, cumulative costs, this recovery's net, what goes back to the pool now)."""
    cum_recovered = claim.recovered_total + recovered
    if cum_recovered > claim.claimed_loss:
        raise DomainError(
            f"累计回收 {cum_recovered} 超过已补偿的本金损失 {claim.claimed_loss}"
            f"（此前已回收 {claim.recovered_total}）",
            f"total recovered {cum_recovered} would exceed the compensated loss {claim.claimed_loss} "
            f"(already recovered {claim.recovered_total})",
            code="recovery_above_compensated",
            field="recovered",
        )
    cum_costs = claim.costs_total + costs
    cum_net = max(cum_recovered - cum_costs, Decimal(0))
    target = min(claim.paid_amount, fen(cum_net * claim.paid_amount / claim.claimed_loss))
    net = max(recovered - costs, ZERO)
    back = min(max(target - claim.returned_total, ZERO), net)
    return cum_recovered, cum_costs, net, back


@transaction.atomic
def recovery_record(*, claim, recovered, costs, recovered_on: dt.date, by) -> Recovery:
    """The bank reports a recovery on a compensated loan; the net goes back in the claim's proportions."""
    claim_id = getattr(claim, "pk", claim)
    owner = Claim.objects.filter(pk=claim_id).values_list("bank_id", flat=True).first()
    if owner is None or owner != by.organisation_id:
        raise NotFound("补偿申请", "claim")
    recovered = parse_amount(recovered, "recovered")
    costs = parse_amount(costs, "costs", allow_zero=True)
    recovered_on = parse_date(recovered_on, "recovered_on", not_future=True)
    pool, _enrolment, claim = lock_claim(claim_id)
    if claim.status != ClaimStatus.PAID:
        raise DomainError(
            "只有已支付补偿的贷款才能登记追偿回收",
            "recoveries are recorded on paid claims only",
            code="claim_not_paid",
            status=409,
        )
    if recovered_on < claim.paid_on:
        raise DomainError(
            "回收日期早于补偿支付日",
            "the recovery date is before the compensation was paid",
            code="invalid_date",
            field="recovered_on",
        )
    cum_recovered, cum_costs, net, back = _back_to_pool(claim, recovered, costs)
    parts_out: dict[str, str] = {}
    lines = []
    if back > 0:
        paid_parts = sponsor_parts_of(pool, claim)
        done = _returned_by_sponsor(claim)
        room = [amount - done.get(str(sponsor.pk), ZERO) for sponsor, amount in paid_parts]
        lines.append(debit(pool.cash_account, money_of(pool, back)))
        for (sponsor, _), amount in zip(paid_parts, allocate(back, room), strict=True):
            if amount > 0:
                lines.append(credit(sponsor.available_account, money_of(pool, amount)))
                parts_out[str(sponsor.pk)] = str(amount)
    rec = Recovery.objects.create(
        claim=claim,
        recovered=recovered,
        costs=costs,
        net=net,
        returned_to_pool=back,
        kept_by_bank=net - back,
        sponsor_parts=parts_out,
        recovered_on=recovered_on,
        recorded_by=by,
    )
    if back > 0:
        rec.entry = entry_post(
            lines=lines,
            value_date=recovered_on,
            memo=f"追偿回收 recovery · claim #{claim.pk}",
            source=rec,
            idempotency_ref=f"recovery:{rec.pk}:return",
            by=by,
        )
        rec.save(update_fields=["entry"])
        pool.returned += back
        pool.available += back
        pool.save(update_fields=["returned", "available"])
    claim.recovered_total = cum_recovered
    claim.costs_total = cum_costs
    claim.returned_total += back
    claim.save(update_fields=["recovered_total", "costs_total", "returned_total"])
    state_change_record(
        claim,
        from_state=str(claim.returned_total - back),
        to_state=str(claim.returned_total),
        by=by,
        reason=f"recovery #{rec.pk}: recovered {recovered}, costs {costs}, returned {back}",
        field="returned_total",
    )
    return rec

"""Repayments: the allocation order, and recording a repayment (which may repay the loan and release its
pledges)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from finance.approvals.services import state_change
from finance.core import inputs
from finance.core.errors import DomainError, InvalidTransition
from finance.core.locks import lock
from finance.core.money import money_of

from ..models import Installment, InstallmentStatus, Loan, LoanClass, LoanStatus, Repayment
from .lifecycle import pledges_release

S = LoanStatus


@dataclass
class Allocation:
    overdue_interest: Decimal = Decimal("0.00")
    overdue_principal: Decimal = Decimal("0.00")
    current_interest: Decimal = Decimal("0.00")
    principal: Decimal = Decimal("0.00")
    lines: list[dict] = field(default_factory=list)

    @property
    def interest(self):
        return self.overdue_interest + self.current_interest

    @property
    def principal_total(self):
        return self.overdue_principal + self.principal


def amount_owed(loan: Loan, installments: list[Installment], paid_on: dt.date) -> Decimal:
    """What the borrower can pay on ``paid_on``: unpaid interest of installments due before then, the current
    period's interest (the installment due on ``paid_on`` or next), and all unpaid principal — exactly the
    buckets ``allocate_repayment`` fills."""
    owed = Decimal(0)
    current_seen = False
    for inst in installments:
        owed += inst.principal - inst.principal_paid
        if inst.due_date < paid_on:
            owed += inst.interest - inst.interest_paid
        elif not current_seen:
            owed += inst.interest - inst.interest_paid
            current_seen = True
    return owed


def allocate_repayment(installments: list[Installment], paid_on: dt.date, amount: Decimal) -> Allocation:
    """Split a payment in the order the banks apply it (and the borrower owes it):

    1. overdue interest — interest of installments due before ``paid_on``, oldest first;
    2. overdue principal — their principal, oldest first;
    3. current interest — the installment due on ``paid_on`` or next (one period's interest);
    4. principal — that installment's principal, then later installments' principal in due order
       (a prepayment; the scheduled interest of later periods is not recomputed, and is waived once the
       principal is fully repaid).

    Mutates the installments' paid parts; returns the totals per bucket and one line per installment touched.
    """
    alloc = Allocation()
    left = amount
    touched: dict[int, dict] = {}

    def take(inst, part: str, bucket: str):
        nonlocal left
        due = getattr(inst, part) - getattr(inst, f"{part}_paid")
        pay = min(due, left)
        if pay <= 0:
            return
        setattr(inst, f"{part}_paid", getattr(inst, f"{part}_paid") + pay)
        setattr(alloc, bucket, getattr(alloc, bucket) + pay)
        line = touched.setdefault(inst.number, {"number": inst.number, "interest": Decimal(0),
                                                "principal": Decimal(0)})
        line[part] += pay
        left -= pay

    overdue = [i for i in installments if i.due_date < paid_on]
    later = [i for i in installments if i.due_date >= paid_on]
    for inst in overdue:
        take(inst, "interest", "overdue_interest")
    for inst in overdue:
        take(inst, "principal", "overdue_principal")
    if later:
        take(later[0], "interest", "current_interest")
    for inst in later:
        take(inst, "principal", "principal")
    alloc.lines = [{"number": n, "interest": str(x["interest"]), "principal": str(x["principal"])}
                   for n, x in sorted(touched.items())]
    return alloc


@transaction.atomic
def repayment_record(*, loan: Loan, paid_on, amount, by) -> Repayment:
    """Record a repayment and allocate it (see ``allocate_repayment`` for the order).

    Refused: a date before disbursement, after today (the shared rule
    ``finance.core.inputs.check_not_future``, Asia/Shanghai) or before the last recorded repayment (allocation
    depends on order), an
    amount above what is owed on that date, a loan that is not outstanding. The loan is repaid when its
    principal reaches zero (its pledges are released); an overdue loan with nothing past due any more is
    active again (dpd 0).
    """
    paid_on = inputs.parse_date(paid_on, "paid_on", not_future=True)
    amount = inputs.parse_amount(amount, "amount")
    loan = lock(Loan, loan.pk)
    if loan.status not in (S.ACTIVE, S.OVERDUE, S.DEFAULTED):
        raise InvalidTransition(f"贷款状态为「{loan.get_status_display()}」，不能登记还款",
                                f"a loan in status '{loan.status}' takes no repayments",
                                code="loan_not_outstanding")
    if paid_on < loan.disbursed_on:
        raise DomainError(f"还款日 {paid_on} 早于放款日 {loan.disbursed_on}",
                          f"paid_on {paid_on} is before the disbursement on {loan.disbursed_on}",
                          code="repayment_before_disbursement", field="paid_on")
    last = loan.repayments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    if last and paid_on < last:
        raise DomainError(f"还款日 {paid_on} 早于已登记的最近一次还款（{last}）",
                          f"paid_on {paid_on} is before the last recorded repayment ({last})",
                          code="repayment_out_of_order", field="paid_on")
    installments = list(loan.installments.exclude(status=InstallmentStatus.PAID).order_by("number"))
    owed = amount_owed(loan, installments, paid_on)
    if amount > owed:
        raise DomainError(f"还款金额 {amount} 超过 {paid_on} 应还总额 {owed}",
                          f"amount {amount} exceeds what is owed on {paid_on}: {owed}",
                          code="repayment_above_owed", field="amount", extra={"owed": str(owed)})
    on_time = not any(i.due_date < paid_on for i in installments)
    alloc, principal_left = _apply(installments, paid_on, amount)
    repayment = Repayment.objects.create(
        loan=loan, paid_on=paid_on, amount=money_of(loan, amount), interest_part=alloc.interest,
        principal_part=alloc.principal_total, on_time=on_time, recorded_by=by,
        allocation={"overdue_interest": str(alloc.overdue_interest),
                    "overdue_principal": str(alloc.overdue_principal),
                    "current_interest": str(alloc.current_interest), "principal": str(alloc.principal),
                    "installments": alloc.lines})
    loan.principal_outstanding = principal_left
    loan.save(update_fields=["principal_outstanding"])
    if principal_left == 0:
        loan.dpd = 0
        loan.claim_eligible_since = None
        state_change(loan, to=S.REPAID, by=by, reason=f"fully repaid on {paid_on} / 已结清",
                     also=("dpd", "claim_eligible_since"))
        pledges_release(loan=loan, on=paid_on)
    elif loan.status == S.OVERDUE and not any(i.status != InstallmentStatus.PAID and i.due_date < paid_on
                                              for i in installments):
        loan.dpd = 0
        loan.loan_class = LoanClass.NORMAL
        loan.claim_eligible_since = None
        state_change(loan, to=S.ACTIVE, by=by, reason=f"arrears cleared on {paid_on} / 逾期已结清",
                     also=("dpd", "loan_class", "claim_eligible_since"))
    return repayment


def _apply(installments: list[Installment], paid_on: dt.date, amount: Decimal) -> tuple[Allocation, Decimal]:
    """Allocate, mark installments paid or overdue, save the changed ones; returns the principal left."""
    before = {i.pk: (i.principal_paid, i.interest_paid, i.status) for i in installments}
    alloc = allocate_repayment(installments, paid_on, amount)
    principal_left = sum((i.principal - i.principal_paid for i in installments), Decimal(0))
    for inst in installments:
        interest_done = inst.interest_paid == inst.interest or principal_left == 0
        full = inst.principal_paid == inst.principal and interest_done
        if full:
            inst.status, inst.paid_on = InstallmentStatus.PAID, paid_on
        elif inst.due_date < paid_on:
            inst.status = InstallmentStatus.OVERDUE
        if before[inst.pk] != (inst.principal_paid, inst.interest_paid, inst.status):
            # usually one or two rows: plain UPDATEs beat bulk_update's CASE
            Installment.objects.filter(pk=inst.pk).update(
                principal_paid=inst.principal_paid, interest_paid=inst.interest_paid, status=inst.status,
                paid_on=inst.paid_on)
    return alloc, principal_left

"""Default, write-off (proposed by the bank, decided by the department) and the release of pledges when a
loan ends.

A pledge is released when its loan is repaid or written off (``released_on``), so the asset can secure a new
loan; the partial unique index on live pledges then lets it be pledged again.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from finance.approvals.models import ApprovalStatus
from finance.approvals.services import (
    approval_current,
    approval_decide,
    approval_submit,
    state_change,
    state_change_record,
)
from finance.core import inputs
from finance.core.errors import Conflict, DomainError, InvalidTransition, PermissionDenied
from finance.core.locks import lock
from finance.parties.models import OrgKind, Role

from ..models import Loan, LoanClass, LoanStatus, LoanWriteOff, Pledge, WriteOffStatus

S = LoanStatus
#: Loans whose pledges are still registered (an IP asset cannot back two of these at once).
LIVE_STATUSES = (S.SUBMITTED, S.ACTIVE, S.OVERDUE, S.DEFAULTED)
#: A declared default is credit-impaired: at least substandard (商业银行金融资产风险分类办法, 2023: an asset
#: whose debtor cannot pay in full, or that is credit-impaired, is classed substandard or worse).
DEFAULT_CLASS_FLOOR = LoanClass.SUBSTANDARD
_CLASS_ORDER = list(LoanClass.values)


def class_with_default_floor(loan_class: str, status: str) -> str:
    """The five-category class, raised to substandard for a defaulted or written-off loan."""
    if status in (S.DEFAULTED, S.WRITTEN_OFF) and _CLASS_ORDER.index(loan_class) < _CLASS_ORDER.index(
            DEFAULT_CLASS_FLOOR):
        return DEFAULT_CLASS_FLOOR
    return loan_class


def pledges_release(*, loan: Loan, on: dt.date) -> int:
    """Release the loan's live pledges (the loan was repaid or written off)."""
    return Pledge.objects.filter(loan=loan, released_on__isnull=True).update(released_on=on)


@transaction.atomic
def loan_default(*, loan: Loan, declared_on, reason: str, by) -> Loan:
    """The bank declares the loan in default (the pool's compensation claims start from here); the loan is
    classed at least substandard from now on (the nightly classification keeps that floor)."""
    declared_on = inputs.parse_date(declared_on, "declared_on", not_future=True)
    reason = inputs.parse_text(reason, "reason", max_length=2000)
    loan = lock(Loan, loan.pk)
    if declared_on < loan.disbursed_on:
        raise DomainError(f"违约日期 {declared_on} 早于放款日 {loan.disbursed_on}",
                          f"declared_on {declared_on} is before the disbursement ({loan.disbursed_on})",
                          code="invalid_date", field="declared_on")
    loan.defaulted_on = declared_on
    loan.default_reason = reason
    loan.loan_class = class_with_default_floor(loan.loan_class, S.DEFAULTED)
    return state_change(loan, to=S.DEFAULTED, by=by, reason=reason,
                        also=("defaulted_on", "default_reason", "loan_class"))


@transaction.atomic
def loan_write_off(*, loan: Loan, reason: str, by, on: dt.date | None = None) -> Loan:
    """核销 a defaulted loan; its pledges are released."""
    on = inputs.parse_date(on or inputs.today(), "on", not_future=True)
    loan = lock(Loan, loan.pk)
    loan = state_change(loan, to=S.WRITTEN_OFF, by=by, reason=reason or "written off")
    pledges_release(loan=loan, on=on)
    return loan


# ------------------------------------------------------------- write-off: bank proposes, department decides

#: The approval kind of a write-off (one level by a department reviewer unless ApprovalRule rows say more).
WRITE_OFF_KIND = "loan_write_off"


def _check_bank_officer(loan: Loan, by) -> None:
    org = by.organisation if by is not None and by.organisation_id else None
    if (org is None or org.kind != OrgKind.BANK or not by.has_role(Role.BANK_OFFICER)
            or org.pk != loan.bank_id):
        raise PermissionDenied("只有放款银行的经办人可以申请核销",
                               "only an officer of the lending bank proposes a write-off",
                               code="not_lending_bank")


@transaction.atomic
def write_off_propose(*, loan: Loan, reason: str, by, on=None) -> LoanWriteOff:
    """The lending bank proposes to write off a defaulted loan; the department decides (``write_off_decide``).

    Only a defaulted loan, on a date not after today nor before the default, one open proposal at a time."""
    on = inputs.parse_date(on or inputs.today(), "on", not_future=True)
    reason = inputs.parse_text(reason, "reason", max_length=2000)
    loan = lock(Loan, loan.pk)
    _check_bank_officer(loan, by)
    if loan.status != S.DEFAULTED:
        raise InvalidTransition("只有已违约的贷款可以申请核销", "only a defaulted loan can be written off",
                                field="status")
    if loan.defaulted_on and on < loan.defaulted_on:
        raise DomainError(f"核销申请日 {on} 早于违约日 {loan.defaulted_on}",
                          f"the proposal date {on} is before the default ({loan.defaulted_on})",
                          code="invalid_date", field="on")
    if LoanWriteOff.objects.filter(loan=loan, status=WriteOffStatus.PROPOSED).exists():
        raise Conflict("该贷款已有待审批的核销申请", "this loan already has a write-off awaiting decision",
                       code="write_off_pending")
    write_off = LoanWriteOff.objects.create(loan=loan, reason=reason, proposed_on=on, proposed_by=by,
                                            principal_outstanding=loan.principal_outstanding)
    approval_submit(item=write_off, kind=WRITE_OFF_KIND, amount=loan.principal_outstanding, maker=by,
                    default_role=Role.DEPARTMENT_REVIEWER)
    state_change_record(write_off, from_state="", to_state=WriteOffStatus.PROPOSED, by=by, reason=reason)
    return write_off


@transaction.atomic
def write_off_decide(*, write_off: LoanWriteOff, by, approve: bool, note: str = "") -> LoanWriteOff:
    """A department reviewer (never the bank's: maker-checker across organisations) approves or refuses.

    On the last approving level the loan is written off and its pledges released; a refusal leaves the loan
    defaulted (the bank may propose again)."""
    note = inputs.parse_text(note, "note", max_length=2000, required=not approve)
    loan = lock(Loan, write_off.loan_id)
    write_off = LoanWriteOff.objects.get(pk=write_off.pk)
    if write_off.status != WriteOffStatus.PROPOSED:
        raise Conflict("该核销申请已有决定", "this write-off is already decided", code="approval_closed")
    request = approval_current(write_off)
    request = approval_decide(request=request, approver=by, approve=approve, comment=note,
                              default_role=Role.DEPARTMENT_REVIEWER)
    if request.status == ApprovalStatus.PENDING:
        return write_off  # a further level is needed
    write_off.decided_by, write_off.decided_at, write_off.decision_note = by, timezone.now(), note
    to = WriteOffStatus.APPROVED if request.status == ApprovalStatus.APPROVED else WriteOffStatus.REJECTED
    state_change(write_off, to=to, by=by, reason=note or to,
                 also=("decided_by", "decided_at", "decision_note"))
    if to == WriteOffStatus.APPROVED:
        loan_write_off(loan=loan, reason=f"核销 write-off #{write_off.pk}: {write_off.reason}", by=by)
    return write_off

"""Default, write-off and the release of pledges when a loan ends.

A pledge is released when its loan is repaid or written off (``released_on``), so the asset can secure a new
loan; the partial unique index on live pledges then lets it be pledged again.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from finance.approvals.services import state_change
from finance.core import inputs
from finance.core.errors import DomainError
from finance.core.locks import lock

from ..models import Loan, LoanClass, LoanStatus, Pledge

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

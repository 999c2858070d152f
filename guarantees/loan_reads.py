"""The one place the guarantees app reads loans: nothing else in guarantees imports ``loans``.

Guarantees never writes loans; it reads a bank's loan by id, lists the loans a bank may enrol or claim on,
and uses the loans app's status and class vocabularies.
"""

from __future__ import annotations

from loans.models import Loan, LoanClass, LoanStatus

__all__ = [
    "LoanClass",
    "LoanStatus",
    "loan_of_bank",
    "loans_to_enrol",
    "loans_to_claim",
    "NPL_CLASSES",
    "DEFAULT_STATUSES",
    "ENROLLABLE_STATUSES",
]

ENROLLABLE_STATUSES = (LoanStatus.ACTIVE, LoanStatus.OVERDUE)
NPL_CLASSES = (LoanClass.SUBSTANDARD, LoanClass.DOUBTFUL, LoanClass.LOSS)
DEFAULT_STATUSES = (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)
GUARANTEEABLE_STATUSES = (LoanStatus.SUBMITTED, LoanStatus.ACTIVE)


def _pk(loan_or_id):
    return getattr(loan_or_id, "pk", loan_or_id)


def loan_of_bank(loan_or_id, *, bank_id):
    """The loan if it is ``bank_id``'s, else None (a missing loan and another bank's look the same)."""
    if not bank_id:
        return None
    try:
        pk = int(_pk(loan_or_id))
    except (TypeError, ValueError):
        return None
    return Loan.objects.select_related("borrower", "bank").filter(pk=pk, bank_id=bank_id).first()


def loans_to_enrol(bank_id):
    return Loan.objects.filter(bank_id=bank_id, pool_enrolment__isnull=True, status__in=ENROLLABLE_STATUSES)


def loans_to_claim(bank_id):
    return Loan.objects.filter(bank_id=bank_id, pool_enrolment__status="enrolled")


def demo_loans(*, statuses, limit: int, tech_sme: bool = True) -> list:
    """Loans for the demo world (tech-SME borrowers first by days past due), a few at most."""
    qs = Loan.objects.select_related("bank")
    if tech_sme:
        qs = qs.filter(borrower__tech_sme_number__gt="").order_by("dpd", "pk")
    else:
        qs = qs.order_by("pk")
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    return list(qs[:limit])

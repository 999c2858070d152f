"""The one place the guarantees app reads loans, through the loans app's selectors (never ``loans.models``).

Guarantees never writes loans; it reads a bank's loan by id, lists the loans a bank may enrol or claim on,
and uses the loans app's status and class vocabularies.
"""

from __future__ import annotations

from finance.core.errors import NotFound
from loans.selectors import (
    DEFAULT_STATUSES,
    ENROLLABLE_STATUSES,
    NPL_CLASSES,
    PERFORMING_STATUSES,
    LoanClass,
    LoanStatus,
    bank_enrollable_loans,
    bank_enrolled_loans,
    enrolment_eligibility,
    loan_get_for_bank,
    loans_in_status,
    loans_of_tech_smes,
)

__all__ = [
    "DEFAULT_STATUSES",
    "ENROLLABLE_STATUSES",
    "GUARANTEEABLE_STATUSES",
    "NPL_CLASSES",
    "LoanClass",
    "LoanStatus",
    "demo_loans",
    "enrolment_reasons",
    "loan_of_bank",
    "loans_to_claim",
    "loans_to_enrol",
]

GUARANTEEABLE_STATUSES = PERFORMING_STATUSES


def loan_of_bank(loan_or_id, *, bank_id):
    """The loan if it is ``bank_id``'s, else None (a missing loan and another bank's look the same)."""
    try:
        return loan_get_for_bank(loan=loan_or_id, bank_id=bank_id or None)
    except NotFound:
        return None


def enrolment_reasons(loan) -> tuple[tuple[str, str, str], ...]:
    """(code, zh, en) of every condition of the loan itself that keeps it out of a pool (empty: eligible)."""
    return enrolment_eligibility(loan).reasons


def loans_to_enrol(bank_id):
    return bank_enrollable_loans(bank_id=bank_id)


def loans_to_claim(bank_id):
    return bank_enrolled_loans(bank_id=bank_id, enrolment_status="enrolled")


def demo_loans(*, statuses, limit: int, tech_sme: bool = True) -> list:
    """Loans for the demo world (tech-SME borrowers first by days past due), a few at most."""
    if tech_sme:
        qs = loans_of_tech_smes(statuses=tuple(statuses or (*ENROLLABLE_STATUSES, *DEFAULT_STATUSES)))
    else:
        qs = loans_in_status(*statuses)
    return list(qs[:limit])

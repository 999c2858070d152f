"""Every write on IP-pledge loans, by workflow:

- ``submission``: parsing and rules of a loan (API body or file row) and ``loan_submit``;
- ``registration``: the one registration path (register checks under row locks, set-based writes);
- ``repayments``: the allocation order and ``repayment_record``;
- ``lifecycle``: default, write-off, release of pledges;
- ``classification``: the nightly five-category classification;
- ``subsidies``: interest subsidies with maker-checker and a separate payment.

The public names stay importable from ``loans.services``.
"""
from finance.core.inputs import today

from .classification import CLASSIFIED_STATUSES, ClassificationResult, loans_classify
from .lifecycle import (
    LIVE_STATUSES,
    WRITE_OFF_KIND,
    class_with_default_floor,
    loan_default,
    loan_write_off,
    pledges_release,
    write_off_decide,
    write_off_propose,
)
from .registration import (
    Item,
    RegistrationRefused,
    RowError,
    existing_refs,
    register_loans,
    registration_errors,
)
from .repayments import Allocation, allocate_repayment, amount_owed, repayment_record
from .submission import (
    InputErrors,
    LoanIn,
    PledgeIn,
    RowInput,
    loan_input,
    loan_rules_check,
    loan_rules_errors,
    loan_submit,
    loans_input,
    schedule_for,
)
from .subsidies import SUBSIDY_APPROVAL_KIND, interest_paid, subsidy_apply, subsidy_approve, subsidy_pay

__all__ = [
    "allocate_repayment", "Allocation", "amount_owed", "class_with_default_floor", "ClassificationResult",
    "CLASSIFIED_STATUSES", "existing_refs", "InputErrors", "interest_paid", "Item", "LIVE_STATUSES",
    "loan_default", "loan_input", "loan_rules_check", "loan_rules_errors", "loan_submit", "loan_write_off",
    "LoanIn", "loans_classify", "loans_input", "PledgeIn", "pledges_release", "register_loans",
    "registration_errors", "RegistrationRefused", "repayment_record", "RowError", "RowInput",
    "schedule_for", "subsidy_apply", "SUBSIDY_APPROVAL_KIND", "subsidy_approve", "subsidy_pay", "today",
    "write_off_decide", "WRITE_OFF_KIND", "write_off_propose",
]

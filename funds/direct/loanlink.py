"""The 拨投贷 loan leg's read of the loans app, by the bank's own reference.

``funds`` and ``loans`` may not import each other (import-linter contract "funds and loans do not import each
other"), so ``loans.selectors`` (``loan_facts``, ``loan_get_for_bank``: by the loan's id, not the bank's
reference) cannot be called from here: this reads the two loans tables through the app registry, read-only,
and returns plain figures. A subsidy counts once paid (``paid``; approval alone no longer pays it). It is the
selector that belongs in ``loans/selectors.py`` as ``loan_facts_by_reference(bank_id, reference)``; once it is
there and a registry lets funds call it, this module stops reading the tables itself.
"""
from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.db.models import Sum


def loan_facts(*, bank_id: int | None, reference: str) -> dict | None:
    """Principal, outstanding, status and interest subsidy paid of the bank's loan ``reference``, or None."""
    if not bank_id or not reference:
        return None
    Loan = apps.get_model("loans", "Loan")
    Subsidy = apps.get_model("loans", "SubsidyApplication")
    loan = Loan.objects.filter(bank_id=bank_id, external_ref=reference).order_by("pk").first()
    if loan is None:
        return None
    paid = (Subsidy.objects.filter(loan=loan, status="paid").aggregate(s=Sum("amount_granted"))["s"]
            or Decimal("0.00"))
    return {"loan_id": loan.pk, "borrower_id": loan.borrower_id, "reference": loan.external_ref,
            "principal": loan.principal.amount, "currency": str(loan.principal.currency),
            "outstanding": loan.principal_outstanding, "status": loan.status,
            "status_label": loan.get_status_display(), "subsidy_paid": paid}

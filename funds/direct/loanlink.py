"""The 拨投贷 loan leg's read of the loans app, by the bank's own reference.

``funds`` and ``loans`` may not import each other (import-linter contract "funds and loans do not import each
other"), so the read goes through the port ``finance.core.ports.LOAN_FACTS_BY_REFERENCE``, which loans
provides (``loans.selectors.loan_facts_by_reference``, registered in ``LoansConfig.ready``): no table of
loans is read here.
"""
from __future__ import annotations

from finance.core import ports


def loan_facts(*, bank_id: int | None, reference: str) -> dict | None:
    """Principal, outstanding, status and interest subsidy paid of the bank's loan ``reference``, or None."""
    result: dict | None = ports.port(ports.LOAN_FACTS_BY_REFERENCE)(bank_id=bank_id, reference=reference)
    return result


def loans_to_enterprises(*, limit: int) -> list[dict]:
    """Bank, reference and borrower of the first loans to enterprises (the demo links one to 拨投贷)."""
    rows: list[dict] = ports.port(ports.LOANS_TO_ENTERPRISES)(limit=limit)
    return rows

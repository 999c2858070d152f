"""拨投贷's loan leg and its total exposure: the bank's own loan, read through the loans port
(``funds.direct.loanlink``), never the loans tables."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP

from django.db import transaction

from finance.approvals import services as approvals
from finance.core.inputs import parse_text, today
from finance.core.money import percent_to_fraction
from finance.parties.models import Organisation
from finance.policy.selectors import PolicyUse

from ..loanlink import loan_facts
from ..models import GrantInvestLoan, PositionStatus
from ._common import IFS, D, _err, _locked, _manager_of


def grant_invest_loan_exposure(g: GrantInvestLoan, *, on: dt.date | None = None) -> dict:
    """Total fiscal exposure: grant paid + equity at cost + interest subsidy paid + pool share at risk."""
    grant = g.grant_amount if g.grant_paid_on else D("0.00")
    if g.position_id:
        equity = g.position.cost if g.position.status == PositionStatus.HELD else D("0.00")
    elif g.invest_first_id:
        a = g.invest_first
        equity = (
            a.position.cost
            if a.position_id and a.position.status == PositionStatus.HELD
            else a.disbursed
            if a.status in (IFS.DISBURSED, IFS.CONVERTING, IFS.OVERDUE, IFS.CLOSING)
            else D("0.00")
        )
    else:
        equity = D("0.00")
    facts = loan_facts(bank_id=g.loan_bank_id, reference=g.loan_reference) if g.loan_reference else None
    subsidy = facts["subsidy_paid"] if facts else D("0.00")
    pool = D("0.00")
    if facts and g.loan_pool_enrolled:
        use = PolicyUse(on=on or today())
        share = use("pool.share.province") + use("pool.share.city")
        pool = (facts["outstanding"] * percent_to_fraction(share)).quantize(D("0.01"), ROUND_HALF_UP)
    return {
        "grant_paid": grant,
        "equity_at_cost": equity,
        "subsidy_paid": subsidy,
        "pool_share_at_risk": pool,
        "total": grant + equity + subsidy + pool,
        "loan": facts,
    }


@transaction.atomic
def grant_invest_loan_link_loan(*, project: GrantInvestLoan, bank: Organisation, reference: str, by,
                                pool_enrolled: bool = False) -> GrantInvestLoan:
    """Link (or correct) the loan leg: the bank's own loan reference, which must name a loan registered
    through the loans API by that bank to this enterprise."""
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    reference = parse_text(reference, "loan_reference", max_length=64)
    facts = loan_facts(bank_id=bank.pk, reference=reference)
    if facts is None or facts["borrower_id"] != g.enterprise_id:
        raise _err(
            f"loan_reference：银行「{bank.name}」没有向该企业发放编号为 {reference} 的贷款",
            f"loan_reference: bank '{bank.name}' has no loan {reference} to this enterprise",
            "loan_not_found",
            "loan_reference",
            status=404,
        )
    g.loan_bank, g.loan_reference, g.loan_pool_enrolled = bank, reference, bool(pool_enrolled)
    g.save(update_fields=["loan_bank", "loan_reference", "loan_pool_enrolled"])
    approvals.state_change_record(
        g,
        from_state=g.status,
        to_state=g.status,
        by=by,
        reason=f"loan linked: {reference}",
        field="loan_reference",
    )
    return g

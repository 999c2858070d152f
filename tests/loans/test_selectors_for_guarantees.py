"""The reads the guarantees app uses instead of ``loans.models`` (loans.selectors)."""
import datetime as dt
from decimal import Decimal

import pytest

from finance.core.errors import NotFound
from finance.parties.models import Role
from loans import selectors
from loans.models import LoanStatus
from loans.services import loan_default, loan_submit
from tests.loans.loan_factories import loan_body

D = Decimal
TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


def test_loan_facts_for_bank_and_404_for_another_bank(bank, other_bank, officer):
    loan = loan_submit(bank=bank, by=officer, data=loan_body(1, currency="CNY"), as_of=TODAY)
    f = selectors.loan_facts_for_bank(loan=loan.pk, bank_id=bank.pk)
    assert (f.id, f.currency, f.principal, f.outstanding, f.status, f.loan_class, f.dpd, f.category,
            f.pool_category) == (loan.pk, "CNY", D("1000000.00"), D("1000000.00"), "active", "normal", 0,
                                 "ip_pledge", "standard")
    assert f.status_label == str(LoanStatus.ACTIVE.label)
    assert not f.borrower_is_tech_sme and not f.is_defaulted and not f.is_non_performing
    with pytest.raises(NotFound) as err:
        selectors.loan_facts_for_bank(loan=loan.pk, bank_id=other_bank.pk)
    assert "1000000" not in err.value.detail
    with pytest.raises(NotFound):
        selectors.loan_facts_for_bank(loan="abc", bank_id=bank.pk)


def test_enrolment_eligibility_names_each_failed_condition(bank, officer):
    loan = loan_submit(bank=bank, by=officer, data=loan_body(2), as_of=TODAY)
    e = selectors.enrolment_eligibility(loan.pk)
    assert not e.eligible and [r[0] for r in e.reasons] == ["borrower_not_tech_sme"]
    loan.borrower.tech_sme_number = "202537010100001"
    loan.borrower.save()
    assert selectors.enrolment_eligibility(loan.pk).eligible
    loan_default(loan=loan, declared_on=TODAY, reason="停产", by=officer)
    e = selectors.enrolment_eligibility(loan.pk)
    assert [r[0] for r in e.reasons] == ["loan_not_eligible"]
    # whether it may be claimed is the pool's rule (guarantees.services claim_triggered: dpd > trigger)
    assert e.facts.is_defaulted and e.facts.is_non_performing


def test_bank_loan_lists_and_outstanding_per_currency(bank, other_bank, officer, make_user):
    mine = loan_submit(bank=bank, by=officer, data=loan_body(3), as_of=TODAY)
    loan_submit(bank=bank, by=officer, data=loan_body(4, currency="USD"), as_of=TODAY)
    loan_submit(bank=other_bank, by=make_user(other_bank, Role.BANK_OFFICER), data=loan_body(5), as_of=TODAY)
    assert set(selectors.bank_enrollable_loans(bank_id=bank.pk).values_list("external_ref", flat=True)) == {
        "LN-00003", "LN-00004"}
    assert selectors.outstanding_by_currency(bank_id=bank.pk) == {"CNY": D("1000000.00"), "USD": D("1000000.00")}
    assert selectors.outstanding_by_currency(pk=mine.pk) == {"CNY": D("1000000.00")}

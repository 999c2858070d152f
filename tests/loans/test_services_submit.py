import datetime as dt
from decimal import Decimal

import pytest

from finance.approvals.services import history
from finance.core.errors import DomainError
from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.services import parameter_set
from loans.models import Installment, IPAsset, Loan, LoanStatus, Pledge
from loans.services import loan_submit
from tests.loans.loan_factories import DISBURSED, borrower_code, loan_body, patent, pledge

D = Decimal
TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def system(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


def counts():
    return (Loan.objects.count(), Installment.objects.count(), Pledge.objects.count(), IPAsset.objects.count(),
            Organisation.objects.count())


def submit(bank, user, **over):
    return loan_submit(bank=bank, by=user, data=loan_body(**over), as_of=TODAY)


def test_submit_registers_borrower_pledge_schedule_and_activates(bank, system):
    loan = submit(bank, system)
    assert loan.status == LoanStatus.ACTIVE
    assert loan.borrower.kind == OrgKind.ENTERPRISE and loan.borrower.uscc == borrower_code(1)
    rows = list(loan.installments.all())
    assert len(rows) == 36
    assert {r.payment for r in rows[:-1]} == {D("29679.93")}
    assert sum(r.principal for r in rows) == D("1000000.00")
    assert loan.maturity_on == dt.date(2028, 1, 15)
    assert loan.principal_outstanding == D("1000000.00")
    assert loan.policy_snapshot["loan.ltv_max.invention_patent"] == "25"
    assert loan.policy_snapshot["loan.term_max_months"] == "36"
    pledge = loan.pledges.get()
    assert pledge.asset.number == patent(1)[2:] and pledge.ltv_cap == D("25") and pledge.appraised_value == D("5000000")
    moves = [(h.from_state, h.to_state, h.by_id) for h in history(loan)]
    assert moves == [("submitted", "active", system.pk)]


def test_existing_borrower_is_reused(bank, system, orgs):
    firm = orgs.make(OrgKind.ENTERPRISE, name="已登记企业")
    loan = submit(bank, system, borrower_uscc=firm.uscc, borrower_name="")
    assert loan.borrower == firm


def bad(bank, user, code, field=None, **over):
    before = counts()
    with pytest.raises(DomainError) as err:
        submit(bank, user, **over)
    assert err.value.code == code, err.value.detail
    if field:
        assert err.value.field == field
    assert counts() == before
    assert err.value.detail_zh and err.value.detail_en
    return err.value


def test_invalid_credit_code_is_refused(bank, system):
    e = bad(bank, system, "invalid_uscc", "borrower_uscc", borrower_uscc="91370100MA0000000X")
    assert "check" in e.detail_en


def test_invalid_patent_check_digit_is_refused(bank, system):
    number = patent(7)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    e = bad(bank, system, "invalid_patent_number", "pledges.0.ip_number",
            pledges=[pledge(1, "invention_patent", wrong, "5000000.00")])
    assert "check" in e.detail_en


def test_ip_kind_not_matching_number_is_refused(bank, system):
    bad(bank, system, "ip_kind_mismatch", "pledges.0.ip_number",
        pledges=[pledge(1, "invention_patent", patent(3, kind_digit="2"), "5000000.00")])
    bad(bank, system, "ip_kind_mismatch", "pledges.0.ip_number",
        pledges=[pledge(1, "trademark", patent(3), "5000000.00")])


def test_ltv_above_cap_names_rule_and_value(bank, system):
    e = bad(bank, system, "ltv_above_cap", "principal", principal="1250000.01")
    assert "loan.ltv_max.invention_patent=25%" in e.detail_en and e.extra["limit"] == "1250000.00"
    # utility models have the lower 15% cap
    e = bad(bank, system, "ltv_above_cap", principal="800000.00",
            pledges=[pledge(1, "utility_model", patent(4, kind_digit="2"), "5000000.00")])
    assert "utility_model=15%" in e.detail_en


def test_ltv_at_cap_is_accepted_and_caps_add_up_over_assets(bank, system):
    loan = submit(bank, system, principal="1950000.00", pledges=[
        pledge(1, "invention_patent", patent(11), "5000000.00"),
        pledge(1, "trademark", "30123456", "1400000.00")])
    assert loan.pledges.count() == 2


def test_copyright_without_a_cap_parameter_is_refused_until_set(bank, system):
    pledges = [pledge(1, "copyright", "2021SR0123456", "5000000.00")]
    e = bad(bank, system, "policy_parameter_missing", pledges=pledges)
    assert "loan.ltv_max.copyright" in e.detail_en
    parameter_set(key="loan.ltv_max.copyright", value=D("20"), effective_from=dt.date(2020, 1, 1))
    assert submit(bank, system, pledges=pledges).policy_snapshot["loan.ltv_max.copyright"] == "20"


@pytest.mark.parametrize("principal", ["-5.00", "0", "0.00", "NaN", "1000.001", 1000.5, "abc"])
def test_bad_amounts_are_refused(bank, system, principal):
    bad(bank, system, "invalid_amount", "principal", principal=principal)


def test_unknown_currency_and_method_are_refused(bank, system):
    bad(bank, system, "invalid_currency", "currency", currency="XYZ")
    bad(bank, system, "invalid_method", "repayment_method", repayment_method="balloon")


def test_term_above_cap_names_parameter(bank, system):
    e = bad(bank, system, "term_above_cap", "term_months", term_months=48)
    assert "loan.term_max_months" in e.detail_en and "36" in e.detail_zh


def test_rate_above_cap(bank, system):
    bad(bank, system, "rate_above_cap", "annual_rate", annual_rate="24.01")


def test_disbursement_in_future_is_refused(bank, system):
    bad(bank, system, "disbursement_in_future", "disbursed_on", disbursed_on="2025-06-02")


def test_duplicate_reference_is_refused_but_other_bank_may_use_it(bank, other_bank, system, make_user):
    submit(bank, system)
    bad(bank, system, "duplicate_external_ref", "external_ref", pledges=[
        pledge(1, "invention_patent", patent(99), "5000000.00")])
    other = make_user(other_bank, Role.BANK_OFFICER)
    loan = loan_submit(bank=other_bank, by=other, as_of=TODAY, data=loan_body(pledges=[
        pledge(1, "invention_patent", patent(98), "5000000.00")]))
    assert loan.external_ref == "LN-00001"


def test_asset_securing_a_live_loan_cannot_be_pledged_again(bank, system):
    submit(bank, system)
    bad(bank, system, "ip_already_pledged", external_ref="LN-2")


def test_borrower_must_be_an_enterprise(bank, other_bank, system):
    bad(bank, system, "borrower_not_enterprise", "borrower_uscc", borrower_uscc=other_bank.uscc)


def test_unknown_borrower_without_name_is_refused(bank, system):
    bad(bank, system, "borrower_unknown", "borrower_name", borrower_name="")


def test_disbursed_date_is_used_for_policy(bank, system):
    parameter_set(key="loan.term_max_months", value=D("24"), effective_from=dt.date(2025, 2, 1))
    assert submit(bank, system).term_months == 36  # disbursed 2025-01-15, before the change
    bad(bank, system, "term_above_cap", external_ref="LN-9", disbursed_on="2025-03-01",
        pledges=[pledge(1, "invention_patent", patent(9), "5000000.00")])
    assert DISBURSED < dt.date(2025, 2, 1)

"""CNIPA pledge registrations, release of pledges when a loan ends, unsecured R&D credit loans, and the
database rules behind them (one live pledge per asset, the currency whitelist)."""
import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from finance.core.errors import DomainError
from finance.parties.models import Role
from loans.models import Loan, LoanCategory, Pledge
from loans.services import loan_default, loan_submit, loan_write_off, repayment_record
from tests.loans.loan_factories import borrower_code, loan_body, patent, pledge

D = Decimal
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


@pytest.fixture
def officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


@pytest.mark.parametrize("kind,number,registration_no", [
    ("invention_patent", None, "Y2025980012345"),
    ("invention_patent", None, "y2025 9800 12345"),  # spaces and case normalised
    ("invention_patent", None, "2015990000123"),  # before 2020
    ("utility_model", patent(1, kind_digit="2"), "Y2024980000001"),
    ("trademark", "30123456", "2024质字0001234"),
    ("trademark", "30123456", "ZC20240001234"),
    ("copyright", "2021SR0123456", "软著质登字-2021-L-00001234"),
])
def test_accepted_registration_numbers(bank, officer, settings, kind, number, registration_no):
    from finance.policy.services import parameter_set

    parameter_set(key="loan.ltv_max.copyright", value=D("20"), effective_from=dt.date(2020, 1, 1))
    loan = loan_submit(bank=bank, by=officer, data=loan_body(1, pledges=[
        pledge(1, kind=kind, number=number, value="10000000.00", registration_no=registration_no)]))
    p = loan.pledges.get()
    assert (p.registration_no, p.registered_on) == (registration_no.replace(" ", "").upper(), dt.date(2025, 1, 10))


@pytest.mark.parametrize("kind,registration_no", [
    ("invention_patent", "Y2025000001"),  # the old test fixture's made-up number
    ("invention_patent", "Y202598001234"),  # one digit short
    ("invention_patent", "Y2025990012345"),  # Y-numbers carry 98
    ("invention_patent", "2015980000123"),  # pre-2020 numbers carry 99
    ("invention_patent", "2024质字0001234"),  # a trademark registration on a patent
    ("invention_patent", "Y2026980000001"),  # year after the registration date (2025-01-10)
    ("trademark", "Y2025980012345"),  # a patent registration on a trademark
])
def test_refused_registration_numbers(bank, officer, kind, registration_no):
    number = "30123456" if kind == "trademark" else None
    with pytest.raises(DomainError) as err:
        loan_submit(bank=bank, by=officer, data=loan_body(1, pledges=[
            pledge(1, kind=kind, number=number, registration_no=registration_no)]))
    assert (err.value.code, err.value.field) == ("invalid_registration_no", "pledges.0.registration_no")
    assert Loan.objects.count() == 0


def test_registration_number_and_date_are_required(bank, officer):
    for over, field in (({"registration_no": ""}, "pledges.0.registration_no"),
                        ({"registered_on": None}, "pledges.0.registered_on")):
        with pytest.raises(DomainError) as err:
            loan_submit(bank=bank, by=officer, data=loan_body(1, pledges=[pledge(1, **over)]))
        assert (err.value.code, err.value.field) == ("required", field)


def test_api_requires_the_registration(bank_api):
    body = loan_body(1, pledges=[{k: v for k, v in pledge(1).items() if k != "registered_on"}])
    r = bank_api.post("/api/v1/loans/", body, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "pledges.0.registered_on"
    r = bank_api.post("/api/v1/loans/", loan_body(1), format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["pledges"][0]["registered_on"] == "2025-01-10"


def test_pledges_are_released_when_repaid_or_written_off_and_the_asset_secures_a_new_loan(bank, officer):
    def same_asset(n):
        return loan_body(n, borrower_uscc=borrower_code(1), pledges=[pledge(n, number=patent(1))])

    first = loan_submit(bank=bank, by=officer, data=loan_body(1))
    with pytest.raises(DomainError) as err:
        loan_submit(bank=bank, by=officer, data=same_asset(2))
    assert err.value.code == "ip_already_pledged"
    repayment_record(loan=first, paid_on=dt.date(2025, 2, 15), amount="1003625.00", by=officer)
    assert first.pledges.get().released_on == dt.date(2025, 2, 15)
    second = loan_submit(bank=bank, by=officer, data=same_asset(2))
    loan_default(loan=second, declared_on=dt.date(2025, 9, 1), reason="停产", by=officer)
    assert second.pledges.get().released_on is None  # a defaulted loan still holds its pledge
    loan_write_off(loan=second, reason="核销", by=officer, on=dt.date(2025, 12, 1))
    assert second.pledges.get().released_on == dt.date(2025, 12, 1)
    third = loan_submit(bank=bank, by=officer, data=same_asset(3))
    assert Pledge.objects.filter(asset=third.pledges.get().asset).count() == 3


def test_database_refuses_a_second_live_pledge_on_an_asset(bank, officer):
    loan = loan_submit(bank=bank, by=officer, data=loan_body(1))
    other = loan_submit(bank=bank, by=officer, data=loan_body(2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(loan=other, asset=loan.pledges.get().asset, registration_no="Y2025980000009",
                              registered_on=dt.date(2025, 1, 10))


def test_database_refuses_a_currency_outside_the_whitelist(bank, officer):
    loan = loan_submit(bank=bank, by=officer, data=loan_body(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=loan.pk).update(principal_currency="BTC")
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.get().asset.__class__.objects.update(appraised_value_currency="XXX")
    with pytest.raises(IntegrityError), transaction.atomic():
        repayment = repayment_record(loan=loan, paid_on=dt.date(2025, 2, 15), amount="100.00", by=officer)
        type(repayment).objects.update(amount_currency="ABC")


def test_rd_credit_loan_is_registered_without_pledges(bank, officer, bank_api):
    loan = loan_submit(bank=bank, by=officer, data=loan_body(1, category="rd_credit", pledges=[],
                                                             principal="3000000.00"))
    assert loan.category == LoanCategory.RD_CREDIT and not loan.pledges.exists()
    assert "loan.ltv_max.invention_patent" not in loan.policy_snapshot  # no loan-to-value rule without a pledge
    r = bank_api.post("/api/v1/loans/", loan_body(2, category="rd_credit", pledges=[]), format="json")
    assert r.status_code == 201 and r.json()["category"] == "rd_credit" and r.json()["pledges"] == []
    with pytest.raises(DomainError) as err:
        loan_submit(bank=bank, by=officer, data=loan_body(3, pledges=[]))  # a pledge loan still needs a pledge
    assert (err.value.code, err.value.field) == ("required", "pledges")

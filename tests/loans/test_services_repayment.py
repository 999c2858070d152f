import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from finance.approvals.services import history
from finance.core.errors import DomainError, InvalidTransition
from finance.parties.models import Role
from loans.models import InstallmentStatus, LoanStatus, Repayment
from loans.services import loan_default, loan_submit, loan_write_off, repayment_record
from tests.loans.loan_factories import loan_body

D = Decimal
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


@pytest.fixture
def officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


@pytest.fixture
def loan(bank, officer):
    return loan_submit(bank=bank, by=officer, data=loan_body())


def pay(loan, officer, on, amount):
    return repayment_record(loan=loan, paid_on=on, amount=amount, by=officer)


def test_on_time_installment_pays_interest_then_principal(loan, officer):
    first = loan.installments.get(number=1)
    assert first.interest == D("3625.00") and first.principal == D("26054.93")
    r = pay(loan, officer, dt.date(2025, 2, 15), "29679.93")
    assert (r.interest_part, r.principal_part, r.on_time) == (D("3625.00"), D("26054.93"), True)
    assert r.allocation["current_interest"] == "3625.00" and r.allocation["principal"] == "26054.93"
    first.refresh_from_db()
    assert first.status == InstallmentStatus.PAID and first.paid_on == dt.date(2025, 2, 15)
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("973945.07")


def test_late_payment_goes_to_overdue_interest_then_overdue_principal_then_current(loan, officer):
    # Nothing paid for the first two installments; on 2025-04-10 two are overdue, the third is current.
    i1, i2, i3 = (loan.installments.get(number=n) for n in (1, 2, 3))
    amount = i1.interest + i2.interest + D("100.00")
    r = pay(loan, officer, dt.date(2025, 4, 10), amount)
    assert r.allocation["overdue_interest"] == str(i1.interest + i2.interest)
    assert r.allocation["overdue_principal"] == "100.00" and r.allocation["current_interest"] == "0.00"
    assert r.on_time is False
    i1.refresh_from_db()
    assert i1.principal_paid == D("100.00") and i1.status == InstallmentStatus.OVERDUE
    # clear the arrears and the current interest: the rest is principal of the current installment
    owed_overdue = (i1.principal - D("100.00")) + i2.principal
    r2 = pay(loan, officer, dt.date(2025, 4, 12), owed_overdue + i3.interest + D("50.00"))
    assert r2.allocation["overdue_principal"] == str(owed_overdue)
    assert r2.allocation["current_interest"] == str(i3.interest) and r2.allocation["principal"] == "50.00"
    assert Repayment.objects.filter(loan=loan).count() == 2


def test_full_payoff_repays_the_loan_and_is_logged(loan, officer):
    i1 = loan.installments.get(number=1)
    pay(loan, officer, dt.date(2025, 2, 15), i1.payment)
    i2 = loan.installments.get(number=2)
    payoff = D("973945.07") + i2.interest
    pay(loan, officer, dt.date(2025, 3, 1), payoff)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.REPAID and loan.principal_outstanding == 0
    assert not loan.installments.exclude(status=InstallmentStatus.PAID).exists()
    assert [h.to_state for h in history(loan)] == ["active", "repaid"]
    with pytest.raises(InvalidTransition):
        pay(loan, officer, dt.date(2025, 3, 2), "1.00")


def counts():
    return Repayment.objects.count()


@pytest.mark.parametrize("on,amount,code", [
    (dt.date(2025, 1, 14), "100.00", "repayment_before_disbursement"),
    (dt.date(2026, 6, 2), "100.00", "future_date"),  # the shared rule, finance.core.inputs.check_not_future
    (dt.date(2025, 2, 15), "1003625.01", "repayment_above_owed"),
    (dt.date(2025, 2, 15), "0.00", "invalid_amount"),
    (dt.date(2025, 2, 15), "-1.00", "invalid_amount"),
    (dt.date(2025, 2, 15), 12.5, "invalid_amount"),
    (dt.date(2025, 2, 15), "12.345", "invalid_amount"),
])
def test_bad_repayments_are_refused_and_write_nothing(loan, officer, on, amount, code):
    with pytest.raises(DomainError) as err:
        pay(loan, officer, on, amount)
    assert err.value.code == code
    assert counts() == 0
    loan.refresh_from_db()
    assert loan.principal_outstanding == D("1000000.00")


def test_exactly_what_is_owed_is_accepted(loan, officer):
    pay(loan, officer, dt.date(2025, 2, 15), "1003625.00")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.REPAID


def test_out_of_order_repayment_is_refused(loan, officer):
    pay(loan, officer, dt.date(2025, 3, 15), "100.00")
    with pytest.raises(DomainError) as err:
        pay(loan, officer, dt.date(2025, 2, 15), "100.00")
    assert err.value.code == "repayment_out_of_order"


def test_default_then_write_off(loan, officer):
    loan_default(loan=loan, declared_on=dt.date(2025, 9, 1), reason="停止经营", by=officer)
    loan.refresh_from_db()
    assert loan.status == LoanStatus.DEFAULTED and loan.defaulted_on == dt.date(2025, 9, 1)
    with pytest.raises(InvalidTransition):
        loan_default(loan=loan, declared_on=dt.date(2025, 9, 2), reason="again", by=officer)
    loan_write_off(loan=loan, reason="核销", by=officer)
    loan.refresh_from_db()
    assert [(h.from_state, h.to_state) for h in history(loan)][-2:] == [("active", "defaulted"),
                                                                      ("defaulted", "written_off")]


def test_default_needs_reason_and_valid_date(loan, officer):
    with pytest.raises(DomainError) as err:
        loan_default(loan=loan, declared_on=dt.date(2025, 9, 1), reason=" ", by=officer)
    assert err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        loan_default(loan=loan, declared_on=dt.date(2024, 9, 1), reason="x", by=officer)
    assert err.value.field == "declared_on"
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE


def test_future_dates_follow_the_one_shared_rule(loan, officer):
    """Repayments and defaults use finance.core.inputs' "not after today" (Asia/Shanghai), not a local copy:
    with the platform's today on 2025-02-20, a repayment or a default dated the day after is refused."""
    with mock.patch("finance.core.inputs.today", return_value=dt.date(2025, 2, 20)):
        with pytest.raises(DomainError) as err:
            pay(loan, officer, dt.date(2025, 2, 21), "100.00")
        assert (err.value.code, err.value.field) == ("future_date", "paid_on")
        with pytest.raises(DomainError) as err:
            loan_default(loan=loan, declared_on=dt.date(2025, 2, 21), reason="停产", by=officer)
        assert (err.value.code, err.value.field) == ("future_date", "declared_on")
        assert pay(loan, officer, dt.date(2025, 2, 20), "100.00").paid_on == dt.date(2025, 2, 20)
    assert counts() == 1

import datetime as dt
from decimal import Decimal

import pytest

from finance.approvals.services import history
from finance.parties.models import Role
from finance.policy.services import parameter_set
from loans.models import InstallmentStatus, LoanClass, LoanClassHistory, LoanStatus
from loans.services import loan_default, loan_submit, loans_classify, repayment_record
from tests.loans.loan_factories import loan_body

D = Decimal
TODAY = dt.date(2027, 6, 1)


@pytest.fixture
def officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


@pytest.fixture
def loans(bank, officer):
    return [loan_submit(bank=bank, by=officer, data=loan_body(n)) for n in (1, 2, 3)]


def fresh(loan):
    loan.refresh_from_db()
    return loan


@pytest.mark.parametrize("as_of,dpd,klass", [
    (dt.date(2025, 2, 15), 0, LoanClass.NORMAL),       # due today: not yet past due
    (dt.date(2025, 2, 16), 1, LoanClass.SPECIAL_MENTION),
    (dt.date(2025, 5, 16), 90, LoanClass.SPECIAL_MENTION),
    (dt.date(2025, 5, 17), 91, LoanClass.SUBSTANDARD),
    (dt.date(2025, 11, 12), 270, LoanClass.SUBSTANDARD),
    (dt.date(2025, 11, 13), 271, LoanClass.DOUBTFUL),
    (dt.date(2026, 2, 10), 360, LoanClass.DOUBTFUL),
    (dt.date(2026, 2, 11), 361, LoanClass.LOSS),
])
def test_dpd_and_class_at_each_threshold(loans, as_of, dpd, klass):
    loans_classify(as_of=as_of)
    loan = fresh(loans[0])
    assert (loan.dpd, loan.loan_class, loan.classified_on) == (dpd, klass, as_of)
    assert loan.status == (LoanStatus.OVERDUE if dpd else LoanStatus.ACTIVE)


def test_paying_keeps_a_loan_current_and_history_records_changes_only(loans, officer):
    payer, late, _ = loans
    repayment_record(loan=payer, paid_on=dt.date(2025, 2, 15), amount="29679.93", by=officer)
    loans_classify(as_of=dt.date(2025, 2, 20))
    assert fresh(payer).dpd == 0 and fresh(late).dpd == 5
    assert late.installments.get(number=1).status == InstallmentStatus.OVERDUE
    assert payer.installments.get(number=2).status == InstallmentStatus.DUE
    assert not LoanClassHistory.objects.filter(loan=payer).exists()
    h = LoanClassHistory.objects.get(loan=late)
    assert (h.as_of, h.dpd, h.loan_class) == (dt.date(2025, 2, 20), 5, LoanClass.SPECIAL_MENTION)
    # rerun the same day: idempotent
    loans_classify(as_of=dt.date(2025, 2, 20))
    assert LoanClassHistory.objects.filter(loan=late).count() == 1
    assert [c.to_state for c in history(late)] == ["active", "overdue"]


def test_curing_arrears_brings_loan_back_to_active(loans, officer):
    late = loans[1]
    loans_classify(as_of=dt.date(2025, 3, 1))
    assert fresh(late).status == LoanStatus.OVERDUE
    repayment_record(loan=late, paid_on=dt.date(2025, 3, 2), amount="29679.93", by=officer)
    late = fresh(late)
    assert late.status == LoanStatus.ACTIVE and late.dpd == 0
    loans_classify(as_of=dt.date(2025, 3, 3))
    assert fresh(late).dpd == 0 and fresh(late).status == LoanStatus.ACTIVE


def test_claim_eligibility_follows_the_pool_trigger(loans, officer):
    """A claim stands from more than pool.claim_trigger_dpd (90) days past due: day 91, the first substandard
    day (the same rule as guarantees' claim_triggered)."""
    loans_classify(as_of=dt.date(2025, 5, 16))  # dpd 90 = pool.claim_trigger_dpd: not yet
    assert fresh(loans[0]).claim_eligible_since is None
    loans_classify(as_of=dt.date(2025, 5, 17))  # dpd 91
    assert fresh(loans[0]).claim_eligible_since == dt.date(2025, 5, 17)
    loans_classify(as_of=dt.date(2025, 5, 20))
    assert fresh(loans[0]).claim_eligible_since == dt.date(2025, 5, 17)  # stays at the first day


def test_defaulted_loans_keep_ageing(loans, officer):
    loan_default(loan=loans[2], declared_on=dt.date(2025, 3, 1), reason="停产", by=officer)
    loans_classify(as_of=dt.date(2025, 6, 1))
    loan = fresh(loans[2])
    assert loan.status == LoanStatus.DEFAULTED and loan.dpd == 106 and loan.loan_class == LoanClass.SUBSTANDARD
    assert loan.claim_eligible_since == dt.date(2025, 6, 1)


def test_thresholds_are_parameters(loans):
    parameter_set(key="loan.class.substandard_dpd", value=D("31"), effective_from=dt.date(2025, 1, 1))
    loans_classify(as_of=dt.date(2025, 3, 20))  # 33 days
    assert fresh(loans[0]).loan_class == LoanClass.SUBSTANDARD
    result = loans_classify(as_of=dt.date(2025, 3, 21))
    assert result.policy["loan.class.substandard_dpd"] == "31"


def test_repaid_loans_are_not_classified(loans, officer):
    repayment_record(loan=loans[0], paid_on=dt.date(2025, 1, 20), amount="1003625.00", by=officer)
    loans_classify(as_of=dt.date(2026, 1, 1))
    loan = fresh(loans[0])
    assert loan.status == LoanStatus.REPAID and loan.dpd == 0 and loan.classified_on is None


def test_a_defaulted_loan_is_never_classed_normal(loans, officer):
    """Issue 9 #6: the demo showed "已违约 · 正常 · 逾期天数 0". A declared default is credit-impaired, so the loan
    is at least substandard, at 0 days past due too: at once, and after every nightly run."""
    payer = loans[0]
    repayment_record(loan=payer, paid_on=dt.date(2025, 2, 15), amount="29679.93", by=officer)
    loan_default(loan=payer, declared_on=dt.date(2025, 2, 20), reason="破产重整", by=officer)
    assert (fresh(payer).dpd, fresh(payer).loan_class) == (0, LoanClass.SUBSTANDARD)
    loans_classify(as_of=dt.date(2025, 2, 21))
    assert (fresh(payer).dpd, fresh(payer).loan_class, fresh(payer).status) == (0, LoanClass.SUBSTANDARD,
                                                                              LoanStatus.DEFAULTED)
    loans_classify(as_of=dt.date(2026, 1, 1))  # 292 days past due: the dpd thresholds take over
    assert fresh(payer).loan_class == LoanClass.DOUBTFUL

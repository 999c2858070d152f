"""The report after the loans and guarantees rules changed meaning (each test fails on the section as it was):

- a subsidy is approved, then paid separately by a third person: approved in the quarter counts as approved
  even while it waits for its payment (the section used to count only paid ones as approved);
- a guarantor's guarantee counts only once the lending bank confirmed it: a proposal, a declined one and one
  confirmed after the quarter end are neither in force nor accrue a premium subsidy;
- a payout's compensation is reviewed, then paid: it counts when paid (``compensation_paid_on``), not when the
  payout was recorded;
- loans have a category: an early-stage R&D credit loan (no pledge) is told apart from the IP-pledge loans.

Interest only, 4.35 %, 30/360: monthly interest = principal × 0.3625 %.
"""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_set
from finance.reporting.services import report_compute
from guarantees import services as gs
from loans import services as ls
from loans.models import SubsidyKind, SubsidyScheme
from tests.loans.loan_factories import loan_body

from .conftest import EPOCH, GUARANTEE_SHARES

pytestmark = pytest.mark.django_db
d = dt.date


def _loan(officer, n, principal, disbursed, term=12):
    return ls.loan_submit(bank=officer.organisation, by=officer, as_of=disbursed, data=loan_body(
        n, principal=principal, repayment_method="interest_only", term_months=term,
        disbursed_on=disbursed.isoformat()))


def test_a_subsidy_approved_in_the_quarter_and_not_yet_paid_counts_as_approved(orgs, make_user, province, clock):
    bank = orgs.make(OrgKind.BANK, name="齐鲁银行")
    officer = make_user(bank, Role.BANK_OFFICER)
    reviewer = make_user(province, Role.DEPARTMENT_REVIEWER)
    clock.at(d(2026, 1, 15))
    loan = _loan(officer, 1, "1000000.00", d(2026, 1, 15))
    for month in range(2, 9):  # Feb–Aug interest on its due dates: 7 × 3,625 = 25,375
        clock.at(d(2026, month, 15))
        ls.repayment_record(loan=loan, paid_on=d(2026, month, 15), amount=D("3625.00"), by=officer)
    clock.at(d(2026, 9, 11))
    applicant = make_user(loan.borrower, Role.APPLICANT)
    scheme = SubsidyScheme.objects.create(code="paid-interest", name="科技型中小企业贷款贴息",
                                          kind=SubsidyKind.PAID_INTEREST)
    app = ls.subsidy_apply(scheme=scheme, loan=loan, by=applicant, on=d(2026, 9, 11))
    clock.at(d(2026, 9, 12))
    ls.subsidy_approve(application=app, by=reviewer, on=d(2026, 9, 12))  # approved; nobody has paid it yet
    clock.reset()

    subsidies = report_compute("2026Q3")["sections"]["loans"]["total"]["subsidies"]
    # 40 % of the 25,375 of interest paid
    assert subsidies == {"approved_count": 1, "approved_amount": "10150.00", "paid_count": 0, "paid_amount": "0.00"}


@pytest.fixture
def guaranteed(orgs, make_user, province, clock):
    """Four loans of bank B guaranteed by one guarantor, 2026-01-10 to 2027-01-10, 0.5 % (subsidy 0.5 %/yr):
    1 confirmed by the bank the same day; 2 proposed and never confirmed; 3 declined by the bank;
    4 confirmed on 2026-10-05, after the quarter end. Loan 1 defaults (never paid) and is paid out on 2026-09-01:
    the compensation (200,000) is approved in the quarter but not paid. Loans 2–4 pay on time."""
    for key, value in GUARANTEE_SHARES.items():
        parameter_set(key=key, value=value, effective_from=EPOCH, source_note="test")
    bank = orgs.make(OrgKind.BANK, name="青岛银行")
    officer = make_user(bank, Role.BANK_OFFICER)
    guarantor = orgs.make(OrgKind.GUARANTOR, name="鲁科担保")
    go = make_user(guarantor, Role.GUARANTOR_OFFICER)
    rev1, rev2 = make_user(province, Role.DEPARTMENT_REVIEWER), make_user(province, Role.DEPARTMENT_REVIEWER)
    clock.at(d(2026, 1, 10))
    gs.guarantor_net_assets_record(net_assets="50000000.00", as_of=d(2026, 1, 10), by=go)
    g = {}
    for n in (1, 2, 3, 4):
        loan = _loan(officer, n, "1000000.00", d(2026, 1, 10))
        g[n] = gs.guarantee_register(loan=loan, amount="1000000.00", fee_rate="0.5", counter_guarantee="ip",
                                     start_on=d(2026, 1, 10), end_on=d(2027, 1, 10), by=go, bank=bank)
    gs.guarantee_confirm(guarantee=g[1], by=officer)
    gs.guarantee_confirm(guarantee=g[3], by=officer, approve=False, reason="不接受该担保")
    for month in range(2, 10):  # loans 2–4 pay their interest on the due dates; loan 1 never pays
        clock.at(d(2026, month, 10))
        for n in (2, 3, 4):
            ls.repayment_record(loan=g[n].loan, paid_on=d(2026, month, 10), amount=D("3625.00"), by=officer)
        if month == 7:
            ls.loans_classify(as_of=d(2026, 7, 10))  # loan 1: oldest unpaid 2026-02-10 → 150 days past due
    clock.at(d(2026, 9, 1))
    payout = gs.payout_record(guarantee=g[1], amount="1000000.00", paid_on=d(2026, 9, 1), by=go)
    gs.payout_decide(payout=payout, by=rev1)
    clock.at(d(2026, 10, 5))
    gs.guarantee_confirm(guarantee=g[4], by=officer)
    clock.reset()
    return {"g": g, "payout": payout, "payer": rev2, "clock": clock}


def test_only_guarantees_the_bank_confirmed_by_the_quarter_end_count(guaranteed):
    total = report_compute("2026Q3")["sections"]["guarantees"]["total"]
    # Guarantee 1 only: paid out on 2026-09-01, so not in force at E; its premium subsidy runs 2026-07-01 to
    # the payout: 5,000 × 62 / 365 = 849.315… → 849.32. Guarantees 2, 3 and 4 were not the bank's at E.
    assert total["in_force_count"] == 0 and total["in_force_amount"] == "0.00"
    assert total["premium_subsidy"] == "849.32"
    assert (total["payouts_count"], total["payouts_amount"]) == (1, "1000000.00")


def test_the_compensation_counts_when_it_is_paid(guaranteed):
    total = report_compute("2026Q3")["sections"]["guarantees"]["total"]
    assert total["compensation"] == "0.00"  # approved, not paid: nothing has left the treasury

    clock = guaranteed["clock"]
    clock.at(d(2026, 9, 20))
    gs.payout_compensation_pay(payout=guaranteed["payout"], by=guaranteed["payer"], on=d(2026, 9, 20))
    clock.reset()
    total = report_compute("2026Q3")["sections"]["guarantees"]["total"]
    assert total["compensation"] == "200000.00"  # min(40 % of 1,000,000, 20 % of the guaranteed amount)


def test_rd_credit_loans_are_told_apart_from_ip_pledge_loans(orgs, make_user, clock):
    bank = orgs.make(OrgKind.BANK, name="齐鲁银行")
    officer = make_user(bank, Role.BANK_OFFICER)
    clock.at(d(2026, 3, 1))
    _loan(officer, 1, "1000000.00", d(2026, 3, 1))
    ls.loan_submit(bank=bank, by=officer, as_of=d(2026, 3, 1), data=loan_body(
        2, principal="400000.00", repayment_method="interest_only", term_months=12, disbursed_on="2026-03-01",
        category="rd_credit", pledges=[]))
    clock.reset()
    total = report_compute("2026Q3")["sections"]["loans"]["total"]
    assert total["by_category"] == {"ip_pledge": {"count": 1, "outstanding": "1000000.00"},
                                    "rd_credit": {"count": 1, "outstanding": "400000.00"}}
    assert total["by_ip_kind"]["none"] == {"count": 1, "outstanding": "400000.00"}  # no pledge
    assert total["principal_outstanding"] == "1400000.00"

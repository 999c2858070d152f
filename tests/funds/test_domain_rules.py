"""Issue 10, "Domain rules that differ from domain.md", on the funds side: the fee basis, the single-deal cap per
company, the early-exit interest per call, LP NAV shares that sum to the NAV, one "fund closed" refusal."""
import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from finance.approvals.services import vote_cast
from finance.core.errors import DomainError
from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_set
from funds.models import Deal, DealStatus, FundStatus, SubFund
from funds.selectors import capital_accounts, compliance
from funds.services import (
    call_create,
    call_pay_all,
    call_preview,
    checklist_tick,
    commitment_add,
    deal_committee_decide,
    deal_create,
    deal_fund,
    deal_move,
    deal_signoff,
    deal_submit,
    distribution_plan,
    fee_accrue,
    guidance_exit_price,
    holding_create,
    nav_record,
    sub_fund_move,
    valuation_record,
)

START = dt.date(2020, 1, 1)


# ---------------------------------------------------------------- management fee basis


def test_a_fee_on_commitments_is_refused(make_fund):
    with pytest.raises(DomainError) as err:
        make_fund(fee_basis="committed")
    assert (err.value.code, err.value.field) == ("invalid_fee_basis", "fee_basis")
    assert SubFund.objects.count() == 0


def test_fees_on_paid_in_capital(make_fund):
    fund = make_fund(fee_rate="2", fee_basis="paid_in")
    call_pay_all(call=call_create(sub_fund=fund, amount="50.00", call_date=START), paid_on=START)
    accrual = fee_accrue(sub_fund=fund, period_start=START, period_end=dt.date(2020, 12, 31))
    assert (accrual.basis, accrual.basis_amount) == ("paid_in", D("50.00"))
    assert accrual.amount == D("1.00")  # 50 × 2 % × 365 / 365


# ---------------------------------------------------------------- single deal per company


@pytest.fixture
def checker(gp, make_user):
    return make_user(gp, Role.FUND_MANAGER)


def _approve(fund, company, manager, checker, committee, amount):
    deal = deal_create(sub_fund=fund, enterprise=company, title=f"{company.name} {amount}", instrument="equity",
                       amount=amount, by=manager)
    deal_move(deal=deal, to=DealStatus.SCREENING, by=manager)
    deal_move(deal=deal, to=DealStatus.DUE_DILIGENCE, by=manager)
    for item in deal.checklist.all():
        checklist_tick(item=item, by=manager)
    deal = deal_submit(deal=deal, committee=committee, by=manager, held_on=START)
    for m in committee.members.order_by("pk"):
        vote_cast(meeting=deal.meeting, member=m, choice="for")
    deal = deal_committee_decide(deal=deal, by=manager, memo="通过")
    return deal_signoff(deal=deal, by=checker, approve=True)


def test_a_follow_on_that_takes_one_company_past_the_cap_is_refused_at_approval(fund, manager, checker, committee,
                                                                                orgs):
    # size 100.00, fund.single_deal_max 20 %: at most 20.00 in one company, first round and follow-ons together
    call_pay_all(call=call_create(sub_fund=fund, amount="100.00", call_date=START), paid_on=START)
    company = orgs.make(OrgKind.ENTERPRISE, name="济南量子芯")
    first = _approve(fund, company, manager, checker, committee, "15.00")
    deal_move(deal=first, to=DealStatus.CONTRACTED, by=manager)
    deal_fund(deal=first, funded_on=START, by=manager)
    with pytest.raises(DomainError) as err:
        _approve(fund, company, manager, checker, committee, "5.01")
    assert err.value.code == "single_deal_cap_exceeded" and "20.01" in err.value.detail_en
    assert Deal.objects.filter(status=DealStatus.APPROVED).count() == 0
    assert _approve(fund, company, manager, checker, committee, "5.00").status == DealStatus.APPROVED
    other = orgs.make(OrgKind.ENTERPRISE, name="青岛海洋生物")
    assert _approve(fund, other, manager, checker, committee, "15.00").status == DealStatus.APPROVED


def test_an_approved_but_unfunded_deal_counts_against_the_cap(fund, manager, checker, committee, orgs):
    company = orgs.make(OrgKind.ENTERPRISE)
    _approve(fund, company, manager, checker, committee, "12.00")
    with pytest.raises(DomainError) as err:
        _approve(fund, company, manager, checker, committee, "8.01")
    assert err.value.code == "single_deal_cap_exceeded"


def test_the_compliance_flag_adds_up_holdings_in_one_company(fund, orgs):
    call_pay_all(call=call_create(sub_fund=fund, amount="100.00", call_date=START), paid_on=START)
    company = orgs.make(OrgKind.ENTERPRISE)
    holding_create(sub_fund=fund, company=company, company_name="", invested_on=START, amount="15.00")
    holding_create(sub_fund=fund, company=company, company_name="", invested_on=START, amount="10.00")
    holding_create(sub_fund=fund, company_name="另一家", invested_on=START, amount="12.00")
    c = compliance([fund], on=START)[fund.pk]
    assert (c["largest"], c["single_cap"], c["single_status"]) == (D("25.00"), D("20.00"), "breach")


# ---------------------------------------------------------------- early exit, per call


def _interest(cost: D, days: int, rate_percent: D) -> D:
    return (cost * rate_percent / 100 * days / 365).quantize(D("0.01"), ROUND_HALF_UP)


def test_early_exit_interest_runs_from_each_calls_own_payment_date(fund):
    parameter_set(key="fund.early_exit_reference_rate", value=D("3.45"), effective_from=dt.date(2017, 12, 1))
    call_pay_all(call=call_create(sub_fund=fund, amount="50.00", call_date=START), paid_on=START)
    later = dt.date(2022, 1, 1)
    call_pay_all(call=call_create(sub_fund=fund, amount="50.00", call_date=later), paid_on=later)
    exit_on = dt.date(2024, 1, 1)  # past the three free years from the guidance fund's first payment
    price = guidance_exit_price(sub_fund=fund, exit_on=exit_on)
    # the guidance fund paid 10.00 on each date; interest on each from its own payment date
    first = _interest(D("10.00"), (exit_on - START).days, D("3.45"))  # 1461 days: 1.38
    second = _interest(D("10.00"), (exit_on - later).days, D("3.45"))  # 730 days: 0.69
    assert (first, second) == (D("1.38"), D("0.69"))
    assert price["cost"] == D("20.00")
    assert price["min_price"] == D("20.00") + first + second == D("22.07")


def test_early_exit_within_the_free_years_is_at_cost(fund):
    call_pay_all(call=call_create(sub_fund=fund, amount="50.00", call_date=START), paid_on=START)
    assert guidance_exit_price(sub_fund=fund, exit_on=dt.date(2022, 12, 31))["min_price"] == D("10.00")


# ---------------------------------------------------------------- NAV shares


def test_lp_nav_shares_sum_exactly_to_the_nav(make_fund):
    fund = make_fund(size="300.00", lps=(("social", "100.00"), ("social", "100.00"), ("social", "100.00")))
    call_pay_all(call=call_create(sub_fund=fund, amount="100.00", call_date=START), paid_on=START)  # 33.34/33.33/33.33
    h = holding_create(sub_fund=fund, company_name="A", invested_on=START, amount="100.00")
    valuation_record(holding=h, as_of=dt.date(2020, 12, 31), value="200.01")
    assert nav_record(sub_fund=fund, as_of=dt.date(2020, 12, 31)).nav == D("200.01")
    shares = [a["nav_share"] for a in capital_accounts(fund)]
    # exact shares 66.683334 / 66.663333 / 66.663333: the fen left over goes to the largest remainder
    assert shares == [D("66.69"), D("66.66"), D("66.66")]
    assert sum(shares) == D("200.01")


# ---------------------------------------------------------------- one "fund closed" refusal


def test_every_write_on_a_closed_fund_gets_the_same_refusal(fund, manager, orgs):
    sub_fund_move(sub_fund=fund, to=FundStatus.CLOSED, reason="清算完毕")
    fund.refresh_from_db()
    attempts = [
        lambda: call_preview(sub_fund=fund, amount="1.00"),
        lambda: call_create(sub_fund=fund, amount="1.00", call_date=START),
        lambda: distribution_plan(sub_fund=fund, amount="1.00", paid_on=START),
        lambda: commitment_add(sub_fund=fund, lp_kind="social", amount="1.00", committed_on=START,
                               investor_name="新 LP"),
        lambda: deal_create(sub_fund=fund, enterprise=orgs.make(), title="x", instrument="equity", amount="1.00",
                            by=manager),
        lambda: fee_accrue(sub_fund=fund, period_start=START, period_end=dt.date(2020, 12, 31)),
        lambda: holding_create(sub_fund=fund, company_name="A", invested_on=START, amount="1.00"),
    ]
    refusals = set()
    for attempt in attempts:
        with pytest.raises(DomainError) as err:
            attempt()
        refusals.add((err.value.code, err.value.field, err.value.status, err.value.detail_zh, err.value.detail_en))
    assert refusals == {("fund_closed", "sub_fund", 409, f"子基金「{fund.name}」已关闭，不能再办理出资、缴款、分配、计费或投资",
                         f"sub-fund '{fund.name}' is closed: no more commitments, calls, distributions, fees or deals")}

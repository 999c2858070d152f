"""Distributions through the European waterfall, split per LP, with the government LP's concession."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.core.errors import DomainError
from finance.ledger.models import JournalEntry
from finance.ledger.selectors import trial_balance
from finance.policy.services import parameter_set
from funds.models import Distribution, FundStatus
from funds.services import (
    call_create,
    call_pay_all,
    distribution_create,
    distribution_plan,
    gp_carry_account,
    holding_create,
    holding_exit,
    sub_fund_move,
    years_between,
)

START = dt.date(2020, 1, 1)
FIVE_YEARS = dt.date(2025, 1, 1)


def _invest_and_exit(fund, proceeds="180.00"):
    call = call_create(sub_fund=fund, amount="100.00", call_date=START)
    call_pay_all(call=call, paid_on=START)
    h = holding_create(sub_fund=fund, company_name="济南量子芯", invested_on=START, amount="100.00")
    holding_exit(holding=h, exited_on=FIVE_YEARS, proceeds=proceeds)


def test_years_between_counts_anniversaries():
    assert years_between(START, FIVE_YEARS) == D("5")
    assert years_between(dt.date(2020, 2, 29), dt.date(2021, 2, 28)) == D("1")
    assert years_between(START, dt.date(2020, 7, 1)) == D("0.498630")


def test_waterfall_100_in_180_out_8pct_5y_full_catch_up_20pct_carry_gives_lp_164_gp_16(fund):
    _invest_and_exit(fund)
    dist = distribution_create(sub_fund=fund, amount="180.00", paid_on=FIVE_YEARS)
    assert (dist.lp_amount, dist.gp_amount) == (D("164.00"), D("16.00"))
    tiers = dist.tiers["tiers"]
    assert tiers["preferred_return"]["lp"] == "40.00"
    assert tiers["catch_up"]["gp"] == "10.00"
    assert tiers["carried_interest"] == {"lp": "24.00", "gp": "6.00"}
    lines = list(dist.lines.order_by("commitment_id"))
    assert [ln.capital for ln in lines] == [D("20.00"), D("40.00"), D("40.00")]
    assert [ln.profit for ln in lines] == [D("12.80"), D("25.60"), D("25.60")]
    assert [ln.amount for ln in lines] == [D("32.80"), D("65.60"), D("65.60")]
    assert gp_carry_account(fund).balance == D("16.00")
    tb = trial_balance()["CNY"]
    assert tb["D"] == tb["C"]


def test_two_distributions_add_up_to_the_whole_fund_waterfall(fund):
    _invest_and_exit(fund)
    first = distribution_create(sub_fund=fund, amount="120.00", paid_on=FIVE_YEARS)
    assert (first.lp_amount, first.gp_amount) == (D("120.00"), D("0.00"))
    second = distribution_create(sub_fund=fund, amount="60.00", paid_on=FIVE_YEARS)
    assert (second.lp_amount, second.gp_amount) == (D("44.00"), D("16.00"))
    assert first.lp_amount + second.lp_amount == D("164.00")


def test_government_profit_concession_goes_to_social_lps(fund, make_fund):
    parameter_set(key="fund.profit_concession", value=D("50"), effective_from=dt.date(2017, 12, 1))
    conceding = make_fund(profit_concession=True)
    _invest_and_exit(conceding)
    dist = distribution_create(sub_fund=conceding, amount="180.00", paid_on=FIVE_YEARS)
    lines = list(dist.lines.order_by("commitment_id"))
    # the guidance LP gives half of its 12.80 profit, split 3.20 / 3.20 between the two social LPs
    assert [ln.concession for ln in lines] == [D("-6.40"), D("3.20"), D("3.20")]
    assert [ln.amount for ln in lines] == [D("26.40"), D("68.80"), D("68.80")]
    assert sum(ln.amount for ln in lines) == dist.lp_amount == D("164.00")
    assert dist.policy["fund.profit_concession"] == "50"


def test_preview_writes_nothing(fund):
    _invest_and_exit(fund)
    entries = JournalEntry.objects.count()
    plan = distribution_plan(sub_fund=fund, amount="180.00", paid_on=FIVE_YEARS)
    assert plan["gp_amount"] == D("16.00")
    assert Distribution.objects.count() == 0 and JournalEntry.objects.count() == entries


def test_distribution_on_a_closed_fund_is_refused(fund):
    _invest_and_exit(fund)
    sub_fund_move(sub_fund=fund, to=FundStatus.CLOSED)
    entries = JournalEntry.objects.count()
    with pytest.raises(DomainError) as err:
        distribution_create(sub_fund=fund, amount="10.00", paid_on=FIVE_YEARS)
    assert err.value.code == "fund_closed"
    assert Distribution.objects.count() == 0 and JournalEntry.objects.count() == entries


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_zero_or_negative_distribution_is_refused(fund, amount):
    _invest_and_exit(fund)
    with pytest.raises(DomainError) as err:
        distribution_create(sub_fund=fund, amount=amount, paid_on=FIVE_YEARS)
    assert err.value.code == "invalid_amount"
    assert Distribution.objects.count() == 0


def test_distribution_beyond_cash_is_refused(fund):
    _invest_and_exit(fund)
    with pytest.raises(DomainError) as err:
        distribution_create(sub_fund=fund, amount="180.01", paid_on=FIVE_YEARS)
    assert err.value.code == "insufficient_balance"
    assert Distribution.objects.count() == 0


def test_distribution_without_contributions_is_refused(fund):
    with pytest.raises(DomainError) as err:
        distribution_create(sub_fund=fund, amount="1.00", paid_on=FIVE_YEARS)
    assert err.value.code == "no_contributions"

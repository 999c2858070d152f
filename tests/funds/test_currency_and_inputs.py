"""Issue 10 (currency holes, rates) and issue 9 (no 500 for any input) on the funds services.

Every amount is built in the fund's own currency; rates, dates, stakes and names go through
``finance.core.inputs``; payments, NAVs and distributions are never dated after today.
"""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.core.errors import DomainError
from finance.core.inputs import today
from finance.ledger.models import Posting
from finance.ledger.selectors import trial_balance
from funds.models import CapitalCall, Deal, Distribution, IndexSeries, NavReport, SubFund
from funds.services import (
    call_create,
    call_line_pay,
    call_pay_all,
    cash_account,
    deal_create,
    distribution_create,
    holding_create,
    holding_exit,
    index_upload,
    lp_capital_account,
    nav_record,
)

DAY = dt.date(2020, 3, 1)


def test_a_usd_fund_is_called_and_paid_end_to_end_in_usd(make_fund):
    fund = make_fund(currency="USD")
    call = call_create(sub_fund=fund, amount="50.00", call_date=DAY)
    call_pay_all(call=call, paid_on=DAY)
    cash = cash_account(fund)
    cash.refresh_from_db()
    assert cash.currency == "USD" and cash.balance == D("50.00")
    assert lp_capital_account(fund.commitments.order_by("pk").first()).normal_balance == D("10.00")
    assert set(Posting.objects.filter(account__code__startswith=f"funds:sf{fund.pk}:")
               .values_list("amount_currency", flat=True)) == {"USD"}
    tb = trial_balance()
    assert tb["USD"]["D"] == tb["USD"]["C"] == D("50.00")
    assert "CNY" not in tb or tb["CNY"]["D"] == tb["CNY"]["C"] == D("0.00")
    # the rest of the fund's money moves in USD too: an investment, an exit, a distribution
    h = holding_create(sub_fund=fund, company_name="Acme", invested_on=DAY, amount="40.00")
    holding_exit(holding=h, exited_on=dt.date(2021, 3, 1), proceeds="60.00")
    distribution_create(sub_fund=fund, amount="70.00", paid_on=dt.date(2021, 3, 2))
    tb = trial_balance()
    assert tb["USD"]["D"] == tb["USD"]["C"]
    cash.refresh_from_db()
    assert cash.balance == D("0.00")


@pytest.mark.parametrize("field, value", [
    ("fee_rate", "nan"), ("fee_rate", "Infinity"), ("fee_rate", "abc"), ("fee_rate", "-1"), ("fee_rate", 2.0),
    ("hurdle_rate", 0.1 + 0.2), ("hurdle_rate", "NaN"), ("hurdle_rate", "1.5"), ("carry_share", "1e30"),
    ("catch_up_share", "0.12345"),
])
def test_bad_fund_rates_are_refused_naming_the_field(make_fund, field, value):
    with pytest.raises(DomainError) as err:
        make_fund(**{field: value})
    assert err.value.field == field and err.value.code == "invalid_rate"
    assert SubFund.objects.count() == 0


def test_rates_are_stored_exactly(make_fund):
    fund = make_fund(hurdle_rate="0.3", fee_rate="1.75", carry_share="0.2")
    fund.refresh_from_db()
    assert (fund.hurdle_rate, fund.fee_rate, fund.carry_share) == (D("0.3"), D("1.75"), D("0.2"))


def test_dates_in_year_9999_are_refused_not_a_500(fund):
    for call_date in (dt.date(9999, 12, 31), "9999-12-31"):
        with pytest.raises(DomainError) as err:
            call_create(sub_fund=fund, amount="10.00", call_date=call_date)
        assert (err.value.code, err.value.field) == ("invalid_date", "call_date")
    assert CapitalCall.objects.count() == 0


@pytest.mark.parametrize("when", ["tomorrow", "9999-12-31"])
def test_payments_navs_and_distributions_are_never_dated_after_today(fund, when):
    on = today() + dt.timedelta(days=1) if when == "tomorrow" else dt.date(9999, 12, 31)
    call = call_create(sub_fund=fund, amount="10.00", call_date=DAY)
    with pytest.raises(DomainError) as err:
        call_line_pay(line=call.lines.first(), paid_on=on)
    assert err.value.field == "paid_on"
    assert not call.lines.filter(paid_on__isnull=False).exists()
    with pytest.raises(DomainError) as err:
        nav_record(sub_fund=fund, as_of=on)
    assert err.value.field == "as_of"
    call_pay_all(call=call, paid_on=DAY)
    with pytest.raises(DomainError) as err:
        distribution_create(sub_fund=fund, amount="1.00", paid_on=on)
    assert err.value.field == "paid_on"
    assert NavReport.objects.count() == 0 and Distribution.objects.count() == 0


def test_a_nav_of_today_is_accepted(fund):
    assert nav_record(sub_fund=fund, as_of=today()).as_of == today()


@pytest.mark.parametrize("stake", ["abc", "NaN", "Infinity", "101", "-1", "1e400"])
def test_a_bad_stake_is_refused_naming_the_field(fund, manager, orgs, stake):
    with pytest.raises(DomainError) as err:
        deal_create(sub_fund=fund, enterprise=orgs.make(), title="x", instrument="equity", amount="1.00",
                    stake=stake, by=manager)
    assert err.value.field == "stake"
    assert Deal.objects.count() == 0


def test_a_500_character_index_name_is_refused(gp):
    with pytest.raises(DomainError) as err:
        index_upload(owner=gp, name="指" * 500, content=b"date,level\n2020-01-01,100\n2020-01-02,101\n")
    assert (err.value.field, err.value.code) == ("name", "too_long")
    assert IndexSeries.objects.count() == 0


def test_the_sub_fund_page_survives_a_nav_stored_in_year_9999(client, manager, fund):
    """Before the rule, a NAV as of 9999-12-31 made the page answer 500 for everyone, for good."""
    call_pay_all(call=call_create(sub_fund=fund, amount="50.00", call_date=DAY), paid_on=DAY)
    NavReport.objects.create(sub_fund=fund, as_of=dt.date(9999, 12, 31), holdings_value=D("0.00"), cash=D("50.00"),
                             nav=D("50.00"))
    client.force_login(manager)
    assert client.get(f"/funds/sub-funds/{fund.pk}/").status_code == 200
    assert client.get("/funds/sub-funds/").status_code == 200

import datetime as dt
from decimal import Decimal

import pytest

from finance.calc import CalcError, early_exit_price

D = Decimal


def price(exit_on, invested_on=dt.date(2020, 1, 1), **kw):
    args = dict(free_years=3, annual_rate=D("3.45"))
    args.update(kw)
    return early_exit_price(D("1000000"), invested_on=invested_on, exit_on=exit_on, **args)


def test_cost_within_the_free_years_including_the_anniversary():
    assert price(dt.date(2022, 6, 1)) == D("1000000.00")
    assert price(dt.date(2023, 1, 1)) == D("1000000.00")


def test_interest_for_the_whole_holding_once_past():
    # 1,097 days held: 1,000,000 * 3.45 % * 1097 / 365 = 103,689.041...
    assert price(dt.date(2023, 1, 2)) == D("1103689.04")


def test_leap_day_investment_is_free_until_28_february():
    assert price(dt.date(2027, 2, 28), invested_on=dt.date(2024, 2, 29)) == D("1000000.00")
    assert price(dt.date(2027, 3, 1), invested_on=dt.date(2024, 2, 29)) > D("1000000.00")


def test_no_free_years():
    assert price(dt.date(2020, 1, 1), free_years=0) == D("1000000.00")
    assert price(dt.date(2021, 12, 31), invested_on=dt.date(2021, 1, 1), free_years=0,
                 annual_rate=D("3.65")) == D("1036400.00")  # 364 days


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"exit_on": dt.date(2019, 12, 31)}, "exit_on", "out_of_range"),
        ({"annual_rate": D("40")}, "annual_rate", "too_large"),
        ({"free_years": -1}, "free_years", "out_of_range"),
        ({"annual_rate": 3.45}, "annual_rate", "not_decimal"),
    ],
)
def test_bad_exit_input(kwargs, field, code):
    args = dict(exit_on=dt.date(2024, 1, 1))
    args.update(kwargs)
    with pytest.raises(CalcError) as info:
        price(**args)
    assert (info.value.field, info.value.code) == (field, code)

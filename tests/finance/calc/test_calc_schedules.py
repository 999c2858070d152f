import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given, settings

from finance.calc import CalcError, amortization_schedule
from tests.finance.calc.calc_strategies import loans

D = Decimal


def sched(principal="1000000", rate="4.35", term=36, method="equal_installment", start=dt.date(2024, 1, 31),
          **kw):
    return amortization_schedule(D(principal), D(rate), term, method=method, start_date=start, **kw)


def test_equal_installment_example():
    rows = sched()
    assert [r.payment for r in rows[:35]] == [D("29679.93")] * 35
    assert rows[0].interest == D("3625.00")
    assert rows[0].principal == D("26054.93")
    last = rows[-1]
    assert (last.principal, last.interest, last.payment, last.balance) == (
        D("29572.90"), D("107.20"), D("29680.10"), D("0.00"))
    assert sum(r.principal for r in rows) == D("1000000.00")


def test_equal_principal_example():
    rows = sched(method="equal_principal")
    assert rows[0].payment == D("31402.78")
    assert sum(r.interest for r in rows) == D("67062.50")
    assert rows[-1].principal == D("27777.70")
    assert [r.principal for r in rows[:35]] == [D("27777.78")] * 35


def test_interest_only_repays_principal_last():
    rows = sched("120000", "6", 12, "interest_only")
    assert [r.interest for r in rows] == [D("600.00")] * 12
    assert [r.principal for r in rows[:11]] == [D("0.00")] * 11
    assert rows[-1].payment == D("120600.00")
    assert rows[-1].balance == D("0.00")


def test_bullet_is_one_payment_at_maturity():
    (row,) = sched(term=12, method="bullet")
    assert row == type(row)(1, dt.date(2025, 1, 31), D("1000000.00"), D("43500.00"), D("1043500.00"), D("0.00"))


def test_bullet_act_365_counts_the_leap_year():
    (row,) = sched(term=12, method="bullet", start=dt.date(2024, 1, 15), day_count="ACT/365")
    assert row.interest == D("43619.18")  # 1,000,000 * 4.35% * 366/365


def test_due_dates_clamp_to_month_end_and_come_back():
    rows = sched(term=4)
    assert [r.due_date for r in rows] == [dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30),
                                          dt.date(2024, 5, 31)]
    assert sched(term=1, start=dt.date(2023, 1, 31))[0].due_date == dt.date(2023, 2, 28)


def test_act_360_uses_actual_days():
    (row,) = sched(rate="3.6", term=1, method="interest_only", day_count="ACT/360")
    assert row.interest == D("2900.00")  # 31 Jan -> 29 Feb 2024 is 29 days


def test_act_act_splits_a_period_across_years():
    (row,) = sched(rate="3.65", term=1, method="interest_only", day_count="ACT/ACT", start=dt.date(2023, 12, 15))
    assert row.interest == D("3096.17")  # 36500 * (17/365 + 14/366)


def test_odd_first_period_accrues_actual_days():
    rows = sched(rate="3.6", term=3, method="interest_only", day_count="ACT/360", start=dt.date(2024, 1, 10),
                 first_due_date=dt.date(2024, 2, 20))
    assert [r.due_date for r in rows] == [dt.date(2024, 2, 20), dt.date(2024, 3, 20), dt.date(2024, 4, 20)]
    assert [r.interest for r in rows] == [D("4100.00"), D("2900.00"), D("3100.00")]


def test_odd_first_period_under_30_360_counts_30e_days():
    rows = sched(rate="3.6", term=2, method="interest_only", start=dt.date(2024, 1, 10),
                 first_due_date=dt.date(2024, 2, 20))
    assert [r.interest for r in rows] == [D("4000.00"), D("3000.00")]


def test_first_due_date_on_the_regular_date_changes_nothing():
    assert sched(first_due_date=dt.date(2024, 2, 29)) == sched()


def test_rounding_modes_differ_on_an_exact_half_fen():
    # 100.00 at 0.06 % for one month is exactly half a fen of interest.
    def interest(**kw):
        return sched("100", "0.06", 1, "interest_only", **kw)[0].interest

    assert interest() == D("0.01")
    assert interest(rounding=ROUND_HALF_EVEN) == D("0.00")
    assert interest(rounding=ROUND_DOWN) == D("0.00")


def test_zero_rate_equal_installment():
    rows = sched("100", "0", 3)
    assert [(r.principal, r.interest) for r in rows] == [(D("33.33"), D("0.00")), (D("33.33"), D("0.00")),
                                                          (D("33.34"), D("0.00"))]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"principal": D("0")}, "principal", "not_positive"),
        ({"principal": D("-5")}, "principal", "not_positive"),
        ({"principal": 1000.0}, "principal", "not_decimal"),
        ({"principal": "1000"}, "principal", "not_decimal"),
        ({"principal": D("10.001")}, "principal", "too_many_decimals"),
        ({"principal": D("10000000000.01")}, "principal", "too_large"),
        ({"annual_rate": D("-0.01")}, "annual_rate", "too_small"),
        ({"annual_rate": D("36.01")}, "annual_rate", "too_large"),
        ({"annual_rate": 4.35}, "annual_rate", "not_decimal"),
        ({"annual_rate": D("4.12345")}, "annual_rate", "too_many_decimals"),
        ({"term_months": 0}, "term_months", "out_of_range"),
        ({"term_months": 601}, "term_months", "out_of_range"),
        ({"term_months": 12.0}, "term_months", "not_integer"),
        ({"method": "balloon"}, "method", "unknown_method"),
        ({"day_count": "ACT/364"}, "day_count", "unknown_day_count"),
        ({"start_date": dt.datetime(2024, 1, 1)}, "start_date", "not_date"),
        ({"first_due_date": dt.date(2024, 1, 31)}, "first_due_date", "out_of_range"),
        ({"first_due_date": dt.date(2024, 4, 1)}, "first_due_date", "out_of_range"),
        ({"rounding": "ROUND_CEILING"}, "rounding", "unknown_rounding"),
    ],
)
def test_bad_input_names_the_argument(change, field, code):
    kwargs = dict(principal=D("1000"), annual_rate=D("4.35"), term_months=12, method="equal_installment",
                  start_date=dt.date(2024, 1, 31))
    kwargs.update(change)
    with pytest.raises(CalcError) as info:
        amortization_schedule(**kwargs)
    err = info.value
    assert (err.code, err.field) == (code, field)
    assert field in err.message_en and field in err.message_zh
    assert str(err) == f"{err.message_zh} / {err.message_en}"


@settings(max_examples=300, deadline=None)
@given(loans())
def test_schedule_invariants(loan):
    rows = amortization_schedule(**loan)
    assert sum(r.principal for r in rows) == loan["principal"].quantize(D("0.01"))
    assert all(r.balance >= 0 and r.principal >= 0 and r.interest >= 0 for r in rows)
    assert rows[-1].balance == 0
    assert all(r.payment == r.principal + r.interest for r in rows)
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == (1 if loan["method"] == "bullet" else loan["term_months"])
    assert all(a.due_date < b.due_date for a, b in zip(rows, rows[1:], strict=False))
    assert rows[0].due_date > loan["start_date"]
    balance = loan["principal"]
    for r in rows:
        balance -= r.principal
        assert r.balance == balance
    assert all(r.principal.as_tuple().exponent == -2 for r in rows)

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.calc import CalcError, LoanColumns, amortization_schedule, bulk_schedules
from finance.calc.bulk import _level_payments
from finance.calc.schedules import ROUNDINGS, level_payment_fen
from tests.finance.calc.calc_strategies import loans

D = Decimal


@settings(max_examples=150, deadline=None)
@given(st.lists(loans(), min_size=1, max_size=8))
def test_bulk_equals_scalar_on_random_loans(batch):
    result = bulk_schedules(batch)
    for i, loan in enumerate(batch):
        assert result.installments(i) == amortization_schedule(**loan)


@settings(max_examples=50, deadline=None)
@given(st.lists(loans(max_term=24).flatmap(
    lambda loan: st.sampled_from(ROUNDINGS).map(lambda r: {**loan, "rounding": r})), min_size=1, max_size=6))
def test_bulk_equals_scalar_with_mixed_rounding(batch):
    result = bulk_schedules(batch)
    for i, loan in enumerate(batch):
        assert result.installments(i) == amortization_schedule(**loan)


@pytest.mark.parametrize("method", ["equal_installment", "equal_principal", "interest_only", "bullet"])
def test_bulk_exact_where_int64_products_would_overflow(method):
    loan = dict(principal=D("10000000000.00"), annual_rate=D("35.9999"), term_months=600, method=method,
                day_count="ACT/ACT", start_date=dt.date(2023, 12, 31), first_due_date=dt.date(2024, 2, 29))
    assert bulk_schedules([loan]).installments(0) == amortization_schedule(**loan)


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 10**12), st.integers(0, 360_000), st.integers(1, 600), st.sampled_from(ROUNDINGS))
def test_float_level_payment_rounds_like_decimal(p, a, n, rounding):
    got = _level_payments(np.array([p]), np.array([a]), np.array([n]),
                          np.array([ROUNDINGS.index(rounding)], dtype=np.int8))
    assert int(got[0]) == level_payment_fen(p, a, n, rounding)


def test_columns_and_output_layout():
    cols = LoanColumns(
        principal_fen=np.array([100_000_000, 5_000_00]),
        rate_units=np.array([43500, 60000]),
        term_months=np.array([3, 2]),
        method=np.array([0, 3], dtype=np.int8),
        day_count=np.array([0, 2], dtype=np.int8),
        start_date=np.array(["2024-01-31", "2024-03-15"], dtype="datetime64[D]"),
    )
    out = bulk_schedules(cols)
    assert out.offsets.tolist() == [0, 3, 4]
    assert out.loan.tolist() == [0, 0, 0, 1]
    assert out.number.tolist() == [1, 2, 3, 1]
    assert out.due_date.tolist() == [dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30),
                                     dt.date(2024, 5, 15)]
    assert out.payment.tolist()[:2] == [33_575_291, 33_575_291]  # npf.pmt: 335,752.9149
    assert (out.payment == out.principal + out.interest).all()
    assert out.installments(1) == amortization_schedule(D("5000.00"), D("6"), 2, method="bullet",
                                                        start_date=dt.date(2024, 3, 15), day_count="ACT/365")


def test_columns_equal_dict_input():
    batch = [dict(principal=D("250000.00"), annual_rate=D("5.5"), term_months=n, method=m, day_count=dc,
                  start_date=dt.date(2022, 8, 31), rounding=r)
             for n, m, dc, r in [(12, "equal_installment", "ACT/360", ROUND_HALF_UP),
                                 (7, "equal_principal", "ACT/ACT", ROUND_HALF_EVEN),
                                 (5, "interest_only", "30/360", ROUND_DOWN)]]
    a, b = bulk_schedules(batch), bulk_schedules(LoanColumns.from_loans(batch))
    assert a.interest.tolist() == b.interest.tolist()
    assert a.due_date.tolist() == b.due_date.tolist()


def _columns(**change):
    base = dict(principal_fen=np.array([100_00]), rate_units=np.array([43500]), term_months=np.array([12]),
                method=np.array([0], dtype=np.int8), day_count=np.array([0], dtype=np.int8),
                start_date=np.array(["2024-01-31"], dtype="datetime64[D]"))
    base.update(change)
    return LoanColumns(**base)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"principal_fen": np.array([0])}, "loans.principal_fen"),
        ({"rate_units": np.array([360_001])}, "loans.rate_units"),
        ({"term_months": np.array([601])}, "loans.term_months"),
        ({"method": np.array([7], dtype=np.int8)}, "loans.method"),
        ({"day_count": np.array([-1], dtype=np.int8)}, "loans.day_count"),
        ({"first_due_date": np.array(["2024-01-31"], dtype="datetime64[D]")}, "loans.first_due_date"),
    ],
)
def test_bad_columns_name_the_column(change, field):
    with pytest.raises(CalcError) as info:
        bulk_schedules(_columns(**change))
    assert info.value.field == field


def test_bad_loan_in_a_list_names_its_position():
    good = dict(principal=D("100.00"), annual_rate=D("4"), term_months=3, method="bullet",
                start_date=dt.date(2024, 1, 1))
    with pytest.raises(CalcError) as info:
        bulk_schedules([good, {**good, "term_months": 0}])
    assert info.value.field == "loans[1].term_months"
    assert "loan 1" in info.value.message_en


def test_no_loans():
    out = bulk_schedules([])
    assert len(out) == 0 and out.offsets.tolist() == [0]

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
import pyxirr
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.calc import CalcError, dpi, ks_pme, pic, rvpi, tvpi, xirr, xirr_columns, xirr_many

D = Decimal
FUND = [(dt.date(2020, 1, 1), D("-100")), (dt.date(2020, 7, 1), D("-50")), (dt.date(2021, 1, 1), D("30")),
        (dt.date(2022, 1, 1), D("60"))]


def test_xirr_example():
    rate = xirr([(dt.date(2020, 1, 1), D("-1000")), (dt.date(2021, 1, 1), D("1100"))])
    assert rate == pytest.approx(0.0997135859, abs=1e-8)  # 1.1 ** (365 / 366) - 1: ACT/365F over a leap year


def test_xirr_without_sign_change_is_none():
    assert xirr([(dt.date(2020, 1, 1), D("-1000")), (dt.date(2021, 1, 1), D("-5"))]) is None


@pytest.mark.parametrize(
    ("flows", "field", "code"),
    [
        ([], "cashflows", "empty"),
        ([(dt.date(2020, 1, 1), -1000.0)], "cashflows[0].amount", "not_decimal"),
        ([("2020-01-01", D("1"))], "cashflows[0].date", "not_date"),
        ([D("1")], "cashflows[0]", "bad_cashflow"),
    ],
)
def test_xirr_bad_flows(flows, field, code):
    with pytest.raises(CalcError) as info:
        xirr(flows)
    assert (info.value.field, info.value.code) == (field, code)


def test_multiples_example():
    assert pic(FUND) == D("150.00")
    assert dpi(FUND) == D("0.6")
    assert rvpi(FUND, D("150")) == D("1.0")
    assert tvpi(FUND, D("150")) == D("1.6")


def test_multiples_need_contributions():
    with pytest.raises(CalcError) as info:
        dpi([(dt.date(2020, 1, 1), D("10"))])
    assert (info.value.field, info.value.code) == ("cashflows", "no_contributions")
    with pytest.raises(CalcError) as info:
        tvpi([], D("1"))
    assert info.value.code == "empty"


def test_ks_pme():
    levels = {dt.date(2020, 1, 1): D("100"), dt.date(2021, 1, 1): D("120"), dt.date(2022, 1, 1): D("150")}
    flows = [(dt.date(2020, 1, 1), D("-100")), (dt.date(2021, 1, 1), D("60"))]
    # (60 * 150/120 + 150) / (100 * 150/100)
    assert ks_pme(flows, levels, (dt.date(2022, 1, 1), D("150"))) == D("1.5")


def test_ks_pme_needs_every_index_level():
    with pytest.raises(CalcError) as info:
        ks_pme(FUND, {dt.date(2020, 1, 1): D("100")}, (dt.date(2022, 1, 1), D("150")))
    assert (info.value.field, info.value.code) == ("index_levels", "missing_index_level")


flows = st.lists(
    st.tuples(st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31)), st.integers(-10**9, 10**9)),
    min_size=1, max_size=12,
).map(lambda fs: [(d, D(a).scaleb(-2)) for d, a in fs])


def _same(a, b):
    # pyxirr itself stops at about 1e-8 relative (it gives 0.99999998 for an exact 100 %).
    return (a is None and np.isnan(b)) or (a is not None and b == pytest.approx(a, rel=1e-7, abs=1e-9))


@settings(max_examples=200, deadline=None)
@given(st.lists(flows, min_size=1, max_size=6))
def test_xirr_many_equals_xirr(funds):
    many = xirr_many(funds)
    for fund, got in zip(funds, many, strict=True):
        assert _same(xirr(fund), got)


@st.composite
def conventional_fund(draw):
    start = draw(st.dates(dt.date(2005, 1, 1), dt.date(2025, 1, 1)))
    calls = draw(st.lists(st.integers(1, 3000), min_size=1, max_size=5))
    dists = draw(st.lists(st.integers(1, 3000), min_size=1, max_size=8))
    out, day = [], 0
    for gap in calls:
        day += gap % 400
        out.append((start + dt.timedelta(days=day), D(-gap * 1000)))
    for gap in dists:
        day += 1 + gap % 500
        out.append((start + dt.timedelta(days=day), D(gap * 900)))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(conventional_fund(), min_size=1, max_size=8))
def test_vectorised_newton_matches_pyxirr_on_conventional_funds(funds):
    many = xirr_many(funds)
    for fund, got in zip(funds, many, strict=True):
        expected = pyxirr.xirr([d for d, _ in fund], [float(a) for _, a in fund], silent=True)
        assert _same(expected, got)


def test_unique_root_where_pyxirr_stops_on_the_flat_tail():
    flows = [(dt.date(2010, 1, 1), D("0.00")), (dt.date(2011, 1, 1), D("0.02")), (dt.date(2012, 1, 1), D("-0.01"))]
    assert xirr(flows) == pytest.approx(-0.5, abs=1e-12)
    assert pyxirr.xirr([d for d, _ in flows], [0.0, 0.02, -0.01]) > 1e6


def test_xirr_columns_accepts_unsorted_rows():
    fund = np.array([1, 0, 1, 0])
    dates = np.array(["2021-01-01", "2021-01-01", "2020-01-01", "2020-01-01"], dtype="datetime64[D]")
    amounts = np.array([120_00, 1100_00, -100_00, -1000_00])
    got = xirr_columns(fund, dates, amounts)
    assert got[0] == pytest.approx(0.0997135859, abs=1e-8)
    assert got[1] == pytest.approx(xirr([(dt.date(2020, 1, 1), D("-100")), (dt.date(2021, 1, 1), D("120"))]))

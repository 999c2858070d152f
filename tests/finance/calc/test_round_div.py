"""One half-up rule for a share of an amount in fen: ``round_div`` (and its array form) rounds exactly as Decimal's
ROUND_HALF_UP does — half away from zero, negative amounts included — and funds and the report call it."""
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from finance.calc import round_div, round_div_array


def decimal_round(num: int, den: int, rounding: str) -> int:
    with localcontext() as ctx:
        ctx.prec = 60
        return int((Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding))


@given(st.integers(-10**15, 10**15), st.integers(1, 10**9))
def test_round_div_is_decimal_half_up_for_any_sign(num, den):
    assert round_div(num, den) == decimal_round(num, den, ROUND_HALF_UP)
    assert round_div(num, den, ROUND_HALF_EVEN) == decimal_round(num, den, ROUND_HALF_EVEN)


@given(st.lists(st.integers(-10**12, 10**12), min_size=1, max_size=50), st.integers(1, 10**6))
def test_the_array_form_is_the_scalar_rule(nums, den):
    got = round_div_array(np.array(nums, dtype=np.int64), den)
    assert got.tolist() == [round_div(n, den) for n in nums]


def test_halves_round_away_from_zero():
    assert [round_div(n, 2) for n in (-3, -1, 1, 3)] == [-2, -1, 1, 2]
    assert round_div_array(np.array([-5, 5], dtype=np.int64), 10).tolist() == [-1, 1]


def test_funds_and_the_report_round_a_share_the_same_way():
    from finance.reporting.figures import fen_half_up_div
    from funds.selectors import _fen_half_up

    for num, den in ((-1, 2), (1, 2), (-250, 100), (7, 3), (-7, 3)):
        assert fen_half_up_div(num, den) == _fen_half_up(Fraction(num, den)) == round_div(num, den)

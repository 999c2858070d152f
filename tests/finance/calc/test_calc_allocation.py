from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.calc import CalcError, allocate, split_loss

D = Decimal


def test_three_equal_lps():
    assert allocate(D("100.00"), [1, 1, 1]) == [D("33.34"), D("33.33"), D("33.33")]


def test_ties_go_to_the_earlier_position():
    assert allocate(D("0.02"), [1, 1, 1]) == [D("0.01"), D("0.01"), D("0.00")]


def test_largest_remainder_wins_over_position():
    assert allocate(D("0.01"), [1, 2]) == [D("0.00"), D("0.01")]


def test_decimal_weights_and_zero_weight():
    assert allocate(D("10.00"), [D("0.5"), D("0"), D("0.25")]) == [D("6.67"), D("0.00"), D("3.33")]


def test_negative_total_is_split_by_magnitude():
    assert allocate(D("-100.00"), [1, 1, 1]) == [D("-33.34"), D("-33.33"), D("-33.33")]


@pytest.mark.parametrize(
    ("total", "weights", "field", "code"),
    [
        (D("1.00"), [0, 0], "weights", "zero_total_weight"),
        (D("1.00"), [], "weights", "empty"),
        (1.0, [1], "total", "not_decimal"),
        (D("1.001"), [1], "total", "too_many_decimals"),
        (D("1.00"), [1, -1], "weights[1]", "too_small"),
        (D("1.00"), [1, 0.5], "weights[1]", "not_decimal"),
    ],
)
def test_bad_allocation_input(total, weights, field, code):
    with pytest.raises(CalcError) as info:
        allocate(total, weights)
    assert (info.value.field, info.value.code) == (field, code)


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**12, 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any))
def test_allocate_sums_exactly_and_stays_within_a_fen(total_fen, weights):
    total = D(total_fen).scaleb(-2)
    parts = allocate(total, weights)
    assert sum(parts) == total
    for part, w in zip(parts, weights, strict=True):
        exact = Fraction(total_fen, 100) * w / sum(weights)
        assert abs(Fraction(part) - exact) < Fraction(1, 100)


def test_loss_split_province_city_bank():
    shares = {"province": D("0.35"), "city": D("0.35"), "bank": D("0.30")}
    result = split_loss(D("4000000"), shares)
    assert result == {"province": D("1400000.00"), "city": D("1400000.00"), "bank": D("1200000.00")}
    assert list(result) == ["province", "city", "bank"]


def test_loss_split_rounds_to_the_fen_and_sums():
    result = split_loss(D("1000.01"), {"government": D("0.9"), "bank": D("0.1")})
    assert result == {"government": D("900.01"), "bank": D("100.00")}


def test_loss_shares_must_sum_to_one():
    with pytest.raises(CalcError) as info:
        split_loss(D("100"), {"province": D("0.35"), "city": D("0.35"), "bank": D("0.2")})
    assert (info.value.field, info.value.code) == ("shares", "shares_not_one")

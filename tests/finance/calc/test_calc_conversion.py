from decimal import Decimal

import pytest

from finance.calc import CalcError, Instrument, convert_at_round

D = Decimal


def test_invest_first_example_two_over_fifty_two():
    result = convert_at_round(D("2000000"), pre_money=D("50000000"), new_money=D("0"))
    assert f"{result.ownership * 100:.4g}" == "3.846"
    assert result.ownership.quantize(D("1e-12")) == D("0.038461538462")
    assert result.post_money == D("52000000.00")
    assert result.shares is None


def test_with_existing_shares_counts_shares_at_the_round_price():
    result = convert_at_round(D("2000000"), pre_money=D("50000000"), new_money=D("0"), existing_shares=10_000_000)
    assert (result.round_price, result.shares, result.post_money_shares) == (D("5.000000"), 400_000, 10_400_000)
    assert f"{result.ownership * 100:.4g}" == "3.846"


def test_post_money_cap():
    result = convert_at_round(D("1000000"), pre_money=D("20000000"), new_money=D("5000000"),
                              valuation_cap=D("10000000"), existing_shares=9_000_000)
    # owns 10 % before the round (1M of a 10M post-money cap), diluted by 20 % new money
    assert (result.price, result.round_price, result.shares) == (D("1.000000"), D("2.000000"), 1_000_000)
    assert result.ownership == D("0.08")


def test_cap_above_the_round_converts_at_the_round_price():
    result = convert_at_round(D("1000000"), pre_money=D("20000000"), new_money=D("0"),
                              valuation_cap=D("40000000"), existing_shares=9_500_000)
    assert result.price == result.round_price == D("2.000000")
    assert result.shares == 500_000


def test_discount():
    result = convert_at_round(D("1000000"), pre_money=D("20000000"), new_money=D("0"), discount=D("0.2"),
                              existing_shares=9_000_000)
    assert (result.price, result.shares, result.round_price) == (D("1.666667"), 600_000, D("2.083333"))
    assert result.ownership == D("0.0625")


def test_lower_of_cap_and_discount_price_wins():
    cap_wins = convert_at_round(D("1000000"), pre_money=D("20000000"), new_money=D("0"), discount=D("0.2"),
                                valuation_cap=D("10000000"), existing_shares=9_000_000)
    assert cap_wins.shares == 1_000_000


def test_shares_round_down():
    result = convert_at_round(D("1000000"), pre_money=D("30000000"), new_money=D("0"), existing_shares=7_000_000)
    assert result.shares == 233_333  # 1,000,000 / (30,000,000 / 7,000,000) = 233,333.33


def test_several_instruments_solved_together():
    result = convert_at_round([Instrument(D("1000000"), valuation_cap=D("10000000")), Instrument(D("2000000"))],
                              pre_money=D("20000000"), new_money=D("5000000"), existing_shares=9_000_000)
    assert [c.shares for c in result.conversions] == [1_000_000, 1_000_000]
    assert result.post_money_shares == 13_500_000
    assert result.conversions[0].ownership == result.conversions[1].ownership
    values = convert_at_round([Instrument(D("1000000"), valuation_cap=D("10000000")), Instrument(D("2000000"))],
                              pre_money=D("20000000"), new_money=D("5000000"))
    assert [c.ownership.quantize(D("1e-20")) for c in values.conversions] == [D("0.07407407407407407407")] * 2


def test_price_per_share_given():
    result = convert_at_round(D("1000000"), pre_money=D("20000000"), new_money=D("0"), price_per_share=D("4"))
    assert (result.shares, result.price) == (250_000, D("4.000000"))


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"amount": 2_000_000.0}, "amount", "not_decimal"),
        ({"amount": D("0")}, "amount", "not_positive"),
        ({"pre_money": D("0")}, "pre_money", "not_positive"),
        ({"discount": D("1")}, "discount", "too_large"),
        ({"valuation_cap": D("500000")}, "valuation_cap", "conversion_exceeds_company"),
        ({"amount": [Instrument(D("1"))], "discount": D("0.1")}, "discount", "ambiguous_terms"),
        ({"existing_shares": 0}, "existing_shares", "out_of_range"),
    ],
)
def test_bad_conversion_input(kwargs, field, code):
    args = dict(amount=D("1000000"), pre_money=D("20000000"), new_money=D("0"))
    args.update(kwargs)
    with pytest.raises(CalcError) as info:
        convert_at_round(args.pop("amount"), **args)
    assert (info.value.field, info.value.code) == (field, code)

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance.calc import CalcError, european_waterfall

D = Decimal
TERMS = dict(hurdle_rate=D("0.08"), hurdle_years=5, compounding="simple", catch_up_share=1, carry_share=D("0.2"))


def amounts(result):
    return {t.name: (t.lp, t.gp) for t in result.tiers}


def test_example_lp_164_gp_16():
    result = european_waterfall(D("100"), D("180"), **TERMS)
    assert (result.lp, result.gp) == (D("164.00"), D("16.00"))
    assert amounts(result) == {
        "return_of_capital": (D("100.00"), D("0.00")),
        "preferred_return": (D("40.00"), D("0.00")),
        "catch_up": (D("0.00"), D("10.00")),
        "carried_interest": (D("24.00"), D("6.00")),
    }


def test_annual_compounding_gives_gp_its_full_carry():
    result = european_waterfall(D("100"), D("200"), **{**TERMS, "compounding": "annual"})
    assert result.tier("preferred_return").lp == D("46.93")  # 100 * (1.08^5 - 1)
    assert result.tier("catch_up").gp == D("11.73")
    assert result.tier("carried_interest").total == D("41.34")
    assert (result.lp, result.gp) == (D("180.00"), D("20.00"))


@pytest.mark.parametrize(
    ("distributable", "lp", "gp"),
    [(D("80"), D("80.00"), D("0.00")), (D("120"), D("120.00"), D("0.00")), (D("145"), D("140.00"), D("5.00"))],
)
def test_short_distributions_stop_at_the_tier_they_reach(distributable, lp, gp):
    result = european_waterfall(D("100"), distributable, **TERMS)
    assert (result.lp, result.gp) == (lp, gp)


def test_no_catch_up():
    result = european_waterfall(D("100"), D("180"), **{**TERMS, "catch_up_share": 0})
    assert (result.lp, result.gp) == (D("172.00"), D("8.00"))


def test_partial_catch_up_share():
    result = european_waterfall(D("100"), D("180"), **{**TERMS, "catch_up_share": D("0.5")})
    # catch-up tier X = 0.2 * 40 / (0.5 - 0.2) = 26.67, split half and half
    assert amounts(result)["catch_up"] == (D("13.34"), D("13.33"))
    assert result.lp + result.gp == D("180.00")


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"catch_up_share": D("0.1")}, "catch_up_share", "catch_up_too_small"),
        ({"compounding": "monthly"}, "compounding", "unknown_compounding"),
        ({"hurdle_rate": D("8")}, "hurdle_rate", "too_large"),
        ({"hurdle_rate": 0.08}, "hurdle_rate", "not_decimal"),
        ({"compounding": "annual", "hurdle_years": D("2.5")}, "hurdle_years", "not_integer"),
    ],
)
def test_bad_terms(change, field, code):
    with pytest.raises(CalcError) as info:
        european_waterfall(D("100"), D("180"), **{**TERMS, **change})
    assert (info.value.field, info.value.code) == (field, code)


def test_contributed_must_be_positive():
    with pytest.raises(CalcError) as info:
        european_waterfall(D("0"), D("180"), **TERMS)
    assert info.value.field == "contributed"


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 10**11), st.integers(0, 10**12), st.integers(0, 2000), st.integers(0, 15),
    st.sampled_from(["simple", "annual"]), st.sampled_from([0, 50, 80, 100]), st.integers(0, 40),
)
def test_tiers_sum_to_distributable(contributed, distributable, hurdle_bp, years, compounding, catch_up, carry):
    result = european_waterfall(D(contributed).scaleb(-2), D(distributable).scaleb(-2),
                                hurdle_rate=D(hurdle_bp).scaleb(-4), hurdle_years=years, compounding=compounding,
                                catch_up_share=D(catch_up).scaleb(-2) if catch_up > carry else 0,
                                carry_share=D(carry).scaleb(-2))
    total = D(distributable).scaleb(-2)
    assert sum(t.total for t in result.tiers) == total
    assert result.lp + result.gp == total
    assert all(t.lp >= 0 and t.gp >= 0 for t in result.tiers)

"""Sub-fund set-up: guidance share within its cap and never the largest LP; government money within its caps."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.core.errors import DomainError
from finance.policy.services import parameter_set
from funds.models import Commitment, SubFund
from funds.services import commitment_add


def _lps(*pairs):
    return tuple(pairs)


def test_valid_fund_records_shares_and_policy_used(fund):
    assert fund.commitments.count() == 3
    assert fund.policy["guidance_share"] == "20.0000"
    assert fund.policy["fund.guidance_share_max"] == "30"
    assert fund.policy["fund.government_share_max"] == "50"


@pytest.mark.parametrize("lps, code", [
    (_lps(("guidance", "35.00"), ("social", "65.00")), "guidance_share_above_max"),
    (_lps(("guidance", "5.00"), ("social", "95.00")), "guidance_share_below_min"),
    (_lps(("guidance", "20.00"), ("social", "20.00"), ("social", "15.00")), "guidance_largest_lp"),
    (_lps(("guidance", "15.00"), ("provincial", "10.00"), ("social", "75.00")), "provincial_share_above_max"),
    (_lps(("guidance", "20.00"), ("city", "35.00"), ("social", "45.00")), "government_share_above_max"),
    (_lps(("guidance", "20.00"), ("social", "90.00")), "commitments_exceed_size"),
])
def test_commitments_that_break_the_caps_are_refused_and_nothing_is_written(make_fund, lps, code):
    with pytest.raises(DomainError) as err:
        make_fund(lps=lps)
    assert err.value.code == code
    assert err.value.field == "amount"
    assert "/" in err.value.detail  # Chinese / English
    assert SubFund.objects.count() == 0 and Commitment.objects.count() == 0


def test_guidance_cap_message_names_the_figures(make_fund):
    with pytest.raises(DomainError) as err:
        make_fund(lps=(("guidance", "35.00"), ("social", "65.00")))
    assert err.value.detail_zh == "引导基金出资比例 35.0000% 超过上限 30%"
    assert err.value.detail_en == "guidance share 35.0000% is above the 30% cap"


def test_tie_with_the_largest_lp_counts_as_largest(make_fund):
    with pytest.raises(DomainError) as err:
        make_fund(lps=(("guidance", "20.00"), ("social", "20.00"), ("social", "20.00")))
    assert err.value.code == "guidance_largest_lp"


def test_later_commitment_rechecks_the_whole_list(fund):
    fund.size = D("200.00")
    fund.save()
    before = Commitment.objects.count()
    with pytest.raises(DomainError) as err:
        commitment_add(sub_fund=fund, lp_kind="city", amount="90.00", committed_on=dt.date(2020, 6, 1),
                       investor_name="济南市引导基金")
    assert err.value.code == "government_share_above_max"
    assert Commitment.objects.count() == before
    c = commitment_add(sub_fund=fund, lp_kind="social", amount="50.00", committed_on=dt.date(2020, 6, 1),
                       investor_name="新社会出资人")
    assert c.amount == D("50.00") and Commitment.objects.count() == before + 1


@pytest.mark.parametrize("amount", ["0", "-10.00", "abc", "1.001"])
def test_bad_commitment_amounts_are_refused(make_fund, amount):
    with pytest.raises(DomainError) as err:
        make_fund(lps=(("guidance", "20.00"), ("social", amount)))
    assert err.value.code == "invalid_amount"
    assert err.value.field == "commitments.1.amount"
    assert SubFund.objects.count() == 0


def test_profit_concession_needs_the_policy_rate(make_fund):
    with pytest.raises(DomainError) as err:
        make_fund(profit_concession=True)
    assert err.value.code == "policy_parameter_missing"
    assert SubFund.objects.count() == 0
    parameter_set(key="fund.profit_concession", value=D("50"), effective_from=dt.date(2017, 12, 1))
    assert make_fund(profit_concession=True).policy["fund.profit_concession"] == "50"


def test_fee_above_the_cap_is_refused(make_fund):
    with pytest.raises(DomainError) as err:
        make_fund(fee_rate=D("2.5"))
    assert err.value.code == "fee_rate_above_max" and err.value.field == "fee_rate"

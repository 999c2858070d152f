import datetime as dt
from decimal import Decimal

import pytest

from finance.policy.models import Parameter, ParameterValue
from finance.policy.selectors import PolicyParameterMissing, PolicyUse, policy_value
from finance.policy.services import parameter_set

D = Decimal


def test_domain_figures_are_seeded(db):
    assert policy_value("pool.share.province", on=dt.date(2026, 1, 1)) == D("35")
    assert policy_value("talent.equity_cap", on=dt.date(2026, 1, 1)) == D("5000000")
    assert policy_value("loan.ltv_max.invention_patent", on=dt.date(2026, 1, 1)) == D("25")
    # (none) figures exist, with no value
    assert Parameter.objects.filter(key="pool.cap_per_loan").exists()
    assert not ParameterValue.objects.filter(parameter__key="pool.cap_per_loan").exists()


def test_missing_value_blocks_with_a_message_naming_the_parameter(db):
    with pytest.raises(PolicyParameterMissing) as err:
        policy_value("pool.cap_per_loan", on=dt.date(2026, 1, 1))
    assert "pool.cap_per_loan" in err.value.detail
    assert "单笔贷款补偿上限" in err.value.detail_zh
    assert "compensation cap per loan" in err.value.detail_en


def test_value_on_date_follows_effective_dates_and_keeps_history(db):
    parameter_set(key="pool.leverage_multiple", value=D("8"), effective_from=dt.date(2026, 7, 1))
    assert policy_value("pool.leverage_multiple", on=dt.date(2026, 6, 30)) == D("10")
    assert policy_value("pool.leverage_multiple", on=dt.date(2026, 7, 1)) == D("8")
    assert ParameterValue.objects.filter(parameter__key="pool.leverage_multiple").count() == 2


def test_scoped_value_overrides_global_and_snapshot_records_use(db):
    parameter_set(key="pool.share.city", value=D("30"), effective_from=dt.date(2026, 1, 1), scope="pool:7")
    use = PolicyUse(on=dt.date(2026, 3, 1), scope="pool:7")
    assert use("pool.share.city") == D("30")
    assert use("pool.share.province") == D("35")  # falls back to the global value
    assert use.snapshot == {"pool.share.city": "30", "pool.share.province": "35"}

"""Seeded policy: frozen in the migrations, dated from each source, ended where a newer rule replaced it."""
import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from finance.parties.models import OrgKind, Role
from finance.policy import catalogue
from finance.policy.models import Parameter, ParameterChange, ParameterValue
from finance.policy.selectors import PolicyParameterMissing, PolicyUse, policy_value
from finance.policy.services import parameter_set

D = Decimal
Y2020 = dt.date(2020, 6, 30)
Y2024 = dt.date(2024, 12, 31)
BLOCKED = None

# key: (value in force for a decision of 2020-06-30, for one of 2024-12-31); None = refused (no value in force)
IN_FORCE = {
    # 鲁政办字〔2023〕155号 from 2023: the paid-interest subsidy, pool shares, guarantee figures
    "subsidy.paid_interest_share": (BLOCKED, D("40")),
    "subsidy.enterprise_cap": (BLOCKED, D("500000")),
    "pool.share.province": (BLOCKED, D("35")),
    "pool.share.city": (BLOCKED, D("35")),
    "pool.share.bank": (BLOCKED, D("30")),
    "pool.rd_credit.government_share_max": (BLOCKED, D("90")),
    "guarantee.fee_rate_max": (BLOCKED, D("0.5")),
    "guarantee.premium_subsidy_rate": (BLOCKED, D("0.5")),
    "guarantee.payout_compensation_share": (BLOCKED, D("20")),
    # the IP-pledge subsidy figures of earlier years end when 155号 takes effect
    "subsidy.benchmark_share": (D("60"), BLOCKED),
    "subsidy.yearly_cap": (D("500000"), BLOCKED),
    "subsidy.years_per_loan": (D("2"), BLOCKED),
    "subsidy.times_per_firm": (D("3"), BLOCKED),
    "subsidy.appraisal_fee_share": (D("50"), BLOCKED),
    "subsidy.appraisal_fee_cap": (D("50000"), BLOCKED),
    # the 2023 five-category rules from 2023-07-01
    "loan.class.special_mention_dpd": (BLOCKED, D("1")),
    "loan.class.substandard_dpd": (BLOCKED, D("91")),
    "loan.class.doubtful_dpd": (BLOCKED, D("271")),
    "loan.class.loss_dpd": (BLOCKED, D("361")),
    # 148号 措施 from 2024-11-21
    "talent.equity_cap": (BLOCKED, D("5000000")),
    # 财教〔2021〕176号: kept from the platform epoch for now (deferred, see 0006_dated_seeds)
    "fund.provincial_share_max": (D("20"), D("20")),
    # Shandong 股权联动 2025: not yet in 2024
    "investfirst.max_share": (BLOCKED, BLOCKED),
    # the 条例 (in force 2018-01-01) and the guarantee regulations (2017-10-01): both years
    "transfer.publicity_days_min": (D("15"), D("15")),
    "transfer.inventor_reward_share_min": (D("70"), D("70")),
    "guarantee.leverage_max": (D("10"), D("10")),
    # the direct instruments' conditions (issue 11): no published figure, ship empty
    "investfirst.min_round_size": (BLOCKED, BLOCKED),
    "talent.eligibility.team_leads": (BLOCKED, BLOCKED),
    "talent.eligibility.founders_cash_min": (BLOCKED, BLOCKED),
    # invented shares ship empty; the published-pattern ones stay
    "guarantee.share.guarantor": (BLOCKED, BLOCKED),
    "guarantee.share.reguarantor": (BLOCKED, BLOCKED),
    "guarantee.share.national_fund": (D("20"), D("20")),
    "guarantee.share.bank": (D("20"), D("20")),
}


def _value_or_blocked(key, on):
    try:
        return policy_value(key, on=on)
    except PolicyParameterMissing:
        return BLOCKED


@pytest.mark.parametrize("key", sorted(IN_FORCE))
def test_value_in_force_for_a_2020_and_a_2024_decision(db, key):
    assert (_value_or_blocked(key, Y2020), _value_or_blocked(key, Y2024)) == IN_FORCE[key]


@pytest.mark.parametrize("key, last_day_before, first_day, before, after", [
    ("subsidy.paid_interest_share", dt.date(2022, 12, 31), dt.date(2023, 1, 1), BLOCKED, D("40")),
    ("subsidy.benchmark_share", dt.date(2022, 12, 31), dt.date(2023, 1, 1), D("60"), BLOCKED),
    ("loan.class.substandard_dpd", dt.date(2023, 6, 30), dt.date(2023, 7, 1), BLOCKED, D("91")),
    ("talent.equity_cap", dt.date(2024, 11, 20), dt.date(2024, 11, 21), BLOCKED, D("5000000")),
    ("investfirst.max_share", dt.date(2024, 12, 31), dt.date(2025, 1, 1), BLOCKED, D("25")),
    ("transfer.publicity_days_min", dt.date(2017, 12, 31), dt.date(2018, 1, 1), BLOCKED, D("15")),
])
def test_each_source_takes_effect_on_its_day(db, key, last_day_before, first_day, before, after):
    assert _value_or_blocked(key, last_day_before) == before
    assert _value_or_blocked(key, first_day) == after


def test_an_ended_rule_is_refused_with_its_end_date_named(db):
    with pytest.raises(PolicyParameterMissing) as err:
        policy_value("subsidy.benchmark_share", on=dt.date(2024, 3, 1))
    assert "subsidy.benchmark_share" in err.value.detail_en and "ended on 2023-01-01" in err.value.detail_en
    assert "2023-01-01 失效" in err.value.detail_zh


def test_a_later_row_replaces_an_ended_one(db):
    """An end is an explicit ``effective_to``; a newer value is simply a later row."""
    parameter_set(key="subsidy.benchmark_share", value=D("55"), effective_from=dt.date(2025, 1, 1))
    assert _value_or_blocked("subsidy.benchmark_share", dt.date(2024, 12, 31)) is BLOCKED
    assert policy_value("subsidy.benchmark_share", on=dt.date(2025, 1, 1)) == D("55")
    assert policy_value("subsidy.benchmark_share", on=dt.date(2022, 12, 31)) == D("60")


def test_an_ended_programme_value_falls_back_to_the_global_one(db):
    parameter_set(key="pool.share.city", value=D("30"), effective_from=dt.date(2024, 1, 1), scope="pool:7",
                  effective_to=dt.date(2025, 1, 1))
    use = PolicyUse(on=dt.date(2024, 6, 1), scope="pool:7")
    assert use("pool.share.city") == D("30")
    assert PolicyUse(on=dt.date(2025, 1, 1), scope="pool:7")("pool.share.city") == D("35")


def test_the_guarantor_shares_ship_empty_and_say_so(db):
    for key in ("guarantee.share.guarantor", "guarantee.share.reguarantor"):
        assert not ParameterValue.objects.filter(parameter__key=key).exists()
        assert Parameter.objects.get(key=key).source.startswith("none")
        with pytest.raises(PolicyParameterMissing) as err:
            policy_value(key, on=dt.date(2026, 1, 1))
        assert key in err.value.detail_en


# ------------------------------------------------------------------ frozen: fresh == upgraded


def _snapshot():
    params = sorted(Parameter.objects.values_list("key", "name_zh", "name_en", "unit", "source"))
    values = sorted((key, scope, value.normalize(), frm, to, note) for key, scope, value, frm, to, note in
                    ParameterValue.objects.values_list("parameter__key", "scope", "value", "effective_from",
                                                       "effective_to", "source_note"))
    return params, values


def _migration(name):
    return importlib.import_module(f"finance.policy.migrations.{name}")


def _empty_policy_tables():
    ParameterChange.objects.all().delete()
    ParameterValue.objects.all().delete()
    Parameter.objects.all().delete()


def _run(name):
    _migration(name).forwards(django_apps, None)


def _run_app_seeds():
    """The apps' own policy seeds (the reviewers' scoring sheet of finance.applications)."""
    importlib.import_module("finance.applications.migrations.0002_review_criteria").forwards(django_apps, None)


def test_seeding_does_not_read_the_live_catalogue(db, monkeypatch):
    """A database migrated after the catalogue changed gets the same values as one migrated before."""
    fresh = _snapshot()
    monkeypatch.setattr(catalogue, "CATALOGUE", [("fund.guidance_share_min", "改", "changed", "percent", "x")])
    _empty_policy_tables()
    for name in ("0002_seed_catalogue", "0004_approval_thresholds", "0006_dated_seeds", "0007_direct_parameters"):
        _run(name)
    _run_app_seeds()
    assert _snapshot() == fresh


def test_an_upgraded_database_ends_exactly_like_a_fresh_one(db):
    """First release: 0002 (then without the approval keys) and 0004; the upgrade runs 0006 and 0007 (twice is
    harmless)."""
    fresh = _snapshot()
    _empty_policy_tables()
    _run("0002_seed_catalogue")
    assert policy_value("subsidy.paid_interest_share", on=Y2020) == D("40")  # the undated first-release state
    _run("0004_approval_thresholds")
    _run("0006_dated_seeds")
    _run("0007_direct_parameters")  # the direct instruments' parameters (labels only, no value)
    _run_app_seeds()
    assert _snapshot() == fresh
    _run("0006_dated_seeds")
    _run("0007_direct_parameters")
    _run_app_seeds()
    assert _snapshot() == fresh


def test_the_upgrade_leaves_administrators_values_alone(db, orgs, make_user):
    admin = make_user(orgs.make(OrgKind.DEPARTMENT, dept_level="province"), Role.ADMINISTRATOR)
    _empty_policy_tables()
    _run("0002_seed_catalogue")
    _run("0004_approval_thresholds")
    parameter_set(key="guarantee.share.guarantor", value=D("45"), effective_from=dt.date(2024, 1, 1), by=admin)
    parameter_set(key="pool.share.city", value=D("33"), effective_from=dt.date(2024, 1, 1), scope="pool:2")
    _run("0006_dated_seeds")
    assert policy_value("guarantee.share.guarantor", on=Y2024) == D("45")
    assert PolicyUse(on=Y2024, scope="pool:2")("pool.share.city") == D("33")


def test_the_test_reseed_equals_the_migrations(db):
    """Tests that flush the database put policy back through ``catalogue.seed``: the same rows as migrating."""
    fresh = _snapshot()
    _empty_policy_tables()
    catalogue.seed(Parameter, ParameterValue)
    assert _snapshot() == fresh


def test_the_catalogue_is_the_one_list_of_labels(db):
    """Every seeded parameter is in the catalogue with the same names, unit and source, and nothing else is."""
    params, _ = _snapshot()
    assert params == sorted(catalogue.CATALOGUE)

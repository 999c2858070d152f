"""Fixtures for the direct instruments: a department's programme run by a manager, funded; the policy values
the (none) parameters need; an enterprise with founders on its cap table."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.ledger.models import Side
from finance.ledger.selectors import trial_balance
from finance.parties.models import OrgKind, Role
from finance.policy.catalogue import POLICY_EPOCH
from finance.policy.services import parameter_set
from funds.direct import captable, services

POLICY = {
    "investfirst.conversion_deadline_months": "24",
    "investfirst.min_round_size": "5000000",
    "grantinvestloan.grant_cap": "3000000",
    "grantinvestloan.exit_return": "5",
    "talent.holding_years": "5",
    "talent.eligibility.team_leads": "1",
    "talent.eligibility.in_shandong": "1",
    "talent.eligibility.own_ip_min": "1",
    "talent.eligibility.company_age_max_years": "10",
    "talent.eligibility.founders_cash_min": "500000",
    "fund.early_exit_reference_rate": "3.5",
}


def set_policy(skip=()):
    for key, value in POLICY.items():
        if key not in skip:
            parameter_set(key=key, value=D(value), effective_from=POLICY_EPOCH)


@pytest.fixture
def policy(db):
    set_policy()


# Seeded rules that start late (finance/policy/migrations/0006_dated_seeds): key, value, first day in force.
LATE_RULES = [
    ("talent.equity_cap", "5000000", dt.date(2024, 11, 21)),  # 鲁政办字〔2024〕148号 十一
    ("investfirst.max_share", "25", dt.date(2025, 1, 1)),  # Shandong 股权联动 2025
]


@pytest.fixture
def rules_before_their_sources(db):
    """For scenarios whose decisions predate the sources: before its first day a rule has no value in force and a
    decision that needs it is refused, so an administrator sets the same figure for the earlier decisions,
    ending the day the published one starts."""
    for key, value, first_day in LATE_RULES:
        parameter_set(key=key, value=D(value), effective_from=POLICY_EPOCH, effective_to=first_day,
                      source_note="set by an administrator for decisions before the source")


@pytest.fixture
def department(orgs):
    return orgs.make(OrgKind.DEPARTMENT, name="山东省财政厅", dept_level="province")


@pytest.fixture
def platform(orgs):
    return orgs.make(OrgKind.FUND_MANAGER, name="省财金投资集团")


@pytest.fixture
def maker(platform, make_user):
    return make_user(platform, Role.FUND_MANAGER)


@pytest.fixture
def checker(platform, make_user):
    return make_user(platform, Role.FUND_MANAGER)


@pytest.fixture
def payer(platform, make_user):
    return make_user(platform, Role.FUND_MANAGER)


@pytest.fixture
def enterprise(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="济南量子科技有限公司")


@pytest.fixture
def founder_user(enterprise, make_user):
    return make_user(enterprise, Role.APPLICANT)


@pytest.fixture
def programme(department, platform, policy):
    p = services.programme_create(name="科技成果转化直投专项", owner_department=department, manager=platform,
                                  budget="100000000.00", kinds=["invest_first", "talent_equity", "grant_invest_loan"])
    services.programme_fund(programme=p, amount="50000000.00", on=dt.date(2025, 1, 2), reference="CZ-2025-001")
    return p


def founders(enterprise, shares=(("创始人甲", 5000000), ("创始人乙", 4000000)), on=dt.date(2024, 6, 1)):
    return captable.founders_register(enterprise=enterprise, founders=list(shares), on=on)


def balanced():
    tb = trial_balance()
    return all(t[Side.DEBIT] == t[Side.CREDIT] for t in tb.values())

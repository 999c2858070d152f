"""Fixtures for the funds tests: a guidance fund, a GP, a sub-fund with three LPs, a committee."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.approvals.models import Committee
from finance.parties.models import OrgKind, Role
from funds.services import guidance_fund_create, sub_fund_create

VINTAGE = dt.date(2020, 1, 1)


@pytest.fixture
def guidance_manager(orgs):
    return orgs.make(OrgKind.FUND_MANAGER, name="引导基金管理公司")


@pytest.fixture
def gp(orgs):
    return orgs.make(OrgKind.FUND_MANAGER, name="子基金管理人")


@pytest.fixture
def other_gp(orgs):
    return orgs.make(OrgKind.FUND_MANAGER, name="另一管理人")


@pytest.fixture
def guidance(guidance_manager):
    return guidance_fund_create(name="山东省科技成果转化引导基金", manager=guidance_manager, size=D("1000000000.00"),
                                vintage=VINTAGE)


@pytest.fixture
def manager(gp, make_user):
    return make_user(gp, Role.FUND_MANAGER)


@pytest.fixture
def make_fund(guidance, gp):
    counter = {"n": 0}

    def make(size="100.00", lps=(("guidance", "20.00"), ("social", "40.00"), ("social", "40.00")), **terms):
        counter["n"] += 1
        rows = [{"lp_kind": k, "amount": a, "investor_name": f"LP{i + 1}"} for i, (k, a) in enumerate(lps)]
        terms.setdefault("manager", gp)
        return sub_fund_create(guidance_fund=guidance, name=f"子基金{counter['n']}", size=size,
                               vintage=VINTAGE, commitments=rows, **terms)

    return make


@pytest.fixture
def fund(make_fund):
    """Size 100.00: guidance 20.00 (20 %), two social LPs of 40.00; 8 % simple hurdle, 100 % catch-up, 20 % carry."""
    return make_fund()


@pytest.fixture
def committee(gp, make_user):
    members = [make_user(gp, Role.COMMITTEE_MEMBER) for _ in range(3)]
    c = Committee.objects.create(organisation=gp, name="投委会")
    c.members.set(members)
    return c



"""A small world with two organisations of every kind that works on the platform, a user for every role in
each, API keys for the kinds that hold them, and one object of each kind per organisation, all built through
the services (the demo's ``build_world`` for organisations and users, then the apps' services).

Used by the authorisation matrix, the schemathesis run and the fuzz tests. ``world_fixture`` builds it once per
test module inside a transaction that is rolled back at the end of the module (like ``setUpTestData``).
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal as D

from django.db import transaction

from finance.parties.demo_codes import demo_uscc
from finance.parties.models import OrgKind, Role, User
from finance.parties.services import api_key_create, organisation_create, user_create

PASSWORD = "Test-password-123"


@dataclass
class World:
    orgs: dict = field(default_factory=dict)  # name -> Organisation
    users: dict = field(default_factory=dict)  # principal name -> User
    keys: dict = field(default_factory=dict)  # principal name -> plain API key
    objects: dict = field(default_factory=dict)  # (kind, "own" | "other") -> pk


def _user(w: World, name: str, org, role) -> User:
    user, _ = user_create(organisation=org, username=f"w-{name}", roles=[role], password=PASSWORD)
    w.users[name] = user
    return user


def build() -> World:
    from finance.policy.catalogue import seed as seed_policy
    from finance.policy.models import Parameter, ParameterValue
    from finance.web.management.commands.seed_demo import build_world

    if not Parameter.objects.exists():
        seed_policy(Parameter, ParameterValue)
    demo = build_world()
    w = World()
    w.orgs.update(province=demo.province, city=demo.city, bank=demo.banks[0], other_bank=demo.banks[1],
                  guarantor=demo.guarantor, fund_manager=demo.fund_manager, enterprise=demo.startups[0],
                  other_enterprise=demo.startups[1], university=demo.university)
    w.orgs["other_guarantor"] = organisation_create(kind=OrgKind.GUARANTOR, name="另一担保公司",
                                                    uscc=demo_uscc(OrgKind.GUARANTOR, 901))
    w.orgs["other_fund_manager"] = organisation_create(kind=OrgKind.FUND_MANAGER, name="另一基金管理人",
                                                       uscc=demo_uscc(OrgKind.FUND_MANAGER, 901))
    w.users.update(applicant=demo.users["startup"], other_applicant=demo.users["university"],
                   bank_officer=demo.users["bank1"], other_bank_officer=demo.users["bank2"],
                   fund_manager=demo.users["manager"], committee_member=demo.users["committee1"],
                   guarantor_officer=demo.users["guarantor"], department_reviewer=demo.users["reviewer"],
                   other_department_reviewer=demo.users["city_reviewer"], auditor=demo.users["auditor"],
                   administrator=demo.users["admin"])
    _user(w, "other_fund_manager", w.orgs["other_fund_manager"], Role.FUND_MANAGER)
    _user(w, "other_committee_member", w.orgs["other_fund_manager"], Role.COMMITTEE_MEMBER)
    _user(w, "other_guarantor_officer", w.orgs["other_guarantor"], Role.GUARANTOR_OFFICER)
    for name, org in (("bank_key", "bank"), ("other_bank_key", "other_bank"), ("guarantor_key", "guarantor"),
                      ("other_guarantor_key", "other_guarantor")):
        _, w.keys[name] = api_key_create(organisation=w.orgs[org])
    _loans(w)
    _guarantees(w)
    _funds(w)
    _direct(w)
    return w


def _loans(w: World):
    from loans import services
    from tests.loans.loan_factories import loan_body

    for side, bank, officer, n, borrower in (("own", "bank", "bank_officer", 1, "enterprise"),
                                             ("other", "other_bank", "other_bank_officer", 2, "other_enterprise")):
        body = loan_body(900 + n, borrower_uscc=w.orgs[borrower].uscc, borrower_name=w.orgs[borrower].name)
        loan = services.loan_submit(bank=w.orgs[bank], by=w.users[officer], data=body)
        w.objects[("loan", side)] = loan.pk
        w.objects[("installment_loan", side)] = loan.pk


def _guarantees(w: World):
    from finance.policy.services import parameter_set
    from guarantees import services
    from guarantees.models import SponsorLevel

    epoch = dt.date(2017, 12, 1)
    pool = services.pool_create(name="测试资金池", sponsors=[(w.orgs["province"], SponsorLevel.PROVINCE, D("50")),
                                                         (w.orgs["city"], SponsorLevel.CITY, D("50"))])
    for key, value in {"pool.cap_per_loan": D("5000000"), "pool.cap_per_bank": D("50000000"),
                       "pool.cap_per_year": D("100000000"), "pool.npl_suspension_ratio": D("20")}.items():
        parameter_set(key=key, value=value, effective_from=epoch, scope=pool.scope, source_note="test")
    for sponsor in ("province", "city"):
        services.pool_contribute(pool=pool, sponsor=w.orgs[sponsor], amount="5000000.00", value_date=epoch)
    w.objects[("pool", "own")] = pool.pk
    # The guarantor's and re-guarantor's risk shares ship empty (policy): the world sets the national pattern.
    for key, value in {"guarantee.share.guarantor": D("40"), "guarantee.share.reguarantor": D("20")}.items():
        parameter_set(key=key, value=value, effective_from=epoch, source_note="test")
    for g_officer in ("guarantor_officer", "other_guarantor_officer"):
        services.guarantor_net_assets_record(net_assets="50000000.00", as_of=dt.date(2025, 1, 2),
                                             by=w.users[g_officer])
    for side, bank, officer, g_officer in (("own", "bank", "bank_officer", "guarantor_officer"),
                                           ("other", "other_bank", "other_bank_officer", "other_guarantor_officer")):
        loan_id = w.objects[("loan", side)]
        enrolment = services.enrolment_create(pool=pool, loan=loan_id, by=w.users[officer],
                                              on=dt.date(2025, 1, 20))
        w.objects[("enrolment", side)] = enrolment.pk
        g = services.guarantee_register(loan=loan_id, amount="500000.00", fee_rate="0.5", counter_guarantee="ip",
                                        start_on=dt.date(2025, 1, 15), end_on=dt.date(2027, 1, 15),
                                        by=w.users[g_officer], bank=w.orgs[bank])
        services.guarantee_confirm(guarantee=g, by=w.users[officer])
        w.objects[("guarantee", side)] = g.pk


def _funds(w: World):
    from finance.approvals.models import Committee
    from funds import services

    guidance = services.guidance_fund_create(name="引导基金", manager=w.orgs["fund_manager"],
                                             size=D("1000000000.00"), vintage=dt.date(2020, 1, 1))
    for side, manager, user, member in (("own", "fund_manager", "fund_manager", "committee_member"),
                                        ("other", "other_fund_manager", "other_fund_manager",
                                         "other_committee_member")):
        fund = services.sub_fund_create(
            guidance_fund=guidance, name=f"子基金-{side}", manager=w.orgs[manager], size="100000000.00",
            vintage=dt.date(2020, 1, 1),
            commitments=[{"lp_kind": "guidance", "amount": "20000000.00", "investor_name": "引导基金"},
                         {"lp_kind": "social", "amount": "80000000.00", "investor_name": "社会出资人"}])
        w.objects[("sub_fund", side)] = fund.pk
        call = services.call_create(sub_fund=fund, amount="1000000.00", call_date=dt.date(2021, 1, 4),
                                    by=w.users[user])
        w.objects[("call", side)] = call.pk
        w.objects[("call_line", side)] = call.lines.order_by("pk").first().pk
        deal = services.deal_create(sub_fund=fund, enterprise=w.orgs["enterprise"], title=f"项目-{side}",
                                    instrument="equity", amount="1000000.00", by=w.users[user])
        w.objects[("deal", side)] = deal.pk
        committee = Committee.objects.create(organisation=w.orgs[manager], name=f"投委会-{side}")
        committee.members.set([w.users[member]])
        w.objects[("committee", side)] = committee.pk


# The direct instruments' parameters that ship empty (the values tests/funds/direct/conftest.py sets).
DIRECT_POLICY = {
    "investfirst.conversion_deadline_months": "24", "investfirst.min_round_size": "5000000",
    "grantinvestloan.grant_cap": "3000000", "grantinvestloan.exit_return": "5", "talent.holding_years": "5",
    "talent.eligibility.team_leads": "1", "talent.eligibility.in_shandong": "1",
    "talent.eligibility.own_ip_min": "1", "talent.eligibility.company_age_max_years": "10",
    "talent.eligibility.founders_cash_min": "500000", "fund.early_exit_reference_rate": "3.5",
}


def _direct(w: World):
    """One programme (the province's, run by fund manager 1) and one application of each direct instrument by the
    applicant's enterprise."""
    from finance.policy.catalogue import POLICY_EPOCH
    from finance.policy.services import parameter_set
    from funds.direct import services

    for key, value in DIRECT_POLICY.items():
        parameter_set(key=key, value=D(value), effective_from=POLICY_EPOCH, source_note="test")
    programme = services.programme_create(name="直投专项", owner_department=w.orgs["province"],
                                          manager=w.orgs["fund_manager"], budget="100000000.00",
                                          kinds=["invest_first", "talent_equity", "grant_invest_loan"])
    services.programme_fund(programme=programme, amount="50000000.00", on=dt.date(2025, 1, 2), reference="CZ-1")
    w.objects[("programme", "own")] = programme.pk
    applicant, enterprise = w.users["applicant"], w.orgs["enterprise"]
    agreement = services.invest_first_apply(programme=programme, enterprise=enterprise, title="先投后股",
                                            amount="1000000.00", tranches=[{"amount": "1000000.00",
                                                                             "due_on": dt.date(2025, 6, 1)}],
                                            by=applicant, applied_on=dt.date(2025, 1, 10))
    w.objects[("agreement", "own")] = agreement.pk
    talent = services.talent_equity_apply(programme=programme, enterprise=enterprise, title="人才项目",
                                          amount="500000.00", price_per_share="1.00", founded_on=dt.date(2022, 1, 1),
                                          by=applicant, talent_team_leads=True, registered_in_shandong=True,
                                          own_ip_count=2, founders_cash="1000000.00", applied_on=dt.date(2025, 1, 10))
    w.objects[("talent", "own")] = talent.pk
    gil = services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷", by=applicant,
                                           grant_amount="500000.00", applied_on=dt.date(2025, 1, 10))
    w.objects[("gil", "own")] = gil.pk


@contextmanager
def world_in_transaction():
    """Build the world inside a transaction that is rolled back afterwards (tests nest their own savepoints)."""
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        yield build()
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)

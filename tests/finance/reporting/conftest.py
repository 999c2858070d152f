"""A small hand-made book built through the services, chronologically, with the clock set to each event's day.

Two banks (A: 齐鲁, B: 青岛), five IP-pledge loans (interest only, 4.35 %, 30/360: monthly interest = principal ×
0.3625 %), one pool (province 50 % / city 50 %), three guarantees, the guidance fund with two sub-funds. The figures
as of 2026Q3 (2026-09-30) are worked out by hand in test_figures.py; a few events are dated after the quarter end
(2026-10-01 repayments, a 2026-10-02 pool contribution, a 2026-10-15 valuation and NAV) and must not count.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.services import parameter_set
from funds import services as fs
from guarantees import services as gs
from guarantees.models import SponsorLevel
from loans import services as ls
from loans.models import SubsidyKind, SubsidyScheme
from tests.loans.loan_factories import loan_body, patent, registration_no

SHANGHAI = ZoneInfo("Asia/Shanghai")
EPOCH = dt.date(2017, 12, 1)
# The guarantor's and re-guarantor's risk shares ship empty (no published figure; national fund 20 % and bank 20 %
# are seeded): the book sets the rest of the national financing guarantee fund pattern, 40 / 20, from the epoch.
GUARANTEE_SHARES = {"guarantee.share.guarantor": D("40"), "guarantee.share.reguarantor": D("20")}
POOL_PARAMS = {"pool.cap_per_loan": D("5000000"), "pool.cap_per_bank": D("50000000"),
               "pool.cap_per_year": D("100000000"), "pool.npl_suspension_ratio": D("20")}


class Clock:
    """Moves ``timezone.now`` (and so "today" in Asia/Shanghai, auto timestamps, audit rows) to a given day."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.real = timezone.now

    def at(self, day: dt.date, hour: int = 10):
        moment = dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(dt.UTC)
        self.monkeypatch.setattr(timezone, "now", lambda: moment)

    def reset(self):
        self.monkeypatch.setattr(timezone, "now", self.real)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(monkeypatch)
    yield c
    c.reset()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Book:
    bank_a: Organisation = None
    bank_b: Organisation = None
    loans: dict = field(default_factory=dict)
    pool: object = None
    claim: object = None
    guarantor: Organisation = None
    guarantees: dict = field(default_factory=dict)
    guidance: object = None
    funds: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def _loan(officer, n, *, principal, disbursed, term, kind="1", appraised="5000000.00", region="济南"):
    body = loan_body(n, principal=principal, term_months=term, repayment_method="interest_only",
                     disbursed_on=disbursed.isoformat(),
                     pledges=[{"ip_kind": "invention_patent" if kind == "1" else "utility_model",
                               "ip_number": patent(n, kind), "appraised_value": appraised,
                               "registration_no": registration_no(n, disbursed.year),
                               "registered_on": disbursed.isoformat()}])
    loan = ls.loan_submit(bank=officer.organisation, by=officer, data=body, as_of=disbursed)
    Organisation.objects.filter(pk=loan.borrower_id).update(region=region, tech_sme_number=f"20253700{n:04d}")
    return loan


def _pay(loan, day, amount, officer, clock):
    clock.at(day)
    return ls.repayment_record(loan=loan, paid_on=day, amount=D(amount), by=officer)


def build_book(*, orgs, make_user, clock, province, city=None) -> Book:
    b = Book()
    d = dt.date
    city = city or orgs.make(OrgKind.DEPARTMENT, name="济南市科学技术局", dept_level="city")
    b.bank_a = orgs.make(OrgKind.BANK, name="齐鲁银行科技支行")
    b.bank_b = orgs.make(OrgKind.BANK, name="青岛银行科创金融部")
    oa, ob = make_user(b.bank_a, Role.BANK_OFFICER), make_user(b.bank_b, Role.BANK_OFFICER)
    rev1, rev2, rev3 = (make_user(province, Role.DEPARTMENT_REVIEWER) for _ in range(3))
    b.guarantor = orgs.make(OrgKind.GUARANTOR, name="山东省鲁科融资担保有限公司")
    go = make_user(b.guarantor, Role.GUARANTOR_OFFICER)
    b.users.update(officer_a=oa, officer_b=ob, reviewer=rev1, reviewer2=rev2, payer=rev3, guarantor=go)
    for key, value in GUARANTEE_SHARES.items():
        parameter_set(key=key, value=value, effective_from=EPOCH, source_note="test")

    # The pool, funded on 2025-01-02 (10,000,000).
    clock.at(d(2025, 1, 2))
    pool = gs.pool_create(name="济南市知识产权质押融资风险补偿资金池", region="济南",
                          sponsors=[(province, SponsorLevel.PROVINCE, D("50")), (city, SponsorLevel.CITY, D("50"))])
    for key, value in POOL_PARAMS.items():
        parameter_set(key=key, value=value, effective_from=EPOCH, scope=pool.scope, source_note="test")
    gs.pool_contribute(pool=pool, sponsor=province, amount="5000000.00", value_date=d(2025, 1, 2))
    gs.pool_contribute(pool=pool, sponsor=city, amount="5000000.00", value_date=d(2025, 1, 2))
    b.pool = pool
    gs.guarantor_net_assets_record(net_assets="50000000.00", as_of=d(2025, 1, 2), by=go)

    clock.at(d(2025, 1, 15))
    L = b.loans
    L[1] = _loan(oa, 1, principal="1000000.00", disbursed=d(2025, 1, 15), term=36)
    clock.at(d(2025, 2, 1))
    gs.enrolment_create(pool=pool, loan=L[1], by=oa, on=d(2025, 2, 1))
    clock.at(d(2025, 3, 20))
    L[3] = _loan(ob, 3, principal="2000000.00", disbursed=d(2025, 3, 20), term=24, appraised="8000000.00",
                 region="青岛")
    b.guarantees[1] = gs.guarantee_register(loan=L[3], amount="1000000.00", fee_rate="0.5", counter_guarantee="ip",
                                            start_on=d(2025, 3, 20), end_on=d(2027, 3, 20), by=go, bank=b.bank_b)
    gs.guarantee_confirm(guarantee=b.guarantees[1], by=ob)
    clock.at(d(2025, 4, 1))
    gs.enrolment_create(pool=pool, loan=L[3], by=ob, on=d(2025, 4, 1))

    clock.at(d(2026, 1, 10))
    L[4] = _loan(ob, 4, principal="800000.00", disbursed=d(2026, 1, 10), term=12, region="青岛")
    b.guarantees[2] = gs.guarantee_register(loan=L[4], amount="800000.00", fee_rate="0.5", counter_guarantee="ip",
                                            start_on=d(2026, 1, 10), end_on=d(2027, 1, 10), by=go, bank=b.bank_b)
    gs.guarantee_confirm(guarantee=b.guarantees[2], by=ob)
    _pay(L[4], d(2026, 4, 10), "8700.00", ob, clock)  # the Feb, Mar and Apr interest; nothing after
    clock.at(d(2026, 4, 5))
    L[5] = _loan(oa, 5, principal="300000.00", disbursed=d(2026, 4, 5), term=12)
    for month in (5, 6):
        _pay(L[5], d(2026, month, 5), "1087.50", oa, clock)

    clock.at(d(2026, 7, 1))
    ls.loans_classify(as_of=d(2026, 7, 1))
    for month in (7, 8, 9):
        _pay(L[5], d(2026, month, 5), "1087.50", oa, clock)

    # The pool claim on loan 3: loss 2,000,000 → province 700,000 + city 700,000 (35 % each), paid 2026-08-05.
    clock.at(d(2026, 7, 5))
    claim = gs.claim_file(loan=L[3], claimed_loss="2000000.00", by=ob, on=d(2026, 7, 5))
    clock.at(d(2026, 7, 20))
    gs.claim_approve(claim=claim, by=rev1)
    claim.refresh_from_db()
    if claim.status == "submitted":  # a second level when the approval rules ask for one
        gs.claim_approve(claim=claim, by=rev2)
    clock.at(d(2026, 8, 5))
    gs.claim_pay(claim=claim, by=rev3, on=d(2026, 8, 5))  # a third person: neither maker nor approver
    b.claim = claim

    clock.at(d(2026, 8, 10))
    L[2] = _loan(oa, 2, principal="500000.00", disbursed=d(2026, 8, 10), term=12, kind="2")
    b.guarantees[3] = gs.guarantee_register(loan=L[2], amount="500000.00", fee_rate="0.5", counter_guarantee="none",
                                            start_on=d(2026, 8, 10), end_on=d(2027, 8, 10), by=go, bank=b.bank_a)
    gs.guarantee_confirm(guarantee=b.guarantees[3], by=oa)
    clock.at(d(2026, 9, 1))
    payout = gs.payout_record(guarantee=b.guarantees[1], amount="1000000.00", paid_on=d(2026, 9, 1), by=go)
    # The guarantor's compensation (200,000: one level below 1,000,000) is approved, then paid by a third person.
    gs.payout_decide(payout=payout, by=rev1)
    gs.payout_compensation_pay(payout=payout, by=rev2, on=d(2026, 9, 1))
    clock.at(d(2026, 9, 10))
    gs.recovery_record(claim=claim, recovered="200000.00", costs="0", recovered_on=d(2026, 9, 10), by=ob)

    # Loan 1 clears 20 months of interest (72,500) and prepays 100,000 of principal on 2026-09-15.
    _pay(L[1], d(2026, 9, 15), "172500.00", oa, clock)

    # Loan 5's borrower claims the 2023 interest subsidy: 40 % of 5,437.50 paid = 2,175.00, paid 2026-09-12.
    clock.at(d(2026, 9, 11))
    applicant = make_user(L[5].borrower, Role.APPLICANT)
    scheme = SubsidyScheme.objects.create(code="paid-interest", name="科技型中小企业贷款贴息", kind=SubsidyKind.PAID_INTEREST)
    app = ls.subsidy_apply(scheme=scheme, loan=L[5], by=applicant, on=d(2026, 9, 11))
    clock.at(d(2026, 9, 12))
    ls.subsidy_approve(application=app, by=rev1, on=d(2026, 9, 12))
    ls.subsidy_pay(application=app, by=rev2, on=d(2026, 9, 12))  # approved, then paid by another reviewer

    _build_funds(b, orgs, make_user, clock)

    # After the quarter end: none of these count in 2026Q3.
    _pay(L[1], d(2026, 10, 1), "53625.00", oa, clock)  # the October interest + 50,000 principal
    _pay(L[4], d(2026, 10, 1), "14500.00", ob, clock)  # May–September interest, late
    clock.at(d(2026, 10, 2))
    gs.pool_contribute(pool=pool, sponsor=province, amount="1000000.00", value_date=d(2026, 10, 2))
    clock.at(d(2026, 10, 15))
    fs.valuation_record(holding=b.funds["holding"], as_of=d(2026, 10, 15), value="20000000.00")
    fs.nav_record(sub_fund=b.funds[1], as_of=d(2026, 10, 15))
    clock.reset()
    return b


def _build_funds(b: Book, orgs, make_user, clock):
    d = dt.date
    clock.at(d(2026, 1, 5))
    gm = orgs.make(OrgKind.FUND_MANAGER, name="山东省科技成果转化引导基金管理有限公司")
    gp = orgs.make(OrgKind.FUND_MANAGER, name="子基金管理人")
    b.guidance = fs.guidance_fund_create(name="山东省科技成果转化引导基金", manager=gm, size=D("1000000000.00"),
                                         vintage=d(2020, 1, 1))
    sf1 = fs.sub_fund_create(guidance_fund=b.guidance, name="新一代信息技术子基金", manager=gp, size="100000000.00",
                             vintage=d(2020, 1, 1), region="济南", fee_rate="2",
                             commitments=[{"lp_kind": "guidance", "amount": "20000000.00", "investor_name": "引导基金"},
                                          {"lp_kind": "social", "amount": "40000000.00", "investor_name": "鲁信创投"},
                                          {"lp_kind": "social", "amount": "40000000.00", "investor_name": "浪潮集团"}])
    sf2 = fs.sub_fund_create(guidance_fund=b.guidance, name="生物医药子基金", manager=gp, size="50000000.00",
                             vintage=d(2020, 1, 1), region="青岛",
                             commitments=[{"lp_kind": "guidance", "amount": "10000000.00", "investor_name": "引导基金"},
                                          {"lp_kind": "social", "amount": "40000000.00", "investor_name": "海尔资本"}])
    b.funds.update({1: sf1, 2: sf2})
    # Calls from 10,000,000 are drafted by one of the GP's fund managers and approved by the others.
    maker, *approvers = (make_user(gp, Role.FUND_MANAGER) for _ in range(3))

    def call(fund, amount, on, paid):
        clock.at(paid)
        c = fs.call_create(sub_fund=fund, amount=amount, call_date=on, by=maker)
        for approver in approvers:
            if c.status != "pending_approval":
                break
            c = fs.call_approve(call=c, by=approver, approve=True)
        fs.call_pay_all(call=c, paid_on=paid)

    call(sf2, "5000000.00", d(2026, 2, 1), d(2026, 2, 5))
    call(sf1, "10000000.00", d(2026, 3, 1), d(2026, 3, 10))
    clock.at(d(2026, 4, 1))
    fs.nav_record(sub_fund=sf2, as_of=d(2026, 3, 31))
    b.funds["holding"] = fs.holding_create(sub_fund=sf1, company_name="济南量子芯科技有限公司", invested_on=d(2026, 4, 1),
                                           amount="8000000.00", in_shandong=True)
    clock.at(d(2026, 7, 1))
    fs.nav_record(sub_fund=sf1, as_of=d(2026, 6, 30))
    call(sf1, "20000000.00", d(2026, 8, 1), d(2026, 8, 10))
    clock.at(d(2026, 9, 20))
    fs.distribution_create(sub_fund=sf1, amount="5000000.00", paid_on=d(2026, 9, 20))
    clock.at(d(2026, 9, 30))
    fs.valuation_record(holding=b.funds["holding"], as_of=d(2026, 9, 30), value="12000000.00")
    fs.nav_record(sub_fund=sf1, as_of=d(2026, 9, 30))
    fs.fee_accrue(sub_fund=sf1, period_start=d(2026, 7, 1), period_end=d(2026, 9, 30))


@pytest.fixture
def book(db, orgs, make_user, clock, province) -> Book:
    return build_book(orgs=orgs, make_user=make_user, clock=clock, province=province)


def small_book(orgs, make_user, bank_name="齐鲁银行", lp_name="S"):
    """One loan (1,000,000 interest only from 2026-01-15; 250,000 paid on 2026-08-01: 7 months' interest 25,375,
    then 224,625 of principal) and one sub-fund (1,000,000 paid in on 2026-07-03)."""
    bank = orgs.make(OrgKind.BANK, name=bank_name)
    officer = make_user(bank, Role.BANK_OFFICER)
    day = dt.date(2026, 1, 15)
    loan = ls.loan_submit(bank=bank, by=officer, as_of=day, data=loan_body(
        1, principal="1000000.00", repayment_method="interest_only", term_months=12, disbursed_on=day.isoformat()))
    Organisation.objects.filter(pk=loan.borrower_id).update(region="济南")
    ls.repayment_record(loan=loan, paid_on=dt.date(2026, 8, 1), amount=D("250000.00"), by=officer)
    gm = orgs.make(OrgKind.FUND_MANAGER)
    g = fs.guidance_fund_create(name="引导基金", manager=gm, size=D("100000000"), vintage=dt.date(2025, 1, 1))
    fund = fs.sub_fund_create(guidance_fund=g, name="子基金", manager=gm, size="10000000.00",
                              vintage=dt.date(2025, 1, 1), commitments=[
                                  {"lp_kind": "guidance", "amount": "2000000.00", "investor_name": "G"},
                                  {"lp_kind": "social", "amount": "8000000.00", "investor_name": lp_name}])
    call = fs.call_create(sub_fund=fund, amount="1000000.00", call_date=dt.date(2026, 7, 1))
    fs.call_pay_all(call=call, paid_on=dt.date(2026, 7, 3))
    return bank

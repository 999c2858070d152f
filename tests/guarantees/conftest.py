"""Fixtures for pools, claims and guarantees, built through the services.

Pools through ``pool_create`` / ``pool_contribute``; loans through the loans app's ``loan_submit`` (a real
submission: borrower, pledge, schedule, activation) and, for an ineligible loan, ``loan_default``. One step is
not a service call: ``past_due`` sets a loan's days past due and class directly, because the only service that
sets them is the nightly ``loans_classify``, which classifies every loan of the database as of one date (a
test needs one loan at a chosen number of days while the others stay current).
"""
import datetime as dt
import itertools
from decimal import Decimal

import pytest

from finance.core.inputs import today
from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_set
from guarantees.models import SponsorLevel
from guarantees.services import pool_contribute, pool_create
from loans.models import Loan, LoanStatus
from loans.services import loan_default, loan_submit
from tests.loans.loan_factories import pledge

D = Decimal
TODAY = today()
EPOCH = dt.date(2017, 12, 1)
_refs = itertools.count(1)

POOL_PARAMS = {"pool.cap_per_loan": D("5000000"), "pool.cap_per_bank": D("50000000"),
               "pool.cap_per_year": D("100000000"), "pool.npl_suspension_ratio": D("20")}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def set_pool_params(pool, **overrides):
    values = {**POOL_PARAMS, **{k.replace("__", "."): v for k, v in overrides.items()}}
    for key, value in values.items():
        parameter_set(key=key, value=D(value), effective_from=EPOCH, scope=pool.scope, source_note="test")


@pytest.fixture
def city(orgs):
    return orgs.make(OrgKind.DEPARTMENT, name="济南市科学技术局", dept_level="city")


@pytest.fixture
def make_pool(province, city):
    counter = itertools.count(1)

    def make(funded_province="5000000.00", funded_city="5000000.00", currency="CNY", **params):
        pool = pool_create(name=f"测试资金池 {next(counter)}", currency=currency,
                           sponsors=[(province, SponsorLevel.PROVINCE, D("50")), (city, SponsorLevel.CITY, D("50"))])
        set_pool_params(pool, **params)
        if D(funded_province):
            pool_contribute(pool=pool, sponsor=province, amount=funded_province, value_date=EPOCH)
        if D(funded_city):
            pool_contribute(pool=pool, sponsor=city, amount=funded_city, value_date=EPOCH)
        pool.refresh_from_db()
        return pool

    return make


@pytest.fixture
def pool(make_pool):
    return make_pool()


@pytest.fixture
def borrower(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="济南量子芯科技有限公司", tech_sme_number="202537000001")


@pytest.fixture
def make_loan(bank, borrower, make_user):
    """A loan submitted by the bank's officer (active, current); ``status="defaulted"`` declares a default."""
    officers = {}

    def make(*, bank_org=None, borrower_org=None, principal="1000000.00", currency="CNY", status=LoanStatus.ACTIVE,
             disbursed_on=None):
        bank_org = bank_org or bank
        if bank_org.pk not in officers:
            officers[bank_org.pk] = make_user(bank_org, Role.BANK_OFFICER)
        officer = officers[bank_org.pk]
        who = borrower_org or borrower
        n = next(_refs)
        disbursed_on = disbursed_on or TODAY - dt.timedelta(days=30)
        loan = loan_submit(bank=bank_org, by=officer, data={
            "external_ref": f"L-{n:06d}", "borrower_uscc": who.uscc, "borrower_name": who.name,
            "principal": str(principal), "currency": currency, "annual_rate": "4.35", "term_months": 36,
            "repayment_method": "equal_installment", "disbursed_on": disbursed_on.isoformat(),
            "pledges": [pledge(n, value=str(D(principal) * 5))]})
        if status == LoanStatus.DEFAULTED:
            loan = loan_default(loan=loan, declared_on=TODAY, reason="停止还款 stopped paying", by=officer)
        return loan

    return make


def past_due(loan, dpd: int, loan_class: str):
    """The loan ``dpd`` days past due in ``loan_class`` (what the nightly classification would record)."""
    status = loan.status if loan.status in (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF) else (
        LoanStatus.OVERDUE if dpd else LoanStatus.ACTIVE)
    Loan.objects.filter(pk=loan.pk).update(dpd=dpd, status=status, loan_class=loan_class)
    loan.refresh_from_db()
    return loan


def default(loan, dpd=120):
    """Make a loan claimable: past the pool's trigger (90 days), substandard."""
    return past_due(loan, dpd, "substandard" if dpd <= 270 else "doubtful")


@pytest.fixture
def payer(province, make_user):
    """A third department reviewer: pays what others filed and approved (four eyes)."""
    return make_user(province, Role.DEPARTMENT_REVIEWER)


def approve_all(claim, *approvers):
    """Approve ``claim`` level by level, one approver per level, until it is approved (or approvers run out)."""
    from guarantees.services import claim_approve

    for approver in approvers:
        claim = claim_approve(claim=claim, by=approver)
        if claim.status != "submitted":
            break
    return claim


# Guarantee risk shares: guarantor and re-guarantor have no published figure and ship empty; tests that need
# a payout set them explicitly (the figures of the national fund pattern, 40 / 20).
SHARES = {"guarantee.share.bank": D("20"), "guarantee.share.national_fund": D("20"),
          "guarantee.share.guarantor": D("40"), "guarantee.share.reguarantor": D("20")}


def set_guarantee_shares(**shares):
    for key, value in {**SHARES, **{f"guarantee.share.{k}": v for k, v in shares.items()}}.items():
        parameter_set(key=key, value=D(value), effective_from=TODAY - dt.timedelta(days=1), source_note="test")


def clear_guarantee_shares():
    """Policy as the core ships it: no value for the guarantor's and re-guarantor's shares."""
    from finance.policy.models import ParameterValue

    ParameterValue.objects.filter(parameter__key__in=["guarantee.share.guarantor",
                                                      "guarantee.share.reguarantor"]).delete()


@pytest.fixture
def guarantor_org(orgs):
    return orgs.make(OrgKind.GUARANTOR, name="鲁科担保")


@pytest.fixture
def guarantor_officer(guarantor_org, make_user):
    """A guarantor's officer whose organisation reported 50,000,000 of net assets (leverage cap 500,000,000)."""
    from guarantees.services import guarantor_net_assets_record

    user = make_user(guarantor_org, Role.GUARANTOR_OFFICER)
    guarantor_net_assets_record(net_assets="50000000.00", as_of=TODAY - dt.timedelta(days=90), by=user)
    return user

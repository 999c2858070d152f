"""Fixtures for pools, claims and guarantees: a funded pool with its per-pool caps, and a Loan factory.

Loans are created with the ORM here (the loans services are another engineer's work in progress); the
guarantees code itself only reads loans and never writes them.
"""
import datetime as dt
import itertools
from decimal import Decimal

import pytest
from djmoney.money import Money

from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_set
from guarantees.models import SponsorLevel
from guarantees.services import pool_contribute, pool_create
from loans.models import Loan, LoanStatus

D = Decimal
TODAY = dt.date.today()
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

    def make(funded_province="5000000.00", funded_city="5000000.00", **params):
        pool = pool_create(name=f"测试资金池 {next(counter)}",
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
    officers = {}

    def make(*, bank_org=None, borrower_org=None, principal="1000000.00", outstanding=None, status=LoanStatus.ACTIVE,
             dpd=0, disbursed_on=None, loan_class="normal"):
        bank_org = bank_org or bank
        if bank_org.pk not in officers:
            officers[bank_org.pk] = make_user(bank_org, Role.BANK_OFFICER)
        disbursed_on = disbursed_on or TODAY - dt.timedelta(days=30)
        return Loan.objects.create(
            bank=bank_org, borrower=borrower_org or borrower, external_ref=f"L-{next(_refs):06d}",
            principal=Money(D(principal), "CNY"), annual_rate=D("4.35"), term_months=36,
            repayment_method="equal_installment", disbursed_on=disbursed_on,
            maturity_on=disbursed_on + dt.timedelta(days=3 * 365), status=status,
            principal_outstanding=D(outstanding if outstanding is not None else principal), dpd=dpd,
            loan_class=loan_class, submitted_by=officers[bank_org.pk])

    return make


def default(loan, dpd=120):
    """Make a loan claimable (what the loans app's nightly classification would do)."""
    Loan.objects.filter(pk=loan.pk).update(dpd=dpd, status=LoanStatus.OVERDUE, loan_class="substandard")
    loan.refresh_from_db()
    return loan

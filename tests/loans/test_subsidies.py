import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from finance.approvals.models import ApprovalStatus
from finance.approvals.services import approval_current
from finance.core.errors import DomainError, PermissionDenied
from finance.ledger.models import Account, JournalEntry
from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_set
from loans.models import SubsidyApplication, SubsidyKind, SubsidyScheme, SubsidyStatus
from loans.services import loan_submit, repayment_record, subsidy_apply, subsidy_approve
from tests.conftest import postgres_only
from tests.loans.loan_factories import loan_body, patent

D = Decimal
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


@pytest.fixture
def firm(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="贴息企业")


@pytest.fixture
def founder(firm, make_user):
    return make_user(firm, Role.APPLICANT)


def scheme(kind, code=None):
    return SubsidyScheme.objects.create(code=code or kind, name=f"scheme {kind}", kind=kind)


def make_loan(bank, officer, firm, n=1, principal="1000000.00", pay_months=12):
    loan = loan_submit(bank=bank, by=officer, as_of=TODAY, data=loan_body(
        n, borrower_uscc=firm.uscc, principal=principal, pledges=[
            {"ip_kind": "trademark", "ip_number": f"{n:08d}", "appraised_value": "100000000.00"}]))
    for inst in list(loan.installments.all()[:pay_months]):
        repayment_record(loan=loan, paid_on=inst.due_date, amount=inst.payment, by=officer, as_of=TODAY)
    return loan


def test_paid_interest_rule_pays_40_percent_through_ledger(bank, officer, firm, founder, reviewer):
    loan = make_loan(bank, officer, firm)
    paid = sum(r.interest_part for r in loan.repayments.all())
    app = subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=loan, by=founder, on=TODAY)
    assert app.basis == paid and app.amount_requested == (paid * D("0.4")).quantize(D("0.01"))
    assert approval_current(app).status == ApprovalStatus.PENDING
    with pytest.raises(PermissionDenied):
        subsidy_approve(application=app, by=founder, on=TODAY)
    app = subsidy_approve(application=app, by=reviewer, on=TODAY)
    assert app.status == SubsidyStatus.PAID and app.amount_granted == app.amount_requested
    entry = JournalEntry.objects.get(idempotency_ref=f"loan-subsidy:{app.pk}:payment")
    assert {p.amount.amount for p in entry.postings.all()} == {app.amount_granted}
    assert Account.objects.get(code="loans:subsidy:paid_interest:expense").balance == app.amount_granted
    assert app.policy_snapshot["subsidy.paid_interest_share"] == "40"


def test_paid_interest_once_per_enterprise_and_only_on_time(bank, officer, firm, founder):
    s = scheme(SubsidyKind.PAID_INTEREST)
    first = make_loan(bank, officer, firm, 1)
    second = make_loan(bank, officer, firm, 2)
    subsidy_apply(scheme=s, loan=first, by=founder, on=TODAY)
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=s, loan=second, by=founder, on=TODAY)
    assert err.value.code == "subsidy_once_per_enterprise"


def test_late_payer_is_refused(bank, officer, firm, founder):
    loan = make_loan(bank, officer, firm, pay_months=0)
    inst = loan.installments.get(number=1)
    repayment_record(loan=loan, paid_on=inst.due_date + dt.timedelta(days=3), amount=inst.payment, by=officer,
                     as_of=TODAY)
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=loan, by=founder, on=TODAY)
    assert err.value.code == "not_repaid_on_time"
    assert SubsidyApplication.objects.count() == 0


def test_cannot_apply_on_another_firms_loan(bank, officer, firm, orgs, make_user):
    loan = make_loan(bank, officer, firm)
    stranger = make_user(orgs.make(OrgKind.ENTERPRISE), Role.APPLICANT)
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=loan, by=stranger, on=TODAY)
    assert err.value.code == "not_your_loan"


def test_enterprise_cap_limits_the_grant(bank, officer, firm, founder, reviewer):
    parameter_set(key="subsidy.enterprise_cap", value=D("10000"), effective_from=dt.date(2026, 1, 1))
    loan = make_loan(bank, officer, firm, principal="20000000.00")
    app = subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=loan, by=founder, on=TODAY)
    assert app.amount_requested > D("10000")
    app = subsidy_approve(application=app, by=reviewer, on=TODAY)
    assert app.amount_granted == D("10000.00") and "subsidy.enterprise_cap" in app.note


def test_benchmark_rule_needs_rate_and_counts_times(bank, officer, firm, founder, reviewer):
    s = scheme(SubsidyKind.BENCHMARK)
    loan = make_loan(bank, officer, firm)
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=s, loan=loan, by=founder, loan_year=1, on=TODAY)
    assert err.value.code == "policy_parameter_missing" and "subsidy.benchmark_rate" in err.value.detail_en
    parameter_set(key="subsidy.benchmark_rate", value=D("4.35"), effective_from=dt.date(2020, 1, 1))
    app = subsidy_apply(scheme=s, loan=loan, by=founder, loan_year=1, on=TODAY)
    assert app.amount_requested == D("26100.00")  # 1,000,000 × 4.35% × 60%
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=s, loan=loan, by=founder, loan_year=3, on=TODAY)
    assert err.value.code == "subsidy_year_out_of_range"
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=s, loan=loan, by=founder, loan_year=1, on=TODAY)
    assert err.value.code == "subsidy_duplicate"
    subsidy_apply(scheme=s, loan=loan, by=founder, loan_year=2, on=TODAY)
    other = make_loan(bank, officer, firm, 2, pay_months=0)
    subsidy_apply(scheme=s, loan=other, by=founder, loan_year=1, on=TODAY)
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=s, loan=other, by=founder, loan_year=2, on=TODAY)
    assert err.value.code == "subsidy_times_exceeded"


def test_appraisal_fee_subsidy_half_capped_across_claims(bank, officer, firm, founder, reviewer, reviewer2):
    s = scheme(SubsidyKind.APPRAISAL_FEE)
    a1 = subsidy_apply(scheme=s, loan=make_loan(bank, officer, firm, 1, pay_months=0), by=founder,
                       appraisal_fee="80000.00", on=TODAY)
    assert a1.amount_requested == D("40000.00")
    a2 = subsidy_apply(scheme=s, loan=make_loan(bank, officer, firm, 2, pay_months=0), by=founder,
                       appraisal_fee="60000.00", on=TODAY)
    assert subsidy_approve(application=a1, by=reviewer, on=TODAY).amount_granted == D("40000.00")
    assert subsidy_approve(application=a2, by=reviewer2, on=TODAY).amount_granted == D("10000.00")
    a3 = subsidy_apply(scheme=s, loan=make_loan(bank, officer, firm, 3, pay_months=0), by=founder,
                       appraisal_fee="1000.00", on=TODAY)
    with pytest.raises(DomainError) as err:
        subsidy_approve(application=a3, by=reviewer, on=TODAY)
    assert err.value.code == "subsidy_cap_reached"
    a3.refresh_from_db()
    assert a3.status == SubsidyStatus.SUBMITTED


def test_reject(bank, officer, firm, founder, reviewer):
    app = subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=make_loan(bank, officer, firm), by=founder,
                        on=TODAY)
    app = subsidy_approve(application=app, by=reviewer, approve=False, comment="材料不全", on=TODAY)
    assert app.status == SubsidyStatus.REJECTED and JournalEntry.objects.count() == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_the_cap(orgs, make_user):
    bank = orgs.make(OrgKind.BANK)
    officer = make_user(bank, Role.BANK_OFFICER)
    firm = orgs.make(OrgKind.ENTERPRISE)
    founder = make_user(firm, Role.APPLICANT)
    province = orgs.make(OrgKind.DEPARTMENT, dept_level="province")
    reviewers = [make_user(province, Role.DEPARTMENT_REVIEWER) for _ in range(4)]
    s = scheme(SubsidyKind.APPRAISAL_FEE)
    apps = [subsidy_apply(scheme=s, loan=make_loan(bank, officer, firm, n, pay_months=0), by=founder,
                          appraisal_fee="40000.00", on=TODAY) for n in range(1, 5)]  # 4 × 20,000 against 50,000
    barrier = threading.Barrier(4)
    outcomes = []

    def approve(app, reviewer):
        try:
            barrier.wait()
            outcomes.append(subsidy_approve(application=app, by=reviewer, on=TODAY).amount_granted)
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a, r)) for a, r in zip(apps, reviewers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    granted = [o for o in outcomes if isinstance(o, Decimal)]
    assert sorted(granted) == [D("10000.00"), D("20000.00"), D("20000.00")]
    assert outcomes.count("subsidy_cap_reached") == 1
    total = sum(a.amount_granted or 0 for a in SubsidyApplication.objects.all())
    assert total == D("50000.00") == Account.objects.get(code="loans:subsidy:appraisal_fee:expense").balance


def test_patent_helper():
    assert patent(1)

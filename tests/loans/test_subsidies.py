import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from djmoney.money import Money

from finance.approvals.models import ApprovalStatus
from finance.approvals.services import approval_current, history
from finance.core.errors import DomainError, PermissionDenied
from finance.ledger.models import Account, JournalEntry
from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_set
from loans.models import SubsidyApplication, SubsidyKind, SubsidyScheme, SubsidyStatus
from loans.services import loan_submit, repayment_record, subsidy_apply, subsidy_approve, subsidy_pay
from tests.conftest import postgres_only
from tests.loans.loan_factories import loan_body, pledge

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


def test_the_earlier_rules_ended_with_155(bank, officer, firm, founder):
    """Without a new value, a 2026 application under the older appraisal-fee scheme is refused, naming the
    ended rule and its end date."""
    with pytest.raises(DomainError) as err:
        subsidy_apply(scheme=scheme(SubsidyKind.APPRAISAL_FEE), loan=make_loan(bank, officer, firm, pay_months=0),
                      by=founder, appraisal_fee="80000.00", on=TODAY)
    assert err.value.code == "policy_parameter_missing"
    assert "subsidy.appraisal_fee_share" in err.value.detail_en and "2023-01-01" in err.value.detail_en


def scheme(kind, code=None):
    return SubsidyScheme.objects.create(code=code or kind, name=f"scheme {kind}", kind=kind)


def make_loan(bank, officer, firm, n=1, principal="1000000.00", pay_months=12):
    loan = loan_submit(bank=bank, by=officer, as_of=TODAY, data=loan_body(
        n, borrower_uscc=firm.uscc, principal=principal, pledges=[
            pledge(1, "trademark", f"{n:08d}", "100000000.00")]))
    for inst in list(loan.installments.all()[:pay_months]):
        repayment_record(loan=loan, paid_on=inst.due_date, amount=inst.payment, by=officer)
    return loan


def test_paid_interest_rule_40_percent_approved_then_paid_by_another_person(bank, officer, firm, founder,
                                                                           reviewer, reviewer2):
    loan = make_loan(bank, officer, firm)
    app = subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=loan, by=founder, on=TODAY)
    # 12 installments of 1,000,000 at 4.35 % over 36 months: interest paid 37,190.40; 40 % of it
    assert (app.basis, app.amount_requested) == (D("37190.40"), D("14876.16"))
    assert approval_current(app).status == ApprovalStatus.PENDING
    with pytest.raises(PermissionDenied):
        subsidy_approve(application=app, by=founder, on=TODAY)
    app = subsidy_approve(application=app, by=reviewer, on=TODAY)
    # approved is not paid: the amount is reserved, nothing is posted yet
    assert (app.status, app.amount_granted) == (SubsidyStatus.APPROVED, D("14876.16"))
    assert not JournalEntry.objects.exists()
    with pytest.raises(PermissionDenied) as err:
        subsidy_pay(application=app, by=reviewer, on=TODAY)  # the approver never pays
    assert err.value.code == "payer_is_approver"
    with pytest.raises(PermissionDenied):
        subsidy_pay(application=app, by=founder, on=TODAY)
    app = subsidy_pay(application=app, by=reviewer2, on=TODAY)
    assert (app.status, app.paid_by) == (SubsidyStatus.PAID, reviewer2)
    entry = JournalEntry.objects.get(idempotency_ref=f"loan-subsidy:{app.pk}:payment")
    assert {p.amount for p in entry.postings.all()} == {Money(D("14876.16"), "CNY")}
    assert Account.objects.get(code="loans:subsidy:paid_interest:expense").balance == D("14876.16")
    assert app.policy_snapshot["subsidy.paid_interest_share"] == "40"
    assert [(h.from_state, h.to_state) for h in history(app)] == [("", "submitted"), ("submitted", "approved"),
                                                                   ("approved", "paid")]


def test_above_the_threshold_two_different_approvers_then_a_third_person_pays(bank, officer, firm, founder,
                                                                               reviewer, reviewer2, province,
                                                                               make_user):
    parameter_set(key="approval.subsidy.second_level_from", value=D("10000"), effective_from=dt.date(2020, 1, 1))
    app = subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=make_loan(bank, officer, firm), by=founder,
                        on=TODAY)
    assert approval_current(app).levels_required == 2
    app = subsidy_approve(application=app, by=reviewer, on=TODAY)
    assert app.status == SubsidyStatus.SUBMITTED and app.amount_granted is None  # one level is not enough
    with pytest.raises(PermissionDenied) as err:
        subsidy_approve(application=app, by=reviewer, on=TODAY)
    assert err.value.code == "same_approver"
    app = subsidy_approve(application=app, by=reviewer2, on=TODAY)
    assert app.status == SubsidyStatus.APPROVED
    for approver in (reviewer, reviewer2):
        with pytest.raises(PermissionDenied):
            subsidy_pay(application=app, by=approver, on=TODAY)
    payer = make_user(province, Role.DEPARTMENT_REVIEWER)
    assert subsidy_pay(application=app, by=payer, on=TODAY).status == SubsidyStatus.PAID


def test_subsidy_page_shows_both_levels_and_pays_separately(client, bank, officer, firm, founder, reviewer,
                                                            reviewer2, province, make_user):
    parameter_set(key="approval.subsidy.second_level_from", value=D("10000"), effective_from=dt.date(2020, 1, 1))
    app = subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=make_loan(bank, officer, firm), by=founder,
                        on=TODAY)
    for user in (reviewer, reviewer2):
        client.force_login(user)
        assert client.post(f"/loans/subsidies/{app.pk}/decide/", {"decision": "approve"}).status_code == 302
    app.refresh_from_db()
    assert app.status == SubsidyStatus.APPROVED
    page = client.get(f"/loans/subsidies/{app.pk}/").content.decode()
    assert f"subsidies/{app.pk}/pay/" not in page  # an approver is not offered the payment
    client.force_login(make_user(province, Role.DEPARTMENT_REVIEWER))
    page = client.get(f"/loans/subsidies/{app.pk}/").content.decode()
    assert f"subsidies/{app.pk}/pay/" in page and "2" in page
    assert client.post(f"/loans/subsidies/{app.pk}/pay/").status_code == 302
    app.refresh_from_db()
    assert app.status == SubsidyStatus.PAID


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
    repayment_record(loan=loan, paid_on=inst.due_date + dt.timedelta(days=3), amount=inst.payment, by=officer)
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


def test_enterprise_cap_limits_the_grant(bank, officer, firm, founder, reviewer, reviewer2, province, make_user):
    parameter_set(key="subsidy.enterprise_cap", value=D("10000"), effective_from=dt.date(2026, 1, 1))
    loan = make_loan(bank, officer, firm, principal="20000000.00")
    app = subsidy_apply(scheme=scheme(SubsidyKind.PAID_INTEREST), loan=loan, by=founder, on=TODAY)
    assert app.amount_requested > D("200000")  # above approval.subsidy.second_level_from: two approvers
    app = subsidy_approve(application=subsidy_approve(application=app, by=reviewer, on=TODAY), by=reviewer2,
                          on=TODAY)
    assert app.amount_granted == D("10000.00") and "subsidy.enterprise_cap" in app.note
    payer = make_user(province, Role.DEPARTMENT_REVIEWER)
    assert subsidy_pay(application=app, by=payer, on=TODAY).status == SubsidyStatus.PAID
    assert Account.objects.get(code="loans:subsidy:paid_interest:expense").balance == D("10000.00")


def test_benchmark_rule_needs_rate_and_counts_times(bank, officer, firm, founder, reviewer, earlier_rules):
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


def test_appraisal_fee_subsidy_half_capped_across_claims(bank, officer, firm, founder, reviewer, reviewer2,
                                                          earlier_rules):
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
def test_concurrent_approvals_never_exceed_the_cap(orgs, make_user, earlier_rules):
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
    assert total == D("50000.00")
    payer = make_user(province, Role.DEPARTMENT_REVIEWER)
    for app in SubsidyApplication.objects.filter(status=SubsidyStatus.APPROVED):
        subsidy_pay(application=app, by=payer, on=TODAY)
    assert Account.objects.get(code="loans:subsidy:appraisal_fee:expense").balance == D("50000.00")


def test_appraisal_fee_share_rounds_half_up_to_the_fen(bank, officer, firm, founder, earlier_rules):
    """50 % of 80,000.01 is 40,000.005: half-up (四舍五入) gives 40,000.01 (half-even would give 40,000.00)."""
    app = subsidy_apply(scheme=scheme(SubsidyKind.APPRAISAL_FEE), loan=make_loan(bank, officer, firm, pay_months=0),
                        by=founder, appraisal_fee="80000.01", on=TODAY)
    assert app.amount_requested == D("40000.01")

"""The hand-overs not covered elsewhere, through the services with exact figures: a subsidy application
recommended by the department reviewer becomes a ``loans`` subsidy claim under maker-checker approval (the
startup's submitter is its maker) and that approval shows on the application's timeline; a 拨投贷 application
recommended by the programme's fund manager becomes a reviewed project before the committee, and the
committee's decision (approval or refusal) is the application's outcome."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from finance.applications import selectors, services
from finance.applications.models import Application, Status
from finance.core.errors import DomainError, PermissionDenied
from finance.policy.services import parameter_set
from funds.direct import services as direct
from loans.models import SubsidyKind, SubsidyScheme, SubsidyStatus
from loans.services import loan_submit, repayment_record, subsidy_approve
from tests.loans.loan_factories import loan_body, pledge

pytestmark = pytest.mark.django_db
MARKS = {k: "75" for k in services.CRITERIA}


def _repaid_loan(w, months=12):
    """1,000,000.00 at 4.35 % over 36 months from 2025-01-15, its first ``months`` installments repaid on time."""
    loan = loan_submit(bank=w.orgs["bank"], by=w.users["bank"], as_of=dt.date(2026, 6, 1), data=loan_body(
        1, borrower_uscc=w.orgs["startup"].uscc, borrower_name=w.orgs["startup"].name,
        pledges=[pledge(1, "trademark", "00000001", "100000000.00")]))
    for inst in list(loan.installments.all()[:months]):
        repayment_record(loan=loan, paid_on=inst.due_date, amount=inst.payment, by=w.users["bank"])
    return loan


def _recommended(w, instrument, data, reviewer):
    app = services.application_create(enterprise=w.orgs["startup"], instrument=instrument,
                                      by=w.users["applicant"], data=data)
    app = services.application_submit(application=app, by=w.users["applicant"])
    services.application_assign(application=app, reviewer=reviewer, by=reviewer)
    services.conflict_declare(application=app, by=reviewer, conflicted=False)
    services.score_record(application=app, by=reviewer, scores=MARKS)
    services.application_recommend(application=app, by=reviewer)
    return Application.objects.get(pk=app.pk)


def _decisions(app, user):
    return [(r["from"], r["to"]) for r in selectors.timeline(app, user=user) if r["kind"] == "decision"]


# ---------------------------------------------------------------- subsidies → loans.subsidy_apply


def test_interest_subsidy_hands_over_to_the_subsidy_approval_and_its_decision_is_on_the_timeline(world, client):
    w = world
    scheme = SubsidyScheme.objects.create(code="paid_interest", name="科技贷款贴息", kind=SubsidyKind.PAID_INTEREST)
    loan = _repaid_loan(w)
    app = _recommended(w, "interest_subsidy", {"title": "2025 年贷款贴息", "scheme": str(scheme.pk),
                                               "loan": str(loan.pk)}, w.users["reviewer"])
    assert app.status == Status.RECOMMENDED
    claim = app.subsidy
    # 12 installments of 1,000,000.00 at 4.35 % over 36 months: interest paid 37,190.40; 40 % of it
    assert (claim.scheme, claim.loan, claim.enterprise) == (scheme, loan, w.orgs["startup"])
    assert claim.applicant == w.users["applicant"]  # the enterprise's submitter is the maker
    assert (claim.status, claim.basis, claim.amount_requested) == (SubsidyStatus.SUBMITTED, D("37190.40"),
                                                                   D("14876.16"))
    assert selectors.application_outcome(app).code == "pending"
    with pytest.raises(PermissionDenied):  # the maker never approves its own claim
        subsidy_approve(application=claim, by=w.users["applicant"])
    subsidy_approve(application=claim, by=w.users["reviewer2"], comment="符合贴息条件")
    app = Application.objects.get(pk=app.pk)
    assert app.subsidy.amount_granted == D("14876.16")
    outcome = selectors.application_outcome(app)
    assert (outcome.code, outcome.obj_status) == ("approved", "approved")
    decisions = _decisions(app, w.users["applicant"])
    assert len(decisions) == 2 and decisions[0][0] == "" and decisions[1][0] == decisions[0][1]
    assert decisions[-1][1] == str(SubsidyStatus.APPROVED.label)
    client.force_login(w.users["applicant"])  # and the startup reads it on its application's page
    page = client.get(f"/applications/{app.pk}/").content.decode()
    assert "审批结果：已批准（已批准，待拨付）" in page


def test_appraisal_fee_subsidy_hands_over_with_the_fee_share_and_a_refusal_is_the_outcome(world):
    w = world
    parameter_set(key="subsidy.appraisal_fee_share", value=D("50"), effective_from=dt.date(2026, 1, 1),
                  source_note="test")
    parameter_set(key="subsidy.appraisal_fee_cap", value=D("300000"), effective_from=dt.date(2026, 1, 1),
                  source_note="test")
    scheme = SubsidyScheme.objects.create(code="fee", name="评估费补贴", kind=SubsidyKind.APPRAISAL_FEE)
    loan = _repaid_loan(w, months=0)
    app = _recommended(w, "appraisal_fee_subsidy", {"title": "专利评估费补贴", "scheme": str(scheme.pk),
                                                    "loan": str(loan.pk), "appraisal_fee": "80,000.00"},
                       w.users["reviewer"])
    claim = app.subsidy
    assert (claim.appraisal_fee, claim.basis, claim.amount_requested) == (D("80000.00"), D("80000.00"),
                                                                          D("40000.00"))
    subsidy_approve(application=claim, by=w.users["reviewer2"], approve=False, comment="评估机构不在名录")
    app = Application.objects.get(pk=app.pk)
    assert app.subsidy.status == SubsidyStatus.REJECTED and app.subsidy.amount_granted is None
    assert selectors.application_outcome(app).code == "declined"
    assert app.status == Status.RECOMMENDED  # the application itself was recommended; the claim was refused


def test_a_subsidy_claim_refused_at_hand_over_leaves_the_application_under_review(world):
    """The enterprise claimed the once-per-enterprise interest subsidy elsewhere after submitting: the loans
    rule refuses the hand-over, no second claim is created, the application stays under review."""
    from loans.models import SubsidyApplication
    from loans.services import subsidy_apply

    w = world
    scheme = SubsidyScheme.objects.create(code="paid_interest", name="科技贷款贴息", kind=SubsidyKind.PAID_INTEREST)
    loan = _repaid_loan(w)
    app = services.application_create(enterprise=w.orgs["startup"], instrument="interest_subsidy",
                                      by=w.users["applicant"], data={"title": "贴息", "scheme": str(scheme.pk),
                                                                     "loan": str(loan.pk)})
    app = services.application_submit(application=app, by=w.users["applicant"])
    first = subsidy_apply(scheme=scheme, loan=loan, by=w.users["applicant"])
    reviewer = w.users["reviewer"]
    services.application_assign(application=app, reviewer=reviewer, by=reviewer)
    services.conflict_declare(application=app, by=reviewer, conflicted=False)
    services.score_record(application=app, by=reviewer, scores=MARKS)
    with pytest.raises(DomainError) as err:
        services.application_recommend(application=app, by=reviewer)
    assert err.value.code == "subsidy_once_per_enterprise"
    app = Application.objects.get(pk=app.pk)
    assert app.status == Status.UNDER_REVIEW and app.subsidy is None
    assert list(SubsidyApplication.objects.all()) == [first]


# ---------------------------------------------------------------- 拨投贷 → grant_invest_loan_apply/review/submit


GIL = {"title": "量子传感拨投贷", "grant_amount": "1,000,000.00", "equity_kind": "direct",
       "equity_amount": "500000.00", "price_per_share": "2.50"}


def test_grant_invest_loan_hands_over_reviewed_to_the_committee_and_the_approval_is_the_outcome(world):
    w = world
    app = _recommended(w, "grant_invest_loan", {**GIL, "programme": str(w.programme.pk)}, w.users["manager"])
    project = app.project
    assert project is not None and app.talent is None and app.subsidy is None
    assert (project.grant_amount, project.equity_kind, project.equity_amount, project.equity_price_per_share) == (
        D("1000000.00"), "direct", D("500000.00"), D("2.50"))
    assert project.applicant == w.users["applicant"] and project.enterprise == w.orgs["startup"]
    assert project.status == "committee"
    assert selectors.application_outcome(app).code == "pending"
    direct.grant_invest_loan_decide(project=project, by=w.users["checker"], approve=True, comment="同意")
    app = Application.objects.get(pk=app.pk)
    outcome = selectors.application_outcome(app)
    assert outcome.code == "approved"
    froms = [f for f, _ in _decisions(app, w.users["applicant"])]
    tos = [t for _, t in _decisions(app, w.users["applicant"])]
    assert len(tos) == 4 and froms[0] == "" and froms[1:] == tos[:-1]  # applied, reviewed, committee, decided
    assert tos[-1] == str(project.__class__.objects.get(pk=project.pk).get_status_display())


def test_grant_invest_loan_refused_by_the_committee_is_declined_on_the_application(world):
    w = world
    app = _recommended(w, "grant_invest_loan", {**GIL, "programme": str(w.programme.pk), "equity_kind": "",
                                                "equity_amount": "0", "price_per_share": ""}, w.users["manager"])
    assert (app.project.grant_amount, app.project.equity_amount) == (D("1000000.00"), D("0.00"))
    direct.grant_invest_loan_decide(project=app.project, by=w.users["checker"], approve=False, comment="市场不足")
    app = Application.objects.get(pk=app.pk)
    assert app.project.status == "rejected" and selectors.application_outcome(app).code == "declined"


def test_a_grant_above_the_cap_is_refused_at_hand_over_and_nothing_is_created(world):
    """The cap may fall between submission and recommendation: the instrument's own check refuses."""
    from funds.direct.models import GrantInvestLoan

    w = world
    app = services.application_create(enterprise=w.orgs["startup"], instrument="grant_invest_loan",
                                      by=w.users["applicant"], data={**GIL, "programme": str(w.programme.pk)})
    app = services.application_submit(application=app, by=w.users["applicant"])
    parameter_set(key="grantinvestloan.grant_cap", value=D("800000"), effective_from=dt.date(2026, 1, 1),
                  source_note="test")
    manager = w.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    services.conflict_declare(application=app, by=manager, conflicted=False)
    services.score_record(application=app, by=manager, scores=MARKS)
    with pytest.raises(DomainError) as err:
        services.application_recommend(application=app, by=manager)
    assert err.value.code == "grant_cap_exceeded" and err.value.field == "grant_amount"
    assert not GrantInvestLoan.objects.exists()
    assert Application.objects.get(pk=app.pk).status == Status.UNDER_REVIEW

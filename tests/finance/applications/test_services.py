"""The application flow through its services: exact figures, refusals that write nothing, the state machine,
the hand-over to the instrument's own approval and the decision read back, notifications by email."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core import mail

from finance.applications import selectors, services
from finance.applications.models import Application, Message, Notification, Score, Status
from finance.applications.precheck import application_precheck
from finance.approvals.models import StateChange
from finance.core.errors import DomainError
from funds.direct import services as direct

from .conftest import talent_draft

pytestmark = pytest.mark.django_db


def _approved_talent(w, amount):
    """Fiscal equity already given to the startup (counts against the cap from approval)."""
    t = direct.talent_equity_apply(programme=w.programme, enterprise=w.orgs["startup"], title="前一笔",
                                   amount=amount, price_per_share="1.00", founded_on="2022-03-01",
                                   by=w.users["applicant"], talent_team_leads=True, registered_in_shandong=True,
                                   own_ip_count=3, founders_cash="800000.00")
    direct.talent_equity_submit(talent=t, by=w.users["manager"])
    return direct.talent_equity_decide(talent=t, by=w.users["checker"], approve=True)


def _changes(app):
    from django.contrib.contenttypes.models import ContentType

    return StateChange.objects.filter(item_type=ContentType.objects.get_for_model(Application), item_id=app.pk)


def test_autosave_keeps_the_valid_fields_and_names_the_bad_one(world):
    app = talent_draft(world)
    app, errors = services.application_save_draft(application=app, by=world.users["applicant"],
                                                  data={"amount": "1200000.50", "founders_cash": "-3"})
    assert set(errors) == {"founders_cash"}
    assert "founders_cash" in errors["founders_cash"].detail_zh and "不能为负" in errors["founders_cash"].detail_zh \
        or "必须大于零" in errors["founders_cash"].detail_zh
    assert errors["founders_cash"].detail_en
    app.refresh_from_db()
    assert app.amount == D("1200000.50")
    assert app.founders_cash == D("800000.00")  # the bad value was not written


def test_precheck_shows_the_talent_cap_headroom_with_its_figures(world):
    _approved_talent(world, "1500000.00")
    app = talent_draft(world, amount="3000000.00")
    pc = application_precheck(app)
    cap = next(r for r in pc.rules if r.code == "talent_cap")
    assert cap.ok
    assert cap.figure_en == "3,500,000.00 of 5,000,000.00 left (talent.equity_cap); this application 3,000,000.00"
    assert "剩余 3,500,000.00 / 上限 5,000,000.00" in cap.figure_zh
    assert all(r.ok for r in pc.rules), [r for r in pc.rules if not r.ok]
    assert [d["present"] for d in pc.documents] == [True, True, True]


def test_precheck_answers_every_talent_criterion_not_only_the_first_failed(world):
    app = talent_draft(world, own_ip_count="0", founders_cash="100000.00", talent_team_leads="0")
    pc = application_precheck(app)
    by_code = {r.code: r.ok for r in pc.rules}
    assert by_code["talent_talent_team_leads"] is False
    assert by_code["talent_own_ip_count"] is False
    assert by_code["talent_founders_cash"] is False
    assert by_code["talent_registered_in_shandong"] is True
    assert by_code["talent_founded_on"] is True


def test_submission_above_the_cap_is_refused_with_the_figures_and_writes_nothing(world):
    _approved_talent(world, "1500000.00")
    app = talent_draft(world, amount="4000000.00")
    before = _changes(app).count()
    with pytest.raises(DomainError) as err:
        services.application_submit(application=app, by=world.users["applicant"])
    assert err.value.code == "talent_cap"
    assert "3,500,000.00 of 5,000,000.00" in err.value.detail_en
    app.refresh_from_db()
    assert app.status == Status.DRAFT and app.submitted_at is None
    assert _changes(app).count() == before and not Notification.objects.exists()


def test_submission_while_unverified_is_refused(world):
    from finance.parties.models import Organisation

    Organisation.objects.filter(pk=world.orgs["startup"].pk).update(verified_at=None)
    app = talent_draft(world)
    with pytest.raises(DomainError) as err:
        services.application_submit(application=app, by=world.users["applicant"])
    assert err.value.code == "enterprise_unverified"
    app.refresh_from_db()
    assert app.status == Status.DRAFT and not Notification.objects.exists()


def test_submission_without_the_documents_is_refused_naming_them(world):
    from finance.portal.selectors import documents_of
    from finance.portal.services import document_delete

    for d in documents_of(world.orgs["startup"], kinds=["business_plan"]):
        document_delete(document=d, by=world.users["applicant"])
    app = talent_draft(world)
    with pytest.raises(DomainError) as err:
        services.application_submit(application=app, by=world.users["applicant"])
    assert err.value.code == "documents_missing" and "business_plan" in err.value.detail_en
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_submission_with_a_field_missing_names_it(world):
    app = talent_draft(world, price_per_share="")
    with pytest.raises(DomainError) as err:
        services.application_submit(application=app, by=world.users["applicant"])
    assert err.value.code == "required" and err.value.field == "price_per_share"


def test_another_enterprise_cannot_touch_the_draft(world):
    app = talent_draft(world)
    with pytest.raises(DomainError):
        services.application_save_draft(application=app, by=world.users["other_applicant"], data={"title": "x"})
    assert not selectors.application_list(user=world.users["other_applicant"]).filter(pk=app.pk).exists()
    assert not selectors.application_list(user=world.users["other_manager"]).filter(pk=app.pk).exists()
    assert not selectors.application_list(user=world.users["bank"]).filter(pk=app.pk).exists()


def _submitted(world, **over):
    app = talent_draft(world, **over)
    return services.application_submit(application=app, by=world.users["applicant"])


def test_the_whole_talent_journey_and_the_decision_read_back(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        app = _submitted(world)
    assert app.status == Status.SUBMITTED
    # the programme's fund managers hear of it, by notice and by email
    assert set(Notification.objects.filter(verb="submitted").values_list("user__username", flat=True)) == {
        "manager", "checker"}
    assert {m.to[0] for m in mail.outbox} == {"manager@example.cn", "checker@example.cn"}
    manager = world.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    services.conflict_declare(application=app, by=manager, conflicted=False)
    services.score_record(application=app, by=manager, scores={
        "review.weight.innovation": "80", "review.weight.team": "70", "review.weight.market": "60",
        "review.weight.ip": "90", "review.weight.finance": "50"})
    assert services.weighted_total(Score.objects.filter(application=app)) == D("73.00")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.rfi_request(application=app, by=manager, body="请补充近三年财务报表")
    app.refresh_from_db()
    assert app.status == Status.INFO_REQUESTED
    assert [m.to[0] for m in mail.outbox] == ["founder@example.cn"]
    assert "补充" in mail.outbox[0].subject or "information" in mail.outbox[0].subject
    from finance.portal.services import document_upload

    from .conftest import pdf

    doc = document_upload(organisation=world.orgs["startup"], kind="attachment", upload=pdf("财务报表.pdf"),
                          by=world.users["applicant"])
    answer = services.rfi_answer(application=app, by=world.users["applicant"], body="已上传", attachments=[doc])
    assert list(answer.attachments.all()) == [doc]
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    services.application_recommend(application=app, by=manager)
    app.refresh_from_db()
    assert app.status == Status.RECOMMENDED
    assert app.talent is not None and app.talent.status == "submitted"
    assert app.talent.amount == D("1000000.00") and app.talent.applicant == world.users["applicant"]
    assert selectors.application_outcome(app).code == "pending"
    direct.talent_equity_decide(talent=app.talent, by=world.users["checker"], approve=True)
    app = Application.objects.get(pk=app.pk)
    outcome = selectors.application_outcome(app)
    assert outcome.code == "approved"
    rows = selectors.timeline(app, user=world.users["applicant"])
    assert [r["to"] for r in rows if r["kind"] == "decision"][-1] == "Approved" or \
        [r["to"] for r in rows if r["kind"] == "decision"][-1] == "已批准"
    states = [r["to"] for r in rows if r["kind"] == "state"]
    assert len(states) == 6  # draft, submitted, under review, info requested, under review, recommended


def test_a_conflicted_reviewer_neither_scores_nor_recommends(world):
    app = _submitted(world)
    manager = world.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    services.conflict_declare(application=app, by=manager, conflicted=True, reason="本人持有该企业股份")
    with pytest.raises(DomainError) as err:
        services.score_record(application=app, by=manager, scores={})
    assert err.value.code in ("not_assigned", "conflicted")
    with pytest.raises(DomainError):
        services.application_recommend(application=app, by=manager)
    with pytest.raises(DomainError) as err:
        services.application_assign(application=app, reviewer=manager, by=world.users["checker"])
    assert err.value.code == "conflicted"
    assert not Score.objects.filter(application=app).exists()


def test_scoring_needs_a_declaration_first(world):
    app = _submitted(world)
    manager = world.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    with pytest.raises(DomainError) as err:
        services.score_record(application=app, by=manager, scores={})
    assert err.value.code == "not_declared"


def test_a_recommendation_below_the_minimum_score_is_refused(world):
    app = _submitted(world)
    manager = world.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    services.conflict_declare(application=app, by=manager, conflicted=False)
    services.score_record(application=app, by=manager, scores={k: "50" for k in services.CRITERIA})
    with pytest.raises(DomainError) as err:
        services.application_recommend(application=app, by=manager)
    assert err.value.code == "score_too_low" and "50.00" in err.value.detail_en
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW and app.talent is None


def test_bad_marks_are_refused_and_nothing_is_scored(world):
    app = _submitted(world)
    manager = world.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    services.conflict_declare(application=app, by=manager, conflicted=False)
    marks = {k: "70" for k in services.CRITERIA}
    marks["review.weight.ip"] = "101"
    with pytest.raises(DomainError) as err:
        services.score_record(application=app, by=manager, scores=marks)
    assert err.value.field == "review.weight.ip"
    assert not Score.objects.exists()


def test_a_department_reviewer_cannot_hand_an_equity_application_to_the_committee(world):
    app = _submitted(world)
    r = world.users["reviewer"]
    services.application_assign(application=app, reviewer=r, by=r)
    services.conflict_declare(application=app, by=r, conflicted=False)
    services.score_record(application=app, by=r, scores={k: "80" for k in services.CRITERIA})
    with pytest.raises(DomainError) as err:
        services.application_recommend(application=app, by=r)
    assert err.value.code == "not_programme_manager"
    assert Application.objects.get(pk=app.pk).status == Status.UNDER_REVIEW


def test_another_managers_fund_manager_may_not_review(world):
    app = _submitted(world)
    with pytest.raises(DomainError):
        services.application_assign(application=app, reviewer=world.users["other_manager"],
                                    by=world.users["other_manager"])


def test_withdraw_and_the_transitions_that_are_refused(world):
    app = _submitted(world)
    services.application_withdraw(application=app, by=world.users["applicant"], reason="改投其他项目")
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    with pytest.raises(DomainError):
        services.application_withdraw(application=app, by=world.users["applicant"])
    with pytest.raises(DomainError):
        services.application_submit(application=app, by=world.users["applicant"])
    with pytest.raises(DomainError):
        services.rfi_answer(application=app, by=world.users["applicant"], body="x")


def test_an_rfi_needs_the_application_under_review(world):
    app = _submitted(world)
    manager = world.users["manager"]
    with pytest.raises(DomainError) as err:
        services.rfi_request(application=app, by=manager, body="请补充")
    assert err.value.code == "not_assigned"
    assert not Message.objects.exists()


def test_a_financing_need_reaches_the_banks_and_each_bank_keeps_its_own_thread(world,
                                                                               django_capture_on_commit_callbacks):
    mail.outbox.clear()
    app = services.application_create(enterprise=world.orgs["startup"], instrument="financing_need",
                                      by=world.users["applicant"],
                                      data={"title": "知识产权质押融资 300 万", "amount": "3000000.00",
                                            "term_months": "24", "ip_offered": "ZL202110123456.7 发明专利"})
    assert not selectors.financing_needs(user=world.users["bank"]).filter(pk=app.pk).exists()
    services.application_submit(application=app, by=world.users["applicant"])
    assert selectors.financing_needs(user=world.users["bank"]).filter(pk=app.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.bank_answer(application=app, by=world.users["bank"], body="可提供 300 万、年化 3.8% 的质押贷款")
    assert Notification.objects.filter(verb="bank_answer", user=world.users["applicant"]).count() == 1
    assert "founder@example.cn" in [m.to[0] for m in mail.outbox]
    assert selectors.messages_for(app, user=world.users["other_bank"]).count() == 0
    assert selectors.messages_for(app, user=world.users["applicant"]).count() == 1
    with pytest.raises(DomainError):
        services.bank_answer(application=app, by=world.users["applicant"], body="x")
    with pytest.raises(DomainError) as err:
        services.application_recommend(application=app, by=world.users["reviewer"])
    assert err.value.code == "not_reviewer"


def test_a_financing_need_above_the_policy_term_fails_the_precheck(world):
    app = services.application_create(enterprise=world.orgs["startup"], instrument="financing_need",
                                      by=world.users["applicant"],
                                      data={"title": "长期贷款", "amount": "3000000.00", "term_months": "120",
                                            "ip_offered": "商标"})
    rule = next(r for r in application_precheck(app).rules if r.code == "loan_term")
    assert not rule.ok and "120" in rule.figure_en
    with pytest.raises(DomainError):
        services.application_submit(application=app, by=world.users["applicant"])


def test_invest_first_hands_over_to_the_agreement_approval(world):
    app = services.application_create(enterprise=world.orgs["startup"], instrument="invest_first",
                                      by=world.users["applicant"],
                                      data={"title": "先投后股项目", "programme": str(world.programme.pk),
                                            "amount": "2000000.00", "disbursement_due_on": "2027-06-30",
                                            "discount": "10"})
    services.application_submit(application=app, by=world.users["applicant"])
    manager = world.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    services.conflict_declare(application=app, by=manager, conflicted=False)
    services.score_record(application=app, by=manager, scores={k: "75" for k in services.CRITERIA})
    services.application_recommend(application=app, by=manager)
    app = Application.objects.get(pk=app.pk)
    assert app.agreement.status == "submitted" and app.agreement.amount == D("2000000.00")
    assert app.agreement.discount == D("0.1")
    assert list(app.agreement.tranches.values_list("amount", flat=True)) == [D("2000000.00")]


def test_notices_are_marked_read_by_their_owner_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = _submitted(world)
    n = Notification.objects.filter(user=world.users["manager"], application=app).get()
    with pytest.raises(DomainError):
        services.notification_read(notification=n, by=world.users["checker"])
    services.notification_read(notification=n, by=world.users["manager"])
    n.refresh_from_db()
    assert n.read_at is not None and n.emailed_at is not None

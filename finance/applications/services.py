"""Every write of the application flow and the workbench.

Keyword-only ``<entity>_<action>`` functions, each atomic: validate, lock what the decision reads (the
enterprise row, ``finance.core.locks.lock``, serialises every write to its applications), move the state
through ``approvals.state_change`` (``Application.TRANSITIONS``; the audit row is the timeline), and queue the
notices' emails with ``transaction.on_commit``. A ``DomainError`` means nothing was written.

The hand-over (``application_recommend``) calls the instrument's own services — ``talent_equity_apply`` +
``talent_equity_submit``, ``invest_first_apply`` + ``invest_first_submit``, ``grant_invest_loan_apply`` +
``_review`` + ``_submit``, ``subsidy_apply`` — so the application reaches the same approval and committee
as one typed in by a manager; their decision is read back from the linked object, not copied.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from finance.approvals import services as approvals
from finance.core.errors import DomainError, InvalidTransition, PermissionDenied
from finance.core.inputs import (
    parse_amount,
    parse_date,
    parse_id,
    parse_int,
    parse_number,
    parse_rate,
    parse_text,
    today,
)
from finance.core.locks import lock
from finance.parties.models import Organisation, Role, User
from finance.policy.selectors import PolicyUse

from . import rules
from .models import (
    EQUITY_INSTRUMENTS,
    OPEN_STATES,
    SUBSIDY_INSTRUMENTS,
    Application,
    Assignment,
    ConflictDeclaration,
    EquityLeg,
    Instrument,
    Message,
    MessageKind,
    Notification,
    Score,
    Status,
    Verb,
)
from .precheck import application_precheck

INS = Instrument
S = Status
D = Decimal

#: The scoring sheet: each criterion is a policy parameter whose value is its weight in percent.
CRITERIA = ("review.weight.innovation", "review.weight.team", "review.weight.market", "review.weight.ip",
            "review.weight.finance")
RECOMMEND_MIN = "review.recommend_score_min"


def _err(zh, en, code, field=None, status=None, **extra):
    return DomainError(zh, en, code=code, field=field, status=status, extra=extra or None)


# ---------------------------------------------------------------- fields, one parser each


def _bool(value, field):
    return str(value).strip().lower() in ("1", "true", "on", "yes")


def _programme(value, field, application):
    from funds.direct.models import Programme, ProgrammeStatus

    pk = parse_id(value, field)
    p = Programme.objects.filter(pk=pk, status=ProgrammeStatus.ACTIVE).first()
    if p is None or application.instrument not in (p.kinds or []):
        raise _err(f"{field}：请选择受理该类申请的专项",
                   f"{field}: choose a programme that takes this instrument", "invalid_programme", field)
    return p


def _scheme(value, field, application):
    from loans.models import SubsidyKind, SubsidyScheme

    kinds = ([SubsidyKind.APPRAISAL_FEE] if application.instrument == INS.APPRAISAL_FEE_SUBSIDY
             else [SubsidyKind.PAID_INTEREST, SubsidyKind.BENCHMARK])
    s = SubsidyScheme.objects.filter(pk=parse_id(value, field), is_open=True, kind__in=kinds).first()
    if s is None:
        raise _err(f"{field}：请选择正在受理的补贴项目", f"{field}: choose an open scheme of this kind",
                   "invalid_scheme", field)
    return s


def _loan(value, field, application):
    from loans.models import Loan

    loan = Loan.objects.filter(pk=parse_id(value, field), borrower_id=application.enterprise_id).first()
    if loan is None:
        raise _err(f"{field}：请选择本企业的贷款", f"{field}: choose one of your enterprise's loans",
                   "invalid_loan", field)
    return loan


def _equity_kind(value, field, application):
    if value not in EquityLeg.values:
        raise _err(f"{field}：未知的股权方式", f"{field}: unknown equity leg", "invalid_choice", field)
    return value


PARSERS = {
    "title": lambda v, f, a: parse_text(v, f, max_length=200, required=False),
    "programme": _programme,
    "amount": lambda v, f, a: parse_amount(v, f),
    "price_per_share": lambda v, f, a: parse_rate(v, f, allow_zero=False, max_value=D("1000000")),
    "talent_team_leads": lambda v, f, a: _bool(v, f),
    "registered_in_shandong": lambda v, f, a: _bool(v, f),
    "own_ip_count": lambda v, f, a: parse_int(v, f, max_value=100000),
    "founded_on": lambda v, f, a: parse_date(v, f, not_future=True),
    "founders_cash": lambda v, f, a: parse_amount(v, f, allow_zero=True),
    "disbursement_due_on": lambda v, f, a: parse_date(v, f),
    "discount": lambda v, f, a: parse_number(v, f, max_value=D("99"), places=4),
    "valuation_cap": lambda v, f, a: parse_amount(v, f),
    "grant_amount": lambda v, f, a: parse_amount(v, f, allow_zero=True),
    "equity_kind": _equity_kind,
    "equity_amount": lambda v, f, a: parse_amount(v, f, allow_zero=True),
    "scheme": _scheme,
    "loan": _loan,
    "loan_year": lambda v, f, a: parse_int(v, f, min_value=1, max_value=10),
    "appraisal_fee": lambda v, f, a: parse_amount(v, f),
    "term_months": lambda v, f, a: parse_int(v, f, min_value=1, max_value=120),
    "ip_offered": lambda v, f, a: parse_text(v, f, max_length=2000, required=False),
    "purpose": lambda v, f, a: parse_text(v, f, max_length=2000, required=False),
}
BOOLEANS = ("talent_team_leads", "registered_in_shandong")
TEXTS = ("title", "ip_offered", "purpose", "equity_kind")


def parse_fields(application: Application, data: dict, *, only: tuple[str, ...] | None = None
                 ) -> tuple[dict, dict[str, DomainError]]:
    """Parse the instrument's fields present in ``data`` (all of them for a full form): values and errors by
    field. An empty value clears the field (a draft may be incomplete)."""
    values, errors = {}, {}
    for name in rules.FIELDS[application.instrument]:
        if only is not None and name not in only:
            continue
        if name not in data:
            continue
        raw = data.get(name, "")
        if name in BOOLEANS:
            values[name] = _bool(raw, name)
            continue
        if raw is None or str(raw).strip() == "":
            values[name] = "" if name in TEXTS else None
            continue
        try:
            values[name] = PARSERS[name](raw, name, application)
        except DomainError as exc:
            errors[name] = exc
    return values, errors


# ---------------------------------------------------------------- notifications


def _notify(users, *, verb: str, application: Application) -> list[Notification]:
    from django.urls import reverse

    from . import tasks

    enterprise_side = verb in (Verb.INFO_REQUESTED, Verb.RECOMMENDED, Verb.REJECTED, Verb.BANK_ANSWER)
    link = reverse("applications:detail" if enterprise_side else "applications:review", args=[application.pk])
    made = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        n = Notification.objects.create(user=user, verb=verb, application=application, link=link)
        made.append(n)
        transaction.on_commit(lambda pk=n.pk: tasks.notification_email.delay(pk))
    return made


def _enterprise_people(application: Application):
    return User.objects.filter(organisation_id=application.enterprise_id, is_active=True,
                               role_grants__role__in=rules.enterprise_writer_roles()).distinct()


def _reviewers_of(application: Application):
    return [a.reviewer for a in application.assignments.select_related("reviewer")]


def _intake_reviewers(application: Application):
    """Who learns of a new submission: the programme's fund managers for an equity application, the
    department reviewers for the others."""
    if application.instrument in EQUITY_INSTRUMENTS and application.programme_id:
        return User.objects.filter(organisation_id=application.programme.manager_id, is_active=True,
                                   role_grants__role=Role.FUND_MANAGER).distinct()
    return User.objects.filter(is_active=True, role_grants__role=Role.DEPARTMENT_REVIEWER).distinct()


@transaction.atomic
def notification_read(*, notification: Notification, by) -> Notification:
    if notification.user_id != by.pk:
        raise PermissionDenied("不是您的通知", "not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# ---------------------------------------------------------------- the enterprise's side


def _check_writer(application: Application, by) -> None:
    if not rules.may_write(by, application):
        raise PermissionDenied("只有本企业的申请人可以操作", "only the enterprise's applicants can do this",
                               code="not_applicant")


def _locked(application: Application) -> Application:
    """Lock the enterprise (the serialising row) and read the application fresh under it."""
    lock(Organisation, application.enterprise_id)
    return Application.objects.select_related("enterprise", "programme").get(pk=application.pk)


@transaction.atomic
def application_create(*, enterprise: Organisation, instrument: str, by, data: dict | None = None
                       ) -> Application:
    """A new draft for one instrument, pre-filled with what the profile already says."""
    if instrument not in Instrument.values:
        raise _err("instrument：请选择申请类别", "instrument: choose what to apply for", "invalid_choice",
                   "instrument")
    app = Application(enterprise=enterprise, instrument=instrument, created_by=by)
    _check_writer(app, by)
    _prefill(app)
    values, errors = parse_fields(app, data or {})
    if errors:
        raise next(iter(errors.values()))
    for k, v in values.items():
        setattr(app, k, v)
    app.save()
    approvals.state_change_record(app, from_state="", to_state=S.DRAFT, by=by, reason="draft created")
    return app


def _prefill(app: Application) -> None:
    """From the enterprise profile and IP portfolio (portal): founding date, own IP count, a talent team on
    the profile; Shandong registration from the credit code's division digits. The applicant confirms or
    corrects them in the form."""
    from finance.portal.selectors import ip_right_count, profile_of, talent_members_of

    profile = profile_of(app.enterprise)
    if profile.founded_on:
        app.founded_on = profile.founded_on
    if app.instrument == INS.TALENT_EQUITY:
        app.own_ip_count = ip_right_count(app.enterprise)
        app.registered_in_shandong = (app.enterprise.uscc or "")[2:4] == "37"
        app.talent_team_leads = talent_members_of(app.enterprise).exists()


@transaction.atomic
def application_save_draft(*, application: Application, by, data: dict) -> tuple[Application, dict]:
    """Autosave: each valid field present in ``data`` is saved; each invalid one is left as it was and its
    error returned (field → DomainError). Only drafts are edited."""
    app = _locked(application)
    _check_writer(app, by)
    if app.status != S.DRAFT:
        raise InvalidTransition("只有草稿可以修改", "only a draft can be edited", field="status")
    values, errors = parse_fields(app, data)
    for k, v in values.items():
        setattr(app, k, v)
    if values:
        app.save(update_fields=[*values.keys(), "updated_at"])
    return app, errors


@transaction.atomic
def application_submit(*, application: Application, by, data: dict | None = None) -> Application:
    """Submit a draft: every field valid, the enterprise verified (``check_may_submit``), every rule of the
    pre-check passed and every needed document uploaded. Refused with the figures otherwise; nothing saved."""
    from finance.parties.rules import check_may_submit

    app = _locked(application)
    _check_writer(app, by)
    if app.status != S.DRAFT:
        raise InvalidTransition("只有草稿可以提交", "only a draft can be submitted", field="status")
    if data:
        values, errors = parse_fields(app, data)
        if errors:
            raise next(iter(errors.values()))
        for k, v in values.items():
            setattr(app, k, v)
    check_may_submit(app.enterprise)
    pc = application_precheck(app)
    if pc.missing_fields:
        f = pc.missing_fields[0]
        raise _err(f"{f}：提交前请填写", f"{f}: required before submitting", "required", f,
                   missing=pc.missing_fields)
    if pc.failed:
        r = pc.failed[0]
        raise _err(f"未通过预审：{r.label_zh}。{r.figure_zh}",
                   f"pre-check failed: {r.label_en}. {r.figure_en}",
                   r.code if r.code in ("talent_cap", "enterprise_verified") else "precheck_failed",
                   "precheck", status=409)
    missing = [d for d in pc.documents if not d["present"]]
    if missing:
        names = "、".join(d["label"] for d in missing)
        raise _err(f"documents：请先上传所需材料：{names}",
                   f"documents: upload the required documents first: {', '.join(d['kind'] for d in missing)}",
                   "documents_missing", "documents")
    app.precheck = pc.as_dict()
    app.submitted_by, app.submitted_at = by, timezone.now()
    fields = [*rules.FIELDS[app.instrument], "precheck", "submitted_by", "submitted_at"]
    approvals.state_change(app, to=S.SUBMITTED, by=by, reason="submitted", also=tuple(fields))
    from finance.portal.selectors import documents_of

    app.documents.set(documents_of(app.enterprise, kinds=rules.DOCUMENTS[app.instrument]))
    _notify(_intake_reviewers(app), verb=Verb.SUBMITTED, application=app)
    return app


@transaction.atomic
def application_withdraw(*, application: Application, by, reason: str = "") -> Application:
    app = _locked(application)
    _check_writer(app, by)
    if app.status not in OPEN_STATES:
        raise InvalidTransition("该申请已推荐或已结束，不能撤回", "the application is handed over or closed",
                                field="status")
    reason = parse_text(reason, "reason", max_length=500, required=False)
    approvals.state_change(app, to=S.WITHDRAWN, by=by, reason=reason or "withdrawn")
    _notify(_reviewers_of(app), verb=Verb.WITHDRAWN, application=app)
    return app


# ---------------------------------------------------------------- messages


def _attach(message: Message, attachments) -> None:
    docs = list(attachments or [])
    for d in docs:
        if d.organisation_id != message.application.enterprise_id:
            raise _err("attachments：只能附加本企业的材料",
                       "attachments: only the enterprise's own documents",
                       "invalid_attachment", "attachments", status=404)
    if docs:
        message.attachments.set(docs)


@transaction.atomic
def rfi_request(*, application: Application, by, body: str) -> Message:
    """A reviewer asks the enterprise for information: the application waits for the answer."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    body = parse_text(body, "body", max_length=5000)
    if app.status != S.UNDER_REVIEW:
        raise InvalidTransition("只有审查中的申请可以要求补充材料",
                                "only an application under review can get a request for information",
                                field="status")
    m = Message.objects.create(application=app, kind=MessageKind.RFI, author=by, body=body)
    approvals.state_change(app, to=S.INFO_REQUESTED, by=by, reason=body[:200])
    _notify(_enterprise_people(app), verb=Verb.INFO_REQUESTED, application=app)
    return m


@transaction.atomic
def rfi_answer(*, application: Application, by, body: str, attachments=()) -> Message:
    """The enterprise answers (with documents attached): back under review."""
    app = _locked(application)
    _check_writer(app, by)
    body = parse_text(body, "body", max_length=5000)
    if app.status != S.INFO_REQUESTED:
        raise InvalidTransition("没有待答复的补充材料要求", "no request for information is open",
                                field="status")
    m = Message.objects.create(application=app, kind=MessageKind.ANSWER, author=by, body=body)
    _attach(m, attachments)
    approvals.state_change(app, to=S.UNDER_REVIEW, by=by, reason="answered")
    _notify(_reviewers_of(app), verb=Verb.ANSWERED, application=app)
    return m


@transaction.atomic
def bank_answer(*, application: Application, by, body: str) -> Message:
    """A partner bank answers a financing need (融资对接): its own thread with the enterprise."""
    app = _locked(application)
    if not (by.has_role(Role.BANK_OFFICER) and by.organisation_id):
        raise PermissionDenied("只有合作银行可以答复融资需求", "only a partner bank answers a financing need",
                               code="not_bank")
    if app.instrument != INS.FINANCING_NEED or app.status != S.SUBMITTED:
        raise _err("该融资需求不在对接中", "this financing need is not open", "not_open", status=404)
    body = parse_text(body, "body", max_length=5000)
    m = Message.objects.create(application=app, kind=MessageKind.BANK, author=by, bank=by.organisation,
                               body=body)
    _notify(_enterprise_people(app), verb=Verb.BANK_ANSWER, application=app)
    return m


@transaction.atomic
def enterprise_reply_to_bank(*, application: Application, by, bank: Organisation, body: str,
                             attachments=()) -> Message:
    app = _locked(application)
    _check_writer(app, by)
    if not app.messages.filter(bank=bank).exists():
        raise _err("该银行尚未答复", "this bank has not answered", "not_found", "bank", status=404)
    body = parse_text(body, "body", max_length=5000)
    m = Message.objects.create(application=app, kind=MessageKind.NOTE, author=by, bank=bank, body=body)
    _attach(m, attachments)
    return m


# ---------------------------------------------------------------- the workbench


def _check_reviewer(app: Application, by, *, act: bool = False) -> None:
    """May ``by`` review it; with ``act``, also: assigned and not conflicted."""
    if not rules.may_review(by, app):
        raise PermissionDenied("您不能审查该申请", "you may not review this application", code="not_reviewer")
    if app.status in (S.DRAFT, S.WITHDRAWN):
        raise _err("该申请不在审查中", "the application is not under review", "not_found", status=404)
    if act:
        if not app.assignments.filter(reviewer=by).exists():
            raise PermissionDenied("请先将该申请分派给自己", "assign the application to yourself first",
                                   code="not_assigned")
        decl = app.conflicts.filter(reviewer=by).first()
        if decl is not None and decl.conflicted:
            raise PermissionDenied("您已声明利益冲突，不能评审该申请",
                                   "you declared a conflict of interest on this application",
                                   code="conflicted")


@transaction.atomic
def application_assign(*, application: Application, reviewer: User, by) -> Assignment:
    """Put a reviewer in charge (a reviewer of the same organisation, or oneself); a submitted application
    goes under review."""
    app = _locked(application)
    _check_reviewer(app, by)
    if reviewer.organisation_id != by.organisation_id or not rules.may_review(reviewer, app):
        raise _err("reviewer：只能分派给本机构可审查该申请的人员",
                   "reviewer: assign to a reviewer of your organisation who may review it",
                   "invalid_reviewer", "reviewer")
    if app.status not in (S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED):
        raise InvalidTransition("该申请不能再分派", "the application can no longer be assigned",
                                field="status")
    decl = app.conflicts.filter(reviewer=reviewer, conflicted=True).first()
    if decl is not None:
        raise _err("reviewer：该人员已声明利益冲突",
                   "reviewer: this reviewer declared a conflict of interest", "conflicted", "reviewer")
    a, created = Assignment.objects.get_or_create(application=app, reviewer=reviewer,
                                                  defaults={"assigned_by": by})
    if app.status == S.SUBMITTED:
        approvals.state_change(app, to=S.UNDER_REVIEW, by=by, reason=f"assigned to {reviewer}")
    if created and reviewer.pk != by.pk:
        _notify([reviewer], verb=Verb.ASSIGNED, application=app)
    return a


@transaction.atomic
def conflict_declare(*, application: Application, by, conflicted: bool, reason: str = ""
                     ) -> ConflictDeclaration:
    """Declare (once) whether one has a conflict of interest; a conflicted reviewer's assignment ends."""
    app = _locked(application)
    _check_reviewer(app, by)
    reason = parse_text(reason, "reason", max_length=1000, required=bool(conflicted))
    if app.conflicts.filter(reviewer=by).exists():
        raise _err("您已声明过", "you have already declared", "already_declared", "conflicted", status=409)
    decl = ConflictDeclaration.objects.create(application=app, reviewer=by, conflicted=bool(conflicted),
                                              reason=reason)
    if conflicted:
        app.assignments.filter(reviewer=by).delete()
        Score.objects.filter(application=app, reviewer=by).delete()
    return decl


def _declared_free(app: Application, by) -> None:
    decl = app.conflicts.filter(reviewer=by).first()
    if decl is None:
        raise _err("conflicted：评分前请先声明是否存在利益冲突",
                   "conflicted: declare whether you have a conflict of interest first", "not_declared",
                   "conflicted")


def criteria_in_force(on: dt.date) -> tuple[dict[str, D], dict]:
    """The scoring sheet in force: criterion key → weight (percent), and the policy values used. The weights
    must add up to 100."""
    use = PolicyUse(on=on)
    weights = {k: use(k) for k in CRITERIA}
    total = sum(weights.values(), D("0"))
    if total != 100:
        raise _err(f"评审权重合计为 {total}，应为 100（政策参数 review.weight.*）",
                   f"review weights add up to {total}, not 100 (policy review.weight.*)", "weights_invalid",
                   status=409)
    return weights, use.snapshot


@transaction.atomic
def score_record(*, application: Application, by, scores: dict, comments: dict | None = None) -> list[Score]:
    """The reviewer's scoring sheet: a whole mark 0–100 for each criterion, weighted by the policy values in
    force today. Re-scoring replaces the reviewer's own marks."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    _declared_free(app, by)
    if app.status != S.UNDER_REVIEW:
        raise InvalidTransition("只有审查中的申请可以评分", "only an application under review can be scored",
                                field="status")
    weights, _ = criteria_in_force(today())
    parsed = {}
    for key in weights:
        parsed[key] = parse_int(scores.get(key, ""), key, min_value=0, max_value=100)
    comments = comments or {}
    out = []
    for key, value in parsed.items():
        s, _ = Score.objects.update_or_create(
            application=app, reviewer=by, criterion=key,
            defaults={"score": value, "weight": weights[key],
                      "comment": parse_text(comments.get(key, ""), f"{key}.comment", max_length=1000,
                                            required=False)})
        out.append(s)
    return out


def weighted_total(scores) -> D:
    """Σ score × weight / 100, two places half-up."""
    from decimal import ROUND_HALF_UP

    total = sum((D(s.score) * s.weight / 100 for s in scores), D("0"))
    return total.quantize(D("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def application_reject(*, application: Application, by, reason: str) -> Application:
    """The reviewer does not recommend it (reason required, shown to the enterprise)."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    reason = parse_text(reason, "reason", max_length=1000)
    approvals.state_change(app, to=S.REJECTED, by=by, reason=reason)
    _notify(_enterprise_people(app), verb=Verb.REJECTED, application=app)
    return app


@transaction.atomic
def application_recommend(*, application: Application, by, reason: str = "") -> Application:
    """Hand the application over to its instrument: the reviewer (assigned, declared free of conflict, the
    whole sheet scored at or above ``review.recommend_score_min``) creates it through the instrument's own
    service — the enterprise's submitter is its applicant — and takes it to that instrument's approval."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    _declared_free(app, by)
    if app.status != S.UNDER_REVIEW:
        raise InvalidTransition("只有审查中的申请可以推荐",
                                "only an application under review can be recommended", field="status")
    weights, _ = criteria_in_force(today())
    mine = list(app.scores.filter(reviewer=by))
    if {s.criterion for s in mine} != set(weights):
        raise _err("scores：请先完成评分表的全部项目", "scores: score every criterion first",
                   "scores_missing", "scores")
    total = weighted_total(mine)
    minimum = PolicyUse(on=today())(RECOMMEND_MIN)
    if total < minimum:
        raise _err(f"scores：加权总分 {total} 低于推荐下限 {minimum}（{RECOMMEND_MIN}）",
                   f"scores: weighted total {total} is below the minimum {minimum} ({RECOMMEND_MIN})",
                   "score_too_low", "scores", status=409)
    _hand_over(app, by)
    approvals.state_change(app, to=S.RECOMMENDED, by=by,
                           reason=reason or f"recommended, weighted score {total}",
                           also=("talent", "agreement", "project", "subsidy"))
    _notify(_enterprise_people(app), verb=Verb.RECOMMENDED, application=app)
    return app


def _hand_over(app: Application, by) -> None:
    from funds.direct import services as direct

    applicant = app.submitted_by
    title = app.title or str(app)
    if app.instrument in EQUITY_INSTRUMENTS and not (
            by.has_role(Role.FUND_MANAGER) and app.programme.manager_id == by.organisation_id):
        raise PermissionDenied("股权类申请由专项管理机构的基金经理推荐上会",
                               "an equity application is recommended by the programme's fund manager",
                               code="not_programme_manager")
    if app.instrument == INS.TALENT_EQUITY:
        t = direct.talent_equity_apply(
            programme=app.programme, enterprise=app.enterprise, title=title, amount=app.amount,
            price_per_share=app.price_per_share, founded_on=app.founded_on, by=applicant,
            talent_team_leads=app.talent_team_leads, registered_in_shandong=app.registered_in_shandong,
            own_ip_count=app.own_ip_count or 0, founders_cash=app.founders_cash or "0")
        app.talent = direct.talent_equity_submit(talent=t, by=by, reason=f"application #{app.pk}")
    elif app.instrument == INS.INVEST_FIRST:
        a = direct.invest_first_apply(
            programme=app.programme, enterprise=app.enterprise, title=title, amount=app.amount,
            tranches=[{"amount": str(app.amount), "due_on": app.disbursement_due_on.isoformat()}],
            by=applicant,
            discount=None if app.discount is None else str(app.discount), valuation_cap=app.valuation_cap)
        app.agreement = direct.invest_first_submit(agreement=a, by=by, reason=f"application #{app.pk}")
    elif app.instrument == INS.GRANT_INVEST_LOAN:
        g = direct.grant_invest_loan_apply(
            programme=app.programme, enterprise=app.enterprise, title=title, by=applicant,
            grant_amount=app.grant_amount or "0", equity_kind=app.equity_kind or "",
            equity_amount=app.equity_amount or "0", equity_price_per_share=app.price_per_share)
        g = direct.grant_invest_loan_review(project=g, by=by, reason=f"application #{app.pk}")
        app.project = direct.grant_invest_loan_submit(project=g, by=by)
    elif app.instrument in SUBSIDY_INSTRUMENTS:
        from loans.services.subsidies import subsidy_apply

        app.subsidy = subsidy_apply(scheme=app.scheme, loan=app.loan, by=applicant, loan_year=app.loan_year,
                                    appraisal_fee=app.appraisal_fee)
    else:
        raise _err("融资需求由合作银行直接对接，无需推荐",
                   "a financing need is answered by the banks directly", "not_recommendable", status=409)

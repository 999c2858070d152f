"""Pages: the enterprise's applications (list, new, form with autosave and pre-check, timeline and thread),
the reviewers' workbench (queue, review page) and the banks' financing needs. Reads through selectors (another
organisation's application is 404); writes through services (a DomainError is shown on the page, in the
page's language, and nothing is written)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance.core.errors import DomainError
from finance.core.inputs import parse_id
from finance.parties.models import Organisation, OrgKind, Role, User

from . import rules, selectors, services
from .forms import field_rows, instrument_choices, queue_filters
from .models import Application, Instrument, Status
from .precheck import application_precheck


def _msg(request, exc: DomainError) -> str:
    return exc.detail_zh if request.LANGUAGE_CODE.startswith("zh") else exc.detail_en


def _error(request, exc: DomainError) -> None:
    messages.error(request, _msg(request, exc))


def _mine(request, pk: int) -> Application:
    return get_object_or_404(selectors.application_list(user=request.user), pk=pk)


def _enterprise_only(request) -> None:
    if not rules.is_enterprise_user(request.user):
        raise DjangoPermissionDenied


def _reviewer_only(request) -> None:
    if not rules.is_reviewer(request.user):
        raise DjangoPermissionDenied


# ---------------------------------------------------------------- the enterprise


@login_required
def mine(request):
    _enterprise_only(request)
    apps = list(selectors.my_applications(user=request.user))
    for a in apps:
        a.outcome = selectors.application_outcome(a)
    return render(request, "applications/mine.html", {
        "applications": apps, "may_write": request.user.has_role(*rules.enterprise_writer_roles()),
        "notifications": list(selectors.unread_notifications(user=request.user)[:20])})


@login_required
def new(request):
    _enterprise_only(request)
    if not request.user.has_role(*rules.enterprise_writer_roles()):
        raise DjangoPermissionDenied
    if request.method == "POST":
        try:
            app = services.application_create(enterprise=request.user.organisation,
                                              instrument=request.POST.get("instrument", ""), by=request.user)
        except DomainError as exc:
            return render(request, "applications/new.html", {"choices": instrument_choices(),
                                                             "error": _msg(request, exc)}, status=400)
        return redirect("applications:detail", pk=app.pk)
    return render(request, "applications/new.html", {"choices": instrument_choices()})


def _detail_context(request, app: Application, errors: dict | None = None) -> dict:
    user = request.user
    writer = rules.may_write(user, app)
    ctx = {"a": app, "writer": writer, "editable": writer and app.status == Status.DRAFT,
           "outcome": selectors.application_outcome(app),
           "timeline": selectors.timeline(app, user=user),
           "errors": {k: _msg(request, v) for k, v in (errors or {}).items()}}
    if ctx["editable"]:
        ctx["rows"] = field_rows(app, ctx["errors"])
    if app.status in (Status.DRAFT,):
        ctx["precheck"] = application_precheck(app)
    if app.instrument == Instrument.FINANCING_NEED:
        ctx["bank_threads"] = selectors.bank_threads(app)
    if writer and app.status == Status.INFO_REQUESTED:
        from finance.portal.selectors import documents_of

        ctx["documents"] = list(documents_of(app.enterprise))
    ctx["withdrawable"] = writer and app.status in (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW,
                                                    Status.INFO_REQUESTED)
    return ctx


@login_required
def detail(request, pk: int):
    _enterprise_only(request)
    app = _mine(request, pk)
    return render(request, "applications/detail.html", _detail_context(request, app))


@login_required
@require_POST
def autosave(request, pk: int):
    """htmx: save the draft as the person types; answers the form's messages and the pre-check panel."""
    _enterprise_only(request)
    app = _mine(request, pk)
    try:
        app, errors = services.application_save_draft(application=app, by=request.user, data=request.POST)
    except DomainError as exc:
        return render(request, "applications/_autosave.html", {"fatal": _msg(request, exc)}, status=400)
    ctx = _detail_context(request, app, errors)
    ctx["saved"] = not errors
    return render(request, "applications/_autosave.html", ctx, status=200)


@login_required
@require_POST
def submit(request, pk: int):
    _enterprise_only(request)
    app = _mine(request, pk)
    try:
        with transaction.atomic():
            app, errors = services.application_save_draft(application=app, by=request.user, data=request.POST)
            if errors:
                raise next(iter(errors.values()))
            services.application_submit(application=app, by=request.user)
    except DomainError as exc:
        app.refresh_from_db()
        _error(request, exc)
        field_error = {exc.field: exc} if exc.field in rules.FIELDS[app.instrument] else None
        ctx = _detail_context(request, app, field_error)
        return render(request, "applications/detail.html", ctx, status=400)
    messages.success(request, _("Submitted. You can follow its status on the timeline."))
    return redirect("applications:detail", pk=app.pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    _enterprise_only(request)
    app = _mine(request, pk)
    try:
        services.application_withdraw(application=app, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Withdrawn."))
    except DomainError as exc:
        _error(request, exc)
    return redirect("applications:detail", pk=app.pk)


def _uploaded_attachments(request, app: Application) -> list:
    """Documents picked from the enterprise's own, and a file uploaded with the answer (checked by the
    portal's upload rules)."""
    from finance.portal.selectors import documents_of
    from finance.portal.services import document_upload

    ids = [parse_id(v, "attachments") for v in request.POST.getlist("attachments")]
    docs = list(documents_of(app.enterprise).filter(pk__in=ids))
    if len(docs) != len(set(ids)):
        raise Http404
    upload = request.FILES.get("file")
    if upload:
        docs.append(document_upload(organisation=app.enterprise, kind="attachment", upload=upload,
                                    by=request.user))
    return docs


@login_required
@require_POST
def answer(request, pk: int):
    _enterprise_only(request)
    app = _mine(request, pk)
    try:
        with transaction.atomic():
            docs = _uploaded_attachments(request, app)
            services.rfi_answer(application=app, by=request.user, body=request.POST.get("body", ""),
                                attachments=docs)
        messages.success(request, _("Your answer was sent to the reviewer."))
    except DomainError as exc:
        _error(request, exc)
        return render(request, "applications/detail.html", _detail_context(request, app), status=400)
    return redirect("applications:detail", pk=app.pk)


@login_required
@require_POST
def bank_reply(request, pk: int):
    _enterprise_only(request)
    app = _mine(request, pk)
    try:
        bank_id = parse_id(request.POST.get("bank"), "bank")
        bank = Organisation.objects.filter(pk=bank_id, kind=OrgKind.BANK).first()
        if bank is None:
            raise Http404
        with transaction.atomic():
            docs = _uploaded_attachments(request, app)
            services.enterprise_reply_to_bank(application=app, by=request.user, bank=bank,
                                              body=request.POST.get("body", ""), attachments=docs)
    except DomainError as exc:
        _error(request, exc)
        return render(request, "applications/detail.html", _detail_context(request, app), status=400)
    return redirect("applications:detail", pk=app.pk)


@login_required
def notifications(request):
    return render(request, "applications/notifications.html",
                  {"notifications": list(selectors.notifications_for(user=request.user)[:100])})


@login_required
@require_POST
def notification_read(request, pk: int):
    n = get_object_or_404(selectors.notifications_for(user=request.user), pk=pk)
    services.notification_read(notification=n, by=request.user)
    return redirect(n.link)


# ---------------------------------------------------------------- the workbench


@login_required
def queue(request):
    _reviewer_only(request)
    f = queue_filters(request.GET)
    apps = list(selectors.review_queue(user=request.user, filters=f)[:200])
    return render(request, "applications/queue.html", {
        "applications": apps, "f": f, "instruments": Instrument.choices,
        "statuses": [(s, label) for s, label in Status.choices if s not in (Status.DRAFT,)],
        "cities": selectors.queue_cities(user=request.user)})


def _review_app(request, pk: int) -> Application:
    _reviewer_only(request)
    app = get_object_or_404(selectors.application_list(user=request.user), pk=pk)
    if not rules.may_review(request.user, app):
        raise Http404
    return app


def _review_context(request, app: Application) -> dict:
    from finance.core.inputs import today

    user = request.user
    weights, criteria_error = {}, None
    try:
        weights, _snap = services.criteria_in_force(today())
    except DomainError as exc:
        criteria_error = _msg(request, exc)
    from finance.policy.models import Parameter

    names = {p.key: (p.name_zh if request.LANGUAGE_CODE.startswith("zh") else p.name_en)
             for p in Parameter.objects.filter(key__in=list(weights))}
    mine = {s.criterion: s for s in app.scores.filter(reviewer=user)}
    sheet = [{"key": k, "name": names.get(k, k), "weight": w, "score": mine.get(k)}
             for k, w in weights.items()]
    declared = app.conflicts.filter(reviewer=user).first()
    colleagues = [u for u in User.objects.filter(organisation_id=user.organisation_id, is_active=True)
                  .order_by("username") if rules.may_review(u, app)]
    return {"a": app, "outcome": selectors.application_outcome(app),
            "timeline": selectors.timeline(app, user=user), "sheet": sheet, "criteria_error": criteria_error,
            "total": services.weighted_total(mine.values()) if mine else None,
            "declared": declared, "assigned": app.assignments.filter(reviewer=user).exists(),
            "assignments": list(app.assignments.select_related("reviewer")), "colleagues": colleagues,
            "precheck": app.precheck, "all_scores": list(app.scores.select_related("reviewer")),
            "is_verified": getattr(app.enterprise, "is_verified", True),
            "documents": _enterprise_documents(app),
            "may_verify": user.has_role(Role.DEPARTMENT_REVIEWER)}


def _enterprise_documents(app: Application) -> list:
    from finance.portal.selectors import documents_of

    return list(documents_of(app.enterprise))


@login_required
def document(request, pk: int, doc: int):
    """A document of the application's enterprise, for the enterprise's people and the application's
    reviewers: a fund manager reviewing an equity application is no oversight role, so the portal's own
    download (scoped to the enterprise and oversight) would answer 404 to the one who must read the plan."""
    from finance.portal.selectors import documents_of
    from finance.portal.views import document_response

    if not (rules.is_enterprise_user(request.user) or rules.is_reviewer(request.user)):
        raise DjangoPermissionDenied
    app = _mine(request, pk)
    if not rules.is_enterprise_user(request.user) and not rules.may_review(request.user, app):
        raise Http404
    found = documents_of(app.enterprise).filter(pk=doc).first()
    if found is None:
        raise Http404
    return document_response(found)


@login_required
def review(request, pk: int):
    app = _review_app(request, pk)
    return render(request, "applications/review.html", _review_context(request, app))


def _review_action(request, pk: int, act):
    app = _review_app(request, pk)
    try:
        act(app)
        messages.success(request, _("Done."))
    except DomainError as exc:
        _error(request, exc)
        return render(request, "applications/review.html", _review_context(request, app), status=400)
    return redirect("applications:review", pk=app.pk)


@login_required
@require_POST
def assign(request, pk: int):
    def act(app):
        reviewer_id = request.POST.get("reviewer") or request.user.pk
        reviewer = User.objects.filter(pk=parse_id(reviewer_id, "reviewer")).first()
        if reviewer is None:
            raise DomainError("reviewer：请选择审查人员", "reviewer: choose a reviewer", code="required",
                              field="reviewer")
        services.application_assign(application=app, reviewer=reviewer, by=request.user)
    return _review_action(request, pk, act)


@login_required
@require_POST
def conflict(request, pk: int):
    def act(app):
        choice = request.POST.get("conflicted", "")
        if choice not in ("0", "1"):
            raise DomainError("conflicted：请选择是否存在利益冲突",
                              "conflicted: say whether you have a conflict", code="required",
                              field="conflicted")
        services.conflict_declare(application=app, by=request.user, conflicted=choice == "1",
                                  reason=request.POST.get("reason", ""))
    return _review_action(request, pk, act)


@login_required
@require_POST
def score(request, pk: int):
    def act(app):
        scores = {k: request.POST.get(k, "") for k in services.CRITERIA}
        comments = {k: request.POST.get(f"{k}.comment", "") for k in services.CRITERIA}
        services.score_record(application=app, by=request.user, scores=scores, comments=comments)
    return _review_action(request, pk, act)


@login_required
@require_POST
def rfi(request, pk: int):
    return _review_action(request, pk, lambda app: services.rfi_request(
        application=app, by=request.user, body=request.POST.get("body", "")))


@login_required
@require_POST
def recommend(request, pk: int):
    return _review_action(request, pk, lambda app: services.application_recommend(
        application=app, by=request.user, reason=request.POST.get("reason", "")))


@login_required
@require_POST
def reject(request, pk: int):
    return _review_action(request, pk, lambda app: services.application_reject(
        application=app, by=request.user, reason=request.POST.get("reason", "")))


# ---------------------------------------------------------------- the banks


def _bank_only(request) -> None:
    if not request.user.has_role(Role.BANK_OFFICER):
        raise DjangoPermissionDenied


@login_required
def needs(request):
    _bank_only(request)
    items = list(selectors.financing_needs(user=request.user))
    return render(request, "applications/needs.html", {"needs": items})


@login_required
def need(request, pk: int):
    _bank_only(request)
    app = get_object_or_404(selectors.financing_needs(user=request.user), pk=pk)
    return render(request, "applications/need.html", {
        "a": app, "thread": list(selectors.messages_for(app, user=request.user))})


@login_required
@require_POST
def need_answer(request, pk: int):
    _bank_only(request)
    app = get_object_or_404(selectors.financing_needs(user=request.user), pk=pk)
    try:
        services.bank_answer(application=app, by=request.user, body=request.POST.get("body", ""))
        messages.success(request, _("Your answer was sent to the enterprise."))
    except DomainError as exc:
        _error(request, exc)
        return render(request, "applications/need.html", {
            "a": app, "thread": list(selectors.messages_for(app, user=request.user))}, status=400)
    return redirect("applications:need", pk=app.pk)


"""The enterprise's pages: its applications, a new one, the form (autosave and pre-check), submit, withdraw,
answers to a request for information and replies to the banks."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance.core.errors import DomainError
from finance.core.inputs import parse_id
from finance.parties.models import Organisation, OrgKind
from finance.web.permissions import roles_required

from .. import rules, selectors, services
from ..forms import field_rows, instrument_choices
from ..models import OPEN_STATES, Application, Instrument, Status
from ..precheck import application_precheck
from ._common import _enterprise_documents, _enterprise_only, _error, _msg, _readable


@login_required
def mine(request):
    _enterprise_only(request)
    apps = list(selectors.my_applications(user=request.user))
    for a in apps:
        a.outcome = selectors.application_outcome(a)
    return render(request, "applications/mine.html", {
        "applications": apps,
        "notifications": list(selectors.unread_notifications(user=request.user)[:20])})


@login_required
@roles_required(*rules.ENTERPRISE_WRITER_ROLES)
def new(request):
    _enterprise_only(request)
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
        ctx["documents"] = _enterprise_documents(app)
    ctx["withdrawable"] = writer and app.status in OPEN_STATES
    return ctx


@login_required
def detail(request, pk: int):
    _enterprise_only(request)
    app = _readable(request, pk)
    return render(request, "applications/detail.html", _detail_context(request, app))


@login_required
@require_POST
def autosave(request, pk: int):
    """htmx: save the draft as the person types; answers the form's messages and the pre-check panel."""
    _enterprise_only(request)
    app = _readable(request, pk)
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
    app = _readable(request, pk)
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
    app = _readable(request, pk)
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
    app = _readable(request, pk)
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
    app = _readable(request, pk)
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

"""Pages of the enterprise portal: the enterprise's home, profile (with talent team and shareholders), IP
portfolio and documents; and the department's queue of enterprises waiting for identity verification.

The enterprise pages serve the caller's own enterprise only (no id in their URLs); an object id that is not
the caller's answers 404, through the scoped selectors. A role that may not use a page gets 403. Each kind of
record (``Records``) declares its form, page, services and messages; saving and removing are written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance.core.errors import DomainError
from finance.parties.models import OrgKind, Role
from finance.web.navigation import items_for
from finance.web.permissions import roles_required

from . import selectors, services
from .forms import (
    DocumentForm,
    IPRightForm,
    PortalForm,
    ProfileForm,
    RejectForm,
    ShareholderForm,
    TalentMemberForm,
)
from .models import DocumentKind

#: Roles of an enterprise's people who see its portal (``viewer`` reads only).
READER_ROLES = ("applicant", "org_admin", "viewer")


def message_of(exc: DomainError) -> str:
    """The error in the page's language (the DomainError carries both)."""
    return exc.detail_zh if (get_language() or "zh-hans").startswith("zh") else exc.detail_en


def _enterprise(request):
    """The caller's own enterprise, or 403 for anyone who is not one of its people."""
    user = request.user
    org = user.organisation if user.organisation_id else None
    if org is None or org.kind != OrgKind.ENTERPRISE or not user.has_role(*READER_ROLES):
        raise PermissionDenied
    return org


def _may_edit(user) -> bool:
    return user.has_role(*services.WRITER_ROLES)


def _writer(request):
    org = _enterprise(request)
    if not _may_edit(request.user):
        raise PermissionDenied
    return org


def _apply_error(form, exc: DomainError) -> None:
    """Show a service's error on the input it names (and at the top when it names none of the form's)."""
    form.is_valid()
    form.add_error(exc.field if exc.field in form.fields else None, message_of(exc))
    form.mark_invalid()


def _verified(org) -> bool | None:
    return getattr(org, "is_verified", None)


@login_required
def home(request):
    org = _enterprise(request)
    profile = selectors.profile_of(org)
    documents = selectors.documents_of(org)
    licence = documents.filter(kind=DocumentKind.BUSINESS_LICENCE).exists()
    return render(
        request,
        "portal/home.html",
        {
            "org": org,
            "profile": profile,
            "completeness": selectors.profile_completeness(profile),
            "verified": _verified(org),
            "verification_note": getattr(org, "verification_note", ""),
            "ip_count": selectors.ip_right_count(org),
            "documents": documents[:5],
            "document_count": documents.count(),
            "has_licence": licence,
            "talent_count": selectors.talent_members_of(org).count(),
            "shareholder_count": selectors.shareholders_of(org).count(),
            "application_links": [
                i for i in items_for(request.user) if i["url"].startswith("/applications/")
            ],
        },
    )


@dataclass(frozen=True)
class Records:
    """One kind of the enterprise's records on its pages: only what differs between the kinds. The rules they
    share are written once, in ``_save`` and ``_remove``."""

    form: Callable[..., PortalForm]  # (POST, FILES) → its form, under its prefix; no arguments: an empty one
    page: str  # the URL name of its page
    render: Callable  # (request, org, status=, **{context: form}) → its page
    save: Callable  # (organisation, by, cleaned_data) → the record, through its service
    saved: Callable[[Any], str]  # the message once saved
    context: str = "form"  # the form's name in its page
    fetch: Callable | None = None  # (user, pk) → one record through the caller's scope (else 404)
    remove: Callable | None = None  # (record, by) through its service
    removed: Callable[[Any], str] | None = None  # the message once removed


def _save(request, records: Records):
    """Write one record of the caller's own enterprise. The service checks every input: a refusal (nothing
    written) shows on the input it names, in the page's language, and the page answers 400."""
    org = _writer(request)
    form = records.form(request.POST, request.FILES)
    if form.is_valid():
        try:
            record = records.save(org, request.user, form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, records.saved(record))
            return redirect(records.page)
    form.mark_invalid()
    return records.render(request, org, status=400, **{records.context: form})


def _remove(request, records: Records, pk: int):
    """Remove one record of the caller's own enterprise; another enterprise's answers 404."""
    _writer(request)
    record = records.fetch(request.user, pk)
    if record.organisation_id != request.user.organisation_id:
        raise Http404
    records.remove(record, request.user)
    messages.success(request, records.removed(record))
    return redirect(records.page)


def _named(view, name: str):
    view.__name__ = view.__qualname__ = name
    return view


def _page_view(records: Records, name: str):
    """A page with its form: GET shows it, POST saves the form (the profile, the IP portfolio, documents)."""

    @login_required
    def view(request):
        org = _enterprise(request)
        if request.method == "POST":
            return _save(request, records)
        return records.render(request, org)

    return _named(view, name)


def _add_view(records: Records, name: str):
    """POST only: add a record shown on another page (the talent team, the shareholders)."""

    @login_required
    @require_POST
    def view(request):
        return _save(request, records)

    return _named(view, name)


def _remove_view(records: Records, name: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        return _remove(request, records, pk)

    return _named(view, name)


def _profile_page(request, org, *, form=None, talent_form=None, shareholder_form=None, status=200):
    profile = selectors.profile_of(org)
    initial = {f: getattr(profile, f) for f in ProfileForm.base_fields}
    initial = {
        k: ("" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v))
        for k, v in initial.items()
    }
    return render(
        request,
        "portal/profile.html",
        {
            "org": org,
            "profile": profile,
            "completeness": selectors.profile_completeness(profile),
            "form": form or ProfileForm(initial=initial, prefix="profile"),
            "talent_form": talent_form or TALENT.form(),
            "shareholder_form": shareholder_form or SHAREHOLDERS.form(),
            "talent_members": selectors.talent_members_of(org),
            "shareholders": selectors.shareholders_of(org),
            "may_edit": _may_edit(request.user),
        },
        status=status,
    )


def _ip_page(request, org, *, form=None, status=200):
    context = {"rights": selectors.ip_rights_of(org), "form": form or IP_RIGHTS.form()}
    return _list_page(request, org, "portal/ip_rights.html", context, status)


def _documents_page(request, org, *, form=None, status=200):
    context = {"documents": selectors.documents_of(org), "form": form or DOCUMENTS.form()}
    return _list_page(request, org, "portal/documents.html", context, status)


def _list_page(request, org, template: str, context: dict, status: int):
    context = {"org": org, **context, "may_edit": _may_edit(request.user)}
    return render(request, template, context, status=status)


def _max_mb() -> int:
    return max(1, settings.KEJIN_UPLOAD_MAX_BYTES // (1024 * 1024))


# Services and selectors are looked up when called, so a test that patches one reaches the pages too.
PROFILE = Records(
    form=lambda *data: ProfileForm(*data, prefix="profile"),
    page="portal:profile",
    render=_profile_page,
    save=lambda org, by, data: services.profile_save(organisation=org, by=by, data=data),
    saved=lambda profile: _("The profile is saved."),
)
TALENT = Records(
    form=lambda *data: TalentMemberForm(*data, prefix="talent"),
    context="talent_form",
    page="portal:profile",
    render=_profile_page,
    save=lambda org, by, data: services.talent_member_add(organisation=org, by=by, **data),
    saved=lambda member: _("The team member is added."),
    fetch=lambda user, pk: selectors.talent_member_for(user, pk),
    remove=lambda member, by: services.talent_member_remove(member=member, by=by),
    removed=lambda member: _("The team member is removed."),
)
SHAREHOLDERS = Records(
    form=lambda *data: ShareholderForm(*data, prefix="holder"),
    context="shareholder_form",
    page="portal:profile",
    render=_profile_page,
    save=lambda org, by, data: services.shareholder_add(organisation=org, by=by, **data),
    saved=lambda holder: _("The shareholder is added."),
    fetch=lambda user, pk: selectors.shareholder_for(user, pk),
    remove=lambda holder, by: services.shareholder_remove(shareholder=holder, by=by),
    removed=lambda holder: _("The shareholder is removed."),
)
IP_RIGHTS = Records(
    form=lambda *data: IPRightForm(*data, prefix="ip"),
    page="portal:ip",
    render=_ip_page,
    save=lambda org, by, data: services.ip_right_add(organisation=org, by=by, **data),
    saved=lambda right: _("%(number)s is added to the portfolio.") % {"number": right.number},
    fetch=lambda user, pk: selectors.ip_right_for(user, pk),
    remove=lambda right, by: services.ip_right_remove(right=right, by=by),
    removed=lambda right: _("%(number)s is removed from the portfolio.") % {"number": right.number},
)
DOCUMENTS = Records(
    form=lambda *data: DocumentForm(*data, prefix="doc", max_mb=_max_mb()),
    page="portal:documents",
    render=_documents_page,
    save=lambda org, by, data: services.document_upload(
        organisation=org, kind=data["kind"], upload=data["file"], by=by
    ),
    saved=lambda document: _("%(name)s is uploaded.") % {"name": document.original_name},
    fetch=lambda user, pk: selectors.document_for(user, pk),
    remove=lambda document, by: services.document_delete(document=document, by=by),
    removed=lambda document: _("%(name)s is deleted.") % {"name": document.original_name},
)


profile = _page_view(PROFILE, "profile")
talent_add = _add_view(TALENT, "talent_add")
talent_remove = _remove_view(TALENT, "talent_remove")
shareholder_add = _add_view(SHAREHOLDERS, "shareholder_add")
shareholder_remove = _remove_view(SHAREHOLDERS, "shareholder_remove")
ip_rights = _page_view(IP_RIGHTS, "ip_rights")
ip_remove = _remove_view(IP_RIGHTS, "ip_remove")
documents = _page_view(DOCUMENTS, "documents")
document_delete = _remove_view(DOCUMENTS, "document_delete")


@login_required
def document_download(request, pk: int):
    """The file, for the enterprise's own people and oversight roles only (anyone else: 404)."""
    return document_response(selectors.document_for(request.user, pk))


def document_response(document):
    """A stored document as an attachment with the person's file name (RFC 5987 for Chinese names), never
    sniffed into HTML; callers check scope first (the applications' reviewers download through it too)."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the department's verification queue


@login_required
@roles_required(Role.DEPARTMENT_REVIEWER)
def verification_list(request):
    queue = list(selectors.verification_queue())
    licensed = set(selectors.documents_with_licence([o.pk for o in queue]))
    for org in queue:
        org.has_licence = org.pk in licensed
    return render(request, "portal/verification_list.html", {"queue": queue})


@login_required
@roles_required(Role.DEPARTMENT_REVIEWER)
def verification_detail(request, pk: int):
    """An enterprise's identity facts, profile and licence; confirm it, or refuse with a reason (the parties'
    services decide and audit)."""
    org = selectors.enterprise_for_review(pk)
    reject_form = RejectForm(prefix="reject")
    status = 200
    if request.method == "POST":
        from finance.parties.services import enterprise_verification_reject, enterprise_verify

        action = request.POST.get("action", "")
        try:
            if action == "verify":
                enterprise_verify(organisation=org, by=request.user, note=request.POST.get("note", "")[:500])
                messages.success(request, _("%(name)s is verified.") % {"name": org.name})
                return redirect("portal:verification-list")
            if action == "reject":
                reject_form = RejectForm(request.POST, prefix="reject")
                reject_form.is_valid()
                enterprise_verification_reject(
                    organisation=org, by=request.user, reason=reject_form.cleaned_data.get("reason", "")
                )
                messages.success(
                    request,
                    _("%(name)s is not confirmed; the enterprise sees the reason.") % {"name": org.name},
                )
                return redirect("portal:verification-list")
            messages.error(request, _("Choose confirm or refuse."))
        except DomainError as exc:
            if action == "reject":
                _apply_error(
                    reject_form,
                    DomainError(exc.detail_zh, exc.detail_en, code=exc.code, field="reason")
                    if exc.field in (None, "reason")
                    else exc,
                )
            messages.error(request, message_of(exc))
        status = 400
        org.refresh_from_db()
    profile = selectors.profile_of(org)
    return render(
        request,
        "portal/verification_detail.html",
        {
            "org": org,
            "profile": profile,
            "completeness": selectors.profile_completeness(profile),
            "licences": selectors.documents_of(org, kinds=[DocumentKind.BUSINESS_LICENCE]),
            "documents": selectors.documents_of(org).exclude(kind=DocumentKind.BUSINESS_LICENCE),
            "ip_count": selectors.ip_right_count(org),
            "reject_form": reject_form,
        },
        status=status,
    )

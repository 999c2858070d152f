"""Pages of the enterprise portal: the enterprise's home, profile (with talent team and shareholders), IP
portfolio and documents; and the department's queue of enterprises waiting for identity verification.

The enterprise pages serve the caller's own enterprise only (no id in their URLs); an object id that is not
the caller's answers 404, through the scoped selectors. A role that may not use a page gets 403.
"""

from __future__ import annotations

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
from finance.parties.models import OrgKind
from finance.web.navigation import items_for

from . import selectors, services
from .forms import DocumentForm, IPRightForm, ProfileForm, RejectForm, ShareholderForm, TalentMemberForm
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
            "talent_form": talent_form or TalentMemberForm(prefix="talent"),
            "shareholder_form": shareholder_form or ShareholderForm(prefix="holder"),
            "talent_members": selectors.talent_members_of(org),
            "shareholders": selectors.shareholders_of(org),
            "may_edit": _may_edit(request.user),
        },
        status=status,
    )


@login_required
def profile(request):
    org = _enterprise(request)
    if request.method != "POST":
        return _profile_page(request, org)
    org = _writer(request)
    form = ProfileForm(request.POST, prefix="profile")
    if form.is_valid():
        try:
            services.profile_save(organisation=org, by=request.user, data=form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("portal:profile")
    form.mark_invalid()
    return _profile_page(request, org, form=form, status=400)


@login_required
@require_POST
def talent_add(request):
    org = _writer(request)
    form = TalentMemberForm(request.POST, prefix="talent")
    if form.is_valid():
        try:
            services.talent_member_add(organisation=org, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The team member is added."))
            return redirect("portal:profile")
    form.mark_invalid()
    return _profile_page(request, org, talent_form=form, status=400)


@login_required
@require_POST
def talent_remove(request, pk: int):
    _writer(request)
    member = selectors.talent_member_for(request.user, pk)
    if member.organisation_id != request.user.organisation_id:
        raise Http404
    services.talent_member_remove(member=member, by=request.user)
    messages.success(request, _("The team member is removed."))
    return redirect("portal:profile")


@login_required
@require_POST
def shareholder_add(request):
    org = _writer(request)
    form = ShareholderForm(request.POST, prefix="holder")
    if form.is_valid():
        try:
            services.shareholder_add(organisation=org, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The shareholder is added."))
            return redirect("portal:profile")
    form.mark_invalid()
    return _profile_page(request, org, shareholder_form=form, status=400)


@login_required
@require_POST
def shareholder_remove(request, pk: int):
    _writer(request)
    holder = selectors.shareholder_for(request.user, pk)
    if holder.organisation_id != request.user.organisation_id:
        raise Http404
    services.shareholder_remove(shareholder=holder, by=request.user)
    messages.success(request, _("The shareholder is removed."))
    return redirect("portal:profile")


@login_required
def ip_rights(request):
    org = _enterprise(request)
    form, status = IPRightForm(prefix="ip"), 200
    if request.method == "POST":
        org = _writer(request)
        form = IPRightForm(request.POST, prefix="ip")
        if form.is_valid():
            try:
                right = services.ip_right_add(organisation=org, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(
                    request, _("%(number)s is added to the portfolio.") % {"number": right.number}
                )
                return redirect("portal:ip")
        form.mark_invalid()
        status = 400
    return render(
        request,
        "portal/ip_rights.html",
        {
            "org": org,
            "rights": selectors.ip_rights_of(org),
            "form": form,
            "may_edit": _may_edit(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def ip_remove(request, pk: int):
    _writer(request)
    right = selectors.ip_right_for(request.user, pk)
    if right.organisation_id != request.user.organisation_id:
        raise Http404
    services.ip_right_remove(right=right, by=request.user)
    messages.success(request, _("%(number)s is removed from the portfolio.") % {"number": right.number})
    return redirect("portal:ip")


def _max_mb() -> int:
    return max(1, settings.KEJIN_UPLOAD_MAX_BYTES // (1024 * 1024))


@login_required
def documents(request):
    org = _enterprise(request)
    form, status = DocumentForm(prefix="doc", max_mb=_max_mb()), 200
    if request.method == "POST":
        org = _writer(request)
        form = DocumentForm(request.POST, request.FILES, prefix="doc", max_mb=_max_mb())
        if form.is_valid():
            try:
                document = services.document_upload(
                    organisation=org,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                    by=request.user,
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("%(name)s is uploaded.") % {"name": document.original_name})
                return redirect("portal:documents")
        form.mark_invalid()
        status = 400
    return render(
        request,
        "portal/documents.html",
        {
            "org": org,
            "documents": selectors.documents_of(org),
            "form": form,
            "may_edit": _may_edit(request.user),
        },
        status=status,
    )


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


@login_required
@require_POST
def document_delete(request, pk: int):
    _writer(request)
    document = selectors.document_for(request.user, pk)
    if document.organisation_id != request.user.organisation_id:
        raise Http404
    services.document_delete(document=document, by=request.user)
    messages.success(request, _("%(name)s is deleted.") % {"name": document.original_name})
    return redirect("portal:documents")


# ---------------------------------------------------------------- the department's verification queue


def _reviewer(request) -> None:
    if not request.user.has_role("department_reviewer"):
        raise PermissionDenied


@login_required
def verification_list(request):
    _reviewer(request)
    queue = list(selectors.verification_queue())
    licensed = set(selectors.documents_with_licence([o.pk for o in queue]))
    for org in queue:
        org.has_licence = org.pk in licensed
    return render(request, "portal/verification_list.html", {"queue": queue})


@login_required
def verification_detail(request, pk: int):
    """An enterprise's identity facts, profile and licence; confirm it, or refuse with a reason (the parties'
    services decide and audit)."""
    _reviewer(request)
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

"""Identity pages: enterprise sign-up helpers, people and invitations, API keys, authenticator enrolment.

Each page checks the role first (403), then finds the object in the caller's organisation only (another
organisation's user or key answers 404). People and key pages also demand the second factor when the
deployment requires it (they live under /accounts/, which the site-wide middleware leaves alone).
"""
from __future__ import annotations

import base64
import functools

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from finance.calc import CalcError, check_uscc
from finance.core.errors import DomainError
from finance.web.permissions import roles_required

from . import services
from .forms import ApiKeyExpiryForm, ApiKeyForm, InvitationAcceptForm, InviteForm, OtpConfirmForm
from .models import APPROVER_ROLES, IdentityAction, Role, is_shandong_uscc
from .rules import (
    AUTHENTICATOR_ROLES,
    PEOPLE_MANAGER_ROLES,
    grantable_roles,
    may_manage_api_keys,
    needs_second_factor,
)
from .selectors import (
    api_key_for,
    api_keys_of,
    identity_events_of,
    invitations_open,
    people_of,
    person_for,
    role_requests_pending,
)


def _message(exc: DomainError) -> str:
    return exc.detail_zh if (get_language() or "zh-hans").startswith("zh") else exc.detail_en


def _guarded(predicate=None, *, roles=()):
    """Login, the roles (403; through ``roles_required``, so ``{% can %}`` reads them) or a finer
    ``predicate`` (403), and, where the deployment requires it, the second factor."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if predicate is not None and not predicate(request.user):
                raise HttpForbidden
            if needs_second_factor(request.user):
                return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.path})}")
            return view(request, *args, **kwargs)
        return login_required(roles_required(*roles)(wrapper) if roles else wrapper)
    return decorate


# ---------------------------------------------------------------- sign-up helper


def uscc_check(request):
    """The sign-up form asks, as the code is typed, whether it is valid and registered in Shandong."""
    code = request.GET.get("uscc", "").strip()
    context = {"code": code}
    if code:
        try:
            context["normalised"] = check_uscc(code)
            context["shandong"] = is_shandong_uscc(context["normalised"])
        except CalcError as exc:
            context["error"] = exc.message_zh if (get_language() or "zh").startswith("zh") else exc.message_en
    return render(request, "parties/_uscc_check.html", context)


# ---------------------------------------------------------------- people


def _invite_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("accounts:invitation-accept", kwargs={"token": token}))


@_guarded(roles=PEOPLE_MANAGER_ROLES)
def people(request):
    org = request.user.organisation
    roles = grantable_roles(request.user, org)
    form = InviteForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = services.invitation_create(organisation=org, email=form.cleaned_data["email"],
                                                           roles=form.cleaned_data["roles"], by=request.user)
            services.invitation_send(invitation=invitation, url=_invite_url(request, token))
        except DomainError as exc:
            form.add_error("roles" if exc.field == "roles" or exc.code == "role_not_grantable" else "email",
                           _message(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:people")
    platform_admin = request.user.has_role(Role.ADMINISTRATOR)
    requests = list(role_requests_pending(None if platform_admin else org))
    return render(request, "parties/people.html", {
        "org": org, "people": people_of(org), "form": form, "invitations": invitations_open(org),
        "requests": requests, "events": identity_events_of(org, limit=50),
        "second_admin_roles": [Role(r).label for r in sorted(APPROVER_ROLES)],
    })


@_guarded(roles=PEOPLE_MANAGER_ROLES)
def person(request, pk: int):
    member = person_for(request.user, pk)
    org = request.user.organisation
    if request.method == "POST":
        action, role = request.POST.get("action", ""), request.POST.get("role", "")
        try:
            if action == "grant":
                outcome = services.member_role_grant(user=member, role=role, by=request.user)
                messages.success(request, {
                    "granted": _("Role granted."),
                    "requested": _("Requested: another administrator must confirm this role."),
                    "held": _("The user already holds or awaits this role."),
                }[outcome])
            elif action == "revoke":
                services.member_role_revoke(user=member, role=role, by=request.user)
                messages.success(request, _("Role revoked."))
            elif action in ("deactivate", "reactivate"):
                services.member_set_active(user=member, active=action == "reactivate", by=request.user)
                messages.success(request, _("User reactivated.") if action == "reactivate"
                                 else _("User deactivated: their logins and sessions stop now."))
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as exc:
            messages.error(request, _message(exc))
        return redirect("accounts:person", pk=member.pk)
    held = set(member.role_grants.values_list("role", flat=True))
    pending = set(member.role_requests.filter(status="pending").values_list("role", flat=True))
    return render(request, "parties/person.html", {
        "member": member, "org": org,
        "held": [Role(r) for r in Role if r in held],
        "grantable": [Role(r) for r in grantable_roles(request.user, org) if r not in held | pending],
        "pending": [Role(r) for r in Role if r in pending],
        "events": identity_events_of(org, user=member),
        "second_admin_roles": APPROVER_ROLES,
    })


@_guarded(roles=PEOPLE_MANAGER_ROLES)
@require_POST
def role_request_decide(request, pk: int):
    platform_admin = request.user.has_role(Role.ADMINISTRATOR)  # the second administrator of last resort
    scope = None if platform_admin else request.user.organisation
    role_request = get_object_or_404(role_requests_pending(scope), pk=pk)
    try:
        services.role_request_decide(request=role_request, by=request.user,
                                     confirm=request.POST.get("decision") == "confirm")
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("accounts:people")


@_guarded(roles=PEOPLE_MANAGER_ROLES)
@require_POST
def invitation_cancel(request, pk: int):
    invitation = get_object_or_404(invitations_open(request.user.organisation_id or -1), pk=pk)
    services.invitation_cancel(invitation=invitation, by=request.user)
    messages.success(request, _("Invitation cancelled."))
    return redirect("accounts:people")


def invitation_accept(request, token: str):
    """The invited person chooses a username and password (no login needed: the link is the proof)."""
    try:
        invitation = services.invitation_by_token(token)
    except DomainError:
        raise Http404 from None
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(token=token, username=form.cleaned_data["username"],
                                       password=form.cleaned_data["password1"],
                                       display_name=form.cleaned_data["display_name"])
        except DomainError as exc:
            field = {"password": "password1"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, _message(exc))
        else:
            messages.success(request, _("Welcome! Your account is ready: log in with your new username."))
            return redirect("login")
    return render(request, "parties/invitation_accept.html", {
        "invitation": invitation, "form": form, "roles": [Role(r).label for r in invitation.roles]})


# ---------------------------------------------------------------- API keys


@_guarded(may_manage_api_keys)
def api_keys(request):
    org = request.user.organisation
    form = ApiKeyForm(request.POST or None)
    plain = None
    if request.method == "POST" and form.is_valid():
        try:
            _, plain = services.api_key_create(organisation=org, name=form.cleaned_data["name"],
                                               expiry_date=form.cleaned_data["expiry_date"], by=request.user)
        except DomainError as exc:
            form.add_error(None, _message(exc))
        else:
            form = ApiKeyForm()
    keys = api_keys_of(org)
    return render(request, "parties/api_keys.html", {
        "org": org, "form": form, "keys": keys, "plain": plain, "expiry_form": ApiKeyExpiryForm(),
        "events": [e for e in identity_events_of(org, limit=200)
                   if e.action in (IdentityAction.API_KEY_CREATED, IdentityAction.API_KEY_REVOKED,
                                   IdentityAction.API_KEY_EXPIRY_SET)][:30],
    })


@_guarded(may_manage_api_keys)
@require_POST
def api_key_action(request, prefix: str):
    key = api_key_for(request.user, prefix)
    action = request.POST.get("action", "")
    try:
        if action == "revoke":
            services.api_key_revoke(api_key=key, by=request.user)
            messages.success(request, _("Key revoked: it is refused from now on."))
        elif action == "expiry":
            form = ApiKeyExpiryForm(request.POST)
            if not form.is_valid():
                raise DomainError("到期时间格式不正确", "the expiry is not a valid date and time",
                                  code="invalid_date", field="expiry_date")
            services.api_key_set_expiry(api_key=key, expiry_date=form.cleaned_data["expiry_date"],
                                        by=request.user)
            messages.success(request, _("Expiry saved."))
        else:
            messages.error(request, _("Unknown action."))
    except DomainError as exc:
        messages.error(request, _message(exc))
    return redirect("accounts:api-keys")


# ---------------------------------------------------------------- authenticator enrolment


@login_required
@roles_required(*AUTHENTICATOR_ROLES)
def otp_enrol(request):
    """Scan the QR code (or type the key) into an authenticator app, then confirm with its first code. A user
    who already has an authenticator must pass it in this session before replacing it."""
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.path})}")
    device = services.otp_device_pending(user=request.user)
    form = OtpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_device_confirm(user=request.user, token=form.cleaned_data["token"])
        except DomainError as exc:
            form.add_error("token", _message(exc))
        else:
            otp_login(request, device)
            messages.success(request, _("Authenticator enrolled: you will be asked for its code at login."))
            return redirect("home")
    url = device.config_url
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff",
                                               title=_("QR code for the authenticator"))
    return render(request, "parties/otp_enrol.html", {
        "form": form, "qr": qr, "config_url": url, "has_device": user_has_device(request.user),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),  # for typing instead of scanning
    })

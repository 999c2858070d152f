"""Invitations by email: an organisation administrator invites a colleague, the link (its token stored
only as a hash) lets them choose a username and password once. The email leaves by a Celery task queued on
commit (``finance.parties.tasks``)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation

from finance.core.errors import DomainError, NotFound
from finance.core.locks import lock

from .. import tasks
from ..models import (
    SECOND_ADMIN_ROLES,
    IdentityAction,
    Invitation,
    Organisation,
    RoleGrant,
    RoleRequest,
    User,
)
from ._common import _check_admin_of, _check_grantable, _check_new_user, _event
from .roles import check_role_fits


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, roles: list[str],
                      by: User) -> tuple[Invitation, str]:
    """Invite ``email`` to join ``organisation`` with ``roles`` (those its kind allows); returns the
    invitation and the token for the link (shown in the email only). Open for KEJIN_INVITATION_DAYS days."""
    _check_admin_of(by, organisation)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("邮箱格式不正确", "the email address is not valid", code="invalid_email",
                          field="email") from None
    roles = sorted(set(roles or []))
    if not roles:
        raise DomainError("请至少选择一个角色", "choose at least one role", code="required", field="roles")
    for role in roles:
        _check_grantable(by, organisation, role)
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=settings.KEJIN_INVITATION_DAYS)
    invitation = Invitation.objects.create(organisation=organisation, email=email, roles=roles,
                                           token_hash=_token_hash(token), created_by=by,
                                           expires_at=expires_at)
    _event(organisation, IdentityAction.INVITATION_SENT, by=by, note=email)
    return invitation, token


def invitation_send(*, invitation: Invitation, url: str) -> None:
    """Queue the invitation email for when the invitation is committed: a Celery task sends it, so a slow or
    failing mail server neither slows nor fails the request, and an invitation rolled back sends nothing.
    The link (``url``, with the token: only its hash is stored) travels in the task's arguments, with the
    request's language for the email."""
    pk, language = invitation.pk, translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: tasks.invitation_email.delay(pk, url, language))


def invitation_by_token(token: str) -> Invitation:
    """The open invitation of ``token``; used, cancelled, expired and unknown tokens all answer 404."""
    invitation = (Invitation.objects.select_related("organisation", "created_by")
                  .filter(token_hash=_token_hash(token or ""), accepted_at__isnull=True,
                          cancelled_at__isnull=True, expires_at__gt=timezone.now()).first())
    if invitation is None:
        raise NotFound("邀请", "invitation")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str, display_name: str = "") -> User:
    """Create the invited user with the invitation's roles. Roles that carry approval power
    (SECOND_ADMIN_ROLES) become requests a second administrator confirms. The email is verified by the act of
    following the link."""
    invitation = invitation_by_token(token)
    org = lock(Organisation, invitation.organisation_id)  # serialises the acceptances of one organisation
    invitation = invitation_by_token(token)  # still open once we hold the lock
    if not org.is_active:
        raise DomainError("该机构已停用", "the organisation is deactivated", code="organisation_inactive")
    username = (username or "").strip()
    _check_new_user(username=username, email=invitation.email, password=password)
    user = User.objects.create_user(username=username, password=password, email=invitation.email,
                                    organisation=org, display_name=(display_name or "").strip())
    inviter = invitation.created_by
    for role in invitation.roles:
        check_role_fits(role, org)
        if role in SECOND_ADMIN_ROLES:
            RoleRequest.objects.create(user=user, role=role, requested_by=inviter)
            _event(org, IdentityAction.ROLE_REQUESTED, by=inviter, user=user, role=role)
        else:
            RoleGrant.objects.create(user=user, role=role, org_kind=org.kind)
            _event(org, IdentityAction.ROLE_GRANTED, by=inviter, user=user, role=role)
    invitation.accepted_at, invitation.accepted_user = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    _event(org, IdentityAction.INVITATION_ACCEPTED, by=user, user=user, note=invitation.email)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=invitation.email, primary=True, verified=True)
    return user


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, by: User) -> None:
    _check_admin_of(by, invitation.organisation)
    if invitation.accepted_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        _event(invitation.organisation, IdentityAction.INVITATION_CANCELLED, by=by, note=invitation.email)

"""An organisation administrator manages colleagues: grant (approval power only requested, confirmed by a
second administrator), revoke, the second administrator's decision, deactivation. Every change is audited."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from finance.core.errors import DomainError, PermissionDenied
from finance.core.locks import lock

from ..models import (
    SECOND_ADMIN_ROLES,
    IdentityAction,
    Organisation,
    Role,
    RoleRequest,
    RoleRequestStatus,
    User,
)
from ._common import _check_admin_of, _check_grantable, _event
from .roles import role_grant, role_revoke


@transaction.atomic
def member_role_grant(*, user: User, role: str, by: User) -> str:
    """An administrator gives a colleague a role. Approval power (SECOND_ADMIN_ROLES) is only requested here
    and granted when a second administrator confirms it (``role_request_decide``). Returns ``"granted"``,
    ``"requested"`` or ``"held"`` (already held or already requested)."""
    org = user.organisation
    _check_admin_of(by, org)
    _check_grantable(by, org, role)
    if user.role_grants.filter(role=role).exists() or user.role_requests.filter(
            role=role, status=RoleRequestStatus.PENDING).exists():
        return "held"
    if role in SECOND_ADMIN_ROLES:
        RoleRequest.objects.create(user=user, role=role, requested_by=by)
        _event(org, IdentityAction.ROLE_REQUESTED, by=by, user=user, role=role)
        return "requested"
    role_grant(user=user, role=role)
    _event(org, IdentityAction.ROLE_GRANTED, by=by, user=user, role=role)
    return "granted"


def _other_admin_exists(user: User) -> bool:
    return (User.objects.filter(organisation_id=user.organisation_id, is_active=True,
                                role_grants__role=Role.ORG_ADMIN).exclude(pk=user.pk).exists())


@transaction.atomic
def member_role_revoke(*, user: User, role: str, by: User) -> bool:
    """Take a role away (audited). The last active organisation administrator keeps that role: the
    organisation would have nobody to manage its people."""
    org = user.organisation
    _check_admin_of(by, org)
    if role == Role.ORG_ADMIN and user.has_role(Role.ORG_ADMIN) and not _other_admin_exists(user):
        raise DomainError("不能撤销最后一位机构管理员的管理员角色",
                          "the last organisation administrator keeps the role",
                          code="last_org_admin", field="role", status=409)
    if role == Role.ADMINISTRATOR and not by.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied("只有平台管理员可以撤销平台管理员角色",
                               "only a platform administrator revokes that role",
                               code="role_not_grantable")
    held = role_revoke(user=user, role=role)
    if held:
        if role == Role.ADMINISTRATOR:
            User.objects.filter(pk=user.pk).update(is_staff=False, is_superuser=False)
        _event(org, IdentityAction.ROLE_REVOKED, by=by, user=user, role=role)
    return held


@transaction.atomic
def role_request_decide(*, request: RoleRequest, by: User, confirm: bool) -> RoleRequest:
    """The second administrator confirms (the role is granted) or refuses a request for approval power. The
    requester, and the person who would get the role, cannot decide it."""
    from finance.approvals.services import state_change

    org = lock(Organisation, request.user.organisation_id)  # serialises the decisions of one organisation
    request = RoleRequest.objects.select_related("user", "requested_by").get(pk=request.pk)
    if request.status != RoleRequestStatus.PENDING:
        raise DomainError("该申请已处理", "the request is already decided", code="already_decided",
                          status=409)
    platform_admin = by is not None and by.has_role(Role.ADMINISTRATOR)
    if not platform_admin:
        _check_admin_of(by, org)
    if by.pk in (request.requested_by_id, request.user_id):
        raise PermissionDenied("授予审批权限需由另一位管理员确认",
                               "a second administrator must confirm a grant of approval power",
                               code="same_administrator")
    if request.role == Role.ADMINISTRATOR and not platform_admin:
        raise PermissionDenied("只有平台管理员可以确认平台管理员角色",
                               "only a platform administrator confirms that role",
                               code="role_not_grantable")
    request.decided_by, request.decided_at = by, timezone.now()
    state_change(request, to=RoleRequestStatus.CONFIRMED if confirm else RoleRequestStatus.REFUSED, by=by,
                 also=("decided_by", "decided_at"))
    if confirm:
        role_grant(user=request.user, role=request.role)
        if request.role == Role.ADMINISTRATOR:
            User.objects.filter(pk=request.user_id).update(is_staff=True, is_superuser=True)
        _event(org, IdentityAction.ROLE_GRANTED, by=by, user=request.user, role=request.role,
               note=f"requested by {request.requested_by}")
    else:
        _event(org, IdentityAction.ROLE_REQUEST_REFUSED, by=by, user=request.user, role=request.role)
    return request


@transaction.atomic
def member_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate (or reactivate) a colleague: their logins and open sessions stop at once
    (backends.ActiveOrganisationBackend). Nobody deactivates themselves."""
    _check_admin_of(by, user.organisation)
    if user.pk == by.pk:
        raise DomainError("不能停用自己的账户", "you cannot deactivate yourself", code="self_deactivation",
                          status=409)
    if not active and user.has_role(Role.ORG_ADMIN) and not _other_admin_exists(user):
        raise DomainError("不能停用最后一位机构管理员", "the last organisation administrator stays active",
                          code="last_org_admin", status=409)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        action = IdentityAction.USER_REACTIVATED if active else IdentityAction.USER_DEACTIVATED
        _event(user.organisation, action, by=by, user=user)
    return user

"""Users and roles as the operators set them (management commands, demo, API keys' system users): the
role ↔ organisation kind rule, grant, revoke, user creation. Not audited; the administrators' own changes
go through ``people``."""
from __future__ import annotations

import secrets

from django.db import transaction

from finance.core.errors import DomainError

from ..models import ROLE_ORG_KINDS, Organisation, Role, RoleGrant, User


def check_role_fits(role: str, organisation: Organisation | None) -> None:
    """Role ↔ organisation kind (ROLE_ORG_KINDS); the database enforces the same rule
    (role_grant_fits_org_kind)."""
    if role not in Role.values:
        raise DomainError(f"未知角色：{role}", f"unknown role: {role}", code="invalid_role", field="role")
    if organisation is None or organisation.kind not in ROLE_ORG_KINDS[role]:
        kind_zh = organisation.get_kind_display() if organisation else "无"
        raise DomainError(
            f"角色 {Role(role).label} 不能授予 {kind_zh} 类机构的用户",
            f"role {role} cannot be held in an organisation of kind "
            f"{organisation.kind if organisation else 'none'}",
            code="role_not_allowed",
            field="role",
        )


@transaction.atomic
def role_grant(*, user: User, role: str) -> RoleGrant:
    """Give ``user`` a role that fits their organisation's kind (idempotent)."""
    check_role_fits(role, user.organisation)
    grant, _ = RoleGrant.objects.get_or_create(user=user, role=role,
                                               defaults={"org_kind": user.organisation.kind})
    user.__dict__.pop("_roles_cache", None)
    return grant


@transaction.atomic
def role_revoke(*, user: User, role: str) -> bool:
    """Take a role away; returns whether the user held it."""
    deleted, _ = RoleGrant.objects.filter(user=user, role=role).delete()
    user.__dict__.pop("_roles_cache", None)
    return bool(deleted)


@transaction.atomic
def user_create(*, organisation: Organisation, username: str, roles: list[str], password: str | None = None,
                display_name: str = "", email: str = "") -> tuple[User, str]:
    """Create a user holding ``roles`` in ``organisation``; returns the user and the (generated) password."""
    for role in roles:
        check_role_fits(role, organisation)
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名 {username} 已存在", f"username {username} already exists",
                          code="duplicate", field="username", status=409)
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username=username,
        password=password,
        organisation=organisation,
        display_name=display_name,
        email=email,
        is_staff=Role.ADMINISTRATOR in roles,
        is_superuser=Role.ADMINISTRATOR in roles,
    )
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r, org_kind=organisation.kind) for r in roles])
    return user, password

"""Helpers the workflows share: the identity history row, the checks of an organisation administrator's
request (people and invitations) and of a new user's credentials (registration and invitations)."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from finance.core.errors import DomainError, PermissionDenied

from ..models import IdentityEvent, Organisation, Role, User
from ..rules import grantable_roles, may_manage_people
from .roles import check_role_fits


def _event(organisation, action: str, *, by=None, user=None, role: str = "", note: str = "") -> IdentityEvent:
    return IdentityEvent.objects.create(organisation=organisation, action=action, by=by, user=user, role=role,
                                        note=note)


def _check_admin_of(by: User, organisation: Organisation) -> None:
    if by is None or not may_manage_people(by) or by.organisation_id != organisation.pk:
        raise PermissionDenied("只有本机构的管理员可以管理人员",
                               "only the organisation's administrators manage its people",
                               code="not_org_admin")


def _check_grantable(by: User, organisation: Organisation, role: str) -> None:
    check_role_fits(role, organisation)
    if role not in grantable_roles(by, organisation):
        raise PermissionDenied(f"您不能授予角色「{Role(role).label}」", f"you cannot grant the role {role}",
                               code="role_not_grantable", extra={"field": "roles"})


def _check_new_user(*, username: str, email: str, password: str) -> None:
    if not username:
        raise DomainError("请填写用户名", "a username is required", code="required", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(f"用户名 {username} 已被使用", f"username {username} is taken", code="duplicate",
                          field="username", status=409)
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("邮箱格式不正确", "the email address is not valid", code="invalid_email",
                          field="email") from None
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        raise DomainError("密码不符合要求：" + "；".join(exc.messages),
                          "the password is too weak: " + "; ".join(exc.messages),
                          code="weak_password", field="password") from None

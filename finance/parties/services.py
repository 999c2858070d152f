"""Writes for organisations, users, roles and API keys."""
from __future__ import annotations

import secrets

from django.db import transaction

from finance.core.errors import DomainError

from .models import (
    ROLE_ORG_KINDS,
    USCC_REQUIRED,
    Organisation,
    OrganisationAPIKey,
    OrgKind,
    Role,
    RoleGrant,
    User,
)
from .validators import validate_uscc

_KINDS = frozenset(OrgKind.values)  # OrgKind.values builds a new list on every read


def _check_kind(kind: str) -> None:
    if kind not in _KINDS:
        raise DomainError(
            f"未知的机构类型：{kind}", f"unknown organisation kind: {kind}", code="invalid_kind", field="kind"
        )


def _organisation_fields(
    *,
    kind: str,
    name: str,
    uscc: str | None = None,
    dept_level: str = "",
    region: str = "",
    tech_sme_number: str = "",
) -> dict:
    """The one validation of a new organisation (single and bulk): kind known, name given, credit code valid
    and required for the kinds in ``USCC_REQUIRED``. Returns the normalised model fields."""
    _check_kind(kind)
    name = (name or "").strip()
    if not name:
        raise DomainError("机构名称不能为空", "organisation name is required", code="required", field="name")
    if uscc:
        uscc = validate_uscc(uscc)
    elif kind in USCC_REQUIRED:
        raise DomainError(
            "该类机构必须填写统一社会信用代码",
            "this kind of organisation needs a unified social credit code",
            code="required",
            field="uscc",
        )
    return {"kind": kind, "name": name, "uscc": uscc or None, "dept_level": dept_level, "region": region,
            "tech_sme_number": tech_sme_number}


def _uscc_taken(uscc: str, *, listed_twice: bool = False) -> DomainError:
    if listed_twice:
        return DomainError(
            f"统一社会信用代码 {uscc} 重复出现",
            f"unified social credit code {uscc} is listed twice",
            code="duplicate",
            field="uscc",
            status=409,
            extra={"uscc": uscc},
        )
    return DomainError(
        f"统一社会信用代码 {uscc} 已登记",
        f"unified social credit code {uscc} is already registered",
        code="duplicate",
        field="uscc",
        status=409,
        extra={"uscc": uscc},
    )


def _check_not_registered(codes) -> None:
    """Refuse the first credit code (in sorted order) already held by an organisation."""
    codes = sorted(codes)
    for i in range(0, len(codes), 5000):
        taken = (Organisation.objects.filter(uscc__in=codes[i:i + 5000]).order_by("uscc")
                 .values_list("uscc", flat=True).first())
        if taken:
            raise _uscc_taken(taken)


@transaction.atomic
def organisation_create(*, kind: str, name: str, uscc: str | None = None, dept_level: str = "",
                        region: str = "", tech_sme_number: str = "") -> Organisation:
    fields = _organisation_fields(kind=kind, name=name, uscc=uscc, dept_level=dept_level, region=region,
                                  tech_sme_number=tech_sme_number)
    if fields["uscc"]:
        _check_not_registered([fields["uscc"]])
    return Organisation.objects.create(**fields)


@transaction.atomic
def organisation_create_bulk(*, kind: str, items) -> list[Organisation]:
    """Create many organisations of one ``kind`` (a bank file's new borrowers) with exactly the checks of
    ``organisation_create``, then one ``bulk_create``; returns them, with ids, in ``items`` order.

    ``items``: mappings with ``organisation_create``'s keywords (``name``, ``uscc``, ``dept_level``,
    ``region``, ``tech_sme_number``). The first refusal is raised (same code and field as
    ``organisation_create``, with ``extra["item"]`` = its index in ``items``) and nothing is written; a
    credit code listed twice or already
    registered is a 409 ``duplicate``.
    """
    _check_kind(kind)
    rows, where = [], {}
    for i, item in enumerate(items):
        try:
            fields = _organisation_fields(kind=kind, **item)
            code = fields["uscc"]
            if code and code in where:
                raise _uscc_taken(code, listed_twice=True)
        except DomainError as exc:
            exc.extra["item"] = i
            raise
        if code:
            where[code] = i
        rows.append(Organisation(**fields))
    try:
        _check_not_registered(where)
    except DomainError as exc:
        exc.extra["item"] = where[exc.extra["uscc"]]
        raise
    return Organisation.objects.bulk_create(rows, batch_size=2000)


def organisation_by_code(code: str) -> Organisation:
    """Find an organisation by its social credit code (or numeric id, for departments without one)."""
    org = Organisation.objects.filter(uscc=code).first()
    if org is None and code.isdigit():
        org = Organisation.objects.filter(pk=int(code)).first()
    if org is None:
        raise DomainError(
            f"找不到机构 {code}", f"no organisation {code}", code="not_found", field="org", status=404
        )
    return org


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


@transaction.atomic
def api_key_create(*, organisation: Organisation, name: str = "bank system",
                   expiry_date=None) -> tuple[OrganisationAPIKey, str]:
    """Issue an API key; the plain key is returned once and only its hash is stored. After ``expiry_date`` (an
    aware datetime, optional) the key is refused like a revoked one.

    Requests with the key act as the organisation's system user, so every audit row names a real user.
    """
    role = {OrgKind.BANK: Role.BANK_OFFICER, OrgKind.GUARANTOR: Role.GUARANTOR_OFFICER}.get(organisation.kind)
    if role is None:
        raise DomainError(
            "只有银行和担保机构可以申请 API 密钥",
            "only banks and guarantors can hold API keys",
            code="api_key_not_allowed",
            field="org",
        )
    username = f"system-{organisation.uscc or organisation.pk}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None, organisation=organisation,
                                        display_name=f"{organisation.name} system")
        role_grant(user=user, role=role)
    return OrganisationAPIKey.objects.create_key(name=name, organisation=organisation, user=user,
                                                 expiry_date=expiry_date)


def api_key_revoke(*, api_key: OrganisationAPIKey) -> None:
    """Revoke a key for good (django-rest-framework-api-key keeps revoked keys revoked)."""
    api_key.revoked = True
    api_key.save(update_fields=["revoked"])


@transaction.atomic
def organisation_set_active(*, organisation: Organisation, active: bool) -> Organisation:
    """Deactivate (or reactivate) an organisation.

    Nothing else is rewritten: authentication checks the organisation on every request (API keys in
    finance.api.auth, logins and existing sessions in finance.parties.backends), so deactivation stops its
    keys, its users' logins and their open sessions at once, and reactivation restores them as they were.
    """
    organisation.is_active = active
    organisation.save(update_fields=["is_active"])
    return organisation

"""Writes for organisations, users, roles and API keys."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from finance.core.errors import DomainError, NotFound, PermissionDenied
from finance.core.locks import lock

from .models import (
    ROLE_ORG_KINDS,
    SECOND_ADMIN_ROLES,
    USCC_REQUIRED,
    IdentityAction,
    IdentityEvent,
    Invitation,
    Organisation,
    OrganisationAPIKey,
    OrgKind,
    Role,
    RoleGrant,
    RoleRequest,
    RoleRequestStatus,
    User,
)
from .rules import grantable_roles, may_manage_people
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


def _verified_at_creation(kind: str, verified: bool | None):
    """Organisations created by the platform's operators are verified as created, except enterprises: an
    enterprise (whether a bank, a department or the enterprise itself registered it) waits for a department
    reviewer to confirm it against its business licence (``enterprise_verify``)."""
    if verified is None:
        verified = kind != OrgKind.ENTERPRISE
    return timezone.now() if verified else None


@transaction.atomic
def organisation_create(*, kind: str, name: str, uscc: str | None = None, dept_level: str = "",
                        region: str = "", tech_sme_number: str = "",
                        verified: bool | None = None) -> Organisation:
    fields = _organisation_fields(kind=kind, name=name, uscc=uscc, dept_level=dept_level, region=region,
                                  tech_sme_number=tech_sme_number)
    if fields["uscc"]:
        _check_not_registered([fields["uscc"]])
    return Organisation.objects.create(**fields, verified_at=_verified_at_creation(kind, verified))


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
        rows.append(Organisation(**fields, verified_at=_verified_at_creation(kind, None)))
    try:
        _check_not_registered(where)
    except DomainError as exc:
        exc.extra["item"] = where[exc.extra["uscc"]]
        raise
    return Organisation.objects.bulk_create(rows, batch_size=2000)


@transaction.atomic
def organisation_tech_sme_set(*, organisation: Organisation, number: str, year: int | None) -> Organisation:
    """Record the tech-based SME registration (入库编号, year) on the organisation, the one place it is kept:
    pool enrolment eligibility reads the number, the portal's expiry flag the year. The caller (the portal's
    profile form) has validated the pair; "" and None clear it."""
    org = lock(Organisation, organisation.pk)
    org.tech_sme_number = (number or "").strip()
    org.tech_sme_year = year if org.tech_sme_number else None
    org.save(update_fields=["tech_sme_number", "tech_sme_year"])
    organisation.tech_sme_number, organisation.tech_sme_year = org.tech_sme_number, org.tech_sme_year
    return org


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
                   expiry_date=None, by: User | None = None) -> tuple[OrganisationAPIKey, str]:
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
    key, plain = OrganisationAPIKey.objects.create_key(name=name, organisation=organisation, user=user,
                                                       expiry_date=expiry_date)
    if by is not None:
        _event(organisation, IdentityAction.API_KEY_CREATED, by=by, note=f"{key.prefix} · {name}")
    return key, plain


@transaction.atomic
def api_key_revoke(*, api_key: OrganisationAPIKey, by: User | None = None) -> None:
    """Revoke a key for good (django-rest-framework-api-key keeps revoked keys revoked)."""
    api_key.revoked = True
    api_key.save(update_fields=["revoked"])
    if by is not None:
        _event(api_key.organisation, IdentityAction.API_KEY_REVOKED, by=by,
               note=f"{api_key.prefix} · {api_key.name}")


@transaction.atomic
def api_key_set_expiry(*, api_key: OrganisationAPIKey, expiry_date, by: User) -> OrganisationAPIKey:
    """Set (or clear, with None) the moment after which the key is refused; a past moment is refused (revoke
    the key instead)."""
    if api_key.revoked:
        raise DomainError("该密钥已吊销", "the key is revoked", code="api_key_revoked", field="expiry_date")
    if expiry_date is not None and expiry_date <= timezone.now():
        raise DomainError("到期时间必须晚于现在（立即停用请吊销密钥）",
                          "the expiry must be in the future (revoke the key to stop it now)",
                          code="expiry_past", field="expiry_date")
    api_key.expiry_date = expiry_date
    api_key.save(update_fields=["expiry_date"])
    _event(api_key.organisation, IdentityAction.API_KEY_EXPIRY_SET, by=by,
           note=f"{api_key.prefix} · {timezone.localtime(expiry_date):%Y-%m-%d %H:%M}" if expiry_date
           else api_key.prefix)
    return api_key


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


# ---------------------------------------------------------------- identity: audit, registration, verification


def _event(organisation, action: str, *, by=None, user=None, role: str = "", note: str = "") -> IdentityEvent:
    return IdentityEvent.objects.create(organisation=organisation, action=action, by=by, user=user, role=role,
                                        note=note)


_MOBILE = re.compile(r"1[3-9]\d{9}")


def validate_mobile(mobile: str, field: str = "mobile") -> str:
    """A mainland mobile number: 11 digits starting 13–19 (spaces, dashes and a +86 prefix are dropped)."""
    value = re.sub(r"[\s\-]", "", mobile or "")
    if value.startswith("+86"):
        value = value[3:]
    if not _MOBILE.fullmatch(value):
        raise DomainError("手机号码应为 11 位大陆手机号（以 1 开头）",
                          "a mobile number has 11 digits and starts with 1 (mainland China)",
                          code="invalid_mobile", field=field)
    return value


def mask_email(email: str) -> str:
    """``zh***@example.com``: enough for the person to recognise the address, not to harvest it."""
    local, _, domain = (email or "").partition("@")
    if not domain:
        return ""
    return f"{local[:2]}***@{domain}"


def _admin_contact(organisation: Organisation) -> str:
    admin = (organisation.users.filter(is_active=True, role_grants__role=Role.ORG_ADMIN).exclude(email="")
             .order_by("pk").first())
    return mask_email(admin.email if admin else organisation.contact_email)


def enterprise_registration_check(uscc: str) -> tuple[str, Organisation | None]:
    """Whether an enterprise may register with ``uscc``: returns the normalised code and the enterprise row to
    claim (one a bank or a department already registered, with no users yet), or raises:
    ``invalid_uscc`` (format or check character), ``uscc_registered`` (409: the enterprise has an account; the
    message tells how to reach its administrator), ``uscc_other_kind`` (the code belongs to a bank, fund…)."""
    code = validate_uscc(uscc)
    existing = Organisation.objects.filter(uscc=code).first()
    if existing is None:
        return code, None
    if existing.kind != OrgKind.ENTERPRISE:
        raise DomainError(
            f"统一社会信用代码 {code} 已登记为{existing.get_kind_display()}，不能注册为企业",
            f"unified social credit code {code} belongs to a registered {existing.kind}, not an enterprise",
            code="uscc_other_kind", field="uscc", status=409)
    if existing.users.exists():
        contact = _admin_contact(existing)
        reach_zh = (f"请联系该企业的管理员（{contact}）邀请您加入" if contact
                    else "请联系该企业已有的平台用户邀请您加入，或联系主管部门")
        reach_en = (f"ask the enterprise's administrator ({contact}) to invite you" if contact
                    else "ask one of its existing users to invite you, or contact the department")
        raise DomainError(f"统一社会信用代码 {code} 已注册账户：{reach_zh}",
                          f"an account is already registered with credit code {code}: {reach_en}",
                          code="uscc_registered", field="uscc", status=409, extra={"admin_email": contact})
    return code, existing


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


def _required(value: str, field: str, zh: str, en: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{zh}", f"{en} is required", code="required", field=field)
    return value


@transaction.atomic
def enterprise_register(*, uscc: str, name: str, legal_representative: str, contact_name: str, mobile: str,
                        email: str, username: str, password: str) -> User:
    """Self-registration of an enterprise account. The enterprise starts unverified (it can fill its profile
    and drafts, not submit); its first user is its organisation administrator and applicant. An enterprise a
    bank already registered under this credit code, with no users yet, is claimed (its row completed), never
    duplicated; one that has users is refused (``uscc_registered``) with how to reach its administrator."""
    name = _required(name, "name", "企业名称", "the enterprise name")
    legal_representative = _required(legal_representative, "legal_representative", "法定代表人",
                                     "the legal representative")
    contact_name = _required(contact_name, "contact_name", "联系人", "the contact person")
    mobile = validate_mobile(mobile)
    email = (email or "").strip().lower()
    _check_new_user(username=username, email=email, password=password)
    code, claimed = enterprise_registration_check(uscc)
    contact = {"legal_representative": legal_representative, "contact_name": contact_name,
               "contact_mobile": mobile, "contact_email": email}
    if claimed is not None:
        org = lock(Organisation, claimed.pk)
        if org.users.exists():  # registered by someone else meanwhile
            enterprise_registration_check(code)
        for key, value in contact.items():
            setattr(org, key, value)
        org.save(update_fields=list(contact))
        action, note = IdentityAction.ENTERPRISE_CLAIMED, name
    else:
        try:
            with transaction.atomic():
                org = Organisation.objects.create(kind=OrgKind.ENTERPRISE, name=name, uscc=code,
                                                  self_registered=True, **contact)
        except Exception:
            enterprise_registration_check(code)  # a concurrent registration took the code: say so
            raise
        action, note = IdentityAction.ENTERPRISE_REGISTERED, ""
    user = User.objects.create_user(username=username, password=password, email=email, organisation=org,
                                    display_name=contact_name)
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r, org_kind=org.kind)
                                   for r in (Role.ORG_ADMIN, Role.APPLICANT)])
    _event(org, action, by=user, user=user, note=note)
    return user


def _check_reviewer(by) -> None:
    if by is None or not by.has_role(Role.DEPARTMENT_REVIEWER):
        raise PermissionDenied("只有主管部门审核员可以核验企业身份",
                               "only a department reviewer confirms an enterprise's identity",
                               code="not_reviewer")


@transaction.atomic
def enterprise_verify(*, organisation: Organisation, by: User, note: str = "") -> Organisation:
    """A department reviewer confirms the enterprise against its business licence; it may then submit."""
    _check_reviewer(by)
    org = lock(Organisation, organisation.pk)
    if org.kind not in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        raise DomainError("只核验企业和高校院所", "only enterprises and universities are verified",
                          code="not_enterprise", field="organisation")
    if org.is_verified:
        raise DomainError("该企业已核验", "the enterprise is already verified", code="already_verified",
                          status=409)
    org.verified_at, org.verified_by, org.verification_note = timezone.now(), by, note
    org.save(update_fields=["verified_at", "verified_by", "verification_note"])
    _event(org, IdentityAction.ENTERPRISE_VERIFIED, by=by, note=note)
    organisation.verified_at, organisation.verified_by = org.verified_at, by
    organisation.verification_note = note
    return org


@transaction.atomic
def enterprise_verification_reject(*, organisation: Organisation, by: User, reason: str) -> Organisation:
    """The reviewer could not confirm the enterprise (the licence does not match…): it stays unverified, the
    reason is recorded for the enterprise to read, and it can upload again."""
    _check_reviewer(by)
    reason = _required(reason, "reason", "不予核验的理由", "a reason")
    org = lock(Organisation, organisation.pk)
    if org.is_verified:
        raise DomainError("该企业已核验", "the enterprise is already verified", code="already_verified",
                          status=409)
    org.verification_note = reason
    org.save(update_fields=["verification_note"])
    _event(org, IdentityAction.ENTERPRISE_REJECTED, by=by, note=reason)
    organisation.verification_note = reason
    return org


# ---------------------------------------------------------------- people: invitations, roles, deactivation




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
    """Email the invitation link once the invitation is committed."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"invitation": invitation, "url": url, "organisation": invitation.organisation,
               "roles": [Role(r).label for r in invitation.roles]}
    subject = render_to_string("parties/email/invitation_subject.txt", context).strip()
    body = render_to_string("parties/email/invitation_message.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))


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


# ---------------------------------------------------------------- second factor: authenticator enrolment


def otp_device_pending(*, user: User):
    """The user's authenticator being enrolled (created unconfirmed on first call, so the QR code stays the
    same while they scan it and type the first code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def otp_device_confirm(*, user: User, token: str):
    """Confirm the enrolment with the first code the authenticator shows; the new device replaces any older
    one. Returns the device, or raises ``otp_invalid`` (nothing changes)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    token = re.sub(r"\s", "", token or "")
    if device is None or not token.isdigit() or not device.verify_token(token):
        raise DomainError("验证码不正确，请输入验证器当前显示的 6 位数字",
                          "the code is not valid: type the 6 digits the authenticator shows now",
                          code="otp_invalid", field="token")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if user.organisation_id:
        _event(user.organisation, IdentityAction.OTP_ENROLLED, by=user, user=user)
    return device

"""Enterprise self-registration (a bank's row claimed, never duplicated) and the department reviewer's
confirmation of its identity; the contact checks it uses (mobile number, masked email)."""
from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from finance.core.errors import DomainError, PermissionDenied
from finance.core.locks import lock

from ..models import IdentityAction, Organisation, OrgKind, Role, RoleGrant, User
from ..validators import validate_uscc
from ._common import _check_new_user, _event

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

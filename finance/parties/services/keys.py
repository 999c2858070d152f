"""API keys of banks and guarantors: issue, revoke, set an expiry (audited when a person does it)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from finance.core.errors import DomainError

from ..models import IdentityAction, Organisation, OrganisationAPIKey, OrgKind, Role, User
from ._common import _event
from .roles import role_grant


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

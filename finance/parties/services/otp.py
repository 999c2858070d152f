"""Second factor: enrolment of a user's authenticator (TOTP)."""
from __future__ import annotations

import re

from django.db import transaction

from finance.core.errors import DomainError

from ..models import IdentityAction, User
from ._common import _event


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

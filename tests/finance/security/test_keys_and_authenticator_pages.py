"""Issue 14 "People and keys": bank administrators create API keys on a page (the key is shown once), set
their expiry and revoke them; approvers enrol their authenticator on a page (QR code, confirmed with a first
code computed here from the device's key)."""
import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from finance.parties.models import IdentityAction, IdentityEvent, OrganisationAPIKey, OrgKind, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_admin(bank, make_user):
    return make_user(bank, Role.ORG_ADMIN)


def api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client.get("/api/v1/me/").status_code


def test_a_bank_administrator_creates_a_key_shown_once(client, bank, bank_admin):
    client.force_login(bank_admin)
    created = client.post("/accounts/api-keys/", {"name": "信贷系统"})
    assert created.status_code == 200
    plain = created.context["plain"]
    assert plain and plain in created.content.decode()
    key = OrganisationAPIKey.objects.get(organisation=bank, name="信贷系统")
    assert plain.startswith(key.prefix) and key.hashed_key and plain not in key.hashed_key
    assert plain not in client.get("/accounts/api-keys/").content.decode()  # never shown again
    assert api_status(plain) == 200
    assert IdentityEvent.objects.filter(organisation=bank, action=IdentityAction.API_KEY_CREATED,
                                        by=bank_admin).count() == 1

    revoked = client.post(f"/accounts/api-keys/{key.prefix}/", {"action": "revoke"})
    assert revoked.status_code == 302
    key.refresh_from_db()
    assert key.revoked and api_status(plain) in (401, 403)
    assert IdentityEvent.objects.filter(organisation=bank, action=IdentityAction.API_KEY_REVOKED).exists()


def test_expiry_in_the_future_is_kept_and_one_in_the_past_refused(client, bank, bank_admin):
    client.force_login(bank_admin)
    client.post("/accounts/api-keys/", {"name": "对账系统"})
    key = OrganisationAPIKey.objects.get(organisation=bank, name="对账系统")
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"/accounts/api-keys/{key.prefix}/", {"action": "expiry", "expiry_date": past}, follow=True)
    assert "到期时间必须晚于现在" in refused.content.decode()
    key.refresh_from_db()
    assert key.expiry_date is None
    future = (timezone.localtime() + dt.timedelta(days=30)).replace(second=0, microsecond=0)
    client.post(f"/accounts/api-keys/{key.prefix}/", {"action": "expiry",
                                                   "expiry_date": future.strftime("%Y-%m-%dT%H:%M")})
    key.refresh_from_db()
    assert key.expiry_date == future


def test_keys_are_for_bank_and_guarantor_administrators_only(client, orgs, make_user, bank_officer):
    client.force_login(bank_officer)  # an officer, not an administrator
    assert client.get("/accounts/api-keys/").status_code == 403
    client.force_login(make_user(orgs.make(OrgKind.ENTERPRISE), Role.ORG_ADMIN))
    assert client.get("/accounts/api-keys/").status_code == 403
    assert client.post("/accounts/api-keys/", {"name": "x"}).status_code == 403
    client.force_login(make_user(orgs.make(OrgKind.GUARANTOR), Role.ORG_ADMIN))
    assert client.get("/accounts/api-keys/").status_code == 200


def test_another_banks_key_answers_404(client, bank_admin, other_bank):
    from finance.parties.services import api_key_create

    key, plain = api_key_create(organisation=other_bank)
    client.force_login(bank_admin)
    assert client.post(f"/accounts/api-keys/{key.prefix}/", {"action": "revoke"}).status_code == 404
    key.refresh_from_db()
    assert not key.revoked and api_status(plain) == 200


def code_of(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def test_an_approver_enrols_an_authenticator_with_a_first_code(client, reviewer):
    client.force_login(reviewer)
    page = client.get("/accounts/otp/enrol/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and page.context["config_url"].startswith("otpauth://totp/")
    device = TOTPDevice.objects.get(user=reviewer)
    assert not device.confirmed
    assert client.get("/accounts/otp/enrol/").context["config_url"] == page.context["config_url"]  # same QR

    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    refused = client.post("/accounts/otp/enrol/", {"token": wrong})
    assert refused.status_code == 200 and "token" in refused.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed

    confirmed = client.post("/accounts/otp/enrol/", {"token": code_of(device)})
    assert confirmed.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert IdentityEvent.objects.filter(user=reviewer, action=IdentityAction.OTP_ENROLLED).count() == 1


@override_settings(KEJIN_REQUIRE_OTP=True)
def test_replacing_an_authenticator_needs_the_current_one(client, reviewer):
    old = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    client.force_login(reviewer)
    response = client.get("/accounts/otp/enrol/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/?next=")
    assert client.post("/accounts/otp/", {"token": code_of(old)}).status_code == 302
    page = client.get("/accounts/otp/enrol/")
    assert page.status_code == 200
    new = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert client.post("/accounts/otp/enrol/", {"token": code_of(new)}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=reviewer).values_list("pk", flat=True)) == [new.pk]


@override_settings(KEJIN_REQUIRE_OTP=True)
def test_people_pages_ask_for_the_second_factor(client, province, make_user):
    administrator = make_user(province, Role.ADMINISTRATOR)
    client.force_login(administrator)
    response = client.get("/accounts/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/?next=")


def test_roles_without_approval_power_cannot_open_the_enrolment(client, bank_officer):
    client.force_login(bank_officer)
    assert client.get("/accounts/otp/enrol/").status_code == 403

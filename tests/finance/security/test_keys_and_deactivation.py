"""Issue 9 #8, #9: expired API keys are refused; deactivating an organisation stops at once its API keys, its
users' logins and their open sessions (and reactivating restores them)."""
import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from finance.parties.models import Organisation
from finance.parties.services import api_key_create, api_key_revoke, organisation_set_active

PASSWORD = "Test-password-123"


def key_client(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def refused(response):
    return response.status_code in (401, 403) and response["Content-Type"].startswith("application/problem+json")


def test_an_expired_key_is_refused(bank):
    _, expired = api_key_create(organisation=bank, expiry_date=timezone.now() - dt.timedelta(minutes=1))
    _, current = api_key_create(organisation=bank, name="current", expiry_date=timezone.now() + dt.timedelta(days=1))
    response = key_client(expired).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert key_client(current).get("/api/v1/me/").status_code == 200


def test_a_revoked_key_is_refused(bank):
    api_key, key = api_key_create(organisation=bank)
    api_key_revoke(api_key=api_key)
    assert key_client(key).get("/api/v1/me/").status_code == 401


def test_deactivating_an_organisation_stops_keys_logins_and_sessions(bank, bank_officer, client):
    _, key = api_key_create(organisation=bank)
    assert client.post("/accounts/login/", {"username": bank_officer.username, "password": PASSWORD}).status_code == 302
    api_session = APIClient()
    api_session.force_login(bank_officer)
    assert client.get("/").status_code == 200 and api_session.get("/api/v1/me/").status_code == 200

    organisation_set_active(organisation=bank, active=False)

    assert refused(key_client(key).get("/api/v1/me/"))                       # its API keys
    page = client.get("/")                                                    # its users' open sessions
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert refused(api_session.get("/api/v1/me/"))
    fresh = APIClient()                                                       # its users' logins
    login = fresh.post("/accounts/login/", {"username": bank_officer.username, "password": PASSWORD})
    assert login.status_code == 200 and "_auth_user_id" not in fresh.session

    organisation_set_active(organisation=bank, active=True)                   # and it can be undone
    assert key_client(key).get("/api/v1/me/").status_code == 200
    assert fresh.post("/accounts/login/", {"username": bank_officer.username, "password": PASSWORD}).status_code == 302


def test_deactivating_through_the_admin_takes_effect_at_once(bank, bank_officer, client, province, make_user):
    from finance.parties.models import Role

    _, key = api_key_create(organisation=bank)
    administrator = make_user(province, Role.ADMINISTRATOR)
    client.force_login(administrator)
    response = client.post(f"/admin/parties/organisation/{bank.pk}/change/",
                           {"name": bank.name, "uscc": bank.uscc, "dept_level": "", "region": "", "tech_sme_number": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Organisation.objects.get(pk=bank.pk).is_active  # the checkbox was left unticked
    assert refused(key_client(key).get("/api/v1/me/"))


def test_a_deactivated_user_is_refused_everywhere(bank, bank_officer, client):
    client.force_login(bank_officer)
    bank_officer.is_active = False
    bank_officer.save(update_fields=["is_active"])
    assert client.get("/")["Location"].startswith("/accounts/login/")

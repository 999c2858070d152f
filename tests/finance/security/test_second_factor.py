"""Issue 9 #1: with KEJIN_REQUIRE_OTP the API applies the pages' second-factor rule to sessions; API keys are
machine clients and unaffected; fund managers (deal sign-off) and committee members are approvers too."""
import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from finance.parties.models import OrgKind, Role
from guarantees.models import Claim, ClaimStatus
from guarantees.services import claim_file, enrolment_create
from tests.conftest import key_client
from tests.guarantees.conftest import _media, borrower, city, default, make_loan, make_pool, pool  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(pool, make_loan, bank_officer):  # noqa: F811
    loan = make_loan(principal="2000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    return claim_file(loan=default(loan), claimed_loss="1000000.00", by=bank_officer)


def session_with_csrf(user) -> tuple[APIClient, str]:
    """A browser-like API client: password session, CSRF cookie from a page, CSRF checks enforced."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/accounts/otp/")  # the one page an unverified approver can open: it sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def pass_second_factor(client, user, token):
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
    response = client.post("/accounts/otp/", {"token": code}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302, response


@override_settings(KEJIN_REQUIRE_OTP=True)
def test_session_approval_through_the_api_needs_the_second_factor(reviewer, claim):
    client, token = session_with_csrf(reviewer)
    response = client.post(f"/api/v1/claims/{claim.pk}/approve/", {"comment": "ok"}, format="json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "second_factor_required"
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED == claim.status
    # reads through the API are refused too, exactly as pages redirect every request
    assert client.get(f"/api/v1/claims/{claim.pk}/").status_code == 403

    pass_second_factor(client, reviewer, token)
    response = client.post(f"/api/v1/claims/{claim.pk}/approve/", {"comment": "ok"}, format="json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert Claim.objects.get(pk=claim.pk).status != ClaimStatus.SUBMITTED


@override_settings(KEJIN_REQUIRE_OTP=True)
def test_api_keys_are_machine_clients_without_a_second_factor(bank):
    assert key_client(bank).get("/api/v1/me/").status_code == 200


@override_settings(KEJIN_REQUIRE_OTP=True)
def test_non_approvers_keep_password_sessions(bank_officer):
    client, _ = session_with_csrf(bank_officer)
    assert client.get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("role", [Role.FUND_MANAGER, Role.COMMITTEE_MEMBER])
@override_settings(KEJIN_REQUIRE_OTP=True)
def test_fund_manager_sign_off_and_committee_need_the_second_factor(orgs, make_user, client, role):
    manager_org = orgs.make(OrgKind.FUND_MANAGER, name="基金管理人")
    user = make_user(manager_org, role)
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/otp/")
    api = APIClient()
    api.force_login(user)
    response = api.get("/api/v1/me/")
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"


def test_without_the_setting_nothing_changes(reviewer):
    client, _ = session_with_csrf(reviewer)
    assert client.get("/api/v1/me/").status_code == 200

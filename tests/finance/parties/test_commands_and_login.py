import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from finance.parties.demo_codes import demo_uscc
from finance.parties.models import Organisation, OrganisationAPIKey, Role, User


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_operator_commands_create_org_user_and_key(db):
    code = demo_uscc("bank", 77)
    run("create_org", "--kind", "bank", "--name", "齐鲁银行", "--uscc", code)
    org = Organisation.objects.get(uscc=code)
    out = run("create_user", "--org", code, "--role", "bank_officer", "--username", "li")
    password = re.search(r"password: (\S+)", out).group(1)
    user = User.objects.get(username="li")
    assert user.check_password(password) and user.roles() == {Role.BANK_OFFICER}
    key = run("create_api_key", "--org", code).strip().splitlines()[-1]
    assert OrganisationAPIKey.objects.get_from_key(key).organisation == org


def test_create_org_refuses_a_bad_code_bilingually(db):
    with pytest.raises(CommandError) as err:
        run("create_org", "--kind", "bank", "--name", "x", "--uscc", "91370000MA0000001X")
    assert "/" in str(err.value)
    assert Organisation.objects.count() == 0


def test_role_must_fit_the_organisation_kind(db):
    code = demo_uscc("enterprise", 5)
    run("create_org", "--kind", "enterprise", "--name", "企业", "--uscc", code)
    with pytest.raises(CommandError, match="cannot be held"):
        run("create_user", "--org", code, "--role", "bank_officer", "--username", "x")
    assert not User.objects.filter(username="x").exists()


def test_login_page_is_chinese_by_default(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "登录".encode() in page.content


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account(client, bank_officer):
    for _ in range(3):
        client.post("/accounts/login/", {"username": bank_officer.username, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": bank_officer.username, "password": "Test-password-123"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_works_and_home_shows_role_panel(client, bank_officer):
    response = client.post("/accounts/login/", {"username": bank_officer.username, "password": "Test-password-123"})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200


@override_settings(KEJIN_REQUIRE_OTP=True)
def test_approvers_must_pass_a_second_factor_when_required(client, reviewer, bank_officer):
    client.force_login(reviewer)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")
    client.force_login(bank_officer)  # not an approver
    assert client.get("/").status_code == 200

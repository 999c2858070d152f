"""Operators' commands for what the (read-only) admin no longer does: key expiry and revocation, deactivation."""
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from finance.parties.models import Organisation, OrganisationAPIKey


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def me(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client.get("/api/v1/me/").status_code


def test_keys_expire_by_default_and_can_be_revoked(bank):
    key = run("create_api_key", "--org", bank.uscc).strip().splitlines()[-1]
    api_key = OrganisationAPIKey.objects.get_from_key(key)
    expected = timezone.now() + dt.timedelta(days=365)
    assert abs((api_key.expiry_date - expected).total_seconds()) < 60
    assert me(key) == 200
    run("revoke_api_key", "--prefix", api_key.prefix)
    assert me(key) == 401
    with pytest.raises(CommandError):
        run("revoke_api_key", "--prefix", "nope")
    with pytest.raises(CommandError):
        run("create_api_key", "--org", bank.uscc, "--expires-days", "-1")


def test_set_org_active(bank):
    key = run("create_api_key", "--org", bank.uscc, "--expires-days", "0").strip().splitlines()[-1]
    assert OrganisationAPIKey.objects.get_from_key(key).expiry_date is None
    run("set_org_active", "--org", bank.uscc, "--inactive")
    assert not Organisation.objects.get(pk=bank.pk).is_active and me(key) == 401
    run("set_org_active", "--org", bank.uscc, "--active")
    assert Organisation.objects.get(pk=bank.pk).is_active and me(key) == 200


def test_user_role_grants_fitting_roles_and_revokes(reviewer, bank_officer):
    from finance.parties.models import Role

    assert "auditor" in run("user_role", "--username", reviewer.username, "--grant", "auditor")
    with pytest.raises(CommandError, match="cannot be held"):
        run("user_role", "--username", bank_officer.username, "--grant", "department_reviewer")
    run("user_role", "--username", reviewer.username, "--revoke", "auditor")
    reviewer.refresh_from_db()
    assert reviewer.roles() == {Role.DEPARTMENT_REVIEWER}
    with pytest.raises(CommandError):
        run("user_role", "--username", reviewer.username, "--revoke", "auditor")
    with pytest.raises(CommandError):
        run("user_role", "--username", "nobody", "--grant", "auditor")

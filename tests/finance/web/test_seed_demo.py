"""The demo world: idempotent, and every printed login works and reaches its home page."""
from io import StringIO

import pytest
from django.core.management import call_command

from finance.parties.models import Organisation, User
from finance.web.management.commands.seed_demo import DEMO_PASSWORD


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_demo", "--loans-per-bank", "3", stdout=out)  # a small loan book: logins are the point
    return out.getvalue()


def test_seed_demo_is_idempotent_and_every_login_works(seeded, client):
    orgs, users = Organisation.objects.count(), User.objects.count()
    call_command("seed_demo", "--loans-per-bank", "3", stdout=StringIO())
    assert (Organisation.objects.count(), User.objects.count()) == (orgs, users)
    printed = [line.split()[0] for line in seeded.splitlines() if line.startswith("  ")]
    assert {"admin", "reviewer", "auditor", "manager", "committee1", "bank1", "guarantor", "startup"} <= set(printed)
    for username in printed:
        login = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert login.status_code == 302, username
        home = client.get("/")
        assert home.status_code == 200, username
        client.logout()


def test_demo_world_has_every_kind_of_organisation(seeded):
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == {"bank", "enterprise", "fund_manager", "guarantor", "department", "university"}
    assert Organisation.objects.filter(kind="enterprise").count() >= 12
    assert Organisation.objects.filter(kind="bank").count() == 3


@pytest.mark.parametrize("language,text", [("zh-hans", "首页"), ("en", "Home")])
def test_home_renders_in_both_languages(seeded, client, language, text):
    client.force_login(User.objects.get(username="reviewer"))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert text in client.get("/").content.decode()


def test_every_maker_checker_path_has_two_people_and_the_address_is_the_served_one(db):
    """Two administrators, two provincial reviewers, two fund managers: every approval can be walked without
    the maker approving their own item; the printed address carries the port ``make demo`` serves on."""
    out = StringIO()
    call_command("seed_demo", "--port", "8123", "--loans-per-bank", "2", stdout=out)
    printed = out.getvalue()
    assert "http://127.0.0.1:8123/" in printed and ":8000" not in printed
    for role, org_kind, users in (("administrator", "department", {"admin", "admin2"}),
                                  ("department_reviewer", "department", {"reviewer", "reviewer2"}),
                                  ("fund_manager", "fund_manager", {"manager", "manager2"})):
        found = set(User.objects.filter(role_grants__role=role, organisation__kind=org_kind)
                    .values_list("username", flat=True))
        assert users <= found, role
    assert "admin → admin2" in printed

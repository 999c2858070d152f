"""Shared fixtures: organisations of each kind, users with roles, API clients authenticated by key."""
import fcntl
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from finance.parties.demo_codes import demo_uscc
from finance.parties.models import Organisation, OrgKind, Role
from finance.parties.services import api_key_create, organisation_create, user_create
from finance.policy.catalogue import seed as seed_policy
from finance.policy.models import Parameter, ParameterValue

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs PostgreSQL (row locks, triggers); CI runs the suite there")


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process in tests (the broker itself is proven by tests/finance/test_broker.py)."""
    from finance.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def broker_exclusive():
    """The tests that start a real Celery worker share the Redis queue; under pytest-xdist (``make test`` runs
    two processes) one of them at a time may consume it, or one test's worker would take the other's tasks."""
    with open(Path(tempfile.gettempdir()) / "kejin-test-broker.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and lockouts live in the cache: each test starts from none (all requests come from
    127.0.0.1, so counts would otherwise add up across the suite)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _policy_catalogue(request):
    """Transactional tests flush the database, migration data included: put the policy catalogue back."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    if not Parameter.objects.exists():
        seed_policy(Parameter, ParameterValue)


class Orgs:
    """Factory for organisations with valid social credit codes (serials never collide within a test)."""

    def __init__(self):
        self.serial = 9000

    def make(self, kind=OrgKind.ENTERPRISE, name=None, **extra) -> Organisation:
        self.serial += 1
        uscc = demo_uscc(kind, self.serial) if kind != OrgKind.DEPARTMENT else None
        return organisation_create(kind=kind, name=name or f"{kind} {self.serial}", uscc=uscc, **extra)


@pytest.fixture
def orgs(db):
    return Orgs()


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(org, *roles):
        counter["n"] += 1
        user, _ = user_create(organisation=org, username=f"u{counter['n']}-{roles[0]}", roles=list(roles),
                              password="Test-password-123")
        return user

    return make


@pytest.fixture
def bank(orgs):
    return orgs.make(OrgKind.BANK, name="测试银行")


@pytest.fixture
def other_bank(orgs):
    return orgs.make(OrgKind.BANK, name="另一家银行")


@pytest.fixture
def province(orgs):
    return orgs.make(OrgKind.DEPARTMENT, name="山东省科学技术厅", dept_level="province")


@pytest.fixture
def bank_officer(bank, make_user):
    return make_user(bank, Role.BANK_OFFICER)


@pytest.fixture
def reviewer(province, make_user):
    return make_user(province, Role.DEPARTMENT_REVIEWER)


@pytest.fixture
def reviewer2(province, make_user):
    return make_user(province, Role.DEPARTMENT_REVIEWER)


def key_client(org) -> APIClient:
    _, key = api_key_create(organisation=org)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def bank_api(bank):
    return key_client(bank)


@pytest.fixture
def other_bank_api(other_bank):
    return key_client(other_bank)

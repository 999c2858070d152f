"""The demo world, built once per test module and rolled back afterwards (seeding takes seconds; every page
test of the module reads the same world)."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """``seed_demo`` inside an outer transaction: each test's own ``db`` transaction nests in it as a
    savepoint, and the whole world is rolled back when the module ends (later modules start empty)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", "--loans-per-bank", "4", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

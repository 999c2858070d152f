"""The demo world, built once per test module (seeding takes a while; every page test of the module reads the
same world)."""
from io import StringIO

import pytest
from django.core.management import call_command

from finance.parties.models import User
from finance.policy.catalogue import seed as seed_policy
from finance.policy.models import Parameter, ParameterValue

# a few loans per bank: the same code paths as the full demo (registration, repayments, defaults), in seconds
DEMO_LOANS_PER_BANK = "4"


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """``seed_demo`` committed (Chromium's requests are answered on their own database connection, which only
    sees committed rows), then flushed when the module ends, as a transactional test leaves the database (the
    policy catalogue is put back). Returns what the command printed."""
    with django_db_blocker.unblock():
        if User.objects.exists():  # a run interrupted before its teardown left a world behind
            call_command("flush", interactive=False, verbosity=0)
        if not Parameter.objects.exists():
            seed_policy(Parameter, ParameterValue)
        out = StringIO()
        try:
            call_command("seed_demo", "--loans-per-bank", DEMO_LOANS_PER_BANK, stdout=out)
            yield out.getvalue()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            seed_policy(Parameter, ParameterValue)

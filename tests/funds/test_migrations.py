"""The fee-basis migration: funds set up on commitments before the rule move to paid-in capital (domain.md:
paid-in or invested only), and from then on the database refuses a fund on commitments."""
import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from finance.parties.demo_codes import demo_uscc
from finance.parties.models import OrgKind
from finance.parties.services import organisation_create
from funds.models import SubFund

BEFORE = [("funds", "0001_initial")]
AFTER = [("funds", "0002_call_approval_fee_basis_documents")]


@pytest.mark.django_db(transaction=True)
def test_funds_on_commitments_move_to_paid_in():
    manager = organisation_create(kind=OrgKind.FUND_MANAGER, name="GP", uscc=demo_uscc(OrgKind.FUND_MANAGER, 8821))
    executor = MigrationExecutor(connection)
    try:
        _check_the_move(executor, manager)
    finally:  # leave the database fully migrated for the tests that run after this one
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check_the_move(executor, manager):
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    guidance = old.get_model("funds", "GuidanceFund").objects.create(
        name="G", manager_id=manager.pk, size="1000.00", vintage=dt.date(2020, 1, 1))
    OldSubFund = old.get_model("funds", "SubFund")
    on_commitments = OldSubFund.objects.create(guidance_fund=guidance, name="A", manager_id=manager.pk,
                                               size="100.00", vintage=dt.date(2020, 1, 1), fee_basis="committed")
    invested = OldSubFund.objects.create(guidance_fund=guidance, name="B", manager_id=manager.pk, size="100.00",
                                         vintage=dt.date(2020, 1, 1), fee_basis="invested")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    moved = SubFund.objects.get(pk=on_commitments.pk)
    assert moved.fee_basis == "paid_in" and moved.policy["fee_basis_migrated_from"] == "committed"
    assert SubFund.objects.get(pk=invested.pk).fee_basis == "invested"
    with pytest.raises(IntegrityError):
        SubFund.objects.filter(pk=moved.pk).update(fee_basis="committed")

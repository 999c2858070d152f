"""Maker-checker on a real approvable item: a policy parameter change needs a second administrator."""
import datetime as dt
from decimal import Decimal

import pytest

from finance.approvals.models import ApprovalRequest, ApprovalRule, ApprovalStatus, StateChange
from finance.approvals.services import (
    approval_current,
    approval_decide,
    approval_is_valid,
    content_hash,
    history,
)
from finance.core.errors import DomainError, PermissionDenied
from finance.parties.models import Role
from finance.policy.models import ChangeStatus
from finance.policy.selectors import policy_value
from finance.policy.services import (
    parameter_change_decide,
    parameter_change_edit,
    parameter_change_propose,
)

D = Decimal
DAY = dt.date(2026, 12, 1)


@pytest.fixture
def admins(province, make_user):
    return make_user(province, Role.ADMINISTRATOR), make_user(province, Role.ADMINISTRATOR)


def test_maker_cannot_approve_own_item(admins):
    maker, _ = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    with pytest.raises(PermissionDenied) as err:
        parameter_change_decide(change=change, approver=maker, approve=True)
    assert err.value.code == "maker_cannot_approve"
    assert "经办人" in err.value.detail and "maker" in err.value.detail
    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED
    assert policy_value("pool.leverage_multiple", on=DAY) == D("10")


def test_second_person_approves_and_the_value_applies_with_an_audit_trail(admins):
    maker, checker = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    parameter_change_decide(change=change, approver=checker, approve=True, comment="per 2026 notice")
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED
    assert policy_value("pool.leverage_multiple", on=DAY) == D("12")
    assert approval_is_valid(change)
    log = list(history(change))
    assert [(c.from_state, c.to_state, c.by, c.reason) for c in log] == [
        ("proposed", "applied", checker, "per 2026 notice")]


def test_approver_needs_the_role(admins, reviewer):
    maker, _ = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    with pytest.raises(PermissionDenied) as err:
        parameter_change_decide(change=change, approver=reviewer, approve=True)
    assert err.value.code == "approver_role_required"


def test_edit_after_approval_voids_it(admins):
    maker, checker = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    request = approval_current(change)
    seen = content_hash(change)
    # An edit while pending voids the pending request and opens a new one bound to the new content.
    parameter_change_edit(change=change, value=D("15"), by=maker)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.VOIDED
    fresh = approval_current(change)
    assert fresh.pk != request.pk and fresh.content_hash != seen
    parameter_change_decide(change=change, approver=checker, approve=True)
    assert policy_value("pool.leverage_multiple", on=DAY) == D("15")


def test_stale_item_cannot_be_approved_even_without_the_edit_service(admins):
    """The hash check is the last line: an item changed behind the service's back is refused, nothing written."""
    maker, checker = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    type(change).objects.filter(pk=change.pk).update(value=D("99"))
    change.refresh_from_db()
    with pytest.raises(DomainError) as err:
        approval_decide(request=approval_current(change), approver=checker, approve=True,
                        default_role=Role.ADMINISTRATOR)
    assert err.value.code == "approval_stale"
    assert approval_current(change).decisions.count() == 0


def test_levels_by_amount_need_distinct_people(province, make_user, admins):
    maker, checker = admins
    ApprovalRule.objects.create(kind="policy_change", level=1, min_amount=0, role=Role.ADMINISTRATOR)
    ApprovalRule.objects.create(kind="policy_change", level=2, min_amount=0, role=Role.ADMINISTRATOR)
    third = make_user(province, Role.ADMINISTRATOR)
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    assert approval_current(change).levels_required == 2
    parameter_change_decide(change=change, approver=checker, approve=True)
    with pytest.raises(PermissionDenied) as err:
        parameter_change_decide(change=change, approver=checker, approve=True)
    assert err.value.code == "same_approver"
    change.refresh_from_db()
    assert change.status == ChangeStatus.PROPOSED
    parameter_change_decide(change=change, approver=third, approve=True)
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED
    assert ApprovalRequest.objects.get(pk=approval_current(change).pk).decisions.count() == 2
    assert StateChange.objects.filter(to_state="applied").count() == 1

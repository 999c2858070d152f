"""Approval requests and policy changes move through their declarative TRANSITIONS, audited, saving named fields."""
import datetime as dt
from decimal import Decimal

import pytest

from finance.approvals.models import ApprovalRequest, ApprovalStatus
from finance.approvals.services import approval_current, history, state_change
from finance.core.errors import InvalidTransition
from finance.parties.models import Role
from finance.policy.models import ChangeStatus, ParameterChange
from finance.policy.services import parameter_change_decide, parameter_change_edit, parameter_change_propose

D = Decimal
DAY = dt.date(2026, 12, 1)


@pytest.fixture
def admins(province, make_user):
    return make_user(province, Role.ADMINISTRATOR), make_user(province, Role.ADMINISTRATOR)


def _moves(obj):
    return [(c.from_state, c.to_state) for c in history(obj)]


def test_the_tables_are_declared_on_the_models():
    assert ApprovalRequest.TRANSITIONS == {
        ApprovalStatus.PENDING: {ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.VOIDED},
        ApprovalStatus.APPROVED: {ApprovalStatus.VOIDED}}
    assert ParameterChange.TRANSITIONS == {ChangeStatus.PROPOSED: {ChangeStatus.APPLIED, ChangeStatus.REJECTED}}


def test_an_approval_decision_is_audited_with_who_and_why(admins):
    maker, checker = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    parameter_change_decide(change=change, approver=checker, approve=False, comment="no source")
    request = approval_current(change)
    assert request.status == ApprovalStatus.REJECTED and request.decided_at is not None
    assert [(c.from_state, c.to_state, c.by, c.reason) for c in history(request)] == [
        ("pending", "rejected", checker, "no source")]
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and _moves(change) == [("proposed", "rejected")]


def test_a_decided_request_cannot_be_moved_again(admins):
    maker, checker = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    parameter_change_decide(change=change, approver=checker, approve=False)
    request = approval_current(change)
    change.refresh_from_db()
    with pytest.raises(InvalidTransition):
        state_change(request, to=ApprovalStatus.APPROVED, by=checker)
    with pytest.raises(InvalidTransition):
        state_change(change, to=ChangeStatus.APPLIED, by=checker)
    request.refresh_from_db()
    change.refresh_from_db()
    assert (request.status, change.status) == (ApprovalStatus.REJECTED, ChangeStatus.REJECTED)


def test_voiding_by_an_edit_is_audited(admins):
    maker, _ = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    first = approval_current(change)
    parameter_change_edit(change=change, value=D("15"), by=maker)
    first.refresh_from_db()
    assert first.status == ApprovalStatus.VOIDED
    assert [(c.from_state, c.to_state, c.reason) for c in history(first)] == [
        ("pending", "voided", "proposal edited")]


def test_applying_saves_only_the_state_and_the_applied_value(admins):
    """The helper saves the named fields: a stale in-memory edit of another field is not written."""
    maker, checker = admins
    change = parameter_change_propose(key="pool.leverage_multiple", value=D("12"), effective_from=DAY, by=maker)
    parameter_change_decide(change=change, approver=checker, approve=True)
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED and change.applied_value.value == D("12")
    assert _moves(change) == [("proposed", "applied")]

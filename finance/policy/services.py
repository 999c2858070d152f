"""Setting policy parameters: a value, or a proposal that takes effect once another administrator approves it.

Reading policy (``PolicyHistory``, ``PolicyUse``, ``policy_value``) lives in ``finance.policy.selectors``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.approvals.models import ApprovalStatus
from finance.approvals.services import (
    approval_current,
    approval_decide,
    approval_submit,
    approvals_void_for,
    state_change,
)
from finance.core.errors import DomainError
from finance.core.inputs import parse_date, parse_number, parse_text
from finance.core.locks import lock, lock_first
from finance.parties.models import Role

from .models import ChangeStatus, Parameter, ParameterChange, ParameterValue
from .selectors import PolicyHistory, PolicyParameterMissing, PolicyUse, policy_value  # noqa: F401  (moved; callers move to selectors)

CHANGE_KIND = "policy_change"
# Values are NUMERIC(20, 6): fourteen digits before the point.
VALUE_MAX = Decimal("99999999999999")


@transaction.atomic
def parameter_set(*, key: str, value: Decimal, effective_from: dt.date, scope: str = "",
                  source_note: str = "",
                  by=None, effective_to: dt.date | None = None) -> ParameterValue:
    """Add a value (history is kept: earlier rows stay as they were); ``effective_to`` ends it (exclusive)."""
    param = lock_first(Parameter, key=key)
    if param is None:
        raise _not_defined(key)
    return ParameterValue.objects.create(parameter=param, scope=scope, value=Decimal(value),
                                         effective_from=effective_from, effective_to=effective_to,
                                         source_note=source_note, set_by=by)


def _not_defined(key: str) -> DomainError:
    return DomainError(f"政策参数 {key} 未定义", f"policy parameter {key} is not defined", code="not_found",
                       field="key", status=404)


def parameter_change_propose(*, key: str, value: Decimal, effective_from: dt.date, by, scope: str = "",
                             source_note: str = "") -> ParameterChange:
    """Propose a value; it is applied by ``parameter_change_decide`` once another administrator approves."""
    param = Parameter.objects.filter(key=key).first()
    if param is None:
        raise _not_defined(key)
    value = parse_number(value, "value", max_value=VALUE_MAX, places=6)
    effective_from = parse_date(effective_from, "effective_from")
    scope = parse_text(scope, "scope", max_length=60, required=False)
    source_note = parse_text(source_note, "source_note", max_length=300, required=False)
    with transaction.atomic():
        change = ParameterChange.objects.create(parameter=param, scope=scope, value=value,
                                                effective_from=effective_from, source_note=source_note,
                                                proposed_by=by)
        approval_submit(item=change, kind=CHANGE_KIND, amount=Decimal(0), maker=by,
                        default_role=Role.ADMINISTRATOR)
    return change


@transaction.atomic
def parameter_change_edit(*, change: ParameterChange, value: Decimal, by) -> ParameterChange:
    """Editing a proposal voids any approval given so far; it goes back for approval."""
    change = lock(ParameterChange, change.pk)
    if change.status != ChangeStatus.PROPOSED:
        raise DomainError("该变更已处理，不能修改", "this change has been decided and cannot be edited",
                          code="change_closed", status=409)
    change.value = parse_number(value, "value", max_value=VALUE_MAX, places=6)
    change.save(update_fields=["value"])
    approvals_void_for(change, by=by, reason="proposal edited")
    approval_submit(item=change, kind=CHANGE_KIND, amount=Decimal(0), maker=change.proposed_by,
                    default_role=Role.ADMINISTRATOR)
    return change


@transaction.atomic
def parameter_change_decide(*, change: ParameterChange, approver, approve: bool,
                            comment: str = "") -> ParameterChange:
    change = lock(ParameterChange, change.pk)
    request = approval_current(change)
    request = approval_decide(request=request, approver=approver, approve=approve, comment=comment,
                              default_role=Role.ADMINISTRATOR)
    if request.status == ApprovalStatus.APPROVED:
        change.applied_value = parameter_set(key=change.parameter.key, value=change.value,
                                             effective_from=change.effective_from, scope=change.scope,
                                             source_note=change.source_note, by=change.proposed_by)
        state_change(change, to=ChangeStatus.APPLIED, by=approver, reason=comment or "approved",
                     also=("applied_value",))
    elif request.status == ApprovalStatus.REJECTED:
        state_change(change, to=ChangeStatus.REJECTED, by=approver, reason=comment or "rejected")
    return change

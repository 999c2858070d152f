"""Reading and setting policy parameters. Decisions call ``policy_value`` and store ``PolicyUse.snapshot``."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.core.errors import DomainError

from .models import ChangeStatus, Parameter, ParameterChange, ParameterValue
from .selectors import PolicyHistory, PolicyParameterMissing, PolicyUse, policy_value  # noqa: F401  (moved; callers move to selectors)

CHANGE_KIND = "policy_change"


@transaction.atomic
def parameter_set(*, key: str, value: Decimal, effective_from: dt.date, scope: str = "", source_note: str = "",
                  by=None) -> ParameterValue:
    """Add a value (history is kept: earlier rows stay as they were)."""
    param = Parameter.objects.select_for_update().get(key=key)
    return ParameterValue.objects.create(parameter=param, scope=scope, value=Decimal(value), effective_from=effective_from,
                                         source_note=source_note, set_by=by)


def parameter_change_propose(*, key: str, value: Decimal, effective_from: dt.date, by, scope: str = "",
                             source_note: str = "") -> ParameterChange:
    """Propose a value; it is applied by ``parameter_change_decide`` once another administrator approves."""
    from finance.approvals.services import approval_submit
    from finance.parties.models import Role

    param = Parameter.objects.filter(key=key).first()
    if param is None:
        raise DomainError(f"政策参数 {key} 未定义", f"policy parameter {key} is not defined", code="not_found",
                          field="key", status=404)
    with transaction.atomic():
        change = ParameterChange.objects.create(parameter=param, scope=scope, value=Decimal(value),
                                                effective_from=effective_from, source_note=source_note, proposed_by=by)
        approval_submit(item=change, kind=CHANGE_KIND, amount=Decimal(0), maker=by, default_role=Role.ADMINISTRATOR)
    return change


@transaction.atomic
def parameter_change_edit(*, change: ParameterChange, value: Decimal, by) -> ParameterChange:
    """Editing a proposal voids any approval given so far; it goes back for approval."""
    from finance.approvals.services import approval_submit, approvals_void_for
    from finance.parties.models import Role

    change = ParameterChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.PROPOSED:
        raise DomainError("该变更已处理，不能修改", "this change has been decided and cannot be edited",
                          code="change_closed", status=409)
    change.value = Decimal(value)
    change.save(update_fields=["value"])
    approvals_void_for(change, by=by, reason="proposal edited")
    approval_submit(item=change, kind=CHANGE_KIND, amount=Decimal(0), maker=change.proposed_by,
                    default_role=Role.ADMINISTRATOR)
    return change


@transaction.atomic
def parameter_change_decide(*, change: ParameterChange, approver, approve: bool, comment: str = "") -> ParameterChange:
    from finance.approvals.models import ApprovalStatus
    from finance.approvals.services import approval_current, approval_decide, state_change
    from finance.parties.models import Role

    change = ParameterChange.objects.select_for_update().get(pk=change.pk)
    request = approval_current(change)
    request = approval_decide(request=request, approver=approver, approve=approve, comment=comment,
                              default_role=Role.ADMINISTRATOR)
    allowed = {ChangeStatus.PROPOSED: {ChangeStatus.APPLIED, ChangeStatus.REJECTED}}
    if request.status == ApprovalStatus.APPROVED:
        change.applied_value = parameter_set(key=change.parameter.key, value=change.value,
                                             effective_from=change.effective_from, scope=change.scope,
                                             source_note=change.source_note, by=change.proposed_by)
        state_change(change, to=ChangeStatus.APPLIED, allowed=allowed, by=approver, reason=comment or "approved")
    elif request.status == ApprovalStatus.REJECTED:
        state_change(change, to=ChangeStatus.REJECTED, allowed=allowed, by=approver, reason=comment or "rejected")
    return change

"""Shared helpers of the direct-instrument services: errors, permissions, maker-checker, the enterprise
lock."""

from __future__ import annotations

from decimal import Decimal

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.core.errors import InvalidTransition, PermissionDenied

# The one bilingual-error shorthand (finance.core.errors), under the names these services use.
from finance.core.errors import calc_error as _calc  # noqa: F401
from finance.core.errors import domain_error as _err
from finance.core.inputs import today
from finance.core.locks import lock
from finance.core.money import money_of
from finance.parties.models import Organisation, OrgKind, Role

from ..caps import cap_check
from ..models import (
    DirectKind,
    InvestFirstStatus,
    Programme,
    ProgrammeStatus,
)

D = Decimal
ROLE = Role.FUND_MANAGER
IFS = InvestFirstStatus


def _manager_of(programme: Programme, by) -> None:
    """Managers' steps: a fund-manager user of the programme's manager organisation."""
    if by is None or by.organisation_id != programme.manager_id or not by.has_role(ROLE):
        raise PermissionDenied("只有该专项的管理机构的基金经理可以执行此操作",
                               "only a fund manager of the programme's manager organisation can do this",
                               code="not_programme_manager")


def _applicant_for(enterprise: Organisation, programme: Programme, by) -> None:
    """An application comes from the enterprise itself (the portal) or from the programme's manager."""
    if by is None:
        raise PermissionDenied("需要登录", "authentication required")
    if by.organisation_id == enterprise.pk and by.has_role(Role.APPLICANT):
        return
    _manager_of(programme, by)


def _enterprise_ok(enterprise: Organisation) -> None:
    if enterprise is None or enterprise.kind not in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        raise _err(
            "enterprise：投资对象必须是企业",
            "enterprise: the investee must be an enterprise",
            "invalid_enterprise",
            "enterprise",
        )


def _programme_ok(programme: Programme, kind: str) -> None:
    if programme.status != ProgrammeStatus.ACTIVE:
        raise _err(
            f"专项「{programme.name}」已关闭",
            f"programme '{programme.name}' is closed",
            "programme_closed",
            "programme",
            status=409,
        )
    if kind not in (programme.kinds or []):
        raise _err(f"programme：专项「{programme.name}」不支持{DirectKind(kind).label}",
                   f"programme: '{programme.name}' does not allow {kind}", "kind_not_allowed", "programme")


def _m(programme: Programme, amount) -> object:
    return money_of(programme, amount)


# ---------------------------------------------------------------- maker-checker helpers


def _submit(item, *, kind: str, amount, by):
    item.maker = by
    approvals.approval_submit(item=item, kind=kind, amount=amount, maker=by, default_role=ROLE)


def _submit_application(model, item, *, applied: str, to: str, kind: str, by, reason: str,
                        what_zh: str):
    """The manager takes an application to approval (maker): only an application, and the talent cap is
    checked again first (it may have filled since it was applied for). ``what_zh``: the item, in Chinese."""
    obj = _locked(model, item, item.enterprise_id)
    _manager_of(obj.programme, by)
    if obj.status != applied:
        raise InvalidTransition(f"只有申请中的{what_zh}可以提交审批", "only an application can be submitted",
                                field="status")
    cap_check(enterprise_id=obj.enterprise_id, amount=obj.amount, on=today(), exclude=obj, locked=False)
    _submit(obj, kind=kind, amount=obj.amount, by=by)
    return approvals.state_change(obj, to=to, by=by, reason=reason, also=("maker",))


def _decide(item, *, by, approve: bool, comment: str):
    request = approvals.approval_current(item)
    if request is None or request.status != ApprovalStatus.PENDING:
        raise InvalidTransition(
            "没有待审批的事项", "there is nothing awaiting approval", code="no_pending_approval"
        )
    return approvals.approval_decide(request=request, approver=by, approve=approve, comment=comment,
                                     default_role=ROLE)


def _locked(model, obj, enterprise_id: int):
    """Lock the enterprise (the serialising row) and read the instrument fresh under it."""
    lock(Organisation, enterprise_id)
    return model.objects.select_related("programme", "enterprise").get(pk=obj.pk)

"""Reading and setting policy parameters. Decisions call ``policy_value`` and store ``PolicyUse.snapshot``."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.core.errors import DomainError

from .models import ChangeStatus, Parameter, ParameterChange, ParameterValue

CHANGE_KIND = "policy_change"


class PolicyParameterMissing(DomainError):
    code = "policy_parameter_missing"
    status = 422


def _plain(value: Decimal) -> Decimal:
    """35.000000 → 35, 0.500000 → 0.5 (no exponent notation)."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class PolicyHistory:
    """Parameter value histories read from the database once, then looked up by date in memory.

    The one place of the rule "the value in force on a date is the latest row effective on or before it, the
    programme's own (``scope``) value first, then the global one". ``policy_value`` uses it for one key;
    bulk work (bank files, many claims) builds one history and asks it many times.
    """

    def __init__(self, *, scope: str = "", keys=None):
        self.scope = scope
        self._rows: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = {}
        self._loaded: set[str] = set()
        if keys is not None:
            self._load(list(keys))

    def _load(self, keys: list[str]) -> None:
        scopes = {self.scope, ""}
        for key in keys:
            self._loaded.add(key)
            for s in scopes:
                self._rows.setdefault((key, s), [])
        rows = (ParameterValue.objects.filter(parameter__key__in=keys, scope__in=scopes)
                .order_by("effective_from", "id").values_list("parameter__key", "scope", "effective_from", "value"))
        for key, s, effective_from, value in rows:
            self._rows[(key, s)].append((effective_from, value))

    def value(self, key: str, on: dt.date) -> Decimal:
        if key not in self._loaded:
            self._load([key])
        for s in ([self.scope, ""] if self.scope else [""]):
            found = None
            for effective_from, value in self._rows[(key, s)]:
                if effective_from > on:
                    break
                found = value
            if found is not None:
                return _plain(found)
        param = Parameter.objects.filter(key=key).first()
        if param is None:
            raise PolicyParameterMissing(f"政策参数 {key} 未定义", f"policy parameter {key} is not defined", field=key)
        raise PolicyParameterMissing(
            f"政策参数「{param.name_zh}」（{key}）在 {on} 没有生效值，请管理员先设置",
            f"policy parameter '{param.name_en}' ({key}) has no value in force on {on}; an administrator must set it",
            field=key)

    def use(self, on: dt.date) -> PolicyUse:
        return PolicyUse(on=on, scope=self.scope, history=self)


def policy_value(key: str, *, on: dt.date, scope: str = "") -> Decimal:
    """The value in force on ``on`` (scoped value first, then the global one); refuses when there is none."""
    return PolicyHistory(scope=scope, keys=[key]).value(key, on)


class PolicyUse:
    """Collects the parameter values a decision used, so the decision can store them beside its result."""

    def __init__(self, *, on: dt.date, scope: str = "", history: PolicyHistory | None = None):
        self.on = on
        self.scope = scope
        self.history = history or PolicyHistory(scope=scope)
        self.snapshot: dict[str, str] = {}

    def __call__(self, key: str) -> Decimal:
        value = self.history.value(key, self.on)
        self.snapshot[key] = str(value)
        return value


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

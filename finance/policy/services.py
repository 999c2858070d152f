"""Reading and setting policy parameters. Decisions call ``policy_value`` and store ``PolicyUse.snapshot``."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.core.errors import DomainError

from .models import Parameter, ParameterValue


class PolicyParameterMissing(DomainError):
    code = "policy_parameter_missing"
    status = 422


def _plain(value: Decimal) -> Decimal:
    """35.000000 → 35, 0.500000 → 0.5 (no exponent notation)."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def policy_value(key: str, *, on: dt.date, scope: str = "") -> Decimal:
    """The value in force on ``on`` (scoped value first, then the global one); refuses when there is none."""
    try:
        param = Parameter.objects.get(key=key)
    except Parameter.DoesNotExist:
        raise PolicyParameterMissing(f"政策参数 {key} 未定义", f"policy parameter {key} is not defined", field=key) from None
    scopes = [scope, ""] if scope else [""]
    for s in scopes:
        row = (ParameterValue.objects.filter(parameter=param, scope=s, effective_from__lte=on)
               .order_by("-effective_from", "-id").first())
        if row is not None:
            return _plain(row.value)
    raise PolicyParameterMissing(
        f"政策参数「{param.name_zh}」（{key}）在 {on} 没有生效值，请管理员先设置",
        f"policy parameter '{param.name_en}' ({key}) has no value in force on {on}; an administrator must set it",
        field=key)


class PolicyUse:
    """Collects the parameter values a decision used, so the decision can store them beside its result."""

    def __init__(self, *, on: dt.date, scope: str = ""):
        self.on = on
        self.scope = scope
        self.snapshot: dict[str, str] = {}

    def __call__(self, key: str) -> Decimal:
        value = policy_value(key, on=self.on, scope=self.scope)
        self.snapshot[key] = str(value)
        return value


@transaction.atomic
def parameter_set(*, key: str, value: Decimal, effective_from: dt.date, scope: str = "", source_note: str = "",
                  by=None) -> ParameterValue:
    """Add a value (history is kept: earlier rows stay as they were)."""
    param = Parameter.objects.select_for_update().get(key=key)
    return ParameterValue.objects.create(parameter=param, scope=scope, value=Decimal(value), effective_from=effective_from,
                                         source_note=source_note, set_by=by)

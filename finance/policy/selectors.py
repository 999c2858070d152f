"""Reading policy: the value in force on a date, for one key or many, and the snapshot a decision stores.

The read side lives here (not in services) so that approvals can read thresholds without importing the
maker-checker write side that itself uses approvals.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from finance.core.errors import DomainError

from .models import Parameter, ParameterValue


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

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

    The one place of the rule "the value in force on a date is the latest row effective on or before it,
    unless that row has ended (its ``effective_to`` is on or before the date); the programme's own
    (``scope``) value first, then the global one". ``policy_value`` uses it for one key; bulk work (bank
    files, many claims) builds one history and asks it many times.
    """

    def __init__(self, *, scope: str = "", keys=None):
        self.scope = scope
        self._rows: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, Decimal]]] = {}
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
                .order_by("effective_from", "id")
                .values_list("parameter__key", "scope", "effective_from", "effective_to", "value"))
        for key, s, effective_from, effective_to, value in rows:
            self._rows[(key, s)].append((effective_from, effective_to, value))

    def _in_force(self, key: str, scope: str, on: dt.date) -> tuple[Decimal | None, dt.date | None]:
        """(value, None) for the row in force on ``on``; (None, end) if the latest row ended; (None, None)."""
        latest = None
        for row in self._rows[(key, scope)]:
            if row[0] > on:
                break
            latest = row
        if latest is None:
            return None, None
        _, effective_to, value = latest
        if effective_to is not None and effective_to <= on:
            return None, effective_to
        return value, None

    def value(self, key: str, on: dt.date) -> Decimal:
        if key not in self._loaded:
            self._load([key])
        ended = None
        for s in ([self.scope, ""] if self.scope else [""]):
            found, ended_on = self._in_force(key, s, on)
            if found is not None:
                return _plain(found)
            ended = ended or ended_on
        param = Parameter.objects.filter(key=key).first()
        if param is None:
            raise PolicyParameterMissing(f"政策参数 {key} 未定义", f"policy parameter {key} is not defined",
                                         field=key)
        zh_end = f"（原规定已于 {ended} 失效）" if ended else ""
        en_end = f" (the earlier rule ended on {ended})" if ended else ""
        raise PolicyParameterMissing(
            f"政策参数「{param.name_zh}」（{key}）在 {on} 没有生效值{zh_end}，请管理员先设置",
            f"policy parameter '{param.name_en}' ({key}) has no value in force on {on}{en_end}; "
            "an administrator must set it",
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


def global_values_in_force(on: dt.date) -> dict[int, ParameterValue]:
    """Parameter id → the global row in force on ``on`` (the rule of ``PolicyHistory``), for the page."""
    latest: dict[int, ParameterValue] = {}
    rows = ParameterValue.objects.filter(scope="", effective_from__lte=on).order_by("parameter_id",
                                                                                    "effective_from", "id")
    for row in rows:
        latest[row.parameter_id] = row
    return {pid: row for pid, row in latest.items() if row.effective_to is None or row.effective_to > on}

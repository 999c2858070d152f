"""Section ``changes``: each headline figure against the previous quarter's published report (same scope).

Computed after the other sections (it reads them and the previous quarter's latest published version). A
figure with no previous value (no published report, or the section was empty) has ``previous`` and
``direction`` null.
"""
from __future__ import annotations

from decimal import Decimal

from ..models import Report, ReportStatus
from ..quarters import Quarter
from ..scopes import Scope

#: (key, path in the sections, Chinese label, unit) — unit "yuan", "count" or "ratio".
HEADLINES = (
    ("loans.principal_outstanding", ("loans", "total", "principal_outstanding"), "贷款余额", "yuan"),
    ("loans.loans_outstanding", ("loans", "total", "loans_outstanding"), "在贷笔数", "count"),
    ("loans.disbursed_amount", ("loans", "total", "disbursed_amount"), "本季放款金额", "yuan"),
    ("loans.npl_ratio", ("loans", "total", "npl_ratio"), "不良率", "ratio"),
    ("pool.available", ("pool", "total", "available"), "资金池可用余额", "yuan"),
    ("pool.paid", ("pool", "total", "paid", "cumulative"), "累计补偿支付", "yuan"),
    ("pool.exposure", ("pool", "total", "exposure"), "风险敞口", "yuan"),
    ("guarantees.in_force_amount", ("guarantees", "total", "in_force_amount"), "在保金额", "yuan"),
    ("funds.paid_in", ("funds", "total", "paid_in"), "基金实缴出资", "yuan"),
    ("funds.distributed", ("funds", "total", "distributed"), "基金累计分配", "yuan"),
    ("funds.nav", ("funds", "total", "nav"), "基金净值", "yuan"),
    ("funds.tvpi", ("funds", "total", "tvpi"), "TVPI", "ratio"),
)


def pick(sections: dict, path: tuple[str, ...]):
    node = sections
    for part in path:
        if not isinstance(node, dict) or node.get(part) is None:
            return None
        node = node[part]
    return node


def previous_report(q: Quarter, scope: Scope) -> Report | None:
    return (Report.objects.filter(quarter=q.previous.label, scope_kind=scope.kind, scope_key=scope.key,
                                  status=ReportStatus.PUBLISHED).order_by("-version").first())


def compute(q: Quarter, scope: Scope, sections: dict) -> dict:
    prev = previous_report(q, scope)
    prev_sections = prev.content.get("sections", {}) if prev else {}
    figures = []
    for key, path, label, unit in HEADLINES:
        current = pick(sections, path)
        if current is None and path[0] not in scope.sections:
            continue
        previous = pick(prev_sections, path) if prev else None
        delta = direction = None
        if current is not None and previous is not None:
            d = Decimal(str(current)) - Decimal(str(previous))
            delta = str(d) if unit != "count" else int(d)
            direction = "up" if d > 0 else "down" if d < 0 else "flat"
        figures.append({"key": key, "label": label, "unit": unit, "current": current, "previous": previous,
                        "delta": delta, "direction": direction})
    return {"previous_quarter": q.previous.label, "previous_version": prev.version if prev else None,
            "previous_sha256": prev.sha256 if prev else None, "figures": figures}

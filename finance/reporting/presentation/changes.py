"""The quarter-on-quarter changes: their table and the headline cards at the top of the page and the PDF.

Both show a ``changes`` figure in the kind ``figure_kind`` gives it (TVPI is a multiple, though its unit in
the section is a ratio): one rule, so the card and the table never disagree.
"""

from __future__ import annotations

from .formats import fmt, table
from .labels import ARROWS


def figure_kind(f: dict) -> str:
    """How a ``changes`` figure is shown: its unit, except TVPI, a multiple."""
    return "multiple" if f["key"] == "funds.tvpi" else f["unit"]


def changes_tables(s: dict) -> list[dict]:
    rows = []
    for f in s["figures"]:
        kind = figure_kind(f)
        rows.append(
            [
                f["label"],
                (kind, f["current"]),
                (kind, f["previous"]),
                (kind, f["delta"]),
                ARROWS[f["direction"]],
            ]
        )
    title = f"与上季度（{s['previous_quarter']}" + (
        f" 第 {s['previous_version']} 版）比较" if s["previous_version"] else "，无已发布报告）比较"
    )
    return [
        table(
            title,
            [("指标", "text"), ("本季", "mixed"), ("上季", "mixed"), ("变动", "mixed"), ("", "text")],
            rows,
        )
    ]


def headline_cards(content: dict) -> list[dict]:
    """The headline figures with their quarter-on-quarter arrows (the ``changes`` section)."""
    ch = (content["sections"].get("changes") or {}).get("figures", [])
    cards = []
    for f in ch:
        kind = figure_kind(f)
        cards.append(
            {
                "label": f["label"],
                "value": fmt(f["current"], kind),
                "delta": fmt(f["delta"], kind) if f["delta"] is not None else "",
                "arrow": ARROWS[f["direction"]],
                "direction": f["direction"],
            }
        )
    return cards

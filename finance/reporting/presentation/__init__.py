"""A report's content as labelled tables (Chinese), shared by the page, the PDF and the XLSX, by part:

- ``formats``: the table shape and how each kind of cell is shown (``fmt``);
- ``labels``: the Chinese words for the codes and the section titles;
- ``lending``: loans, pools and guarantees tables;
- ``investment``: sub-funds and direct instruments tables;
- ``changes``: the quarter-on-quarter table and the headline cards.

``section_tables`` puts them together in section order. The public names stay importable from
``finance.reporting.presentation``.
"""

from __future__ import annotations

from .changes import changes_tables, figure_kind, headline_cards
from .formats import fmt, table
from .investment import direct_tables, funds_tables
from .labels import (
    ARROWS,
    BUCKET_LABELS,
    CLAIM_LABELS,
    CLASS_LABELS,
    COMPLIANCE_LABELS,
    DIRECT_STATE_LABELS,
    INSTRUMENT_LABELS,
    IP_LABELS,
    LP_KIND_LABELS,
    SECTION_TITLES,
    WAY_LABELS,
)
from .lending import guarantees_tables, loans_tables, pool_tables

BUILDERS = {
    "loans": loans_tables,
    "pool": pool_tables,
    "guarantees": guarantees_tables,
    "funds": funds_tables,
    "direct": direct_tables,
    "changes": changes_tables,
}


def section_tables(content: dict) -> list[dict]:
    """[{key, title, tables}] for the sections the report covers, in order."""
    out = []
    for key, build in BUILDERS.items():
        s = content["sections"].get(key)
        if s is not None:
            out.append({"key": key, "title": SECTION_TITLES[key], "tables": build(s)})
    return out


__all__ = [
    "ARROWS", "BUCKET_LABELS", "BUILDERS", "changes_tables", "CLAIM_LABELS", "CLASS_LABELS",
    "COMPLIANCE_LABELS", "DIRECT_STATE_LABELS", "direct_tables", "figure_kind", "fmt", "funds_tables",
    "guarantees_tables", "headline_cards", "INSTRUMENT_LABELS", "IP_LABELS", "loans_tables", "LP_KIND_LABELS",
    "pool_tables", "section_tables", "SECTION_TITLES", "table", "WAY_LABELS",
]

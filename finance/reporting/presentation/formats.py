"""The shape of a report table and how each kind of cell is shown to people.

A table: ``{"title", "columns": [(label, kind)], "rows": [[value, ...]], "total": bool}`` where ``kind`` is
``yuan`` (decimal string, yuan to the fen), ``count``, ``ratio`` (a fraction shown as a percentage),
``multiple`` (DPI/TVPI, shown with four places), ``text`` or ``date``; a cell may carry its own kind as
``(kind, value)`` (the ``changes`` table mixes units). The last row of a table with ``total`` is its total.
The page, the PDF and the XLSX all render these tables, so the formats live here once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def table(title, columns, rows, total=False):
    return {"title": title, "columns": columns, "rows": rows, "total": total}


def fmt(value, kind: str) -> str:
    """Thousands separators, two places for money, percentages for ratios; "—" for no value."""
    if isinstance(value, tuple):
        kind, value = value
    if value is None or value == "":
        return "—"
    try:
        if kind == "yuan":
            return f"{Decimal(str(value)):,.2f}"
        if kind == "count":
            return f"{int(value):,}"
        if kind == "ratio":
            return f"{Decimal(str(value)) * 100:,.2f}%"
        if kind == "multiple":
            return f"{Decimal(str(value)):,.4f}"
    except (InvalidOperation, ValueError):
        return str(value)
    return str(value)

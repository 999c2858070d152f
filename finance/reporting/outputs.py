"""The report as files: XLSX (a sheet per section, numbers as numbers) and PDF (WeasyPrint, Noto CJK).

Both render the same tables as the page (``presentation``). Text cells are made formula-injection safe: a
value starting with = + - @ or a control character is stored with a leading apostrophe, so a spreadsheet never
evaluates it.
"""
from __future__ import annotations

import io
from decimal import Decimal

from django.template.loader import render_to_string

from .charts import report_charts
from .presentation import SECTION_TITLES, fmt, headline_cards, section_tables
from .quarters import parse_quarter
from .scopes import parse_scope, scope_label

NUMBER_FORMATS = {"yuan": "#,##0.00", "count": "#,##0", "ratio": "0.00%", "multiple": "0.0000"}
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def report_context(report) -> dict:
    content = report.content
    q = parse_quarter(report.quarter, ended=False)
    return {"report": report, "content": content, "quarter_zh": q.zh, "scope_label": scope_label(parse_scope(
        report.scope_code)), "sections": section_tables(content), "cards": headline_cards(content),
        "charts": report_charts(content), "fmt": fmt}


def _cell(ws, row, col, value, kind):
    if isinstance(value, tuple):
        kind, value = value
    cell = ws.cell(row=row, column=col)
    if kind in NUMBER_FORMATS and value is not None and value != "":
        cell.value = int(value) if kind == "count" else Decimal(str(value))
        cell.number_format = NUMBER_FORMATS[kind]
    else:
        cell.value = safe_text(value) if value is not None else None
    return cell


def xlsx_bytes(report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    ctx = report_context(report)
    wb = Workbook()
    cover = wb.active
    cover.title = "封面"
    bold = Font(bold=True)
    rows = [
        ("科技金融季度报告", ""),
        ("季度", ctx["quarter_zh"]),
        ("范围", ctx["scope_label"]),
        ("截至日期", report.as_of.isoformat()),
        ("版本", report.version),
        ("状态", "已发布" if report.is_published else "草稿"),
        ("SHA-256", report.sha256),
        (
            "说明",
            "金额单位：元，保留至分；数据截至季度末（北京时间），此后日期的还款、估值、代偿与记账不计入。",
        ),
    ]
    for i, (k, v) in enumerate(rows, start=1):
        cover.cell(row=i, column=1, value=safe_text(k)).font = bold
        cover.cell(row=i, column=2, value=v if isinstance(v, int) else safe_text(v))
    cover.column_dimensions["A"].width = 14
    cover.column_dimensions["B"].width = 70
    present = {s["key"]: s for s in ctx["sections"]}
    for key in SECTION_TITLES:
        ws = wb.create_sheet(key)  # the sheet names are the stable section keys
        r = 1
        ws.cell(row=r, column=1, value=SECTION_TITLES[key]).font = Font(bold=True, size=13)
        r += 2
        if key not in present:
            ws.cell(row=r, column=1, value="本报告范围不含此部分")
            continue
        for table in present[key]["tables"]:
            ws.cell(row=r, column=1, value=safe_text(table["title"])).font = bold
            r += 1
            for c, (label, _kind) in enumerate(table["columns"], start=1):
                ws.cell(row=r, column=c, value=safe_text(label)).font = bold
                ws.column_dimensions[ws.cell(row=r, column=c).column_letter].width = max(
                    12, len(label) * 2 + 4
                )
            r += 1
            for i, values in enumerate(table["rows"]):
                last = table["total"] and i == len(table["rows"]) - 1
                for c, (value, (_label, kind)) in enumerate(
                    zip(values, table["columns"], strict=True), start=1
                ):
                    cell = _cell(ws, r, c, value, kind)
                    if last:
                        cell.font = bold
                r += 1
            r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def pdf_bytes(report) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reporting/report_pdf.html", report_context(report))
    return HTML(string=html).write_pdf()

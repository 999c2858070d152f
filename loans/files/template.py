"""The downloadable template: the Chinese headers and one sample row that itself passes every rule.

The sample is built from the rules' own helpers, not typed: the credit code's check character by the
algorithm ``finance.calc.check_uscc`` verifies (GB 32100-2015), the patent number's check digit by
``finance.calc.identifiers.patent_check_char``, a CNIPA pledge registration number in the patent format, a
principal within the invention-patent loan-to-value cap (25 % of the appraisal), a 36-month term, a rate
under the cap and dates in the past. A test feeds the generated workbook back through the upload.
"""
from __future__ import annotations

import io

from stdnum.cn import uscc as _uscc

from finance.calc import check_uscc
from finance.calc.identifiers import patent_check_char

from .parse import template_headers

_USCC_BODY = "91370100MA0000001"  # 91 enterprise, 370100 Jinan, organisation code MA0000001
_PATENT_DIGITS = "202410000002"  # 2024, kind 1 (invention), serial 0000002


def sample_row() -> list:
    """One valid IP-pledge loan in the template's columns (the order of ``template_headers``)."""
    code = check_uscc(_USCC_BODY + _uscc.calc_check_digit(_USCC_BODY))
    patent = f"ZL{_PATENT_DIGITS}.{patent_check_char(_PATENT_DIGITS)}"
    return ["LN-2025-0001", code, "示例科技有限公司", "1000000.00", "CNY", "4.35", 36, "等额本息",
            "30/360", "2025-01-15", "知识产权质押贷款", "发明专利", patent, "5000000.00", "Y2025980000001",
            "2025-01-10"]


def template_workbook() -> bytes:
    """An XLSX workbook (sheet 贷款) with the Chinese headers and the sample row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "贷款"
    ws.append(template_headers())
    ws.append(sample_row())
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

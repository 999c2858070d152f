"""Parsing a bank's loan file (XLSX or CSV, one row per loan, Chinese or English headers) into records.

Headers are mapped from Chinese or English names (missing required or duplicate headers fail the file),
formula cells are refused (a formula is not data), CSV is decoded as UTF-8 (with or without BOM) or
GB18030/GBK, with comma, semicolon or tab as the separator. ``as_submission`` turns a record into the API's
body shape, so every row then goes through the API's own parsing (``loans.services.loan_input``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from .upload import FileRefused, kind_of

MAX_PLEDGES = 3

# canonical field -> (Chinese header, English header)
COLUMNS = [
    ("external_ref", "贷款编号", "external_ref"),
    ("borrower_uscc", "借款企业统一社会信用代码", "borrower_uscc"),
    ("borrower_name", "借款企业名称", "borrower_name"),
    ("principal", "贷款本金", "principal"),
    ("currency", "币种", "currency"),
    ("annual_rate", "年利率(%)", "annual_rate"),
    ("term_months", "期限(月)", "term_months"),
    ("repayment_method", "还款方式", "repayment_method"),
    ("day_count", "计息基准", "day_count"),
    ("disbursed_on", "放款日期", "disbursed_on"),
    ("category", "贷款类别", "category"),
]
PLEDGE_COLUMNS = [
    ("ip_kind", "质押物类型", "ip_kind"),
    ("ip_number", "质押物编号", "ip_number"),
    ("appraised_value", "评估价值", "appraised_value"),
    ("registration_no", "质押登记号", "registration_no"),
    ("registered_on", "质押登记日期", "registered_on"),
]
#: Pledge columns are checked per row (a credit loan has none); these must be in every file.
REQUIRED = {"external_ref", "borrower_uscc", "principal", "annual_rate", "term_months", "repayment_method",
            "disbursed_on"}
VALUE_ALIASES = {
    "repayment_method": {"等额本息": "equal_installment", "等额本金": "equal_principal",
                         "先息后本": "interest_only",
                         "到期一次还本付息": "bullet", "一次还本付息": "bullet"},
    "ip_kind": {"发明专利": "invention_patent", "实用新型": "utility_model", "实用新型专利": "utility_model",
                "商标": "trademark", "商标权": "trademark", "著作权": "copyright", "版权": "copyright",
                "软件著作权": "copyright"},
    "currency": {"人民币": "CNY", "元": "CNY"},
    "category": {"知识产权质押贷款": "ip_pledge", "质押贷款": "ip_pledge", "早期研发信用贷款": "rd_credit",
                 "研发信用贷款": "rd_credit", "信用贷款": "rd_credit"},
}


def _header_map() -> dict[str, str]:
    out = {}
    for key, zh, en in COLUMNS:
        out[zh] = out[en] = key
    for n in range(1, MAX_PLEDGES + 1):
        suffix = "" if n == 1 else str(n)
        for key, zh, en in PLEDGE_COLUMNS:
            canon = key if n == 1 else f"{key}_{n}"
            out[zh + suffix] = out[en + ("" if n == 1 else f"_{n}")] = canon
    return out


HEADERS = _header_map()


def template_headers() -> list[str]:
    """The Chinese headers of the downloadable template (first pledge; add 质押物类型2 … for more)."""
    return [zh for _, zh, _ in COLUMNS] + [zh for _, zh, _ in PLEDGE_COLUMNS]


def err(row: int, column: str, code: str, zh: str, en: str) -> dict:
    return {"row": row, "column": column, "code": code, "detail_zh": zh, "detail_en": en}


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise FileRefused("CSV 编码无法识别（请使用 UTF-8 或 GBK）",
                              "cannot decode the CSV (use UTF-8 or GBK)",
                              code="bad_encoding", field="file") from None


def _csv_rows(data: bytes):
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        yield [c.strip() for c in row], []


def _xlsx_rows(data: bytes):
    import openpyxl  # uses defusedxml when installed

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows():
            values, formulas = [], []
            for j, cell in enumerate(row):
                value = cell.value
                if getattr(cell, "data_type", None) == "f" or (isinstance(value,
                                                                          str) and value.startswith("=")):
                    formulas.append(j)
                values.append(value)
            yield values, formulas
    finally:
        wb.close()


def _cell(value):
    """XLSX cells: numbers as their shortest decimal repr (what Excel shows), datetimes as dates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


@dataclass
class Parsed:
    headers: dict[str, int]  # canonical -> column index
    names: dict[str, str]  # canonical -> header as written
    rows: list[tuple[int, dict]]  # (row number in the file, canonical -> text)
    errors: list[dict]


def _headers(header_row) -> tuple[dict, dict, list]:
    headers, names, errors = {}, {}, []
    for j, raw in enumerate(header_row):
        text = _cell(raw)
        if not text:
            continue
        key = HEADERS.get(text) or HEADERS.get(text.replace("（", "(").replace("）", ")"))
        if key is None:
            errors.append(err(1, text, "unknown_header", f"未知的列名「{text}」", f"unknown column '{text}'"))
        elif key in headers:
            errors.append(err(1, text, "duplicate_header", f"列「{text}」重复",
                              f"column '{text}' appears twice"))
        else:
            headers[key], names[key] = j, text
    for key in sorted(REQUIRED - set(headers)):
        zh, en = next((z, e) for k, z, e in COLUMNS + PLEDGE_COLUMNS if k == key)
        errors.append(err(1, zh, "missing_header", f"缺少必填列「{zh}」",
                          f"required column '{en}' ({zh}) is missing"))
    return headers, names, errors


def parse(data: bytes, name: str) -> Parsed:
    rows_iter = _xlsx_rows(data) if kind_of(name, data[:8]) == "xlsx" else _csv_rows(data)
    try:
        header_row, _ = next(rows_iter)
    except StopIteration:
        raise FileRefused("文件没有内容", "the file has no rows", code="empty_file", field="file") from None
    headers, names, errors = _headers(header_row)
    rows: list[tuple[int, dict]] = []
    if errors:
        return Parsed(headers, names, rows, errors)
    by_index = {idx: names[k] for k, idx in headers.items()}
    cell = _cell if kind_of(name, data[:8]) == "xlsx" else str  # CSV cells are already stripped text
    for i, (values, formulas) in enumerate(rows_iter, start=2):
        for j in formulas:
            errors.append(err(i, by_index.get(j, f"#{j + 1}"), "formula_cell", "单元格含公式：请只提交数值",
                              "the cell holds a formula: submit values only"))
        record = {k: cell(values[idx]) if idx < len(values) else "" for k, idx in headers.items()}
        if any(record.values()):
            rows.append((i, record))
    if not rows and not errors:
        raise FileRefused("文件只有表头，没有贷款", "the file has headers but no loans", code="empty_file",
                          field="file")
    return Parsed(headers, names, rows, errors)


def as_submission(record: dict) -> dict:
    """A file record in the API's body shape (Chinese value labels mapped to codes; empty pledges dropped)."""
    data = {k: record.get(k, "") for k, _, _ in COLUMNS}
    for k in ("repayment_method", "currency", "category"):
        data[k] = VALUE_ALIASES[k].get(data[k], data[k])
    pledges = []
    for n in range(1, MAX_PLEDGES + 1):
        sfx = "" if n == 1 else f"_{n}"
        p = {k: record.get(k + sfx, "") for k, _, _ in PLEDGE_COLUMNS}
        if not any(p.values()):
            continue
        p["ip_kind"] = VALUE_ALIASES["ip_kind"].get(p["ip_kind"], p["ip_kind"])
        pledges.append(p)
    data["pledges"] = pledges
    return data


def column_for(field: str | None, names: dict[str, str]) -> str:
    """API field path (``pledges.1.ip_number``) → the header the bank wrote."""
    if field and field.startswith("pledges."):
        _, n, key = field.split(".", 2)
        canon = key if n == "0" else f"{key}_{int(n) + 1}"
        return names.get(canon, canon)
    if field == "pledges":
        return names.get("ip_kind", "质押物类型")
    return names.get(field or "", field or "")

"""Banks' bulk loan files (XLSX or CSV, one row per loan, Chinese or English headers).

Upload (``loan_file_upload``) refuses at once what is not a loan file at all: not XLSX/CSV, empty, larger than
``KEJIN_MAX_UPLOAD_BYTES``, a zip bomb (the XLSX's declared uncompressed size and compression ratio are
checked before openpyxl opens it), or the same file again (sha256 per bank). Everything else happens in the
job (``loan_file_process``, run by a Celery task after commit):

1. parse: headers mapped from Chinese or English names (missing or duplicate headers fail the file), formula
   cells refused (a formula is not data), CSV decoded as UTF-8 (with or without BOM) or GB18030/GBK, with
   comma, semicolon or tab as the separator;
2. validate every row with the same rules as the API (``services.loan_input`` and ``loan_rules_check``), plus
   the file-wide ones (a reference twice in the file, an IP asset twice, borrowers, assets already pledged);
   rows whose reference this bank already registered are reported and skipped, never duplicated;
3. all or nothing: any error fails the file with every error (row, column, reason); otherwise one transaction
   stores borrowers, assets, loans, pledges, schedules (``finance.calc.bulk_schedules``) and the audit rows.
   On PostgreSQL rows go in with COPY (ids reserved from the sequences); elsewhere with executemany.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from finance.approvals.models import StateChange
from finance.calc import CalcError, LoanColumns, bulk_schedules
from finance.calc.bulk import DAY_COUNT_CODES, METHOD_CODES
from finance.core.errors import Conflict, DomainError
from finance.parties.models import Organisation, OrgKind

from . import services
from .models import Installment, IPAsset, Loan, LoanFile, LoanFileStatus, LoanStatus, Pledge

MAX_PLEDGES = 3
#: Zip-bomb guards for XLSX: total declared uncompressed size and the compression ratio.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_STORED_ERRORS = 5000
PROGRESS_EVERY = 2000

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
]
PLEDGE_COLUMNS = [
    ("ip_kind", "质押物类型", "ip_kind"),
    ("ip_number", "质押物编号", "ip_number"),
    ("appraised_value", "评估价值", "appraised_value"),
    ("registration_no", "质押登记号", "registration_no"),
]
REQUIRED = {"external_ref", "borrower_uscc", "principal", "annual_rate", "term_months", "repayment_method",
            "disbursed_on", "ip_kind", "ip_number", "appraised_value"}
VALUE_ALIASES = {
    "repayment_method": {"等额本息": "equal_installment", "等额本金": "equal_principal", "先息后本": "interest_only",
                         "到期一次还本付息": "bullet", "一次还本付息": "bullet"},
    "ip_kind": {"发明专利": "invention_patent", "实用新型": "utility_model", "实用新型专利": "utility_model",
                "商标": "trademark", "商标权": "trademark", "著作权": "copyright", "版权": "copyright",
                "软件著作权": "copyright"},
    "currency": {"人民币": "CNY", "元": "CNY"},
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


def _err(row: int, column: str, code: str, zh: str, en: str) -> dict:
    return {"row": row, "column": column, "code": code, "detail_zh": zh, "detail_en": en}


class FileRefused(DomainError):
    status = 400
    code = "invalid_file"


# ---------------------------------------------------------------- upload


def _kind_of(name: str, head: bytes) -> str:
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        if lower.endswith((".xlsx", ".xlsm")):
            return "xlsx"
        raise FileRefused(f"{name} 是压缩文件，不是 XLSX", f"{name} is a zip archive, not an XLSX workbook",
                          code="unsupported_file_type", field="file")
    if lower.endswith((".csv", ".txt")) and b"\x00" not in head:
        return "csv"
    raise FileRefused(f"{name} 不是 XLSX 或 CSV 文件", f"{name} is not an XLSX or CSV file",
                      code="unsupported_file_type", field="file")


def check_zip_bomb(data: bytes) -> None:
    """Refuse an XLSX whose declared uncompressed size or ratio is excessive (before any XML is parsed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise FileRefused("XLSX 文件已损坏", "the XLSX file is corrupt", code="corrupt_file", field="file") from None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
        raise FileRefused(f"XLSX 解压后过大（{total} 字节，压缩比 {total // packed}:1），疑似压缩炸弹",
                          f"the XLSX expands to {total} bytes (ratio {total // packed}:1): refused as a zip bomb",
                          code="zip_bomb", field="file")


@transaction.atomic
def loan_file_upload(*, bank: Organisation, by, upload) -> LoanFile:
    """Store the file and queue its processing (after commit); refuse what cannot be a loan file."""
    size = upload.size or 0
    if size == 0:
        raise FileRefused("文件为空", "the file is empty", code="empty_file", field="file")
    if size > settings.KEJIN_MAX_UPLOAD_BYTES:
        raise FileRefused(f"文件过大（{size} 字节，上限 {settings.KEJIN_MAX_UPLOAD_BYTES}）",
                          f"the file is too large ({size} bytes; limit {settings.KEJIN_MAX_UPLOAD_BYTES})",
                          code="file_too_large", field="file")
    data = upload.read()
    name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
    kind = _kind_of(name, data[:8])
    if kind == "xlsx":
        check_zip_bomb(data)
    digest = hashlib.sha256(data).hexdigest()
    previous = LoanFile.objects.filter(bank=bank, sha256=digest).first()
    if previous is not None:
        raise Conflict(f"该文件已于 {previous.created_at:%Y-%m-%d %H:%M} 上传（任务 #{previous.pk}）",
                       f"this file was already uploaded (job #{previous.pk})", code="duplicate_file", field="file",
                       extra={"loan_file_id": previous.pk})
    upload.seek(0)
    loan_file = LoanFile(bank=bank, uploaded_by=by, original_name=name, sha256=digest)
    loan_file.file.save(name, upload, save=False)
    loan_file.save()
    from .tasks import process_loan_file

    transaction.on_commit(lambda: process_loan_file.delay(loan_file.pk))
    return loan_file


# ---------------------------------------------------------------- parsing


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise FileRefused("CSV 编码无法识别（请使用 UTF-8 或 GBK）", "cannot decode the CSV (use UTF-8 or GBK)",
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
                if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
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


def parse(data: bytes, name: str) -> Parsed:
    kind = _kind_of(name, data[:8])
    rows_iter = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    errors: list[dict] = []
    try:
        header_row, formulas = next(rows_iter)
    except StopIteration:
        raise FileRefused("文件没有内容", "the file has no rows", code="empty_file", field="file") from None
    headers, names = {}, {}
    for j, raw in enumerate(header_row):
        text = _cell(raw)
        if not text:
            continue
        key = HEADERS.get(text) or HEADERS.get(text.replace("（", "(").replace("）", ")"))
        if key is None:
            errors.append(_err(1, text, "unknown_header", f"未知的列名「{text}」", f"unknown column '{text}'"))
            continue
        if key in headers:
            errors.append(_err(1, text, "duplicate_header", f"列「{text}」重复", f"column '{text}' appears twice"))
            continue
        headers[key], names[key] = j, text
    for key in sorted(REQUIRED - set(headers)):
        zh, en = next((z, e) for k, z, e in COLUMNS + PLEDGE_COLUMNS if k == key)
        errors.append(_err(1, zh, "missing_header", f"缺少必填列「{zh}」", f"required column '{en}' ({zh}) is missing"))
    rows = []
    if errors:
        return Parsed(headers, names, rows, errors)
    for i, (values, formulas) in enumerate(rows_iter, start=2):
        for j in formulas:
            col = next((names[k] for k, idx in headers.items() if idx == j), f"#{j + 1}")
            errors.append(_err(i, col, "formula_cell", "单元格含公式：请只提交数值", "the cell holds a formula: submit values only"))
        record = {k: _cell(values[idx]) if idx < len(values) else "" for k, idx in headers.items()}
        if not any(record.values()):
            continue
        rows.append((i, record))
    if not rows and not errors:
        raise FileRefused("文件只有表头，没有贷款", "the file has headers but no loans", code="empty_file", field="file")
    return Parsed(headers, names, rows, errors)


def _as_submission(record: dict) -> dict:
    data = {k: record.get(k, "") for k, _, _ in COLUMNS}
    for k in ("repayment_method", "currency"):
        data[k] = VALUE_ALIASES[k].get(data[k], data[k])
    pledges = []
    for n in range(1, MAX_PLEDGES + 1):
        sfx = "" if n == 1 else f"_{n}"
        p = {k: record.get(k + sfx, "") for k, _, _ in PLEDGE_COLUMNS}
        if n > 1 and not any(p.values()):
            continue
        p["ip_kind"] = VALUE_ALIASES["ip_kind"].get(p["ip_kind"], p["ip_kind"])
        pledges.append(p)
    data["pledges"] = pledges
    return data


def _column_for(field: str, names: dict[str, str]) -> str:
    """API field path (``pledges.1.ip_number``) → the header the bank wrote."""
    if field and field.startswith("pledges."):
        _, n, key = field.split(".", 2)
        canon = key if n == "0" else f"{key}_{int(n) + 1}"
        return names.get(canon, canon)
    return names.get(field or "", field or "")


# ---------------------------------------------------------------- processing


@dataclass
class Prepared:
    loans: list[tuple[int, services.LoanIn, dict]]  # row, input, policy snapshot
    already: list[dict]
    errors: list[dict]


def validate_rows(parsed: Parsed, *, bank: Organisation, as_of: dt.date, progress=None) -> Prepared:
    """Every row through the API's rules, then the file-wide checks; collects every error."""
    errors = list(parsed.errors)
    names = parsed.names
    cache = services.PolicyCache()
    good: list[tuple[int, services.LoanIn, dict]] = []
    existing = dict(Loan.objects.filter(bank=bank, external_ref__in=[r.get("external_ref", "") for _, r in parsed.rows])
                    .values_list("external_ref", "pk"))
    already, seen_refs, seen_assets = [], {}, {}
    for k, (row, record) in enumerate(parsed.rows, start=1):
        try:
            data = services.loan_input(_as_submission(record))
            if data.external_ref in existing:
                already.append({"row": row, "external_ref": data.external_ref, "loan_id": existing[data.external_ref]})
                continue
            use = cache.use(data.disbursed_on)
            services.loan_rules_check(data, use, as_of=as_of)
        except DomainError as exc:
            errors.append(_err(row, _column_for(exc.field, names), exc.code, exc.detail_zh, exc.detail_en))
            continue
        if data.external_ref in seen_refs:
            errors.append(_err(row, names["external_ref"], "duplicate_external_ref",
                               f"贷款编号 {data.external_ref} 与第 {seen_refs[data.external_ref]} 行重复",
                               f"reference {data.external_ref} repeats row {seen_refs[data.external_ref]}"))
            continue
        seen_refs[data.external_ref] = row
        for p in data.pledges:
            key = (p.ip_kind, p.ip_number)
            if key in seen_assets:
                errors.append(_err(row, names["ip_number"], "duplicate_pledge",
                                   f"知识产权 {p.ip_number} 已在第 {seen_assets[key]} 行质押",
                                   f"IP asset {p.ip_number} is already pledged in row {seen_assets[key]}"))
            seen_assets[key] = row
        good.append((row, data, use.snapshot))
        if progress and k % PROGRESS_EVERY == 0:
            progress(k)
    _check_borrowers(good, errors, names)
    _check_assets(good, errors, names)
    return Prepared(good, already, errors)


def _check_borrowers(good, errors, names):
    codes = {d.borrower_uscc for _, d, _ in good}
    known = {}
    for chunk in _chunks(sorted(codes), 5000):
        known.update({o.uscc: o for o in Organisation.objects.filter(uscc__in=chunk).only("id", "uscc", "kind")})
    for row, d, _ in good:
        org = known.get(d.borrower_uscc)
        if org is None and not d.borrower_name:
            errors.append(_err(row, names.get("borrower_name", "借款企业名称"), "borrower_unknown",
                               f"借款企业 {d.borrower_uscc} 尚未登记，请填写企业名称",
                               f"borrower {d.borrower_uscc} is not registered: fill in borrower_name"))
        elif org is not None and org.kind != OrgKind.ENTERPRISE:
            errors.append(_err(row, names["borrower_uscc"], "borrower_not_enterprise",
                               f"借款人 {d.borrower_uscc} 不是企业", f"borrower {d.borrower_uscc} is not an enterprise"))


def _check_assets(good, errors, names):
    wanted = {(p.ip_kind, p.ip_number) for _, d, _ in good for p in d.pledges}
    numbers = sorted({n for _, n in wanted})
    existing = {}
    for chunk in _chunks(numbers, 5000):
        for a in IPAsset.objects.filter(number__in=chunk).select_related("owner").only("id", "kind", "number",
                                                                                        "owner__uscc"):
            existing[(a.kind, a.number)] = a
    if not existing:
        return
    live = set(Pledge.objects.filter(asset_id__in=[a.pk for a in existing.values()],
                                     loan__status__in=services.LIVE_STATUSES).values_list("asset_id", flat=True))
    for row, d, _ in good:
        for p in d.pledges:
            a = existing.get((p.ip_kind, p.ip_number))
            if a is None:
                continue
            if a.owner.uscc != d.borrower_uscc:
                errors.append(_err(row, names["ip_number"], "ip_owner_mismatch",
                                   f"知识产权 {p.ip_number} 登记在其他权利人名下", f"IP asset {p.ip_number} belongs to another owner"))
            elif a.pk in live:
                errors.append(_err(row, names["ip_number"], "ip_already_pledged",
                                   f"知识产权 {p.ip_number} 已为另一笔未结清贷款质押",
                                   f"IP asset {p.ip_number} already secures another outstanding loan"))


def _chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# ---------------------------------------------------------------- storage


def _reserve_ids(model, n: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # SQLite: we hold the write lock
        start = cur.fetchone()[0] + 1
        return list(range(start, start + n))


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def insert_rows(table: str, columns: list[str], rows, *, lines: list[str] | None = None) -> None:
    """Insert many rows: COPY on PostgreSQL (``lines`` = pre-formatted COPY text lines, if given), else executemany."""
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                if lines is None:
                    lines = ("\t".join(_copy_text(v) for v in r) for r in rows)
                batch = []
                for line in lines:
                    batch.append(line)
                    if len(batch) >= 20000:
                        copy.write("\n".join(batch) + "\n")
                        batch = []
                if batch:
                    copy.write("\n".join(batch) + "\n")
        else:
            marks = ", ".join(["%s"] * len(columns))
            rows = list(rows)
            for chunk in _chunks(rows, 5000):
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', chunk)


INSTALLMENT_COLUMNS = ["loan_id", "number", "due_date", "principal", "interest", "payment", "balance",
                       "principal_paid", "interest_paid", "status", "paid_on"]


def schedule_rows(loan_ids: list[int], loans: list[services.LoanIn]):
    """The schedules of many loans as COPY lines and as tuples (exactly ``amortization_schedule``'s rows)."""
    cols = LoanColumns(
        principal_fen=np.array([int(d.principal * 100) for d in loans], dtype=np.int64),
        rate_units=np.array([int(d.annual_rate * 10000) for d in loans], dtype=np.int64),
        term_months=np.array([d.term_months for d in loans], dtype=np.int64),
        method=np.array([METHOD_CODES[d.repayment_method] for d in loans], dtype=np.int8),
        day_count=np.array([DAY_COUNT_CODES[d.day_count] for d in loans], dtype=np.int8),
        start_date=np.array([d.disbursed_on for d in loans], dtype="datetime64[D]"),
    )
    sched = bulk_schedules(cols)
    ids = np.asarray(loan_ids, dtype=np.int64)[sched.loan].tolist()
    number = sched.number.tolist()
    due = sched.due_date.astype(str).tolist()
    prin, intr, pay, bal = (a.tolist() for a in (sched.principal, sched.interest, sched.payment, sched.balance))
    return sched, ids, number, due, prin, intr, pay, bal


def _fen_strings(fen: np.ndarray) -> list[str]:
    """Non-negative integer fen → "yuan.ff" COPY text, column at a time in numpy (integer arithmetic, no float)."""
    assert (fen >= 0).all(), "schedule amounts are never negative"
    yuan, cents = np.divmod(fen, 100)
    return np.strings.add(np.strings.add(yuan.astype(str), "."), np.strings.zfill(cents.astype(str), 2)).tolist()


def schedule_copy_lines(parts) -> list[str]:
    sched, ids, number, due, *_ = parts
    p, x, y, b = (_fen_strings(a) for a in (sched.principal, sched.interest, sched.payment, sched.balance))
    return [f"{i}\t{n}\t{d}\t{pp}\t{xx}\t{yy}\t{bb}\t0.00\t0.00\tdue\t\\N"
            for i, n, d, pp, xx, yy, bb in zip(ids, number, due, p, x, y, b, strict=True)]


def schedule_tuples(parts):
    _, ids, number, due, prin, intr, pay, bal = parts
    D = Decimal
    for i, n, d, p, x, y, b in zip(ids, number, due, prin, intr, pay, bal, strict=True):
        yield (i, n, d, D(p) / 100, D(x) / 100, D(y) / 100, D(b) / 100, D(0), D(0), "due", None)


def store(prepared: Prepared, *, bank: Organisation, by, loan_file: LoanFile | None) -> int:
    """Write every prepared loan in the current transaction; returns the number created."""
    items = prepared.loans
    if not items:
        return 0
    now = timezone.now()
    # Borrowers: one query for the known, one bulk insert for the new (codes already validated).
    codes = sorted({d.borrower_uscc for _, d, _ in items})
    orgs = {}
    for chunk in _chunks(codes, 5000):
        orgs.update(dict(Organisation.objects.filter(uscc__in=chunk).values_list("uscc", "pk")))
    new = {}
    for _, d, _ in items:
        if d.borrower_uscc not in orgs and d.borrower_uscc not in new:
            new[d.borrower_uscc] = Organisation(kind=OrgKind.ENTERPRISE, name=d.borrower_name, uscc=d.borrower_uscc)
    for o in Organisation.objects.bulk_create(list(new.values()), batch_size=2000):
        orgs[o.uscc] = o.pk
    # IP assets: reuse (re-appraise) the known, insert the new.
    keys = {(p.ip_kind, p.ip_number): (p, orgs[d.borrower_uscc], d.currency) for _, d, _ in items for p in d.pledges}
    assets = {}
    numbers = sorted({n for _, n in keys})
    for chunk in _chunks(numbers, 5000):
        for pk, kind, number in IPAsset.objects.filter(number__in=chunk).values_list("pk", "kind", "number"):
            if (kind, number) in keys:
                assets[(kind, number)] = pk
    fresh = [k for k in keys if k not in assets]
    asset_ids = _reserve_ids(IPAsset, len(fresh))
    insert_rows(IPAsset._meta.db_table,
                ["id", "kind", "number", "owner_id", "appraised_value_currency", "appraised_value", "appraised_on",
                 "appraiser"],
                [(aid, k[0], k[1], keys[k][1], keys[k][2], keys[k][0].appraised_value, None, "")
                 for aid, k in zip(asset_ids, fresh, strict=True)])
    assets.update(zip(fresh, asset_ids, strict=True))
    # Loans, with ids reserved so pledges, installments and audit rows can refer to them.
    loan_ids = _reserve_ids(Loan, len(items))
    loans_in = [d for _, d, _ in items]
    parts = schedule_rows(loan_ids, loans_in)
    sched = parts[0]
    last = sched.offsets[1:] - 1
    maturity = sched.due_date[last].astype(str).tolist()
    file_id = loan_file.pk if loan_file else None
    insert_rows(Loan._meta.db_table,
                ["id", "bank_id", "borrower_id", "external_ref", "principal_currency", "principal", "annual_rate",
                 "term_months", "repayment_method", "day_count", "disbursed_on", "maturity_on", "status",
                 "principal_outstanding", "dpd", "loan_class", "classified_on", "claim_eligible_since",
                 "defaulted_on", "default_reason", "policy_snapshot", "submitted_by_id", "source_file_id",
                 "created_at"],
                [(lid, bank.pk, orgs[d.borrower_uscc], d.external_ref, d.currency, d.principal, d.annual_rate,
                  d.term_months, d.repayment_method, d.day_count, d.disbursed_on, mat, LoanStatus.ACTIVE,
                  d.principal, 0, "normal", None, None, None, "", json.dumps(snap, ensure_ascii=False), by.pk,
                  file_id, now)
                 for lid, (_, d, snap), mat in zip(loan_ids, items, maturity, strict=True)])
    insert_rows(Pledge._meta.db_table,
                ["loan_id", "asset_id", "registration_no", "registered_on", "appraised_value", "ltv_cap"],
                [(lid, assets[(p.ip_kind, p.ip_number)], p.registration_no, None, p.appraised_value,
                  Decimal(snap[f"loan.ltv_max.{p.ip_kind}"]))
                 for lid, (_, d, snap) in zip(loan_ids, items, strict=True) for p in d.pledges])
    if connection.vendor == "postgresql":
        insert_rows(Installment._meta.db_table, INSTALLMENT_COLUMNS, None, lines=schedule_copy_lines(parts))
    else:
        insert_rows(Installment._meta.db_table, INSTALLMENT_COLUMNS, schedule_tuples(parts))
    # The audit trail: submitted → active for each loan, as loan_submit logs it.
    ct = ContentType.objects.get_for_model(Loan).pk
    reason = f"registered from file #{file_id}" if file_id else "registered in bulk"
    insert_rows(StateChange._meta.db_table,
                ["item_type_id", "item_id", "field", "from_state", "to_state", "by_id", "at", "reason"],
                [(ct, lid, "status", LoanStatus.SUBMITTED, LoanStatus.ACTIVE, by.pk, now, reason) for lid in loan_ids])
    return len(items)


def _fail(loan_file: LoanFile, errors: list[dict], **extra) -> LoanFile:
    loan_file.status = LoanFileStatus.FAILED
    loan_file.errors = errors[:MAX_STORED_ERRORS]
    if len(errors) > MAX_STORED_ERRORS:
        loan_file.errors.append(_err(0, "", "too_many_errors", f"另有 {len(errors) - MAX_STORED_ERRORS} 个错误未列出",
                                     f"{len(errors) - MAX_STORED_ERRORS} more errors not listed"))
    loan_file.finished_at = timezone.now()
    for k, val in extra.items():
        setattr(loan_file, k, val)
    loan_file.save()
    return loan_file


def loan_file_process(*, loan_file_id: int, as_of: dt.date | None = None) -> LoanFile:
    """Parse, validate and (all or nothing) store one uploaded file. Progress is saved as rows are validated."""
    loan_file = LoanFile.objects.select_related("bank", "uploaded_by").get(pk=loan_file_id)
    if loan_file.status in (LoanFileStatus.DONE, LoanFileStatus.FAILED):
        return loan_file
    LoanFile.objects.filter(pk=loan_file.pk).update(status=LoanFileStatus.PROCESSING)
    loan_file.status = LoanFileStatus.PROCESSING
    as_of = as_of or services.today()
    try:
        with loan_file.file.open("rb") as fh:
            data = fh.read()
        parsed = parse(data, loan_file.original_name)
    except DomainError as exc:
        return _fail(loan_file, [_err(0, "", exc.code, exc.detail_zh, exc.detail_en)])
    except Exception as exc:  # a workbook openpyxl cannot read
        return _fail(loan_file, [_err(0, "", "unreadable_file", f"文件无法读取：{exc}", f"the file cannot be read: {exc}")])
    total = len(parsed.rows)
    LoanFile.objects.filter(pk=loan_file.pk).update(rows_total=total)

    def progress(k):
        LoanFile.objects.filter(pk=loan_file.pk).update(rows_done=k)

    prepared = validate_rows(parsed, bank=loan_file.bank, as_of=as_of, progress=progress)
    if prepared.errors:
        prepared.errors.sort(key=lambda e: (e["row"], e["column"]))
        return _fail(loan_file, prepared.errors, rows_total=total, rows_done=total,
                     rows_already_registered=prepared.already)
    try:
        with transaction.atomic():
            LoanFile.objects.select_for_update().filter(pk=loan_file.pk).update(status=LoanFileStatus.PROCESSING)
            created = store(prepared, bank=loan_file.bank, by=loan_file.uploaded_by, loan_file=loan_file)
    except CalcError as exc:
        return _fail(loan_file, [_err(0, "", exc.code, exc.message_zh, exc.message_en)], rows_total=total)
    loan_file.status = LoanFileStatus.DONE
    loan_file.rows_total = total
    loan_file.rows_done = total
    loan_file.rows_created = created
    loan_file.rows_already_registered = prepared.already
    loan_file.finished_at = timezone.now()
    loan_file.save()
    return loan_file


def errors_by_row(errors: list[dict]) -> dict[int, list[dict]]:
    out = defaultdict(list)
    for e in errors:
        out[e["row"]].append(e)
    return dict(out)

"""Set-based writing for the registration path: ids reserved from the sequences, COPY on PostgreSQL
(executemany elsewhere), and the schedules of many loans as COPY text built column-wise in numpy."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
from django.db import connection
from django.db.models.expressions import RawSQL

from finance.calc import LoanColumns, bulk_schedules
from finance.calc.bulk import DAY_COUNT_CODES, METHOD_CODES

COPY_BATCH = 20000
FEN_PER_YUAN = 100
CHUNK = 5000

INSTALLMENT_COLUMNS = ["loan_id", "number", "due_date", "principal", "interest", "payment", "balance",
                       "principal_paid", "interest_paid", "status", "paid_on"]


def chunks(seq, n: int = CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def among(values, cast: str = "text") -> list:
    """``values`` for ``field__in`` lookups: on PostgreSQL one array parameter (``unnest``), so a file's
    20,000 references or asset numbers are not 20,000 placeholders for the driver to build and the server
    to plan; elsewhere chunks of ``CHUNK`` values."""
    values = sorted(set(values) - {None})
    if not values:
        return []
    if connection.vendor == "postgresql":
        return [RawSQL(f"SELECT unnest(%s::{cast}[])", [values])]
    return list(chunks(values))


def reserve_ids(model, n: int) -> list[int]:
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        [table, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # SQLite: we hold the write lock
        start = cur.fetchone()[0] + 1
        return list(range(start, start + n))


def copy_text(value) -> str:
    """One value in COPY text format: NULL as \\N, text escaped; numbers and dates need no escaping."""
    if value is None:
        return "\\N"
    text = str(value)
    if isinstance(value, str) and ("\\" in text or "\t" in text or "\n" in text or "\r" in text):
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def insert_rows(table: str, columns: list[str], rows, *, lines=None) -> None:
    """Insert many rows: COPY on PostgreSQL (``lines`` = pre-formatted COPY text lines, if given), else
    executemany."""
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # wrap_database_errors: a constraint failing in COPY is Django's IntegrityError, as in any query
            sql = f'COPY "{table}" ({cols}) FROM STDIN'
            with connection.wrap_database_errors, cur.cursor.copy(sql) as copy:
                if lines is None:
                    lines = ("\t".join(copy_text(v) for v in r) for r in rows)
                batch = []
                for line in lines:
                    batch.append(line)
                    if len(batch) >= COPY_BATCH:
                        copy.write("\n".join(batch) + "\n")
                        batch = []
                if batch:
                    copy.write("\n".join(batch) + "\n")
        else:
            marks = ", ".join(["%s"] * len(columns))
            for chunk in chunks(rows):
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', chunk)


def schedule_parts(loan_ids: list[int], loans: list):
    """The schedules of many loans (exactly ``amortization_schedule``'s rows) and their loan ids per row."""
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
    return sched, ids


def schedule_copy_lines(parts) -> list[str]:
    """The installments as COPY text lines. Amounts are integer fen written "yuan.ff" by integer division in
    one f-string per row: about twice as fast as numpy string columns (measured on 1.86 M rows), and exact."""
    sched, ids = parts
    amounts = (sched.principal, sched.interest, sched.payment, sched.balance)
    assert all((a >= 0).all() for a in amounts), "schedule amounts are never negative"
    number, due = sched.number.tolist(), sched.due_date.astype(str).tolist()
    p, x, y, b = (a.tolist() for a in amounts)
    u = FEN_PER_YUAN
    return [f"{i}\t{n}\t{d}\t{pp // u}.{pp % u:02d}\t{xx // u}.{xx % u:02d}\t{yy // u}.{yy % u:02d}\t"
            f"{bb // u}.{bb % u:02d}\t0.00\t0.00\tdue\t\\N"
            for i, n, d, pp, xx, yy, bb in zip(ids, number, due, p, x, y, b, strict=True)]


def schedule_tuples(parts):
    sched, ids = parts
    number, due = sched.number.tolist(), sched.due_date.astype(str).tolist()
    cols = (a.tolist() for a in (sched.principal, sched.interest, sched.payment, sched.balance))
    hundred, zero = Decimal(100), Decimal(0)
    for i, n, d, p, x, y, b in zip(ids, number, due, *cols, strict=True):
        yield (i, n, d, Decimal(p) / hundred, Decimal(x) / hundred, Decimal(y) / hundred,
               Decimal(b) / hundred,
               zero, zero, "due", None)


def maturities(parts) -> list[str]:
    """Each loan's maturity: the due date of its last installment (ISO text)."""
    sched = parts[0]
    return sched.due_date[sched.offsets[1:] - 1].astype(str).tolist()


def insert_schedules(table: str, parts) -> None:
    """Write the installments of many loans (after the loans themselves)."""
    if connection.vendor == "postgresql":
        insert_rows(table, INSTALLMENT_COLUMNS, None, lines=schedule_copy_lines(parts))
    else:
        insert_rows(table, INSTALLMENT_COLUMNS, schedule_tuples(parts))

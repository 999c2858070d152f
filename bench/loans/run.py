"""IP-pledge loans on PostgreSQL: bulk-file import against a plain COPY of the same rows, and the nightly
classification against one hand-written SQL statement computing the same days past due.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kejin_loans_bench .venv/bin/python -m bench.loans [--loans 100000]

The database is migrated and its loan tables emptied first: use a scratch database.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _machine(cur) -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    cur.execute("SHOW server_version")
    pg = cur.fetchone()[0]
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"PostgreSQL {pg} on the same machine")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=100_000)
    ap.add_argument("--as-of", default="2026-06-01")
    ap.add_argument("--import-only", action="store_true", help="skip the repayment history and classification")
    args = ap.parse_args()
    _setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test import override_settings

    from bench.synth import synthetic_loan_file
    from finance.parties.models import Organisation, OrgKind, Role, User
    from finance.parties.services import organisation_create, user_create
    from loans import files, services, tasks
    from loans.models import LoanFile

    assert connection.vendor == "postgresql", "run against PostgreSQL (DATABASE_URL)"
    as_of = dt.date.fromisoformat(args.as_of)
    n = args.loans
    with connection.cursor() as cur:
        cur.execute("TRUNCATE loans_loanclasshistory, loans_repayment, loans_installment, loans_pledge, "
                    "loans_subsidyapplication, loans_loan, loans_ipasset, loans_loanfile CASCADE")
        cur.execute("DELETE FROM approvals_statechange WHERE item_type_id IN "
                    "(SELECT id FROM django_content_type WHERE app_label='loans')")
        cur.execute("DELETE FROM parties_organisation o WHERE kind='enterprise' AND uscc LIKE '91370100MB%%' "
                    "AND NOT EXISTS (SELECT 1 FROM parties_user u WHERE u.organisation_id=o.id)")
        machine = _machine(cur)
    from finance.parties.demo_codes import demo_uscc

    code = demo_uscc("bank", 777_777)
    bank = Organisation.objects.filter(uscc=code).first() or organisation_create(
        kind=OrgKind.BANK, name="基准测试银行", uscc=code)
    user = User.objects.filter(username="bench-bank").first() or user_create(
        organisation=bank, username="bench-bank", roles=[Role.BANK_OFFICER], password="Bench-password-1")[0]

    t0 = time.perf_counter()
    data = with_pledge_registrations(synthetic_loan_file(n, seed=1, disbursed_before=as_of - dt.timedelta(days=1)))
    t_gen = time.perf_counter() - t0
    print(f"generated {n:,} loans: {len(data) / 2**20:.1f} MiB CSV in {t_gen:.1f} s")

    # Import: upload → job done (parse, validate, schedules, storage), as a bank's file goes through it.
    with override_settings(KEJIN_MAX_UPLOAD_BYTES=len(data) + 1, CELERY_TASK_ALWAYS_EAGER=True), \
            _today(as_of):
        t0 = time.perf_counter()
        with transaction.atomic():
            lf = files.loan_file_upload(bank=bank, by=user, upload=SimpleUploadedFile("bench.csv", data),
                                        enqueue=tasks.process_loan_file.delay)
        t_import = time.perf_counter() - t0
    lf = LoanFile.objects.get(pk=lf.pk)
    assert lf.status == "done", (lf.status, lf.errors[:5])
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM loans_installment")
        n_inst = cur.fetchone()[0]
        # Plain COPY of the same loan and schedule rows into identical tables (indexes and checks included).
        dumps = {}
        for table in ("loans_loan", "loans_installment"):
            buf = io.BytesIO()
            with cur.cursor.copy(f"COPY {table} TO STDOUT") as cp:
                for chunk in cp:
                    buf.write(chunk)
            dumps[table] = buf.getvalue()
            cur.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cur.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
        t0 = time.perf_counter()
        with transaction.atomic():
            for table, payload in dumps.items():
                with cur.cursor.copy(f"COPY bench_{table} FROM STDIN") as cp:
                    for i in range(0, len(payload), 1 << 20):
                        cp.write(payload[i:i + (1 << 20)])
        t_copy = time.perf_counter() - t0
        for table in dumps:
            cur.execute(f"DROP TABLE bench_{table}")
    rows = n + n_inst
    print(f"import: {n:,} loans + {n_inst:,} installments in {t_import:.1f} s "
          f"({n / t_import:,.0f} loans/s, {rows / t_import:,.0f} rows/s)")
    print(f"COPY:   same {rows:,} rows in {t_copy:.1f} s ({rows / t_copy:,.0f} rows/s); "
          f"import at {t_copy / t_import:.0%} of COPY throughput")
    if args.import_only:
        print(f"machine: {machine}")
        return

    # Repayment history: every installment due by as_of paid on its due date, except one loan in eight that
    # stopped paying 1–12 months before as_of (those become overdue).
    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("""
            UPDATE loans_installment i SET principal_paid = principal, interest_paid = interest, status = 'paid',
                   paid_on = due_date
            WHERE due_date <= %s AND NOT (loan_id %% 8 = 0 AND due_date > %s::date - ((loan_id %% 12 + 1) * 30)::int)""",
                    [as_of, as_of])
        cur.execute("""
            INSERT INTO loans_repayment (loan_id, paid_on, amount_currency, amount, interest_part, principal_part,
                                         allocation, on_time, recorded_by_id, recorded_at)
            SELECT loan_id, due_date, 'CNY', payment, interest, principal, '{}'::jsonb, true, %s, now()
            FROM loans_installment WHERE status = 'paid'""", [user.pk])
        n_rep = cur.rowcount
        cur.execute("""
            UPDATE loans_loan l SET principal_outstanding = l.principal - p.paid
            FROM (SELECT loan_id, sum(principal_paid) paid FROM loans_installment GROUP BY loan_id) p
            WHERE p.loan_id = l.id""")
        cur.execute("UPDATE loans_loan SET status = 'repaid' WHERE principal_outstanding = 0")
        cur.execute("ANALYZE loans_loan; ANALYZE loans_installment; ANALYZE loans_repayment")
        print(f"history: {n_rep:,} repayment rows in {time.perf_counter() - t0:.1f} s")
        statuses = "('active', 'overdue', 'defaulted')"
        baseline_sql = f"""
            UPDATE loans_loan l SET dpd = COALESCE(m.dpd, 0)
            FROM loans_loan l2 LEFT JOIN (
                SELECT loan_id, %s::date - MIN(due_date) AS dpd FROM loans_installment
                WHERE status <> 'paid' AND due_date < %s GROUP BY loan_id) m ON m.loan_id = l2.id
            WHERE l.id = l2.id AND l2.status IN {statuses}"""
        cur.execute("SELECT count(*) FROM loans_installment")  # warm the cache for both sides
        best_base = best_ours = None
        for _ in range(2):
            t0 = time.perf_counter()
            with transaction.atomic():
                cur.execute(baseline_sql, [as_of, as_of])
                base_rows = cur.rowcount
                transaction.set_rollback(True)
            t = time.perf_counter() - t0
            best_base = t if best_base is None else min(best_base, t)
            t0 = time.perf_counter()
            with transaction.atomic():
                result = services.loans_classify(as_of=as_of)
                transaction.set_rollback(True)
            t = time.perf_counter() - t0
            best_ours = t if best_ours is None else min(best_ours, t)
        result = services.loans_classify(as_of=as_of)  # and once for real, to check it against the baseline
        cur.execute(f"""
            SELECT count(*) FROM loans_loan l LEFT JOIN (
                SELECT loan_id, %s::date - MIN(due_date) AS dpd FROM loans_installment
                WHERE status <> 'paid' AND due_date < %s GROUP BY loan_id) m ON m.loan_id = l.id
            WHERE l.status IN {statuses} AND l.dpd <> COALESCE(m.dpd, 0)""", [as_of, as_of])
        mismatches = cur.fetchone()[0]
        cur.execute("SELECT count(*) FILTER (WHERE dpd > 0), count(*) FROM loans_loan")
        overdue, total = cur.fetchone()
    print(f"classification of {base_rows:,} outstanding loans ({overdue:,} past due; {n_rep:,} repayments): "
          f"loans_classify {best_ours:.2f} s vs one UPDATE … FROM {best_base:.2f} s = {best_ours / best_base:.1f}×; "
          f"dpd mismatches {mismatches}; {result.loans_changed:,} loans changed")
    print(f"machine: {machine}")


def with_pledge_registrations(data: bytes) -> bytes:
    """The synthetic file with what every pledge now needs: a CNIPA registration number in the patent format
    (Y + year + 98 + 7 digits) and its date (here the disbursement date), in a 质押登记日期 column."""
    lines = data.decode().split("\n")
    out = [lines[0] + ",质押登记日期"]
    for i, line in enumerate(lines[1:]):
        if not line:
            continue
        fields = line.split(",")
        disbursed = fields[9]
        fields[13] = f"Y{disbursed[:4]}98{i % 10_000_000:07d}"
        out.append(",".join(fields) + "," + disbursed)
    return ("\n".join(out) + "\n").encode()


class _today:
    """Freeze "today" (finance.core.inputs) so the synthetic dates are in the past whatever the wall clock."""

    def __init__(self, day):
        self.day = day

    def __enter__(self):
        from unittest import mock

        day = self.day  # a plain function, not a MagicMock: it is called once per date parsed (~20 µs a call)
        self.patch = mock.patch("finance.core.inputs.today", new=lambda: day)
        self.patch.start()

    def __exit__(self, *exc):
        self.patch.stop()

"""The province's quarterly report end to end on PostgreSQL, against a hand-written baseline in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kejin_report_bench .venv/bin/python -m bench.report \
        [--loans 10000] [--banks 5] [--funds 20] [--quarter 2026Q3]

Book: ``--loans`` IP-pledge loans over ``--banks`` banks imported through the bank-file service
(``bench.synth.synthetic_loan_file``; schedules included), a repayment history written in SQL (every
installment due by 2026-10-15 paid on its due date, except one loan in eight that stopped paying 1–12 months
earlier — so some payments fall after the quarter end and must be excluded), and ``--funds`` sub-funds built
through the funds services (calls, distributions, quarterly NAVs).

Measured: ``report_compute`` (every section, Django ORM + pandas, the same code the Celery tasks run) and the
``loans`` section alone, against a baseline that reads the same rows with ``pandas.read_sql`` on a plain psycopg
connection and computes the same loan figures (per bank and total: outstanding, quarter flows, classes, dpd
buckets, NPL, main IP kind) and the funds' money figures with pandas only. The figures of both are compared.
The database is migrated and its loan, fund and report tables emptied first: use a scratch database.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _best(fn, repeat=2):
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    return best, out


def build(n_loans: int, n_banks: int, n_funds: int, as_of: dt.date, n_flows: int = 50):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test import override_settings

    from bench.loans.run import _today, with_pledge_registrations
    from bench.synth import synthetic_loan_file
    from finance.parties.demo_codes import demo_uscc
    from finance.parties.models import Organisation, OrgKind, Role, User
    from finance.parties.services import organisation_create, user_create
    from loans import files, tasks

    with connection.cursor() as cur:
        cur.execute("TRUNCATE reporting_reportrun, loans_loanclasshistory, loans_repayment, loans_installment, "
                    "loans_pledge, loans_subsidyapplication, loans_loan, loans_ipasset, loans_loanfile CASCADE")
        cur.execute("DELETE FROM parties_organisation o WHERE kind='enterprise' AND uscc LIKE '91370100MB%%' "
                    "AND NOT EXISTS (SELECT 1 FROM parties_user u WHERE u.organisation_id=o.id)")
    banks = []
    for b in range(n_banks):
        code = demo_uscc("bank", 888_000 + b)
        bank = Organisation.objects.filter(uscc=code).first() or organisation_create(
            kind=OrgKind.BANK, name=f"基准银行{b + 1}", uscc=code)
        user = User.objects.filter(username=f"bench-report-{b}").first() or user_create(
            organisation=bank, username=f"bench-report-{b}", roles=[Role.BANK_OFFICER], password="Bench-password-1")[0]
        banks.append((bank, user))
    # One bank file (synthetic patents are unique within a file), then the loans are spread over the banks.
    data = with_pledge_registrations(synthetic_loan_file(n_loans, seed=100, disbursed_before=dt.date(2026, 9, 1)))
    with _today(as_of), override_settings(KEJIN_MAX_UPLOAD_BYTES=1 << 30, CELERY_TASK_ALWAYS_EAGER=True):
        with transaction.atomic():
            lf = files.loan_file_upload(bank=banks[0][0], by=banks[0][1], upload=SimpleUploadedFile("bench.csv", data),
                                        enqueue=tasks.process_loan_file.delay)
    lf.refresh_from_db()
    assert lf.status == "done", (lf.status, lf.errors[:5])
    with connection.cursor() as cur:
        ids = [b.pk for b, _ in banks]
        cur.execute("UPDATE loans_loan SET bank_id = (%s::bigint[])[1 + id %% %s]", [ids, n_banks])
    with connection.cursor() as cur:
        cur.execute("""
            UPDATE loans_installment i SET principal_paid = principal, interest_paid = interest, status = 'paid',
                   paid_on = due_date
            WHERE due_date <= %s AND NOT (loan_id %% 8 = 0 AND due_date > %s::date - ((loan_id %% 12 + 1) * 30)::int)""",
                    [as_of, as_of])
        cur.execute("""
            INSERT INTO loans_repayment (loan_id, paid_on, amount_currency, amount, interest_part, principal_part,
                                         allocation, on_time, recorded_by_id, recorded_at)
            SELECT i.loan_id, i.due_date, 'CNY', i.payment, i.interest, i.principal, '{}'::jsonb, true,
                   l.submitted_by_id, now()
            FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id WHERE i.status = 'paid'""")
        cur.execute("""
            UPDATE loans_loan l SET principal_outstanding = l.principal - p.paid
            FROM (SELECT loan_id, sum(principal_paid) paid FROM loans_installment GROUP BY loan_id) p
            WHERE p.loan_id = l.id""")
        cur.execute("ANALYZE loans_loan; ANALYZE loans_installment; ANALYZE loans_repayment; ANALYZE loans_pledge")
        cur.execute("SELECT (SELECT count(*) FROM loans_loan), (SELECT count(*) FROM loans_installment), "
                    "(SELECT count(*) FROM loans_repayment)")
        counts = cur.fetchone()
    fund_ids = _funds(n_funds, n_flows)
    return counts, fund_ids


def replicate(copies: int) -> tuple[int, int, int]:
    """Grow the loan book ``copies``-fold in SQL: each copy repeats every loan with a new id, bank reference
    and IP assets (numbers suffixed ``-rK``, so no asset backs two live loans), and its installments, pledges
    and repayments. Building 1,000,000 loans through the bank-file service would take hours on 2 cores; the
    report reads rows, not how they arrived, so 100,000 imported loans × 10 is the same work for it."""
    from django.db import connection

    def columns(table: str, skip=("id",)) -> list[str]:
        with connection.cursor() as cur:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                        "ORDER BY ordinal_position", [table])
            return [c for (c,) in cur.fetchall() if c not in skip]

    loan_cols = columns("loans_loan", skip=("id", "external_ref"))
    inst_cols = columns("loans_installment", skip=("id", "loan_id"))
    rep_cols = columns("loans_repayment", skip=("id", "loan_id"))
    asset_cols = columns("loans_ipasset", skip=("id", "number"))
    pledge_cols = columns("loans_pledge", skip=("id", "loan_id", "asset_id"))
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM loans_loan")
        m = cur.fetchone()[0]
        for k in range(1, copies):
            off = k * m
            cur.execute(f"INSERT INTO loans_loan (id, external_ref, {', '.join(loan_cols)}) "
                        f"SELECT id + {off}, external_ref || '-r{k}', {', '.join(loan_cols)} FROM loans_loan "
                        f"WHERE id <= {m}")
            cur.execute(f"INSERT INTO loans_ipasset (number, {', '.join(asset_cols)}) "
                        f"SELECT a.number || '-r{k}', {', '.join('a.' + c for c in asset_cols)} FROM loans_ipasset a "
                        f"WHERE a.id IN (SELECT asset_id FROM loans_pledge WHERE loan_id <= {m})")
            cur.execute(f"INSERT INTO loans_pledge (loan_id, asset_id, {', '.join(pledge_cols)}) "
                        f"SELECT p.loan_id + {off}, a2.id, {', '.join('p.' + c for c in pledge_cols)} "
                        f"FROM loans_pledge p JOIN loans_ipasset a ON a.id = p.asset_id "
                        f"JOIN loans_ipasset a2 ON a2.kind = a.kind AND a2.number = a.number || '-r{k}' "
                        f"WHERE p.loan_id <= {m}")
            cur.execute(f"INSERT INTO loans_installment (loan_id, {', '.join(inst_cols)}) "
                        f"SELECT loan_id + {off}, {', '.join(inst_cols)} FROM loans_installment WHERE loan_id <= {m}")
            cur.execute(f"INSERT INTO loans_repayment (loan_id, {', '.join(rep_cols)}) "
                        f"SELECT loan_id + {off}, {', '.join(rep_cols)} FROM loans_repayment WHERE loan_id <= {m}")
        cur.execute("SELECT setval(pg_get_serial_sequence('loans_loan', 'id'), (SELECT max(id) FROM loans_loan))")
        cur.execute("ANALYZE loans_loan; ANALYZE loans_installment; ANALYZE loans_repayment; ANALYZE loans_pledge; ANALYZE loans_ipasset")
        cur.execute("SELECT (SELECT count(*) FROM loans_loan), (SELECT count(*) FROM loans_installment), "
                    "(SELECT count(*) FROM loans_repayment)")
        return cur.fetchone()


def _funds(n_funds: int, n_flows: int = 50) -> list[int]:
    """``n_funds`` sub-funds through the services, each with ``n_flows`` fund-level cash flows (three in five
    capital calls, the rest distributions; each flow has a line per LP) and quarterly NAVs from 2024."""
    from decimal import Decimal as D

    import numpy as np

    from finance.parties.demo_codes import demo_uscc
    from finance.parties.models import Organisation, OrgKind, Role, User
    from finance.parties.services import organisation_create, user_create
    from funds import services as fs
    from funds.models import GuidanceFund

    code = demo_uscc("fund_manager", 888_999)
    gm = Organisation.objects.filter(uscc=code).first() or organisation_create(kind=OrgKind.FUND_MANAGER,
                                                                               name="基准引导基金管理人", uscc=code)
    # Calls from approval.capital_call.second_level_from (10,000,000) are drafted by one fund manager of the GP
    # and issued once two others approve (four eyes, two levels): the bench goes through that path too.
    maker, *approvers = (
        User.objects.filter(username=f"bench-gp-{k}").first()
        or user_create(organisation=gm, username=f"bench-gp-{k}", roles=[Role.FUND_MANAGER],
                       password="Bench-password-1")[0]
        for k in range(3)
    )
    stamp = int(time.time())
    g = GuidanceFund.objects.filter(manager=gm).first() or fs.guidance_fund_create(
        name="基准引导基金", manager=gm, size=D("100000000000"), vintage=dt.date(2020, 1, 1))
    rng = np.random.default_rng(7)
    ids = []
    quarters = [dt.date(y, m, d) for y in (2024, 2025, 2026) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
                if dt.date(y, m, d) <= dt.date(2026, 10, 31)]
    n_calls = max(1, n_flows * 3 // 5)
    n_dists = n_flows - n_calls
    # Calls every 60 days from 2020-03-01 (the last before the bench's as-of date for 50 flows), 3/4 of the
    # commitments in all; distributions every 45 days from 2022-01-10.
    call_days = [dt.date(2020, 3, 1) + dt.timedelta(days=60 * k) for k in range(n_calls)]
    dist_days = [dt.date(2022, 1, 10) + dt.timedelta(days=45 * k) for k in range(n_dists)]
    for i in range(n_funds):
        size = int(rng.integers(1, 20)) * 10_000_000
        f = fs.sub_fund_create(guidance_fund=g, name=f"基准子基金{stamp}-{i}", manager=gm, size=f"{size}.00",
                               vintage=dt.date(2020, 1, 1), commitments=[
                                   {"lp_kind": "guidance", "amount": f"{size // 5}.00", "investor_name": "G"},
                                   {"lp_kind": "social", "amount": f"{size * 4 // 5}.00", "investor_name": "S"}])
        for k, day in enumerate(call_days):
            call = fs.call_create(sub_fund=f, amount=f"{size * 3 // (4 * n_calls)}.00", call_date=day, by=maker)
            for approver in approvers:
                if call.status != "pending_approval":
                    break
                call = fs.call_approve(call=call, by=approver, approve=True)
            fs.call_pay_all(call=call, paid_on=day + dt.timedelta(days=5 + k % 7))
        for day in dist_days:
            fs.distribution_create(sub_fund=f, amount=f"{size // (10 * max(n_dists, 1))}.00", paid_on=day)
        for q in quarters:
            fs.nav_record(sub_fund=f, as_of=q)
        ids.append(f.pk)
    return ids


# ---------------------------------------------------------------- the baseline: pandas.read_sql, no Django


BASELINE_SQL = {
    "loans": "SELECT id AS loan, bank_id AS bank, round(principal * 100)::bigint AS principal, disbursed_on "
             "FROM loans_loan WHERE disbursed_on <= %(end)s",
    "repaid": "SELECT loan_id AS loan, round(sum(principal_part) * 100)::bigint AS repaid, "
              "round(coalesce(sum(principal_part) FILTER (WHERE paid_on >= %(start)s), 0) * 100)::bigint AS repaid_q, "
              "round(coalesce(sum(interest_part) FILTER (WHERE paid_on >= %(start)s), 0) * 100)::bigint AS interest_q "
              "FROM loans_repayment WHERE paid_on <= %(end)s GROUP BY loan_id",
    "late": "SELECT loan_id AS loan, min(due_date) AS oldest FROM loans_installment "
            "WHERE due_date < %(end)s AND (paid_on IS NULL OR paid_on > %(end)s) GROUP BY loan_id",
    "kind": "SELECT DISTINCT ON (p.loan_id) p.loan_id AS loan, a.kind FROM loans_pledge p "
            "JOIN loans_ipasset a ON a.id = p.asset_id ORDER BY p.loan_id, a.appraised_value DESC, p.id",
    "off": "SELECT item_id AS loan FROM approvals_statechange s JOIN django_content_type c ON c.id = s.item_type_id "
           "WHERE c.app_label = 'loans' AND c.model = 'loan' AND s.to_state = 'written_off' AND s.at < %(cutoff)s",
    "flows": "SELECT c.sub_fund_id AS fund, round(sum(l.amount) * 100)::bigint AS paid FROM funds_capitalcallline l "
             "JOIN funds_capitalcall c ON c.id = l.call_id WHERE l.paid_on <= %(end)s GROUP BY c.sub_fund_id",
    "dists": "SELECT d.sub_fund_id AS fund, round(sum(l.amount) * 100)::bigint AS dist FROM funds_distributionline l "
             "JOIN funds_distribution d ON d.id = l.distribution_id WHERE d.paid_on <= %(end)s GROUP BY d.sub_fund_id",
    "navs": "SELECT DISTINCT ON (sub_fund_id) sub_fund_id AS fund, round(nav * 100)::bigint AS nav FROM funds_navreport "
            "WHERE as_of <= %(end)s ORDER BY sub_fund_id, as_of DESC",
}


def baseline(dsn: str, q) -> dict:
    import warnings

    import numpy as np
    import pandas as pd
    import psycopg

    params = {"start": q.start, "end": q.end, "cutoff": q.cutoff}
    with psycopg.connect(dsn) as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas prefers SQLAlchemy; a DBAPI connection is what we measure
        f = {k: pd.read_sql(sql, conn, params=params) for k, sql in BASELINE_SQL.items()}
    df = f["loans"].merge(f["repaid"], on="loan", how="left").merge(f["late"], on="loan", how="left") \
        .merge(f["kind"], on="loan", how="left")
    for c in ("repaid", "repaid_q", "interest_q"):
        df[c] = df[c].fillna(0).astype("int64")
    df["out"] = df["principal"] - df["repaid"]
    live = df[(df["out"] > 0) & ~df["loan"].isin(f["off"]["loan"])].copy()
    dpd = (pd.Timestamp(q.end) - pd.to_datetime(live["oldest"])).dt.days.fillna(0).astype(int)
    live["cls"] = pd.cut(dpd, [-1, 0, 90, 270, 360, np.inf], labels=["normal", "special_mention", "substandard",
                                                                     "doubtful", "loss"]).astype(str)
    live["bucket"] = pd.cut(dpd, [-1, 0, 30, 90, 180, 360, np.inf],
                            labels=["0", "1-30", "31-90", "91-180", "181-360", ">360"]).astype(str)
    in_q = pd.to_datetime(df["disbursed_on"]) >= pd.Timestamp(q.start)
    by_bank = pd.DataFrame({
        "loans_outstanding": live.groupby("bank").size(), "principal_outstanding": live.groupby("bank")["out"].sum(),
        "disbursed_count": in_q.groupby(df["bank"]).sum(), "disbursed_amount": df["principal"].where(in_q, 0)
        .groupby(df["bank"]).sum(), "principal_repaid": df.groupby("bank")["repaid_q"].sum(),
        "interest_received": df.groupby("bank")["interest_q"].sum(),
        "npl": live["out"].where(live["cls"].isin(["substandard", "doubtful", "loss"]), 0).groupby(live["bank"]).sum(),
    }).fillna(0).astype("int64")
    classes = live.pivot_table(index="bank", columns="cls", values="out", aggfunc="sum", fill_value=0)
    buckets = live.pivot_table(index="bank", columns="bucket", values="out", aggfunc="sum", fill_value=0)
    kinds = live.pivot_table(index="bank", columns="kind", values="out", aggfunc="sum", fill_value=0)
    funds = f["flows"].merge(f["dists"], on="fund", how="outer").merge(f["navs"], on="fund", how="outer").fillna(0)
    funds["dpi"] = funds["dist"] / funds["paid"]
    funds["tvpi"] = (funds["dist"] + funds["nav"]) / funds["paid"]
    return {"by_bank": by_bank, "classes": classes, "buckets": buckets, "kinds": kinds, "funds": funds}


def compare(report: dict, base: dict) -> list[str]:
    """Differences between the report's loan and fund figures and the baseline's (empty when they agree)."""
    from decimal import Decimal as D

    diffs = []

    def fen(s):
        return int(D(s) * 100)

    for line in report["loans"]["banks"]:
        b = base["by_bank"].loc[line["bank_id"]]
        for key in ("loans_outstanding", "disbursed_count"):
            if line[key] != int(b[key]):
                diffs.append(f"bank {line['bank_id']} {key}: {line[key]} vs {int(b[key])}")
        for key in ("principal_outstanding", "disbursed_amount", "principal_repaid", "interest_received"):
            if fen(line[key]) != int(b[key]):
                diffs.append(f"bank {line['bank_id']} {key}: {line[key]} vs {int(b[key])}")
        if fen(line["npl_outstanding"]) != int(b["npl"]):
            diffs.append(f"bank {line['bank_id']} npl")
        for table, key in (("classes", "by_class"), ("buckets", "dpd_buckets"), ("kinds", "by_ip_kind")):
            row = base[table].loc[line["bank_id"]] if line["bank_id"] in base[table].index else {}
            for k, v in line[key].items():
                if fen(v["outstanding"]) != int(row.get(k, 0)):
                    diffs.append(f"bank {line['bank_id']} {key}.{k}: {v['outstanding']} vs {row.get(k, 0)}")
    fb = base["funds"].set_index("fund")
    for line in report["funds"]["sub_funds"]:
        b = fb.loc[line["sub_fund_id"]]
        if (fen(line["paid_in"]), fen(line["distributed"]), fen(line["nav"])) != (b["paid"], b["dist"], b["nav"]):
            diffs.append(f"fund {line['sub_fund_id']} money")
        if line["tvpi"] != str(D(repr(float(b["tvpi"]))).quantize(D("0.0001"))):
            diffs.append(f"fund {line['sub_fund_id']} tvpi {line['tvpi']} vs {b['tvpi']}")
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--loans", type=int, default=10_000)
    ap.add_argument("--banks", type=int, default=5)
    ap.add_argument("--funds", type=int, default=200)
    ap.add_argument("--flows", type=int, default=50, help="fund-level cash flows per sub-fund")
    ap.add_argument("--quarter", default="2026Q3")
    ap.add_argument("--reuse", action="store_true", help="keep the book already in the database")
    ap.add_argument("--replicate", type=int, default=1,
                    help="grow the loan book this many times in SQL (new ids, references, IP numbers) first")
    args = ap.parse_args()
    _setup()
    from django.db import connection

    from bench.loans.run import _machine
    from finance.reporting.quarters import parse_quarter
    from finance.reporting.scopes import PROVINCE
    from finance.reporting.sections import compute as section_compute
    from finance.reporting.services import content_hash, report_compute

    assert connection.vendor == "postgresql", "run against PostgreSQL (DATABASE_URL)"
    q = parse_quarter(args.quarter)
    if not args.reuse:
        t0 = time.perf_counter()
        (n_loans, n_inst, n_rep), _ = build(args.loans, args.banks, args.funds, dt.date(2026, 10, 15), args.flows)
        print(f"book: {n_loans:,} loans, {n_inst:,} installments, {n_rep:,} repayments, "
              f"{args.funds} sub-funds × {args.flows} flows "
              f"built in {time.perf_counter() - t0:.0f} s")
    if args.replicate > 1:
        t0 = time.perf_counter()
        n_loans, n_inst, n_rep = replicate(args.replicate)
        print(f"book grown ×{args.replicate} in SQL: {n_loans:,} loans, {n_inst:,} installments, {n_rep:,} "
              f"repayments in {time.perf_counter() - t0:.0f} s")
    with connection.cursor() as cur:
        machine = _machine(cur)
    s = connection.settings_dict
    dsn = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} user={s['USER']}"
    if s.get("PASSWORD"):
        dsn += f" password={s['PASSWORD']}"
    rss0 = _rss_mib()
    t_base, base = _best(lambda: baseline(dsn, q))
    rss_base = _rss_mib()
    t_loans, _ = _best(lambda: section_compute("loans", q, PROVINCE))
    per_section = {k: _best(lambda k=k: section_compute(k, q, PROVINCE), repeat=1)[0]
                   for k in ("pool", "guarantees", "funds", "direct")}
    t_full, report = _best(lambda: report_compute(q))
    rss_full = _rss_mib()
    diffs = compare(report["sections"], base)
    # Peak Python allocations of each side, in a separate untimed pass (tracemalloc slows allocation down).
    import tracemalloc

    tracemalloc.start()
    baseline(dsn, q)
    peak_base = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()
    report_compute(q)
    peak_report = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"baseline (pandas.read_sql + pandas, loans and fund money figures): {t_base:.2f} s")
    print(f"loans section (report code): {t_loans:.2f} s = {t_loans / t_base:.2f}× the baseline")
    print(f"whole province report, every section (report_compute): {t_full:.2f} s = {t_full / t_base:.2f}× the baseline")
    print("other sections: " + ", ".join(f"{k} {t:.2f} s" for k, t in per_section.items()))
    print(f"figures compared with the baseline: {'all equal' if not diffs else diffs[:10]}")
    print(f"sha256 {content_hash(report)}; peak RSS {rss0:.0f} MiB before, {rss_base:.0f} after the baseline, "
          f"{rss_full:.0f} after the report")
    print(f"peak Python allocations (tracemalloc): baseline {peak_base:.0f} MiB, report {peak_report:.0f} MiB")
    print(f"machine: {machine}")


if __name__ == "__main__":
    main()

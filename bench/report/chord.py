"""The report as Celery computes it: a chord of one task per section on real workers, 1, 2 and 4 processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kejin_report_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 CELERY_RESULT_BACKEND=redis://127.0.0.1:6379/3 \
        .venv/bin/python -m bench.report.chord [--workers 1 2 4] [--repeat 2] [--quarter 2026Q3]

Runs on the book ``python -m bench.report`` left in the database. For each process count it starts
``celery -A finance worker -c N`` (prefork, the same broker, result backend and PostgreSQL), sends one warm-up
report, then times ``report_start`` (the chord is sent when its run row commits) until the run row says done
(the callback stored the report), best of ``--repeat``. The serial ``report_compute`` in this process is timed
in the same run for comparison, and every chord's report must have the serial report's SHA-256.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance.settings")
    import django

    django.setup()


def _wait_done(run_id: int, timeout: float = 900) -> str:
    from finance.reporting.models import ReportRun

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        status, report_id = ReportRun.objects.filter(pk=run_id).values_list("status", "report_id").get()
        if status != "running" and status != "pending" and (status != "done" or report_id):
            return status
        time.sleep(0.02)
    return "timeout"


def _one(q) -> tuple[float, str]:
    from finance.reporting.models import ReportRun
    from finance.reporting.tasks import report_start

    t0 = time.perf_counter()
    run = report_start(quarter=q, scope="province")
    status = _wait_done(run.pk)
    t = time.perf_counter() - t0
    run = ReportRun.objects.select_related("report").get(pk=run.pk)
    assert status == "done", (status, run.error)
    return t, run.report.sha256


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quarter", default="2026Q3")
    args = ap.parse_args()
    _setup()
    from django.conf import settings
    from django.db import connection

    from finance.celery import app
    from finance.reporting.quarters import parse_quarter
    from finance.reporting.services import content_hash, report_compute

    assert connection.vendor == "postgresql" and settings.CELERY_BROKER_URL, "PostgreSQL and a Redis broker"
    q = parse_quarter(args.quarter)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM loans_loan")
        n_loans = cur.fetchone()[0]
    serial = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        sha = content_hash(report_compute(q))
        t = time.perf_counter() - t0
        serial = t if serial is None else min(serial, t)
    print(f"{n_loans:,} loans; serial report_compute in this process: {serial:.2f} s (sha256 {sha[:12]}…)")
    app.control.purge()
    for n in args.workers:
        worker = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "celery"), "-A", "finance", "worker", "-c", str(n),
             "-l", "warning", "-n", f"bench-report-{n}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            _one(q)  # warm-up: the worker processes import Django and open their connections
            best = None
            for _ in range(args.repeat):
                t, chord_sha = _one(q)
                assert chord_sha == sha, "the chord's report differs from the serial one"
                best = t if best is None else min(best, t)
            print(f"chord, celery worker -c {n}: {best:.2f} s (send → report stored) = "
                  f"{best / serial:.2f}× the serial report_compute; same sha256")
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()


if __name__ == "__main__":
    main()

"""Generate quarterly reports on demand: ``manage.py quarterly_report 2026Q3 [--scope city:370100 ...]``.

By default the report is computed by the Celery chord (eagerly in the demo, by the workers when a broker is
configured) and the command waits for it; ``--no-wait`` only enqueues; ``--sync`` computes in this process
without Celery. Prints each report's version and SHA-256 (the same data gives the same hash).
"""
import time

from django.core.management.base import BaseCommand, CommandError

from finance.core.errors import DomainError
from finance.reporting.models import Report, ReportRun, RunStatus
from finance.reporting.quarters import parse_quarter
from finance.reporting.scopes import parse_scope
from finance.reporting.services import report_generate
from finance.reporting.tasks import default_scopes, report_start


class Command(BaseCommand):
    help = "Generate the quarterly portfolio report of a quarter (e.g. 2026Q3) for one or more scopes."

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="the quarter, e.g. 2026Q3 (it must have ended)")
        parser.add_argument(
            "--scope",
            action="append",
            default=None,
            help="province (default), city:<code>, programme:<name>, sub_fund:<id>, bank:<id>; "
            "repeat for several; 'all' for every default scope",
        )
        parser.add_argument("--sync", action="store_true", help="compute in this process, without Celery")
        parser.add_argument("--no-wait", action="store_true", help="enqueue the chords and return")
        parser.add_argument("--timeout", type=int, default=600, help="seconds to wait for the workers")

    def handle(self, *args, quarter, scope, sync, no_wait, timeout, **options):
        try:
            q = parse_quarter(quarter)
            scopes = (
                default_scopes() if scope == ["all"] else [parse_scope(s) for s in (scope or ["province"])]
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        if sync:
            for s in scopes:
                self._print(report_generate(quarter=q, scope=s))
            return
        runs = [report_start(quarter=q, scope=s) for s in scopes]
        if no_wait:
            self.stdout.write(f"enqueued {len(runs)} report(s) for {q.label}")
            return
        deadline = time.monotonic() + timeout
        pending = {r.pk for r in runs}
        while pending and time.monotonic() < deadline:
            for run in (
                ReportRun.objects.filter(pk__in=pending).exclude(status=RunStatus.RUNNING).order_by("pk")
            ):
                pending.discard(run.pk)
                if run.status == RunStatus.FAILED:
                    self.stderr.write(f"{run.quarter} {run.scope}: failed: {run.error}")
                else:
                    self._print(Report.objects.get(pk=run.report_id))
            if pending:
                time.sleep(0.5)
        if pending:
            raise CommandError(
                f"{len(pending)} report(s) still running after {timeout}s (are workers running?)"
            )

    def _print(self, report):
        self.stdout.write(
            f"{report.quarter} {report.scope_code} v{report.version} {report.status} sha256 {report.sha256}"
        )

"""Demo data: the province's reports for the last four ended quarters, generated and published in order (so
each one's ``changes`` compare with the previous), and each demo bank's report of the latest quarter.

``finance.web``'s ``seed_demo`` finds this module by itself (it imports ``<app>.demo`` for every installed
app, and ``finance.reporting`` is installed after loans, guarantees and funds, so their demo data is there).
Idempotent: the same data gives the same versions, already published ones are left alone.
"""
from __future__ import annotations

from .models import ReportStatus
from .quarters import last_ended
from .services import report_generate, report_publish


def seed(world) -> None:
    publisher = world.users.get("reviewer")
    quarters = list(reversed(last_ended(count=4)))
    for q in quarters:
        _publish(report_generate(quarter=q, by=publisher), publisher)
    for bank in world.banks:
        _publish(report_generate(quarter=quarters[-1], scope=f"bank:{bank.pk}", by=publisher), publisher)


def _publish(report, publisher):
    if report.status == ReportStatus.DRAFT and publisher is not None:
        report_publish(report=report, by=publisher)

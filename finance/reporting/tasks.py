"""Celery tasks: one task per scope and section, combined in a chord whose callback stores the report.

``report_start`` records a ``ReportRun`` (the progress bar reads it) and sends the chord once that row is
committed. In the embedded demo (no broker) the chord runs eagerly in-process; with Redis as broker and result
backend, the section tasks of one report run in parallel on every worker listening to the queue, on as many
machines as share the broker and the database (``celery -A finance worker -Q celery -c <processes>``).
"""
from __future__ import annotations

from celery import chord, shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import ReportRun, RunStatus
from .quarters import last_ended, parse_quarter
from .scopes import CITIES, PROGRAMMES, SECTIONS, Scope, ScopeKind, parse_scope
from .sections import compute as section_compute


def _fail(run_id, exc: Exception):
    if run_id:
        ReportRun.objects.filter(pk=run_id).update(status=RunStatus.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())


@shared_task(name="reporting.section")
def section_task(quarter: str, scope: str, section: str, run_id: int | None = None) -> dict:
    try:
        figures = section_compute(section, parse_quarter(quarter, ended=False), parse_scope(scope))
    except Exception as exc:
        _fail(run_id, exc)
        raise
    if run_id:
        ReportRun.objects.filter(pk=run_id).update(sections_done=F("sections_done") + 1)
    return {"section": section, "figures": figures}


@shared_task(name="reporting.assemble")
def assemble_task(results: list[dict], quarter: str, scope: str, run_id: int | None = None,
                  by_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from .services import report_content, report_store

    try:
        q, s = parse_quarter(quarter, ended=False), parse_scope(scope)
        content = report_content(q, s, {r["section"]: r["figures"] for r in results})
        by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
        report = report_store(quarter=q, scope=s, content=content, by=by)
    except Exception as exc:
        _fail(run_id, exc)
        raise
    if run_id:
        ReportRun.objects.filter(pk=run_id).update(
            status=RunStatus.DONE, report=report, finished_at=timezone.now()
        )
    return report.pk


def report_start(*, quarter, scope="province", by=None) -> ReportRun:
    """Start generating one report: a chord of its section tasks (sent when the run row is committed)."""
    q, s = parse_quarter(quarter), parse_scope(scope)
    run = ReportRun.objects.create(quarter=q.label, scope=s.code, sections_total=len(SECTIONS), started_by=by)
    header = [section_task.s(q.label, s.code, key, run.pk) for key in SECTIONS]
    body = assemble_task.s(q.label, s.code, run.pk, by.pk if by else None)
    transaction.on_commit(lambda: chord(header)(body))
    return run


def default_scopes() -> list[Scope]:
    """What the quarterly beat generates: the province, each programme, city, bank and sub-fund with data."""
    from django.apps import apps

    Loan, SubFund, RiskPool = (apps.get_model("loans", "Loan"), apps.get_model("funds", "SubFund"),
                               apps.get_model("guarantees", "RiskPool"))
    scopes = [Scope(ScopeKind.PROVINCE)] + [Scope(ScopeKind.PROGRAMME, p) for p in PROGRAMMES]
    regions = (set(Loan.objects.values_list("borrower__region", flat=True).distinct())
               | set(SubFund.objects.values_list("region", flat=True).distinct())
               | set(RiskPool.objects.values_list("region", flat=True).distinct()))
    scopes += [Scope(ScopeKind.CITY, code) for code, name in CITIES.items() if name in regions]
    scopes += [
        Scope(ScopeKind.BANK, str(b))
        for b in Loan.objects.values_list("bank_id", flat=True).distinct().order_by("bank_id")
    ]
    scopes += [
        Scope(ScopeKind.SUB_FUND, str(f)) for f in SubFund.objects.values_list("pk", flat=True).order_by("pk")
    ]
    return scopes


@shared_task(name="reporting.generate_quarter")
def generate_quarter(quarter: str | None = None, scopes: list[str] | None = None) -> list[int]:
    """Beat, 02:00 on the first day after each quarter end: every default scope of the quarter just ended."""
    q = parse_quarter(quarter) if quarter else last_ended()[0]
    chosen = [parse_scope(s) for s in scopes] if scopes else default_scopes()
    return [report_start(quarter=q, scope=s).pk for s in chosen]

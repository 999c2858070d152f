"""Pages: the list of reports, one report (charts, tables, arrows, downloads, versions), the generate form
with its progress bar (htmx), and the publish button for departments."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from finance.core.errors import DomainError, NotFound, PermissionDenied
from finance.parties.models import Role
from finance.web.permissions import roles_required

from . import selectors, services
from .models import ReportRun, ReportStatus
from .outputs import pdf_bytes, report_context, xlsx_bytes
from .quarters import last_ended
from .scopes import CITIES, PROGRAMMES, parse_scope, scope_label
from .tasks import report_start


def _error(request, exc: DomainError):
    messages.error(request, exc.detail_zh if request.LANGUAGE_CODE.startswith("zh") else exc.detail_en)


def _reports(request):
    try:
        return selectors.reports_for(request.user)
    except PermissionDenied:
        raise DjangoPermissionDenied from None


def _report(request, pk):
    return get_object_or_404(_reports(request), pk=pk)


@login_required
def report_list(request):
    reports = list(_reports(request).order_by("-quarter", "scope_kind", "scope_key", "-version"))
    for r in reports:
        r.label = scope_label(parse_scope(r.scope_code))
    return render(request, "reporting/list.html", {
        "reports": reports, "quarters": last_ended(count=8),
        "cities": CITIES.items(), "programmes": PROGRAMMES.items()})


@login_required
@require_POST
@roles_required(Role.DEPARTMENT_REVIEWER)
def report_generate(request):
    scope = request.POST.get("scope") or "province"
    if scope in ("city", "programme"):
        scope = f"{scope}:{request.POST.get(scope + '_key', '')}"
    try:
        run = report_start(quarter=request.POST.get("quarter"), scope=scope, by=request.user)
    except DomainError as exc:
        _error(request, exc)
        return redirect("reporting:list")
    return redirect("reporting:run", pk=run.pk)


@login_required
@roles_required(Role.DEPARTMENT_REVIEWER)
def run_progress(request, pk: int):
    run = get_object_or_404(ReportRun, pk=pk)
    template = "reporting/_progress.html" if request.htmx else "reporting/progress.html"
    return render(request, template, {"run": run})


@login_required
def report_detail(request, pk: int):
    report = _report(request, pk)
    ctx = report_context(report)
    ctx.update(
        {
            "versions": selectors.versions_of(report, request.user),
            "can_publish": request.user.has_role(Role.DEPARTMENT_REVIEWER)
            and report.status == ReportStatus.DRAFT,
            "identity_errors": services.capital_account_errors(report.content),
        }
    )
    return render(request, "reporting/detail.html", ctx)


@login_required
@require_POST
def report_publish(request, pk: int):
    report = _report(request, pk)
    try:
        services.report_publish(report=report, by=request.user)
        messages.success(
            request, "报告已发布" if request.LANGUAGE_CODE.startswith("zh") else "The report is published"
        )
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        _error(request, exc)
    return redirect("reporting:detail", pk=pk)


def _file(report, kind: str) -> bytes:
    stored = getattr(report, kind)
    if report.is_published and stored:
        with stored.open("rb") as fh:
            return fh.read()
    return xlsx_bytes(report) if kind == "xlsx" else pdf_bytes(report)


@login_required
def report_xlsx(request, pk: int):
    report = _report(request, pk)
    response = HttpResponse(_file(report, "xlsx"),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f'attachment; filename="report-{report.quarter}-{report.scope_kind}-v{report.version}.xlsx"'
    )
    return response


@login_required
def report_pdf(request, pk: int):
    report = _report(request, pk)
    response = HttpResponse(_file(report, "pdf"), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="report-{report.quarter}-{report.scope_kind}-v{report.version}.pdf"'
    )
    return response

"""Who may read which report (the one rule for the pages and the API).

Departments (reviewers), auditors and the platform administrator read every report and version, drafts
included; a bank officer reads the published reports of its own bank's scope only (any other report answers
404 to a bank); every other role is refused (403). Reading is not publishing: only department reviewers
generate and publish (``services.report_publish``) — the administrator, a department role that runs the
platform, reads the reports like an auditor but never publishes one (operating kept apart from signing off).
"""
from __future__ import annotations

from django.db.models import QuerySet

from finance.core.errors import NotFound, PermissionDenied
from finance.parties.models import Role

from .models import Report, ReportStatus
from .scopes import Scope, ScopeKind

#: Who reads every report and version (drafts too).
OVERSIGHT = (Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)


def can_read_reports(user) -> bool:
    return user.is_authenticated and user.has_role(*OVERSIGHT, Role.BANK_OFFICER)


def reports_for(user) -> QuerySet[Report]:
    if not user.is_authenticated:
        raise PermissionDenied("请先登录", "log in first", code="not_authenticated")
    if user.has_role(*OVERSIGHT):
        return Report.objects.all()
    if user.has_role(Role.BANK_OFFICER) and user.organisation_id:
        return Report.objects.filter(scope_kind=ScopeKind.BANK, scope_key=str(user.organisation_id),
                                     status=ReportStatus.PUBLISHED)
    raise PermissionDenied(
        "只有主管部门、审计、平台管理员和银行可以查看季度报告",
        "only departments, auditors, the platform administrator and banks read quarterly reports",
        code="role_required",
    )


def report_for(user, *, quarter: str, scope: Scope, version: int | None = None) -> Report:
    """The version asked for, else the latest published one (oversight: else the latest draft)."""
    qs = reports_for(user).filter(quarter=quarter, scope_kind=scope.kind, scope_key=scope.key)
    if version is not None:
        report = qs.filter(version=version).first()
    else:
        report = qs.filter(status=ReportStatus.PUBLISHED).order_by("-version").first()
        if report is None and user.has_role(*OVERSIGHT):
            report = qs.order_by("-version").first()
    if report is None:
        raise NotFound("报告", "report")
    return report


def versions_of(report: Report, user) -> QuerySet[Report]:
    return reports_for(user).filter(quarter=report.quarter, scope_kind=report.scope_kind,
                                    scope_key=report.scope_key).order_by("-version")

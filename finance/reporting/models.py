"""Quarterly portfolio reports: one row per quarter, scope and version.

A published report is an immutable snapshot (content, hash, files): ``save`` and ``delete`` refuse to touch a
row stored as published, querysets refuse ``update``/``delete`` on published rows, and on PostgreSQL a trigger
refuses it even from raw SQL. A correction is a regeneration, which makes a new version; older versions stay
readable. ``ReportRun`` follows one generation (a Celery chord) for the progress indicator.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.core.errors import Conflict

from .scopes import ScopeKind


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


def _immutable():
    return Conflict("已发布的报告不可修改（请重新生成新版本）",
                    "a published report cannot be changed (regenerate to make a new version)",
                    code="report_immutable")


class ReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(status=ReportStatus.PUBLISHED).exists():
            raise _immutable()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=ReportStatus.PUBLISHED).exists():
            raise _immutable()
        return super().delete()


def report_file_path(instance, filename):
    scope_dir = f"{instance.scope_kind}-{instance.scope_key or 'all'}"
    return f"reports/{instance.quarter}/{scope_dir}/v{instance.version}/{filename}"


class Report(models.Model):
    quarter = models.CharField(_("quarter"), max_length=6)  # "2026Q3"
    scope_kind = models.CharField(_("scope"), max_length=10, choices=ScopeKind.choices)
    scope_key = models.CharField(_("scope key"), max_length=20, blank=True)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    as_of = models.DateField(pgettext_lazy("report", "as of"))
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    xlsx = models.FileField(upload_to=report_file_path, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to=report_file_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    TRANSITIONS = {ReportStatus.DRAFT: {ReportStatus.PUBLISHED}}

    class Meta:
        ordering = ["-quarter", "scope_kind", "scope_key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "scope_kind", "scope_key", "version"], name="report_version_unique"
            ),
            models.CheckConstraint(
                name="report_quarter_format", condition=Q(quarter__regex=r"^[0-9]{4}Q[1-4]$")
            ),
            models.CheckConstraint(
                name="report_published_complete",
                condition=Q(status="draft") | (Q(published_at__isnull=False) & ~Q(sha256="")),
            ),
        ]
        indexes = [models.Index(fields=["quarter", "scope_kind", "scope_key", "status"])]

    def __str__(self):
        return f"{self.quarter} {self.scope_code} v{self.version}"

    def save(self, *args, **kwargs):
        if self._stored_published():
            raise _immutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_published():
            raise _immutable()
        return super().delete(*args, **kwargs)

    @property
    def scope_code(self) -> str:
        return self.scope_kind if not self.scope_key else f"{self.scope_kind}:{self.scope_key}"

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    def _stored_published(self) -> bool:
        return (self.pk is not None and not self._state.adding
                and Report.objects.filter(pk=self.pk, status=ReportStatus.PUBLISHED).exists())


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", pgettext_lazy("report", "Done")
    FAILED = "failed", _("Failed")


class ReportRun(models.Model):
    """One generation of one report (a chord of section tasks): what the progress bar shows."""

    quarter = models.CharField(max_length=6)
    scope = models.CharField(max_length=40)
    sections_total = models.PositiveSmallIntegerField(default=0)
    sections_done = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    error = models.TextField(blank=True)
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"run {self.quarter} {self.scope} {self.sections_done}/{self.sections_total}"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        total = self.sections_total + 1  # the assembly step
        return int(100 * self.sections_done / total) if total else 0

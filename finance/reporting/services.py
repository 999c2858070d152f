"""Every write of the reporting app: assemble a report's content, store it as a new version, publish it.

- ``report_content(quarter, scope, sections)`` adds ``changes`` and returns the content whose canonical JSON
  (sorted keys, UTF-8, no spaces) is hashed with SHA-256; the generation time and version are not part of it,
  so the same data always gives the same content and hash.
- ``report_store`` keeps one row per distinct content: the same hash as the latest version returns that
  version (idempotent); a different one makes version n + 1 (older versions stay readable).
- ``report_publish``: departments only; refuses a report whose stored content no longer matches its hash or
  whose LP capital accounts fail their identity; renders and stores the XLSX and PDF with their hashes, and
  moves draft → published in one conditional UPDATE (two publishers cannot both win), with its audit row.
"""
from __future__ import annotations

import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from finance.approvals.services import state_change_record, transitions_of
from finance.core.errors import Conflict, DomainError, PermissionDenied
from finance.parties.models import Role

from .models import Report, ReportStatus, report_file_path
from .quarters import Quarter, parse_quarter
from .scopes import SECTIONS, Scope, parse_scope
from .sections import changes
from .sections import compute as section_compute


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def report_content(quarter: Quarter, scope: Scope, sections: dict) -> dict:
    body = {key: sections.get(key) for key in SECTIONS}
    body["changes"] = changes.compute(quarter, scope, body)
    return {"quarter": quarter.label, "scope": scope.code, "as_of": quarter.end.isoformat(), "sections": body}


def report_compute(quarter, scope="province") -> dict:
    """All sections in this process (the Celery path computes them in parallel, see ``tasks``)."""
    from .sections.loans import shared_frames

    q, s = parse_quarter(quarter), parse_scope(scope)
    with shared_frames():  # one process: the loan rows are read once for the loans and pool sections
        return report_content(q, s, {key: section_compute(key, q, s) for key in SECTIONS})


def report_store(*, quarter, scope, content: dict, by=None) -> Report:
    q, s = parse_quarter(quarter, ended=False), parse_scope(scope)
    sha = content_hash(content)
    for _attempt in range(5):
        latest = (Report.objects.filter(quarter=q.label, scope_kind=s.kind, scope_key=s.key)
                  .order_by("-version").first())
        if latest is not None and latest.sha256 == sha:
            return latest
        try:
            with transaction.atomic():
                return Report.objects.create(quarter=q.label, scope_kind=s.kind, scope_key=s.key,
                                             version=(latest.version + 1) if latest else 1, as_of=q.end,
                                             content=content, sha256=sha, generated_by=by)
        except IntegrityError:  # another generation stored this version meanwhile: look again
            continue
    raise Conflict("报告正在被同时生成，请稍后重试", "the report is being generated concurrently; try again",
                   code="report_busy")


def report_generate(*, quarter, scope="province", by=None) -> Report:
    """Compute and store in this process (management command with --sync, the demo seed, tests)."""
    q, s = parse_quarter(quarter), parse_scope(scope)
    return report_store(quarter=q, scope=s, content=report_compute(q, s), by=by)


def capital_account_errors(content: dict) -> list[str]:
    from .sections.funds import capital_account_check

    funds = (content.get("sections") or {}).get("funds") or {}
    errors = []
    for line in funds.get("sub_funds", []):
        errors += [
            f"{line['sub_fund']}: {e}" for e in capital_account_check(line.get("capital_accounts") or {})
        ]
    return errors


def _require_department(by):
    if by is None or not by.has_role(Role.DEPARTMENT_REVIEWER):
        raise PermissionDenied(
            "只有主管部门可以发布报告", "only departments publish reports", code="not_department"
        )


@transaction.atomic
def report_publish(*, report: Report, by) -> Report:
    _require_department(by)
    report = Report.objects.get(pk=report.pk)
    if (
        report.status != ReportStatus.DRAFT
        or ReportStatus.PUBLISHED not in transitions_of(report)[report.status]
    ):
        raise Conflict("该版本已发布", "this version is already published", code="already_published")
    if content_hash(report.content) != report.sha256:
        raise DomainError(
            "报告内容与其哈希不符，不能发布（请重新生成）",
            "the report's content does not match its hash; regenerate it",
            code="report_hash_mismatch",
            status=409,
        )
    errors = capital_account_errors(report.content)
    if errors:
        raise DomainError(f"出资人资本账户恒等式不成立，不能发布：{'；'.join(errors[:5])}",
                          f"the LP capital-account identity fails, the report cannot be published: "
                          f"{'; '.join(errors[:5])}", code="capital_account_identity", status=409,
                          extra={"errors": errors})
    from .outputs import pdf_bytes, xlsx_bytes

    now = timezone.now()
    report.status, report.published_at, report.published_by = (
        ReportStatus.PUBLISHED,
        now,
        by,
    )  # as the files show it
    files = {}
    for kind, render in (("xlsx", xlsx_bytes), ("pdf", pdf_bytes)):
        data = render(report)
        name = default_storage.save(
            report_file_path(report, f"report-{report.quarter}.{kind}"), ContentFile(data)
        )
        files[kind], files[f"{kind}_sha256"] = name, hashlib.sha256(data).hexdigest()
    moved = Report.objects.filter(pk=report.pk, status=ReportStatus.DRAFT).update(
        status=ReportStatus.PUBLISHED, published_at=now, published_by=by, **files)
    if moved != 1:
        raise Conflict("该版本已发布", "this version is already published", code="already_published")
    state_change_record(report, from_state=ReportStatus.DRAFT, to_state=ReportStatus.PUBLISHED, by=by,
                        reason=f"published · sha256 {report.sha256}")
    return Report.objects.get(pk=report.pk)

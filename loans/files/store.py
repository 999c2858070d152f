"""The file job: parse, validate, then store all or nothing through the one registration path.

``loan_file_process`` runs in a Celery task after the upload commits. Any error fails the file with every
error (row, column, reason); otherwise one transaction registers every loan through
``loans.services.register_loans`` (the API's own path: borrowers, assets locked, pledges, schedules, audit).
A job still queued or processing after ``timeout()`` is failed by ``loan_files_fail_stuck`` (a periodic
task): nothing was written, because the import is one transaction, and the store step checks under a lock
that its file is still processing before writing. A failed file may be uploaded again.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from finance.approvals.services import state_change
from finance.calc import CalcError
from finance.core import inputs
from finance.core.errors import DomainError
from finance.core.locks import lock, lock_all

from .. import services
from ..models import LoanFile, LoanFileStatus
from .parse import err, parse
from .validate import Prepared, row_error, validate_rows

F = LoanFileStatus
MAX_STORED_ERRORS = 5000
#: A job not finished this long after it started (or was queued) is failed by the periodic task.
DEFAULT_TIMEOUT = dt.timedelta(minutes=30)


def timeout() -> dt.timedelta:
    seconds = getattr(settings, "KEJIN_LOAN_FILE_TIMEOUT_SECONDS", None)
    return dt.timedelta(seconds=int(seconds)) if seconds else DEFAULT_TIMEOUT


def _finish(loan_file: LoanFile, to: str, reason: str, **fields) -> LoanFile:
    """Lock the job and move it to ``to`` with ``fields``, unless it already ended (e.g. timed out)."""
    current = lock(LoanFile, loan_file.pk)
    if current.status in (F.DONE, F.FAILED):
        return current
    for name, value in fields.items():
        setattr(current, name, value)
    current.finished_at = timezone.now()
    return state_change(current, to=to, reason=reason, also=(*fields, "finished_at"))


@transaction.atomic
def _fail(loan_file: LoanFile, errors: list[dict], **extra) -> LoanFile:
    stored = errors[:MAX_STORED_ERRORS]
    if len(errors) > MAX_STORED_ERRORS:
        more = len(errors) - MAX_STORED_ERRORS
        stored.append(err(0, "", "too_many_errors", f"另有 {more} 个错误未列出",
                          f"{more} more errors not listed"))
    return _finish(loan_file, F.FAILED, f"{len(errors)} errors", errors=stored, **extra)


@transaction.atomic
def _start(loan_file_id: int) -> LoanFile | None:
    loan_file = lock(LoanFile, loan_file_id)  # its row only: bank and uploader are read
    if loan_file.status != F.QUEUED:
        return None
    loan_file.started_at = timezone.now()
    return state_change(loan_file, to=F.PROCESSING, reason="job started", also=("started_at",))


def _store(loan_file: LoanFile, prepared: Prepared, total: int) -> LoanFile:
    with transaction.atomic():
        current = lock(LoanFile, loan_file.pk)
        if current.status != F.PROCESSING:
            return current  # failed by the timeout task meanwhile: write nothing
        created = services.register_loans(prepared.items, bank=loan_file.bank, by=loan_file.uploaded_by,
                                          source_file=loan_file,
                                          reason=f"registered from file #{loan_file.pk}")
        return _finish(current, F.DONE, f"{len(created)} loans registered", rows_total=total, rows_done=total,
                       rows_created=len(created), rows_already_registered=prepared.already)


def loan_file_process(*, loan_file_id: int, as_of: dt.date | None = None) -> LoanFile:
    """Parse, validate and (all or nothing) store one uploaded file; progress is saved as rows pass."""
    loan_file = _start(loan_file_id)
    if loan_file is None:
        return LoanFile.objects.get(pk=loan_file_id)
    as_of = as_of or inputs.today()
    try:
        with loan_file.file.open("rb") as fh:
            parsed = parse(fh.read(), loan_file.original_name)
    except DomainError as exc:
        return _fail(loan_file, [err(0, "", exc.code, exc.detail_zh, exc.detail_en)])
    except Exception as exc:  # noqa: BLE001 - a workbook openpyxl cannot read
        return _fail(loan_file, [err(0, "", "unreadable_file", f"文件无法读取：{exc}",
                                     f"the file cannot be read: {exc}")])
    total = len(parsed.rows)
    LoanFile.objects.filter(pk=loan_file.pk).update(rows_total=total)
    prepared = validate_rows(parsed, bank=loan_file.bank, as_of=as_of,
                             progress=lambda k: LoanFile.objects.filter(
        pk=loan_file.pk).update(rows_done=k))
    if prepared.errors:
        prepared.errors.sort(key=lambda e: (e["row"], e["column"]))
        return _fail(loan_file, prepared.errors, rows_total=total, rows_done=total,
                     rows_already_registered=prepared.already)
    try:
        return _store(loan_file, prepared, total)
    except services.RegistrationRefused as exc:
        return _fail(loan_file, [row_error(e, parsed.names) for e in exc.row_errors], rows_total=total)
    except DomainError as exc:
        return _fail(loan_file, [err(0, "", exc.code, exc.detail_zh, exc.detail_en)], rows_total=total)
    except CalcError as exc:
        return _fail(loan_file, [err(0, "", exc.code, exc.message_zh, exc.message_en)], rows_total=total)


@transaction.atomic
def loan_files_fail_stuck(*, now: dt.datetime | None = None) -> int:
    """Fail every job still queued or processing ``timeout()`` after it was queued or started."""
    cutoff = (now or timezone.now()) - timeout()
    stuck = LoanFile.objects.filter(Q(status=F.PROCESSING, started_at__lt=cutoff)
                                    | Q(status=F.QUEUED, created_at__lt=cutoff))
    failed = 0
    minutes = int(timeout().total_seconds() // 60)
    for loan_file in lock_all(stuck):
        loan_file.errors = [err(0, "", "job_timeout",
                                f"处理超时（超过 {minutes} 分钟未完成）：未写入任何数据，请重新上传该文件",
                                f"the job did not finish within {minutes} minutes: nothing was written; "
                                "upload the file again")]
        loan_file.finished_at = timezone.now()
        state_change(loan_file, to=F.FAILED, reason="job timeout", also=("errors", "finished_at"))
        failed += 1
    return failed


def errors_by_row(errors: list[dict]) -> dict[int, list[dict]]:
    out = defaultdict(list)
    for e in errors:
        out[e["row"]].append(e)
    return dict(out)

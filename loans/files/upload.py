"""Upload of a bank's loan file: refuse at once what cannot be a loan file, store it, queue the job.

Refused here: not XLSX/CSV, empty, larger than ``KEJIN_MAX_UPLOAD_BYTES``, a zip bomb (the XLSX's declared
uncompressed size and compression ratio are checked before openpyxl opens it: ``finance.core.uploads``), or
the same file again (sha256 per bank) — unless the earlier upload failed: a failed file may be sent again.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction

from finance.core.errors import Conflict
from finance.core.uploads import FileRefused, check_zip_bomb
from finance.parties.models import Organisation

from ..models import LoanFile, LoanFileStatus


def kind_of(name: str, head: bytes) -> str:
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        if lower.endswith((".xlsx", ".xlsm")):
            return "xlsx"
        raise FileRefused(f"{name} 是压缩文件，不是 XLSX", f"{name} is a zip archive, not an XLSX workbook",
                          code="unsupported_file_type", field="file")
    if lower.endswith((".csv", ".txt")) and b"\x00" not in head:
        return "csv"
    raise FileRefused(f"{name} 不是 XLSX 或 CSV 文件", f"{name} is not an XLSX or CSV file",
                      code="unsupported_file_type", field="file")


def _duplicate(previous: LoanFile) -> Conflict:
    return Conflict(f"该文件已于 {previous.created_at:%Y-%m-%d %H:%M} 上传（任务 #{previous.pk}）",
                    f"this file was already uploaded (job #{previous.pk})", code="duplicate_file",
                    field="file",
                    extra={"loan_file_id": previous.pk})


@transaction.atomic
def loan_file_upload(*, bank: Organisation, by, upload, enqueue: Callable[[int], object]) -> LoanFile:
    """Store the file; after commit, hand its id to ``enqueue`` (``loans.tasks.process_loan_file.delay``)."""
    size = upload.size or 0
    if size == 0:
        raise FileRefused("文件为空", "the file is empty", code="empty_file", field="file")
    limit = settings.KEJIN_MAX_UPLOAD_BYTES
    if size > limit:
        raise FileRefused(f"文件过大（{size} 字节，上限 {limit}）",
                          f"the file is too large ({size} bytes; limit {limit})", code="file_too_large",
                          field="file")
    data = upload.read()
    name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
    if kind_of(name, data[:8]) == "xlsx":
        check_zip_bomb(data)
    digest = hashlib.sha256(data).hexdigest()
    live = LoanFile.objects.filter(bank=bank, sha256=digest).exclude(status=LoanFileStatus.FAILED)
    previous = live.first()
    if previous is not None:
        raise _duplicate(previous)
    upload.seek(0)
    loan_file = LoanFile(bank=bank, uploaded_by=by, original_name=name, sha256=digest)
    loan_file.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            loan_file.save()
    except IntegrityError:  # the same file sent twice at once: the other upload won
        other = live.first()
        raise (_duplicate(other) if other else Conflict(
            "该文件正被同时上传", "this file is being uploaded at the same time", code="duplicate_file",
            field="file")) from None
    transaction.on_commit(lambda: enqueue(loan_file.pk))
    return loan_file

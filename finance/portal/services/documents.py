"""The enterprise's documents: uploads checked (whitelist, content, size) and stored under a generated name;
deleting hides a document from the enterprise but keeps it for the applications that cite it."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.db import transaction
from django.utils import timezone

from finance.core.errors import Conflict
from finance.parties.models import Organisation

from .. import uploads
from ..models import Document, DocumentKind
from ._common import audit, check_may_edit, choice_field, field_error


def _original_name(name) -> str:
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C").strip()
    if len(base) > 255:
        stem, _, ext = base.rpartition(".")
        base = f"{stem[:240]}.{ext[:10]}"
    return base or "file"


@transaction.atomic
def document_upload(*, organisation: Organisation, kind, upload, by) -> Document:
    """Store an uploaded file under a generated name after the whitelist, content and size checks. Nothing is
    written on error: no row, and no file (a file stored before a failing insert is removed again)."""
    check_may_edit(organisation, by)
    kind = choice_field("kind", kind, DocumentKind)
    if upload is None:
        raise field_error("file", "请选择文件", "choose a file", "required")
    size = getattr(upload, "size", None) or 0
    if size > uploads.max_bytes():  # before reading it into memory
        cap = uploads.max_bytes()
        raise field_error(
            "file",
            f"文件 {size:,} 字节，超过 {cap:,} 字节上限",
            f"the file has {size:,} bytes, over the {cap:,}-byte limit",
            "file_too_large",
        )
    upload.seek(0)
    data = upload.read()
    name = _original_name(getattr(upload, "name", ""))
    ext = uploads.check_upload(name, data, field="file")
    document = Document(
        organisation=organisation,
        kind=kind,
        original_name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=uploads.CONTENT_TYPES[ext],
        uploaded_by=by,
    )
    from django.core.files.base import ContentFile

    document.file.save(f"upload.{ext}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            document.save()
            audit(document, field="document", to="uploaded", by=by, reason=name[:200])
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document, by) -> Document:
    """Hide the document from the enterprise; the row and the file stay (an application may cite it)."""
    check_may_edit(document.organisation, by)
    if document.deleted_at is not None:
        raise Conflict(
            "该文件已删除", "the document is already deleted", code="already_deleted", field="document"
        )
    document.deleted_at = timezone.now()
    document.deleted_by = by
    document.save(update_fields=["deleted_at", "deleted_by"])
    audit(document, field="document", frm="uploaded", to="deleted", by=by)
    return document

"""Uploaded deal documents: a whitelist of types checked by extension AND content, and a size cap.

PDF, PNG, JPEG, the Office Open XML files (docx, xlsx, pptx: a zip whose ``[Content_Types].xml`` declares the
matching main part, bomb-checked) and the legacy Office files (doc, xls: an OLE2 compound file); the rules
live in ``finance.core.uploads``. Anything else (an HTML page, an SVG, a script, a docx that is really an
xlsx, a zip of anything) is refused naming the field.
"""
from __future__ import annotations

from django.conf import settings

from finance.core import uploads as core
from finance.core.uploads import FileRefused, extension_of

from ._common import _err

__all__ = ["CONTENT_TYPES", "DOCUMENT_CAP_BYTES", "check_document", "document_max_bytes", "extension_of"]

DOCUMENT_CAP_BYTES = 10 * 1024 * 1024


def document_max_bytes() -> int:
    """Documents are smaller than bank files: at most 10 MiB, or the platform's upload cap if lower."""
    return min(DOCUMENT_CAP_BYTES, int(getattr(settings, "KEJIN_MAX_UPLOAD_BYTES", DOCUMENT_CAP_BYTES)))


#: deal documents take every type the platform knows (extension → the content type the download answers with).
CONTENT_TYPES = dict(core.CONTENT_TYPES)


def _content_matches(file, ext: str) -> bool:
    """The platform's content rule (finance.core.uploads) on the whole file (at most the 10 MiB cap)."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    try:
        return core.content_matches(data, ext)
    except FileRefused as exc:
        if exc.code == "corrupt_file":  # a broken zip is just not the file its extension claims
            return False
        raise _err(exc.detail_zh, exc.detail_en, exc.code, "file") from None


def check_document(file) -> str:
    """Refuse a missing, empty, oversized or non-whitelisted file; return its (lower-case) extension."""
    if file is None or not getattr(file, "size", 0):
        raise _err("请选择文件", "choose a file", "required", "file")
    ext = extension_of(file.name)
    if ext not in CONTENT_TYPES:
        allowed = ", ".join(sorted(CONTENT_TYPES))
        raise _err(f"不支持的文件类型（支持：{allowed}）", f"file type not allowed (allowed: {allowed})",
                   "file_type_not_allowed", "file")
    cap = document_max_bytes()
    if file.size > cap:
        raise _err(f"文件超过 {cap:,} 字节上限", f"the file is larger than the {cap:,}-byte limit",
                   "file_too_large",
                   "file")
    if not _content_matches(file, ext):
        raise _err(f"文件内容与扩展名 .{ext} 不符", f"the file's content does not match its extension .{ext}",
                   "file_content_mismatch", "file")
    return ext

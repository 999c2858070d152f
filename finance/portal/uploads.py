"""What an enterprise may upload: a whitelist checked by extension AND content (magic bytes), and a size cap.

PDF (``%PDF-``), PNG, JPEG, and the Office Open XML files XLSX and DOCX: a zip whose ``[Content_Types].xml``
declares the matching main part (a docx renamed .xlsx, or any other zip, is refused). The zip is checked for
a bomb (``finance.core.uploads``, the platform's one rule) before anything inside it is read.
Anything else, an ``.exe`` renamed ``.pdf`` included, is refused with a bilingual error naming the field.
"""

from __future__ import annotations

from django.conf import settings

from finance.core import uploads as core
from finance.core.errors import DomainError
from finance.core.uploads import FileRefused, extension_of

#: the portal's whitelist (a subset of the platform's): extension → stored/download content type.
PORTAL_TYPES = ("pdf", "png", "jpg", "jpeg", "xlsx", "docx")
CONTENT_TYPES = {ext: core.CONTENT_TYPES[ext] for ext in PORTAL_TYPES}

__all__ = ["CONTENT_TYPES", "check_upload", "extension_of", "max_bytes"]


def max_bytes() -> int:
    return int(settings.KEJIN_UPLOAD_MAX_BYTES)


def _refuse(zh: str, en: str, code: str, field: str) -> DomainError:
    """The error names the input (the upload form has one file input: 文件 / file)."""
    return DomainError(f"文件：{zh}", f"file: {en}", code=code, field=field)


def check_upload(name: str, data: bytes, field: str = "file") -> str:
    """Refuse an empty, oversized, non-whitelisted or disguised file; return its lower-case extension."""
    if not data:
        raise _refuse("请选择一个非空文件", "choose a file that is not empty", "empty_file", field)
    ext = extension_of(name)
    if ext not in CONTENT_TYPES:
        allowed = "、".join(sorted(CONTENT_TYPES))
        raise _refuse(
            f"不支持的文件类型 .{ext[:10]}（支持：{allowed}）",
            f"file type .{ext[:10]} is not allowed (allowed: {', '.join(sorted(CONTENT_TYPES))})",
            "file_type_not_allowed",
            field,
        )
    cap = max_bytes()
    if len(data) > cap:
        raise _refuse(
            f"文件 {len(data):,} 字节，超过 {cap:,} 字节上限",
            f"the file has {len(data):,} bytes, over the {cap:,}-byte limit",
            "file_too_large",
            field,
        )
    try:
        matches = core.content_matches(data, ext)
    except FileRefused as exc:
        raise _refuse(exc.detail_zh, exc.detail_en, exc.code, field) from None
    if not matches:
        raise _refuse(
            f"文件内容与扩展名 .{ext} 不符",
            f"the file's content does not match its extension .{ext}",
            "file_content_mismatch",
            field,
        )
    return ext

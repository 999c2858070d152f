"""What an enterprise may upload: a whitelist checked by extension AND content (magic bytes), and a size cap.

PDF (``%PDF-``), PNG, JPEG, and the Office Open XML files XLSX and DOCX: a zip whose ``[Content_Types].xml``
declares the matching main part (a docx renamed .xlsx, or any other zip, is refused). The zip is checked for
a bomb (``loans.files.upload.check_zip_bomb``, the platform's one rule) before anything inside it is read.
Anything else, an ``.exe`` renamed ``.pdf`` included, is refused with a bilingual error naming the field.
"""

from __future__ import annotations

import zipfile

from django.conf import settings

from finance.core.errors import DomainError
from loans.files.upload import FileRefused, check_zip_bomb

#: extension → the content type the file is stored and downloaded with.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_OOXML_MAIN = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "xlsx": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
}


def max_bytes() -> int:
    return int(settings.KEJIN_UPLOAD_MAX_BYTES)


def extension_of(name: str) -> str:
    name = str(name or "")
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _refuse(zh: str, en: str, code: str, field: str) -> DomainError:
    """The error names the input (the upload form has one file input: 文件 / file)."""
    return DomainError(f"文件：{zh}", f"file: {en}", code=code, field=field)


def _ooxml_declares(data: bytes, ext: str) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, NotImplementedError):
        return False
    return _OOXML_MAIN[ext] in types


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
    if not data.startswith(_MAGIC[ext]):
        raise _refuse(
            f"文件内容与扩展名 .{ext} 不符",
            f"the file's content does not match its extension .{ext}",
            "file_content_mismatch",
            field,
        )
    if ext in _OOXML_MAIN:
        try:
            check_zip_bomb(data)
        except FileRefused as exc:
            raise _refuse(exc.detail_zh, exc.detail_en, exc.code, field) from None
        if not _ooxml_declares(data, ext):
            raise _refuse(
                f"文件内容与扩展名 .{ext} 不符",
                f"the file's content does not match its extension .{ext}",
                "file_content_mismatch",
                field,
            )
    return ext

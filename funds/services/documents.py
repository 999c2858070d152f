"""Uploaded deal documents: a whitelist of types checked by extension AND content, and a size cap.

PDF, PNG, JPEG, the Office Open XML files (docx, xlsx, pptx: a zip whose ``[Content_Types].xml`` declares the
matching main part) and the legacy Office files (doc, xls: an OLE2 compound file). Anything else (an HTML
page, an SVG, a script, a docx that is really an xlsx, a zip of anything) is refused naming the field.
"""
from __future__ import annotations

import zipfile

from django.conf import settings

from ._common import _err

DOCUMENT_CAP_BYTES = 10 * 1024 * 1024


def document_max_bytes() -> int:
    """Documents are smaller than bank files: at most 10 MiB, or the platform's upload cap if lower."""
    return min(DOCUMENT_CAP_BYTES, int(getattr(settings, "KEJIN_MAX_UPLOAD_BYTES", DOCUMENT_CAP_BYTES)))

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
#: extension → the content type the download answers with.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}


def extension_of(name: str) -> str:
    name = str(name or "")
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _ooxml_matches(file, ext: str) -> bool:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as z:
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        return False
    finally:
        file.seek(0)
    return _OOXML_MAIN[ext] in types


def _content_matches(file, ext: str) -> bool:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if ext == "pdf":
        return head.startswith(b"%PDF-")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in ("doc", "xls"):
        return head.startswith(OLE2)
    if ext in _OOXML_MAIN:
        return head.startswith(b"PK\x03\x04") and _ooxml_matches(file, ext)
    return False


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

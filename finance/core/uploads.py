"""What an uploaded file is: its extension, whether its content (magic bytes) matches it, the zip-bomb rule.

One place for the platform's upload rules; the portal (enterprise files), funds (deal documents) and loans
(bank loan files) call them and keep only their own whitelist subset, size cap and wording. An Office Open XML
file (docx, xlsx, pptx) is a zip whose ``[Content_Types].xml`` declares the matching main part, so a docx
renamed .xlsx, or any other zip, does not match; the zip is checked for a bomb before anything inside is read.
No Django models here (finance.core is the bottom layer).
"""
from __future__ import annotations

import io
import zipfile

from .errors import DomainError

#: Zip-bomb guards: total declared uncompressed size and the compression ratio.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"

#: every extension the platform knows → the content type it is stored and downloaded with.
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
OOXML_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (ZIP,),
    "xlsx": (ZIP,),
    "pptx": (ZIP,),
    "doc": (OLE2,),
    "xls": (OLE2,),
}


class FileRefused(DomainError):
    status = 400
    code = "invalid_file"


def extension_of(name: str) -> str:
    """The lower-case extension after the last dot ("" when there is none)."""
    name = str(name or "")
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_zip_bomb(data: bytes) -> None:
    """Refuse a zip (XLSX…) whose declared uncompressed size or ratio is excessive, before XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise FileRefused("XLSX 文件已损坏", "the XLSX file is corrupt", code="corrupt_file",
                          field="file") from None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
        raise FileRefused(f"XLSX 解压后过大（{total} 字节，压缩比 {total // packed}:1），疑似压缩炸弹",
                          f"the XLSX expands to {total} bytes (ratio {total // packed}:1): "
                          "refused as a zip bomb",
                          code="zip_bomb", field="file")


def _ooxml_declares(data: bytes, ext: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            types = z.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, NotImplementedError):
        return False
    return OOXML_MAIN[ext] in types


def content_matches(data: bytes, ext: str) -> bool:
    """Whether the bytes are really a file of that (known) extension; an Office zip is bomb-checked first
    (raises ``FileRefused`` code ``zip_bomb`` / ``corrupt_file``)."""
    if ext not in MAGIC or not data.startswith(MAGIC[ext]):
        return False
    if ext in OOXML_MAIN:
        check_zip_bomb(data)
        return _ooxml_declares(data, ext)
    return True

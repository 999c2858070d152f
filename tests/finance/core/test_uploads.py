"""The platform's one upload rule (finance.core.uploads): extension, content by magic bytes, the zip bomb."""
import io
import zipfile

import pytest

from finance.core.uploads import CONTENT_TYPES, FileRefused, check_zip_bomb, content_matches, extension_of

MAIN = {"docx": "wordprocessingml.document.main+xml", "xlsx": "spreadsheetml.sheet.main+xml"}


def ooxml(kind: str, filler: bytes = b"<x/>") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types><Override PartName="/x.xml" ContentType="application/'
                   f'vnd.openxmlformats-officedocument.{MAIN[kind]}"/></Types>')
        z.writestr("x.xml", filler)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "ext"), [("a.PDF", "pdf"), ("x.tar.gz", "gz"), ("noext", ""), (None, "")])
def test_extension_is_the_lower_case_part_after_the_last_dot(name, ext):
    assert extension_of(name) == ext


def test_content_must_match_the_extension():
    assert content_matches(b"%PDF-1.4 x", "pdf")
    assert not content_matches(b"MZ\x90\x00", "pdf")  # an .exe renamed .pdf
    assert content_matches(ooxml("docx"), "docx")
    assert not content_matches(ooxml("docx"), "xlsx")  # a docx renamed .xlsx
    assert not content_matches(b"%PDF-1.4", "exe")  # unknown extension
    assert set(CONTENT_TYPES) >= {"pdf", "png", "jpg", "jpeg", "docx", "xlsx", "pptx", "doc", "xls"}


def test_a_zip_bomb_is_refused_before_its_parts_are_read():
    bomb = ooxml("xlsx", b"0" * (5 * 1024 * 1024))
    with pytest.raises(FileRefused) as exc:
        check_zip_bomb(bomb)
    assert exc.value.code == "zip_bomb" and exc.value.field == "file" and exc.value.status == 400
    with pytest.raises(FileRefused) as exc:
        content_matches(bomb, "xlsx")
    assert exc.value.code == "zip_bomb"
    with pytest.raises(FileRefused) as exc:
        check_zip_bomb(b"PK\x03\x04 not a zip")
    assert exc.value.code == "corrupt_file"
    check_zip_bomb(ooxml("xlsx"))  # an ordinary workbook passes

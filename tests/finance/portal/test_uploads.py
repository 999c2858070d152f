"""Document uploads: the whitelist by extension and content, the size cap, generated names in the private
folder, and nothing written on a refusal (no row, no audit row, no file on disk)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from finance.approvals.models import StateChange
from finance.core.errors import DomainError
from finance.portal import services
from finance.portal.models import Document

from .conftest import EXE, JPEG, PNG, ooxml, upload

pytestmark = pytest.mark.django_db


def files_in(media) -> list[Path]:
    root = Path(media)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_pdf_is_stored_under_a_generated_private_name(enterprise, applicant, pdf_bytes, _media):
    doc = services.document_upload(organisation=enterprise, kind="business_licence",
                                   upload=upload("营业执照 2024.pdf", pdf_bytes), by=applicant)
    assert doc.original_name == "营业执照 2024.pdf"
    assert doc.size == len(pdf_bytes) and doc.sha256 == hashlib.sha256(pdf_bytes).hexdigest()
    assert doc.content_type == "application/pdf"
    assert doc.file.name.startswith(f"private/portal/{enterprise.pk}/") and doc.file.name.endswith(".pdf")
    assert "营业执照" not in doc.file.name
    stored = files_in(_media)
    assert len(stored) == 1 and stored[0].read_bytes() == pdf_bytes
    assert str(stored[0]).startswith(str(Path(_media) / "private"))
    assert StateChange.objects.filter(item_id=doc.pk, field="document", to_state="uploaded").count() == 1


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("logo.png", PNG, "image/png"),
    ("photo.JPG", JPEG, "image/jpeg"),
    ("报表.xlsx", ooxml("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("计划书.docx", ooxml("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_whitelisted_types(enterprise, applicant, name, data, content_type):
    doc = services.document_upload(organisation=enterprise, kind="attachment", upload=upload(name, data),
                                   by=applicant)
    assert doc.content_type == content_type


@pytest.mark.parametrize(("name", "data", "code"), [
    ("营业执照.pdf", EXE, "file_content_mismatch"),          # an .exe renamed .pdf
    ("setup.exe", EXE, "file_type_not_allowed"),
    ("page.html", b"<html><script>alert(1)</script>", "file_type_not_allowed"),
    ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type_not_allowed"),
    ("noextension", b"%PDF-1.4", "file_type_not_allowed"),
    ("报表.xlsx", ooxml("docx"), "file_content_mismatch"),     # a docx renamed .xlsx
    ("报表.xlsx", b"PK\x03\x04not really a zip", "corrupt_file"),
    ("logo.png", JPEG, "file_content_mismatch"),
    ("empty.pdf", b"", "empty_file"),
])
def test_refused_uploads_write_nothing(enterprise, applicant, _media, name, data, code):
    with pytest.raises(DomainError) as exc:
        services.document_upload(organisation=enterprise, kind="business_licence", upload=upload(name, data),
                                 by=applicant)
    assert exc.value.code == code and exc.value.field == "file"
    assert exc.value.detail_zh.startswith("文件：") and exc.value.detail_en.startswith("file: ")
    assert not Document.objects.exists() and not StateChange.objects.exists()
    assert files_in(_media) == []


def test_size_cap_from_settings(enterprise, applicant, settings, pdf_bytes, _media):
    settings.KEJIN_UPLOAD_MAX_BYTES = len(pdf_bytes) - 1
    with pytest.raises(DomainError) as exc:
        services.document_upload(organisation=enterprise, kind="business_licence",
                                 upload=upload("a.pdf", pdf_bytes), by=applicant)
    assert exc.value.code == "file_too_large" and exc.value.field == "file"
    assert f"{len(pdf_bytes) - 1:,}" in exc.value.detail_zh
    assert not Document.objects.exists() and files_in(_media) == []
    settings.KEJIN_UPLOAD_MAX_BYTES = len(pdf_bytes)
    services.document_upload(organisation=enterprise, kind="business_licence", upload=upload("a.pdf", pdf_bytes),
                             by=applicant)
    assert Document.objects.count() == 1


def test_default_cap_is_ten_megabytes(settings):
    from finance.portal.uploads import max_bytes

    assert max_bytes() == settings.KEJIN_UPLOAD_MAX_BYTES == 10 * 1024 * 1024


def test_unknown_kind_refused_before_anything(enterprise, applicant, pdf_bytes, _media):
    with pytest.raises(DomainError) as exc:
        services.document_upload(organisation=enterprise, kind="passport", upload=upload("a.pdf", pdf_bytes),
                                 by=applicant)
    assert exc.value.field == "kind"
    assert files_in(_media) == []


def test_path_and_control_characters_in_the_file_name_are_dropped():
    assert services._original_name("..\\..\\etc/营业\x00执照.pdf") == "营业执照.pdf"
    assert services._original_name("") == "file"


def test_delete_hides_but_keeps(enterprise, applicant, pdf_bytes, _media):
    from finance.portal.selectors import documents_of

    doc = services.document_upload(organisation=enterprise, kind="attachment", upload=upload("a.pdf", pdf_bytes),
                                   by=applicant)
    services.document_delete(document=doc, by=applicant)
    assert not documents_of(enterprise).exists()
    doc.refresh_from_db()
    assert doc.deleted_by == applicant and len(files_in(_media)) == 1
    assert StateChange.objects.filter(item_id=doc.pk, field="document", to_state="deleted").count() == 1

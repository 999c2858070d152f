"""Issue 9, "Contract and hardening": uploaded deal documents are whitelisted by extension and content, capped
in size, stored under generated names and served only through a scoped view, as an attachment."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.core.errors import DomainError
from finance.parties.models import Role
from funds.models import DealDocument
from funds.services import deal_create, document_add

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
MAIN = {"docx": "wordprocessingml.document.main+xml", "xlsx": "spreadsheetml.sheet.main+xml",
        "pptx": "presentationml.presentation.main+xml"}


def ooxml(kind: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<Types><Override PartName="/x.xml" ContentType="application/'
                   f'vnd.openxmlformats-officedocument.{MAIN[kind]}"/></Types>')
        z.writestr("x.xml", "<x/>")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def deal(fund, manager, orgs):
    return deal_create(sub_fund=fund, enterprise=orgs.make(), title="A 轮", instrument="equity", amount="5.00",
                       by=manager)


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("name, content", [
    ("报告.pdf", PDF), ("scan.PNG", PNG), ("photo.jpg", JPEG), ("photo.jpeg", JPEG), ("memo.docx", ooxml("docx")),
    ("model.xlsx", ooxml("xlsx")), ("deck.pptx", ooxml("pptx")), ("old.doc", OLE2), ("old.xls", OLE2),
])
def test_whitelisted_documents_are_stored_under_a_generated_name(deal, manager, name, content):
    doc = document_add(deal=deal, title="", file=upload(name, content), by=manager)
    stored = doc.file.name.rsplit("/", 1)[-1]
    assert stored != name and name.rsplit(".", 1)[0] not in doc.file.name
    assert stored.endswith("." + name.rsplit(".", 1)[-1].lower()) and len(stored.split(".")[0]) == 32
    assert doc.original_name == name


@pytest.mark.parametrize("name, content, code", [
    ("page.html", b"<html><script>alert(1)</script></html>", "file_type_not_allowed"),
    ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type_not_allowed"),
    ("run.exe", b"MZ\x90\x00", "file_type_not_allowed"),
    ("noext", PDF, "file_type_not_allowed"),
    ("fake.pdf", b"<html><script>alert(1)</script></html>", "file_content_mismatch"),
    ("fake.png", PDF, "file_content_mismatch"),
    ("sheet.docx", ooxml("xlsx"), "file_content_mismatch"),
    ("any.docx", b"PK\x03\x04not really a zip", "file_content_mismatch"),
    ("old.doc", PDF, "file_content_mismatch"),
])
def test_other_types_and_disguised_files_are_refused(deal, manager, name, content, code):
    with pytest.raises(DomainError) as err:
        document_add(deal=deal, title="x", file=upload(name, content), by=manager)
    assert (err.value.code, err.value.field) == (code, "file")
    assert DealDocument.objects.count() == 0


def test_a_document_above_the_size_cap_is_refused(deal, manager, settings):
    settings.KEJIN_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(DomainError) as err:
        document_add(deal=deal, title="x", file=upload("big.pdf", PDF + b"0" * 1024), by=manager)
    assert err.value.code == "file_too_large"
    assert document_add(deal=deal, title="x", file=upload("small.pdf", PDF), by=manager)


def test_download_is_an_attachment_for_the_manager_and_404_for_another(client, deal, manager, other_gp, make_user):
    client.force_login(manager)
    r = client.post(f"/funds/deals/{deal.pk}/action/", {"action": "document", "title": "尽调报告",
                                                        "file": upload("dd.pdf", PDF)})
    assert r.status_code == 302
    doc = DealDocument.objects.get()
    r = client.post(f"/funds/deals/{deal.pk}/action/", {"action": "document", "title": "x",
                                                        "file": upload("x.html", b"<html></html>")})
    assert DealDocument.objects.count() == 1
    url = f"/funds/deals/{deal.pk}/documents/{doc.pk}/"
    r = client.get(url)
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == PDF
    assert url in client.get(f"/funds/deals/{deal.pk}/").content.decode()
    client.force_login(make_user(other_gp, Role.FUND_MANAGER))
    assert client.get(url).status_code == 404


def test_a_zip_bomb_document_is_refused_by_the_platform_rule(deal, manager):
    """Deal documents use finance.core.uploads too: an Office zip is bomb-checked before it is read."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types><Override PartName="/x.xml" ContentType="application/'
                   f'vnd.openxmlformats-officedocument.{MAIN["xlsx"]}"/></Types>')
        z.writestr("x.xml", b"0" * (5 * 1024 * 1024))
    with pytest.raises(DomainError) as exc:
        document_add(deal=deal, title="x", file=upload("bomb.xlsx", buf.getvalue()), by=manager)
    assert exc.value.code == "zip_bomb" and exc.value.field == "file"
    assert not DealDocument.objects.exists()

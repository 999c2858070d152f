"""Portal fixtures: an enterprise with an applicant, another enterprise, a department reviewer; files in a
temporary MEDIA_ROOT; tiny valid files of each whitelisted type built in code."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.parties.models import OrgKind, Role
from finance.portal.demo import tiny_pdf


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def enterprise(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="济南测试科技有限公司")


@pytest.fixture
def other_enterprise(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="青岛另一科技有限公司")


@pytest.fixture
def applicant(enterprise, make_user):
    user = make_user(enterprise, Role.APPLICANT)
    user.display_name = "王申报"
    user.save(update_fields=["display_name"])
    return user


@pytest.fixture
def other_applicant(other_enterprise, make_user):
    return make_user(other_enterprise, Role.APPLICANT)


@pytest.fixture
def department(orgs):
    return orgs.make(OrgKind.DEPARTMENT, name="山东省科学技术厅")


@pytest.fixture
def reviewer(department, make_user):
    return make_user(department, Role.DEPARTMENT_REVIEWER)


def ooxml(main: str) -> bytes:
    """A minimal OOXML zip whose [Content_Types].xml declares ``main`` (xlsx or docx main part type)."""
    types = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"}[main]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types><Override ContentType="{types}"/></Types>')
        z.writestr("word/document.xml" if main == "docx" else "xl/workbook.xml", "<x/>")
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def pdf_bytes() -> bytes:
    return tiny_pdf("营业执照")

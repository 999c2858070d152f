"""The portal's pages: rendered in Chinese with no English and no ``None``; a wrong check digit and a disguised
upload are refused on the page naming the field, writing nothing; downloads are attachments with the Chinese
name (RFC 5987) and nosniff; another enterprise's objects answer 404; other roles get 403."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from finance.parties.models import Role
from finance.portal import services
from finance.portal.demo import patent_number
from finance.portal.models import Document, IPRight, Shareholder, TalentMember

from .conftest import EXE, upload
from .test_services import PERSON_ID, PROFILE
from .test_uploads import files_in

pytestmark = pytest.mark.django_db

#: Latin words allowed in Chinese pages: file formats, number prefixes and examples, units.
ALLOWED_LATIN = {"PDF", "PNG", "JPEG", "XLSX", "DOCX", "MB", "ZL", "SR", "GR", "KB", "bytes",
                 "pdf", "png", "jpg", "jpeg", "xlsx", "docx"}  # file names keep their extension


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def visible_main(html: str) -> str:
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", main)


def assert_chinese(html: str) -> None:
    text = visible_main(html)
    assert "None" not in text, text
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text)} - ALLOWED_LATIN
    # the numbers' own letters (ZL2021…, 2023SR…, GR2024…) are not words in the sense checked here
    words = {w for w in words if not re.fullmatch(r"(ZL|SR|GR|CN|X)", w)}
    assert not words, f"English on a Chinese page: {sorted(words)} in {text}"


@pytest.fixture
def filled(enterprise, applicant, pdf_bytes):
    services.profile_save(organisation=enterprise, by=applicant, data=PROFILE)
    services.talent_member_add(organisation=enterprise, by=applicant, name="张三", role="首席科学家",
                               programme="national", leads_team=True)
    services.shareholder_add(organisation=enterprise, by=applicant, name="张三", kind="person", id_number=PERSON_ID,
                             shares="1200000", stake_percent="60")
    services.ip_right_add(organisation=enterprise, by=applicant, kind="invention",
                          number=patent_number(2021, "1", 1), title="量子芯片封装方法", granted_on="2023-01-01")
    services.ip_right_add(organisation=enterprise, by=applicant, kind="trademark", number="12345678",
                          nice_class="9", title="量芯")
    doc = services.document_upload(organisation=enterprise, kind="business_licence",
                                   upload=upload("营业执照（副本）.pdf", pdf_bytes), by=applicant)
    return doc


@pytest.mark.parametrize("name", ["portal:home", "portal:profile", "portal:ip", "portal:documents"])
def test_pages_render_in_chinese(enterprise, applicant, filled, name):
    response = client_for(applicant).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert_chinese(html)
    assert 'class="table-responsive' in html or name == "portal:home"


@pytest.mark.parametrize("name", ["portal:home", "portal:profile", "portal:ip", "portal:documents"])
def test_empty_pages_render_in_chinese(enterprise, applicant, name):
    response = client_for(applicant).get(reverse(name))
    assert response.status_code == 200
    assert_chinese(response.content.decode())


def test_every_input_has_a_label(enterprise, applicant, filled):
    for name in ("portal:profile", "portal:ip", "portal:documents"):
        html = client_for(applicant).get(reverse(name)).content.decode()
        ids = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html)
        hidden = set(re.findall(r'<input\b[^>]*type="hidden"[^>]*\bid="([^"]+)"', html))
        for element_id in set(ids) - hidden:
            assert f'for="{element_id}"' in html, f"{name}: input {element_id} has no label"
        unlabelled = [m for m in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
                      if 'type="hidden"' not in m and " id=" not in m and "aria-label" not in m]
        assert not unlabelled, unlabelled


def test_profile_page_shows_the_figures(enterprise, applicant, filled):
    html = client_for(applicant).get(reverse("portal:profile")).content.decode()
    assert "1,200,000" in html and "60%" in html and "国家级人才计划" in html


def test_profile_form_saves_and_bad_value_names_the_field(enterprise, applicant):
    client = client_for(applicant)
    data = {f"profile-{k}": v for k, v in PROFILE.items()}
    response = client.post(reverse("portal:profile"), {**data, "profile-rd_staff": "41"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "研发人员 41 人不能多于职工人数 40 人" in html and 'aria-invalid="true"' in html
    assert_chinese(html)
    assert not hasattr(enterprise, "enterprise_profile") or not type(enterprise).objects.filter(
        pk=enterprise.pk, enterprise_profile__isnull=False).exists()
    response = client.post(reverse("portal:profile"), data)
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.enterprise_profile.headcount == 40


def test_wrong_check_digit_refused_on_the_page(enterprise, applicant):
    number = patent_number(2021, "1", 123456)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = client_for(applicant).post(reverse("portal:ip"), {
        "ip-kind": "invention", "ip-number": wrong, "ip-title": "量子芯片", "ip-status": "valid"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"专利号校验位错误(应为 {number[-1]})" in html
    field = re.search(r'<input[^>]*name="ip-number"[^>]*>', html).group(0)
    assert "is-invalid" in field and 'aria-invalid="true"' in field
    assert "编号：" in html
    assert_chinese(html)
    assert not IPRight.objects.exists()


def test_ip_added_on_the_page(enterprise, applicant):
    number = patent_number(2021, "1", 123456)
    response = client_for(applicant).post(reverse("portal:ip"), {
        "ip-kind": "invention", "ip-number": number, "ip-title": "量子芯片", "ip-status": "valid"})
    assert response.status_code == 302
    assert IPRight.objects.get().number == number


def test_disguised_upload_refused_on_the_page(enterprise, applicant, _media):
    response = client_for(applicant).post(reverse("portal:documents"), {
        "doc-kind": "business_licence", "doc-file": upload("营业执照.pdf", EXE)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "文件内容与扩展名 .pdf 不符" in html
    assert_chinese(html)
    assert not Document.objects.exists() and files_in(_media) == []


def test_oversized_upload_refused_on_the_page(enterprise, applicant, settings, pdf_bytes, _media):
    settings.KEJIN_UPLOAD_MAX_BYTES = 100
    response = client_for(applicant).post(reverse("portal:documents"), {
        "doc-kind": "business_licence", "doc-file": upload("营业执照.pdf", pdf_bytes)})
    assert response.status_code == 400
    assert "超过 100 字节上限" in response.content.decode()
    assert not Document.objects.exists() and files_in(_media) == []


def test_download_is_an_attachment_with_the_chinese_name(enterprise, applicant, filled, pdf_bytes):
    response = client_for(applicant).get(reverse("portal:document-download", args=[filled.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
    disposition = response["Content-Disposition"]
    assert disposition == f"attachment; filename*=utf-8''{quote('营业执照（副本）.pdf')}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


def test_another_enterprises_objects_answer_404(enterprise, applicant, filled, other_applicant):
    client = client_for(other_applicant)
    right = IPRight.objects.first()
    member, holder = TalentMember.objects.get(), Shareholder.objects.get()
    assert client.get(reverse("portal:document-download", args=[filled.pk])).status_code == 404
    for name, pk in (("portal:document-delete", filled.pk), ("portal:ip-remove", right.pk),
                     ("portal:talent-remove", member.pk), ("portal:shareholder-remove", holder.pk)):
        assert client.post(reverse(name, args=[pk])).status_code == 404, name
    assert Document.objects.filter(deleted_at__isnull=True).count() == 1
    assert IPRight.objects.count() == 2 and TalentMember.objects.count() == 1 and Shareholder.objects.count() == 1
    # the other enterprise's own pages show its own (empty) records, never the first enterprise's
    html = client.get(reverse("portal:ip")).content.decode()
    assert right.number not in html


def test_deleted_document_is_no_longer_downloadable(enterprise, applicant, filled):
    client = client_for(applicant)
    assert client.post(reverse("portal:document-delete", args=[filled.pk])).status_code == 302
    assert client.get(reverse("portal:document-download", args=[filled.pk])).status_code == 404


def test_reviewer_downloads_the_licence_but_cannot_edit(enterprise, filled, reviewer):
    client = client_for(reviewer)
    assert client.get(reverse("portal:document-download", args=[filled.pk])).status_code == 200
    assert client.get(reverse("portal:profile")).status_code == 403
    assert client.post(reverse("portal:document-delete", args=[filled.pk])).status_code == 403


def test_bank_officer_gets_403_and_404(enterprise, filled, orgs, make_user):
    from finance.parties.models import OrgKind

    officer = make_user(orgs.make(OrgKind.BANK), Role.BANK_OFFICER)
    client = client_for(officer)
    assert client.get(reverse("portal:home")).status_code == 403
    assert client.get(reverse("portal:document-download", args=[filled.pk])).status_code == 404


def test_english_spot_check(enterprise, applicant, filled):
    client = client_for(applicant)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:ip"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "IP portfolio" in html and "Invention patent" in html

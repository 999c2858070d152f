"""The enterprise's records on the pages, each through the same rules: the profile, the talent team, the
shareholders, the IP portfolio and the documents add through their forms; bad input is refused on the page
with the field named in the page's language (Chinese, or English), its input marked, nothing written; an
entry is removed by the enterprise's own writers only (a viewer gets 403 and nothing changes)."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from finance.parties.models import Role
from finance.portal.demo import patent_number
from finance.portal.models import Document, EnterpriseProfile, IPRight, Shareholder, TalentMember

from .conftest import upload
from .test_pages import client_for
from .test_services import PERSON_ID

pytestmark = pytest.mark.django_db

_PATENT = patent_number(2021, "1", 123456)

#: name → (the page, its form's URL, good input, the bad field, bad input, the Chinese and English refusal, model)
CASES = {
    "profile": ("portal:profile", "portal:profile", {"profile-headcount": "40"}, "profile-tech_sme_number",
                {"profile-tech_sme_number": "ABC"},
                ("科技型中小企业入库编号：应为 10–20 位数字", "tech-based SME number: must be 10–20 digits"),
                EnterpriseProfile),
    "talent": ("portal:profile", "portal:talent-add",
               {"talent-name": "张三", "talent-role": "首席科学家", "talent-programme": "national"},
               "talent-name", {"talent-name": ""}, ("姓名/名称：必填", "name: is required"), TalentMember),
    "shareholder": ("portal:profile", "portal:shareholder-add",
                    {"holder-name": "张三", "holder-kind": "person", "holder-id_number": PERSON_ID,
                     "holder-shares": "1000"},
                    "holder-id_number", {"holder-id_number": "110105194912310021"},
                    ("身份证号/统一社会信用代码：不是有效的居民身份证号码",
                     "ID number or credit code: is not a valid resident identity card number"), Shareholder),
    "ip": ("portal:ip", "portal:ip",
           {"ip-kind": "invention", "ip-number": _PATENT, "ip-title": "量子芯片", "ip-status": "valid"},
           "ip-nice_class", {"ip-nice_class": "9"},
           ("尼斯分类：只有商标有尼斯分类", "Nice class: only trademarks have a Nice class"), IPRight),
    "document": ("portal:documents", "portal:documents", {"doc-kind": "business_licence"}, "doc-file", {},
                 ("文件：请选择文件", "file: choose a file"), Document),
}


def _good(name, pdf_bytes):
    data = dict(CASES[name][2])
    if name == "document":
        data["doc-file"] = upload("营业执照.pdf", pdf_bytes)
    return data


def _input(html: str, name: str) -> str:
    return re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html).group(0)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_bad_input_is_refused_on_the_page_naming_the_field(enterprise, applicant, pdf_bytes, name, language):
    _page, url, _data, field, bad, messages, model = CASES[name]
    client = client_for(applicant)
    client.cookies["django_language"] = language
    data = {**_good(name, pdf_bytes), **bad}
    if name == "document":
        data.pop("doc-file")
    response = client.post(reverse(url), data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    html = response.content.decode()
    assert messages[0 if language == "zh-hans" else 1] in html
    assert 'aria-invalid="true"' in _input(html, field)
    assert not model.objects.exists()


@pytest.mark.parametrize("name", CASES)
def test_good_input_is_saved_and_the_page_says_so(enterprise, applicant, pdf_bytes, name):
    page, url, *_rest, model = CASES[name]
    response = client_for(applicant).post(reverse(url), _good(name, pdf_bytes), follow=True)
    assert response.redirect_chain == [(reverse(page), 302)]
    said = {"profile": "企业档案已保存。", "talent": "团队成员已添加。", "shareholder": "股东已添加。",
            "ip": f"{_PATENT} 已加入知识产权清单。", "document": "营业执照.pdf 已上传。"}[name]
    assert said in response.content.decode()
    assert model.objects.filter(organisation=enterprise).count() == 1


#: name → (the remove URL, the page it returns to, what the page says)
REMOVALS = {
    "talent": ("portal:talent-remove", "portal:profile", "团队成员已移除。"),
    "shareholder": ("portal:shareholder-remove", "portal:profile", "股东已移除。"),
    "ip": ("portal:ip-remove", "portal:ip", f"{_PATENT} 已从知识产权清单移除。"),
    "document": ("portal:document-delete", "portal:documents", "营业执照.pdf 已删除。"),
}


def _live(model):
    return model.objects.filter(deleted_at__isnull=True) if model is Document else model.objects.all()


@pytest.mark.parametrize("name", REMOVALS)
def test_own_entry_is_removed(enterprise, applicant, pdf_bytes, name):
    client = client_for(applicant)
    model = CASES[name][-1]
    client.post(reverse(CASES[name][1]), _good(name, pdf_bytes))
    entry = model.objects.get()
    url, page, said = REMOVALS[name]
    response = client.post(reverse(url, args=[entry.pk]), follow=True)
    assert response.redirect_chain == [(reverse(page), 302)]
    assert said in response.content.decode()
    assert not _live(model).exists()


@pytest.mark.parametrize("name", REMOVALS)
def test_a_viewer_reads_but_neither_adds_nor_removes(enterprise, applicant, make_user, pdf_bytes, name):
    client_for(applicant).post(reverse(CASES[name][1]), _good(name, pdf_bytes))
    model = CASES[name][-1]
    entry = model.objects.get()
    viewer = client_for(make_user(enterprise, Role.VIEWER))
    assert viewer.get(reverse(CASES[name][0])).status_code == 200
    assert viewer.post(reverse(CASES[name][1]), _good(name, pdf_bytes)).status_code == 403
    assert viewer.post(reverse(REMOVALS[name][0], args=[entry.pk])).status_code == 403
    assert list(_live(model)) == [entry]

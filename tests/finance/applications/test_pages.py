"""The pages: Chinese first, bad input on every form shown on the page with nothing written, another
enterprise's applications and threads answer 404, the workbench and the banks' list scoped."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from finance.applications import services
from finance.applications.models import Application, Message, Status

from .conftest import pdf, talent_draft, upload_documents

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


ENUMS = ("talent_equity", "under_review", "info_requested", "financing_need", "None", "business_licence")


def assert_chinese(html: str):
    text = visible_text(html)
    for code in ENUMS:
        assert code not in text, code


def test_the_startup_pages_are_in_chinese(world):
    app = talent_draft(world)
    c = client(world.users["applicant"])
    for url in (reverse("applications:mine"), reverse("applications:new"),
                reverse("applications:detail", args=[app.pk]), reverse("applications:notifications")):
        r = c.get(url)
        assert r.status_code == 200, url
        assert_chinese(r.content.decode())
    page = c.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "资格预审" in page or "预审" in page
    assert "剩余 5,000,000.00 / 上限 5,000,000.00" in page
    assert 'for="id_amount"' in page and 'id="id_amount"' in page


def test_creating_with_no_instrument_writes_nothing(world):
    r = client(world.users["applicant"]).post(reverse("applications:new"), {"instrument": "bogus"})
    assert r.status_code == 400 and "请选择申请类别" in r.content.decode()
    assert not Application.objects.exists()


def test_autosave_answers_the_field_error_and_saves_the_rest(world):
    app = talent_draft(world)
    r = client(world.users["applicant"]).post(reverse("applications:autosave", args=[app.pk]),
                                              {"amount": "12abc", "title": "新标题"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="err-amount"' in body and "amount" in body and "hx-swap-oob" in body
    app.refresh_from_db()
    assert app.title == "新标题" and str(app.amount) == "1000000.00"


def test_submitting_above_the_cap_shows_the_figures_and_writes_nothing(world):
    app = talent_draft(world, amount="6000000.00")
    r = client(world.users["applicant"]).post(reverse("applications:submit", args=[app.pk]),
                                              {**{"amount": "6000000.00"}})
    assert r.status_code == 400
    assert "5,000,000.00" in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_submitting_while_unverified_is_refused_on_the_page(world):
    from finance.parties.models import Organisation

    Organisation.objects.filter(pk=world.orgs["startup"].pk).update(verified_at=None)
    app = talent_draft(world)
    r = client(world.users["applicant"]).post(reverse("applications:submit", args=[app.pk]), {})
    assert r.status_code == 400 and "核验" in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_submit_from_the_page_then_timeline(world):
    app = talent_draft(world)
    c = client(world.users["applicant"])
    r = c.post(reverse("applications:submit", args=[app.pk]), {"title": "量子传感器产业化"})
    assert r.status_code == 302
    page = c.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "已提交" in page and 'id="timeline"' in page


def test_another_enterprises_application_and_thread_answer_404(world):
    app = talent_draft(world)
    other = client(world.users["other_applicant"])
    for name in ("detail", "autosave", "submit", "withdraw", "answer", "bank-reply"):
        method = other.get if name == "detail" else other.post
        assert method(reverse(f"applications:{name}", args=[app.pk])).status_code == 404, name
    services.application_submit(application=app, by=world.users["applicant"])
    m = world.users["other_manager"]
    assert client(m).get(reverse("applications:review", args=[app.pk])).status_code == 404
    assert client(world.users["bank"]).get(reverse("applications:need", args=[app.pk])).status_code == 404


def test_the_workbench_flow_on_the_pages(world):
    app = talent_draft(world)
    services.application_submit(application=app, by=world.users["applicant"])
    mc = client(world.users["manager"])
    q = mc.get(reverse("applications:queue"), {"instrument": "talent_equity", "city": "济南市"})
    assert q.status_code == 200 and str(app) in q.content.decode()
    assert_chinese(q.content.decode())
    assert str(app) not in mc.get(reverse("applications:queue"), {"city": "青岛市"}).content.decode()
    assert str(app) not in mc.get(reverse("applications:queue"), {"age": "5"}).content.decode()
    base = reverse("applications:review", args=[app.pk])
    assert mc.post(reverse("applications:assign", args=[app.pk]), {}).status_code == 302
    r = mc.post(reverse("applications:conflict", args=[app.pk]), {})
    assert r.status_code == 400 and "请选择是否存在利益冲突" in r.content.decode()
    assert mc.post(reverse("applications:conflict", args=[app.pk]), {"conflicted": "0"}).status_code == 302
    r = mc.post(reverse("applications:score", args=[app.pk]), {k: "x" for k in services.CRITERIA})
    assert r.status_code == 400 and not app.scores.exists()
    assert mc.post(reverse("applications:rfi", args=[app.pk]), {"body": ""}).status_code == 400
    assert mc.post(reverse("applications:rfi", args=[app.pk]), {"body": "请补充财务报表"}).status_code == 302
    page = mc.get(base).content.decode()
    assert 'id="confirm-enterprise"' not in page  # confirming identity is the department's (403 for a manager)
    assert_chinese(page)
    ac = client(world.users["applicant"])
    r = ac.post(reverse("applications:answer", args=[app.pk]), {"body": "已补充", "file": pdf("报表.pdf")})
    assert r.status_code == 302
    answer = Message.objects.get(kind="answer")
    assert answer.attachments.count() == 1
    scores = {k: "80" for k in services.CRITERIA}
    assert mc.post(reverse("applications:score", args=[app.pk]), scores).status_code == 302
    assert mc.post(reverse("applications:recommend", args=[app.pk]), {}).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.RECOMMENDED and app.talent_id


def test_a_disguised_attachment_is_refused_and_the_answer_not_sent(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    app = talent_draft(world)
    services.application_submit(application=app, by=world.users["applicant"])
    manager = world.users["manager"]
    services.application_assign(application=app, reviewer=manager, by=manager)
    services.rfi_request(application=app, by=manager, body="请补充")
    fake = SimpleUploadedFile("报表.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = client(world.users["applicant"]).post(reverse("applications:answer", args=[app.pk]),
                                              {"body": "见附件", "file": fake})
    assert r.status_code == 400
    assert not Message.objects.filter(kind="answer").exists()
    assert Application.objects.get(pk=app.pk).status == Status.INFO_REQUESTED


def test_banks_see_financing_needs_and_answer(world):
    app = services.application_create(enterprise=world.orgs["startup"], instrument="financing_need",
                                      by=world.users["applicant"],
                                      data={"title": "质押融资", "amount": "3000000.00", "term_months": "24",
                                            "ip_offered": "发明专利"})
    services.application_submit(application=app, by=world.users["applicant"])
    bc = client(world.users["bank"])
    r = bc.get(reverse("applications:needs"))
    assert r.status_code == 200 and "质押融资" in r.content.decode() and "3,000,000.00" in r.content.decode()
    assert bc.post(reverse("applications:need-answer", args=[app.pk]), {"body": ""}).status_code == 400
    assert bc.post(reverse("applications:need-answer", args=[app.pk]), {"body": "可以"}).status_code == 302
    page = client(world.users["applicant"]).get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert "齐鲁银行" in page and "可以" in page
    other = client(world.users["other_bank"]).get(reverse("applications:need", args=[app.pk])).content.decode()
    assert "可以" not in other
    assert client(world.users["applicant"]).get(reverse("applications:needs")).status_code == 403


def test_roles_that_may_not(world):
    assert client(world.users["bank"]).get(reverse("applications:queue")).status_code == 403
    assert client(world.users["applicant"]).get(reverse("applications:queue")).status_code == 403
    assert client(world.users["manager"]).get(reverse("applications:mine")).status_code == 403
    assert Client().get(reverse("applications:mine")).status_code == 302


def test_the_reviewing_fund_manager_downloads_the_enterprises_documents_and_no_one_else(world):
    """A fund manager is no oversight role: the portal's download answers it 404, the application's own
    download serves the file to the application's reviewers (and its enterprise), nobody else."""
    from finance.portal.selectors import documents_of

    app = talent_draft(world)
    services.application_submit(application=app, by=world.users["applicant"])
    doc = documents_of(world.orgs["startup"]).first()
    url = reverse("applications:document", args=[app.pk, doc.pk])
    manager = client(world.users["manager"])
    assert manager.get(reverse("portal:document-download", args=[doc.pk])).status_code == 404
    answer = manager.get(url)
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment")
    assert b"".join(answer.streaming_content).startswith(b"%PDF-")
    assert client(world.users["applicant"]).get(url).status_code == 200
    assert client(world.users["reviewer"]).get(url).status_code == 200
    assert client(world.users["other_manager"]).get(url).status_code == 404
    assert client(world.users["other_applicant"]).get(url).status_code == 404
    assert client(world.users["bank"]).get(url).status_code == 403
    upload_documents(world.orgs["other"], world.users["other_applicant"])
    other_doc = documents_of(world.orgs["other"]).first()  # another enterprise's file never rides on this one
    assert manager.get(reverse("applications:document", args=[app.pk, other_doc.pk])).status_code == 404
    review = manager.get(reverse("applications:review", args=[app.pk])).content.decode()
    assert url in review and "confirm-enterprise" not in review  # confirming identity is the department's
    assert "confirm-enterprise" in client(world.users["reviewer"]).get(
        reverse("applications:review", args=[app.pk])).content.decode()

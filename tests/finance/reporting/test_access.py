"""Who reads what: departments, auditors and the platform administrator everything (drafts too), a bank only its
own bank's published report (any other answers 404), other roles 403; only departments generate and publish; the
pages and the API answer the same, errors as problem+json."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from finance.core.errors import PermissionDenied
from finance.parties.models import OrgKind, Role
from finance.reporting.models import Report
from finance.reporting.services import report_generate, report_publish
from tests.conftest import key_client
from tests.finance.reporting.conftest import small_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(orgs, make_user, province, reviewer):
    bank = small_book(orgs, make_user)
    other = orgs.make(OrgKind.BANK, name="另一家银行")
    province_draft = report_generate(quarter="2026Q3")
    own = report_publish(report=report_generate(quarter="2026Q3", scope=f"bank:{bank.pk}"), by=reviewer)
    other_report = report_publish(report=report_generate(quarter="2026Q3", scope=f"bank:{other.pk}"), by=reviewer)
    return {"bank": bank, "other": other, "province": province_draft, "own": own, "other_report": other_report,
            "auditor": make_user(province, Role.AUDITOR), "officer": bank.users.first(),
            "admin": make_user(province, Role.ADMINISTRATOR),
            "manager": make_user(orgs.make(OrgKind.FUND_MANAGER), Role.FUND_MANAGER)}


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_api_for_departments_and_auditors(world, reviewer):
    for user in (reviewer, world["auditor"]):
        r = api(user).get("/api/v1/reports/2026Q3/?scope=province")
        assert r.status_code == 200
        body = r.json()
        assert (body["quarter"], body["scope"], body["as_of"], body["version"], body["status"]) == (
            "2026Q3", "province", "2026-09-30", 1, "draft")
        assert body["sha256"] == world["province"].sha256
        assert set(body["sections"]) == {"loans", "pool", "guarantees", "funds", "direct", "changes"}
        assert body["sections"]["loans"]["total"]["principal_outstanding"] == "775375.00"
        listing = api(user).get("/api/v1/reports/").json()
        assert {(x["quarter"], x["scope"], x["version"]) for x in listing["results"]} == {
            ("2026Q3", "province", 1), ("2026Q3", f"bank:{world['bank'].pk}", 1),
            ("2026Q3", f"bank:{world['other'].pk}", 1)}


def test_api_for_banks_only_their_own_bank(world):
    bank, other = world["bank"], world["other"]
    for client in (api(world["officer"]), key_client(bank)):
        r = client.get(f"/api/v1/reports/2026Q3/?scope=bank:{bank.pk}")
        assert r.status_code == 200
        assert [b["bank_id"] for b in r.json()["sections"]["loans"]["banks"]] == [bank.pk]
        assert client.get(f"/api/v1/reports/2026Q3/?scope=bank:{other.pk}").status_code == 404
        assert client.get("/api/v1/reports/2026Q3/?scope=province").status_code == 404
        listing = client.get("/api/v1/reports/").json()["results"]
        assert [x["scope"] for x in listing] == [f"bank:{bank.pk}"]


def test_api_refuses_other_roles_and_bad_input(world, reviewer):
    r = api(world["manager"]).get("/api/v1/reports/2026Q3/?scope=province")
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    assert api(world["manager"]).get("/api/v1/reports/").status_code == 403
    assert APIClient().get("/api/v1/reports/").status_code in (401, 403)
    bad = api(reviewer).get("/api/v1/reports/2026Q9/")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "quarter"
    assert "quarter" in bad.json()["detail_zh"] and "quarter" in bad.json()["detail_en"]
    bad = api(reviewer).get("/api/v1/reports/2026Q3/?scope=city:123")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_scope"
    bad = api(reviewer).get("/api/v1/reports/2026Q3/?version=abc")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "version"
    missing = api(reviewer).get("/api/v1/reports/2025Q1/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert api(reviewer).get("/api/v1/reports/2026Q3/?version=7").status_code == 404


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_pages(world, reviewer):
    page = login(reviewer).get(f"/reports/{world['province'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026年第三季度科技金融季度报告" in html and "775,375.00" in html and "万元" in html
    assert f"/reports/{world['province'].pk}/publish/" in html  # the publish button, for departments
    auditor_page = login(world["auditor"]).get(f"/reports/{world['province'].pk}/").content.decode()
    assert "775,375.00" in auditor_page and "/publish/" not in auditor_page
    assert login(world["officer"]).get(f"/reports/{world['own'].pk}/").status_code == 200
    assert login(world["officer"]).get(f"/reports/{world['other_report'].pk}/").status_code == 404
    assert login(world["officer"]).get(f"/reports/{world['province'].pk}/").status_code == 404
    assert login(world["manager"]).get("/reports/").status_code == 403
    assert login(world["auditor"]).post(f"/reports/{world['province'].pk}/publish/").status_code == 403
    for suffix, ctype in (("report.xlsx", "spreadsheetml"), ("report.pdf", "application/pdf")):
        r = login(world["auditor"]).get(f"/reports/{world['own'].pk}/{suffix}")
        assert r.status_code == 200 and ctype in r["Content-Type"]
        assert login(world["officer"]).get(f"/reports/{world['other_report'].pk}/{suffix}").status_code == 404


def test_departments_generate_with_progress_and_publish(world, reviewer, django_capture_on_commit_callbacks):
    c = login(reviewer)
    assert "生成报告" in c.get("/reports/").content.decode() or "Generate report" in c.get("/reports/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/reports/generate/", {"quarter": "2026Q3", "scope": "city", "city_key": "370100"})
    assert r.status_code == 302 and "/reports/runs/" in r["Location"]
    progress = c.get(r["Location"]).content.decode()
    assert "100%" in progress
    report = Report.objects.get(quarter="2026Q3", scope_kind="city", scope_key="370100")
    r = c.post(f"/reports/{report.pk}/publish/")
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "published"
    bad = c.post("/reports/generate/", {"quarter": "2030Q1", "scope": "province"}, follow=True)
    assert "quarter" in bad.content.decode()
    assert login(world["auditor"]).post("/reports/generate/", {"quarter": "2026Q3"}).status_code == 403


def test_the_administrator_reads_every_report_but_never_generates_or_publishes(world):
    admin, draft = world["admin"], world["province"]
    r = api(admin).get("/api/v1/reports/2026Q3/?scope=province")
    assert r.status_code == 200 and r.json()["sha256"] == draft.sha256 and r.json()["status"] == "draft"
    assert len(api(admin).get("/api/v1/reports/").json()["results"]) == 3  # every scope, drafts included
    c = login(admin)
    assert c.get("/reports/").status_code == 200
    page = c.get(f"/reports/{draft.pk}/").content.decode()
    assert "775,375.00" in page and "/publish/" not in page  # read-only: no publish button
    assert c.get(f"/reports/{world['own'].pk}/report.pdf")["Content-Type"] == "application/pdf"
    assert c.post(f"/reports/{draft.pk}/publish/").status_code == 403
    assert c.post("/reports/generate/", {"quarter": "2026Q3"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    with pytest.raises(PermissionDenied) as exc:
        report_publish(report=draft, by=admin)
    assert exc.value.code == "not_department"
    assert "季度报告" in c.get("/").content.decode()  # the home panel and menu entry

"""API and pages: scoped to the caller (another manager's sub-fund is 404), call preview/create, deal transitions."""
import datetime as dt
from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from finance.parties.models import OrgKind, Role
from funds.models import CapitalCall, DealStatus
from funds.services import call_create, call_pay_all, deal_create

DAY = dt.date(2020, 3, 1)


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.fixture
def other_api(other_gp, make_user):
    client = APIClient()
    client.force_authenticate(make_user(other_gp, Role.FUND_MANAGER))
    return client


def test_sub_fund_list_and_detail_with_performance(api, fund):
    call_pay_all(call=call_create(sub_fund=fund, amount="50.00", call_date=DAY), paid_on=DAY)
    r = api.get("/api/v1/funds/sub-funds/")
    assert r.status_code == 200
    assert r.json()["count"] == 1 and [f["name"] for f in r.json()["results"]] == [fund.name]
    assert r.json()["results"][0]["performance"]["pic"] == "50.00"
    r = api.get(f"/api/v1/funds/sub-funds/{fund.pk}/")
    body = r.json()
    assert [a["paid_in"] for a in body["capital_accounts"]] == ["10.00", "20.00", "20.00"]
    assert body["compliance"]["single_status"] == "ok"


def test_another_managers_sub_fund_is_404_on_api_and_page(other_api, other_gp, make_user, fund, client):
    assert other_api.get(f"/api/v1/funds/sub-funds/{fund.pk}/").status_code == 404
    r = other_api.post(f"/api/v1/funds/sub-funds/{fund.pk}/calls/", {"amount": "1.00", "call_date": "2020-03-01"},
                       format="json")
    assert r.status_code == 404
    assert other_api.get("/api/v1/funds/sub-funds/").json()["results"] == []
    client.force_login(make_user(other_gp, Role.FUND_MANAGER))
    assert client.get(f"/funds/sub-funds/{fund.pk}/").status_code == 404
    assert CapitalCall.objects.count() == 0


def test_call_preview_then_create_is_idempotent(api, fund):
    r = api.post(f"/api/v1/funds/sub-funds/{fund.pk}/calls/preview/", {"amount": "10.01"}, format="json")
    assert [ln["amount"] for ln in r.json()["lines"]] == ["2.00", "4.01", "4.00"]
    assert CapitalCall.objects.count() == 0
    body = {"amount": "10.01", "call_date": "2020-03-01", "purpose": "investment"}
    r1 = api.post(f"/api/v1/funds/sub-funds/{fund.pk}/calls/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    r2 = api.post(f"/api/v1/funds/sub-funds/{fund.pk}/calls/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert r1.status_code == r2.status_code == 201
    assert r2.headers["Idempotent-Replayed"] == "true"
    assert CapitalCall.objects.count() == 1


def test_bad_call_input_is_a_bilingual_problem(api, fund):
    r = api.post(f"/api/v1/funds/sub-funds/{fund.pk}/calls/", {"amount": "-5", "call_date": "2020-03-01"}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "validation_error"
    (error,) = body["errors"]
    assert (error["field"], error["code"]) == ("amount", "invalid_amount")
    assert error["detail_zh"] == "amount：必须大于零" and error["detail_en"] == "amount: must be greater than zero"
    assert body["detail_zh"] == "输入有误：amount：必须大于零"
    assert body["detail_en"] == "invalid input: amount: must be greater than zero"
    r = api.post(f"/api/v1/funds/sub-funds/{fund.pk}/calls/", {"amount": "200.00", "call_date": "2020-03-01"},
                 format="json")
    assert r.status_code == 409 and r.json()["code"] == "over_call"
    r = api.post(f"/api/v1/funds/sub-funds/{fund.pk}/calls/", {"amount": "1.00", "call_date": "soon"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "call_date"
    assert CapitalCall.objects.count() == 0


def test_deal_list_detail_and_transition(api, other_api, fund, manager, orgs):
    ent = orgs.make(OrgKind.ENTERPRISE, name="威海医疗器械科技有限公司")
    deal = deal_create(sub_fund=fund, enterprise=ent, title="B 轮", instrument="equity", amount="5.00", by=manager)
    assert [d["title"] for d in api.get("/api/v1/funds/deals/").json()["results"]] == ["B 轮"]
    r = api.post(f"/api/v1/funds/deals/{deal.pk}/transition/", {"to": "screening", "reason": "初筛"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "screening"
    assert [h["to"] for h in r.json()["history"]] == ["sourced", "screening"]
    r = api.post(f"/api/v1/funds/deals/{deal.pk}/transition/", {"to": "funded"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert other_api.get(f"/api/v1/funds/deals/{deal.pk}/").status_code == 404
    deal.refresh_from_db()
    assert deal.status == DealStatus.SCREENING


def test_pages_render_for_the_manager(client, manager, fund, committee, orgs):
    call = call_create(sub_fund=fund, amount="30.00", call_date=DAY)
    call_pay_all(call=call, paid_on=DAY)
    ent = orgs.make(OrgKind.ENTERPRISE, name="潍坊智能农机")
    deal = deal_create(sub_fund=fund, enterprise=ent, title="C 轮", instrument="talent_equity", amount="5.00", by=manager)
    client.force_login(manager)
    for url in ["/", "/funds/sub-funds/", f"/funds/sub-funds/{fund.pk}/", f"/funds/sub-funds/{fund.pk}/call/",
                f"/funds/sub-funds/{fund.pk}/distribute/", "/funds/deals/", f"/funds/deals/{deal.pk}/",
                "/funds/deals/new/"]:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/funds/sub-funds/{fund.pk}/").content.decode()
    assert "<svg" in page and "6.00" in page and "12.00" in page
    assert "出资人资本账户" in page and "省内返投" in page  # Chinese by default (zh-hans)
    r = client.post(f"/funds/sub-funds/{fund.pk}/call/", {"amount": "10.01", "call_date": "2020-04-01"})
    assert "4.01" in r.content.decode() and CapitalCall.objects.count() == 1  # preview only
    r = client.post(f"/funds/sub-funds/{fund.pk}/call/", {"amount": "10.01", "call_date": "2020-04-01", "confirm": "1"})
    assert r.status_code == 302 and CapitalCall.objects.count() == 2
    line = call.lines.first()
    pdf = client.get(f"/funds/calls/{call.pk}/notice/{line.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_committee_member_sees_pending_votes(client, committee, fund, manager, orgs):
    from funds.services import checklist_tick, deal_move, deal_submit
    ent = orgs.make(OrgKind.ENTERPRISE)
    deal = deal_create(sub_fund=fund, enterprise=ent, title="D 轮", instrument="equity", amount="5.00", by=manager)
    deal_move(deal=deal, to="screening", by=manager)
    deal_move(deal=deal, to="due_diligence", by=manager)
    for item in deal.checklist.all():
        checklist_tick(item=item, by=manager)
    deal = deal_submit(deal=deal, committee=committee, by=manager)
    member = committee.members.first()
    client.force_login(member)
    assert "D 轮" in client.get("/funds/votes/").content.decode()
    r = client.post(f"/funds/votes/{deal.meeting_id}/", {"choice": "for", "comment": "同意"})
    assert r.status_code == 302
    assert deal.meeting.votes.get().comment == "同意"
    assert "D 轮" not in client.get("/funds/votes/").content.decode()


def test_lp_department_sees_its_commitments(client, make_fund, orgs, make_user):
    dept = orgs.make(OrgKind.DEPARTMENT, name="济南市科学技术局", dept_level="city")
    f = make_fund(lps=(("guidance", "20.00"), ("city", "10.00"), ("social", "70.00")))
    c = f.commitments.get(lp_kind="city")
    c.organisation = dept
    c.save()
    client.force_login(make_user(dept, Role.DEPARTMENT_REVIEWER))
    page = client.get("/funds/my/commitments/").content.decode()
    assert f.name in page and "10.00" in page
    assert D("10.00") == c.amount

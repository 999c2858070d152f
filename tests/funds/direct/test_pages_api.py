"""API and pages of the direct instruments: scoped reads (another organisation's object is 404), the portal's
application entry, manager writes with Idempotency-Key, round reports refused with named fields, pages in Chinese."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from finance.calc.schedules import add_months
from finance.core.inputs import today
from finance.parties.models import OrgKind, Role
from funds.direct import services
from funds.direct.models import FinancingRound, InvestFirstAgreement
from tests.funds.direct.conftest import founders

PAID = "2025-03-01"


def client_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def apply_body(programme, **over):
    body = {"programme": programme.pk, "title": "量子芯片中试", "amount": "1000000.00",
            "tranches": [{"amount": "1000000.00", "due_on": PAID}], "discount": "20", "valuation_cap": "10000000"}
    body.update(over)
    return body


@pytest.fixture
def other_manager(orgs, make_user):
    return make_user(orgs.make(OrgKind.FUND_MANAGER, name="另一平台"), Role.FUND_MANAGER)


def test_portal_application_and_the_manager_path_through_the_api(programme, enterprise, founder_user, maker, checker,
                                                                 payer, other_manager, orgs):
    portal = client_for(founder_user)
    r1 = portal.post("/api/v1/funds/direct/invest-first/", apply_body(programme), format="json",
                     HTTP_IDEMPOTENCY_KEY="apply-1")
    r2 = portal.post("/api/v1/funds/direct/invest-first/", apply_body(programme), format="json",
                     HTTP_IDEMPOTENCY_KEY="apply-1")
    assert r1.status_code == r2.status_code == 201 and r2.headers["Idempotent-Replayed"] == "true"
    assert InvestFirstAgreement.objects.count() == 1
    body = r1.json()
    assert body["enterprise"] == enterprise.name and body["status_label"] and body["discount"] == "0.200000"
    assert body["talent_cap"] == {"cap": "5000000", "used": "0.00", "headroom": "5000000.00"}
    pk = body["id"]
    # an enterprise applies only for itself
    other_ent = orgs.make(OrgKind.ENTERPRISE, name="别家企业")
    r = portal.post("/api/v1/funds/direct/invest-first/", apply_body(programme, enterprise=other_ent.pk), format="json")
    assert r.status_code == 403 and InvestFirstAgreement.objects.count() == 1
    mgr = client_for(maker)
    assert mgr.post(f"/api/v1/funds/direct/invest-first/{pk}/actions/", {"action": "submit"}, format="json").status_code == 200
    r = client_for(checker).post(f"/api/v1/funds/direct/invest-first/{pk}/actions/", {"action": "approve"}, format="json")
    assert r.json()["status"] == "approved"
    r = mgr.post(f"/api/v1/funds/direct/invest-first/{pk}/actions/", {"action": "sign", "on": today().isoformat()}, format="json")
    assert r.json()["deadline"] == add_months(today(), 24, today().day).isoformat()
    r = client_for(payer).post(f"/api/v1/funds/direct/invest-first/{pk}/actions/",
                               {"action": "pay_tranche", "tranche": 1, "on": today().isoformat()}, format="json")
    assert r.json()["status"] == "disbursed" and r.json()["disbursed"] == "1000000.00"
    # another manager: 404 on read and write
    other = client_for(other_manager)
    assert other.get(f"/api/v1/funds/direct/invest-first/{pk}/").status_code == 404
    assert other.post(f"/api/v1/funds/direct/invest-first/{pk}/actions/", {"action": "submit"},
                      format="json").status_code == 404
    assert other.get("/api/v1/funds/direct/invest-first/").json() == []
    # the enterprise reports a round: inconsistent figures are refused naming them
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    bad = {"round_date": today().isoformat(), "price_per_share": "1.10", "pre_money": "20000000.00",
           "new_money": "5000000.00", "fd_shares_before": "9000000"}
    r = portal.post(f"/api/v1/funds/direct/enterprises/{enterprise.pk}/rounds/", bad, format="json")
    assert r.status_code == 400 and r.json()["code"] == "inconsistent_round"
    assert FinancingRound.objects.count() == 0
    r = portal.post(f"/api/v1/funds/direct/enterprises/{enterprise.pk}/rounds/", {**bad, "pre_money": "11150000.00"},
                    format="json")
    assert r.status_code == 201, r.json()
    rid = r.json()["id"]
    r = mgr.post(f"/api/v1/funds/direct/invest-first/{pk}/actions/", {"action": "propose_conversion", "round": rid},
                 format="json")
    assert r.json()["status"] == "converting"
    conv = InvestFirstAgreement.objects.get(pk=pk).conversions.get()
    r = client_for(checker).post(f"/api/v1/funds/direct/conversions/{conv.pk}/decision/", {"approve": True},
                                 format="json", HTTP_IDEMPOTENCY_KEY="conv-1")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    table = portal.get(f"/api/v1/funds/direct/enterprises/{enterprise.pk}/cap-table/").json()
    assert {h["name"]: h["shares"] for h in table["holders"]}[programme.name] == 1136363
    assert table["talent_cap"]["used"] == "1000000.00"
    ocf = portal.get(f"/api/v1/funds/direct/enterprises/{enterprise.pk}/cap-table/ocf/").json()
    assert ocf["file_type"] == "OCF_MANIFEST_FILE"


def test_reads_for_departments_and_auditors_and_404_for_strangers(programme, enterprise, founder_user, reviewer,
                                                                  orgs, make_user, province):
    services.invest_first_apply(programme=programme, enterprise=enterprise, title="项目", amount="100000.00",
                                tranches=[{"amount": "100000.00", "due_on": PAID}], by=founder_user,
                                applied_on=dt.date(2025, 1, 10))
    r = client_for(reviewer).get("/api/v1/funds/direct/programmes/")
    assert r.status_code == 200
    row = r.json()[0]
    assert row["exposure"]["cash"] == "50000000.00" and row["exposure"]["budget"] == "100000000.00"
    auditor = make_user(province, Role.AUDITOR)
    assert len(client_for(auditor).get("/api/v1/funds/direct/invest-first/").json()) == 1
    stranger_ent = orgs.make(OrgKind.ENTERPRISE, name="别的企业")
    stranger = client_for(make_user(stranger_ent, Role.APPLICANT))
    assert stranger.get("/api/v1/funds/direct/invest-first/").json() == []
    assert stranger.get(f"/api/v1/funds/direct/enterprises/{enterprise.pk}/cap-table/").status_code == 404
    assert stranger.get("/api/v1/funds/direct/programmes/").json() == []


def test_talent_and_grant_invest_loan_apply_through_the_api(programme, enterprise, founder_user):
    portal = client_for(founder_user)
    r = portal.post("/api/v1/funds/direct/talent-equity/", {
        "programme": programme.pk, "title": "人才项目", "amount": "1000000.00", "price_per_share": "2",
        "founded_on": "2022-01-01", "talent_team_leads": True, "registered_in_shandong": False, "own_ip_count": 2,
        "founders_cash": "600000"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_eligible"
    r = portal.post("/api/v1/funds/direct/grant-invest-loans/", {
        "programme": programme.pk, "title": "拨投贷", "grant_amount": "500000.00"}, format="json")
    assert r.status_code == 201
    body = r.json()
    assert body["grant"]["amount"] == "500000.00" and body["exposure"]["total"] == "0.00"
    head = portal.get(f"/api/v1/funds/direct/enterprises/{enterprise.pk}/talent-cap/").json()
    assert head["headroom"] == "5000000.00"


def test_pages_in_chinese_scoped_to_the_caller(client, programme, enterprise, founder_user, maker, other_manager,
                                               reviewer):
    a = services.invest_first_apply(programme=programme, enterprise=enterprise, title="量子芯片中试", amount="100000.00",
                                    tranches=[{"amount": "100000.00", "due_on": PAID}], by=founder_user,
                                    applied_on=dt.date(2025, 1, 10))
    client.force_login(maker)
    page = client.get("/funds/direct/").content.decode()
    assert "转股逾期" in page and "量子芯片中试" in page and "50,000,000.00" in page  # a table cell: the header names the unit (docs/ui.md)
    page = client.get(f"/funds/direct/invest-first/{a.pk}/").content.decode()
    assert "提交审批" in page and "剩余额度 ¥5,000,000.00" in page
    r = client.post(f"/funds/direct/invest-first/{a.pk}/action/", {"action": "submit"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "submitted"
    client.force_login(other_manager)
    assert client.get(f"/funds/direct/invest-first/{a.pk}/").status_code == 404
    assert client.post(f"/funds/direct/invest-first/{a.pk}/action/", {"action": "approve"}).status_code == 404
    client.force_login(reviewer)
    assert client.get("/funds/direct/").status_code == 200
    page = client.get(f"/funds/direct/invest-first/{a.pk}/").content.decode()
    assert "提交审批" not in page  # read-only for the department
    client.force_login(founder_user)
    assert client.get("/funds/direct/").status_code == 302
    page = client.get("/funds/direct/my/").content.decode()
    assert "报告融资轮" in page and "量子芯片中试" in page
    r = client.post("/funds/direct/my/round/", {"round_date": "2025-06-01", "price_per_share": "1",
                                                "pre_money": "0", "new_money": "1", "fd_shares_before": "1"},
                    follow=True)
    assert "pre_money" in r.content.decode() and FinancingRound.objects.count() == 0
    assert client.get(f"/funds/direct/enterprises/{enterprise.pk}/cap-table/").status_code == 200
    assert client.get(f"/funds/direct/enterprises/{enterprise.pk}/cap-table.ocf.json").status_code == 200
    assert client.get(f"/funds/direct/enterprises/{programme.manager_id}/cap-table/").status_code == 404




def test_instrument_pages_show_the_decision_memo(client, programme, enterprise, founder_user, maker, other_manager):
    t = services.talent_equity_apply(programme=programme, enterprise=enterprise, title="人才项目", amount="1000000.00",
                                     price_per_share="2", founded_on=dt.date(2022, 1, 1), by=founder_user,
                                     talent_team_leads=True, registered_in_shandong=True, own_ip_count=1,
                                     founders_cash="500000", applied_on=dt.date(2025, 1, 10))
    g = services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷项目", by=maker,
                                         grant_amount="500000.00", applied_on=dt.date(2025, 1, 10))
    client.force_login(maker)
    page = client.get(f"/funds/direct/talent/{t.pk}/").content.decode()
    assert "决策要点" in page and "企业在山东注册 符合" in page and "剩余额度 ¥5,000,000.00" in page
    page = client.get(f"/funds/direct/grant-invest-loan/{g.pk}/").content.decode()
    assert "决策要点" in page and "财政资金总敞口" in page and "初审通过" in page
    client.post(f"/funds/direct/grant-invest-loan/{g.pk}/action/", {"action": "review"})
    g.refresh_from_db()
    assert g.status == "reviewed"
    client.force_login(other_manager)
    assert client.get(f"/funds/direct/talent/{t.pk}/").status_code == 404
    assert client.get(f"/funds/direct/grant-invest-loan/{g.pk}/").status_code == 404

"""The ``direct`` section on a small hand-made world of direct instruments built through ``funds.direct.services``,
chronologically, with the clock set to each event's day. The figures as of 2026Q3 (2026-09-30) are worked out by
hand below; some events are dated after the quarter end and must not count.

Programme P1 (先投后股, 拨投贷; conversion deadline 8 months in this world), programme P2 (talent equity only):

- A1 P1→E1 1,000,000 (20 % discount, cap 10 M), paid 2026-03-01, converted at a round dated 2026-07-15
  (1,136,363 shares at 0.88): a conversion in the quarter; an equity position at cost 1,000,000.
- A2 P1→E2 600,000 in two tranches: 300,000 paid 2026-04-01 and 300,000 paid 2026-10-05 (after E): disbursed
  300,000 at E.
- A3 P1→E3 400,000 paid 2026-01-20, deadline 2026-09-06, overdue on 2026-09-07, closed as a grant on
  2026-09-10: a closure in the quarter.
- A4 P1→E2 500,000 applied 2026-09-20, approved 2026-09-25: approved at E (counts against the cap).
- A5 P1→E3 200,000 applied 2026-09-28, submitted 2026-10-03: applied at E (not counted).
- A6 P1→E1 100,000 applied 2026-10-10: not in the report.
- G1 P1→E2 拨投贷: grant 1,000,000 paid 2026-05-10, direct equity 500,000 funded 2026-06-01: disbursed.
- T1 P2→E3 talent 800,000 funded 2026-05-01; T2 P2→E1 talent 300,000 approved 2026-08-05, signed
  2026-08-10, funded 2026-10-08 (after E): contracted at E, nothing invested.

Talent cap (5,000,000 per enterprise at E): E1 1,000,000 + 300,000 = 1,300,000; E2 600,000 + 500,000 + 500,000 =
1,600,000; E3 400,000 + 800,000 = 1,200,000 — used 4,100,000, headroom 3,700,000 + 3,400,000 + 3,800,000.
"""
from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal as D

import pytest
from django.test import Client
from openpyxl import load_workbook

from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.catalogue import POLICY_EPOCH
from finance.policy.services import parameter_set
from finance.reporting.outputs import pdf_bytes, xlsx_bytes
from finance.reporting.presentation import direct_tables
from finance.reporting.quarters import parse_quarter
from finance.reporting.scopes import PROVINCE, Scope
from finance.reporting.sections import direct
from finance.reporting.services import report_compute, report_generate
from funds.direct import captable, services
from tests.funds.direct.conftest import set_policy

d = dt.date


def _agreement(p, e, who, *, amount, applied, signed=None, tranches=None, paid=None, clock, **terms):
    maker, checker, payer = who["maker"], who["checker"], who["payer"]
    clock.at(applied)
    a = services.invest_first_apply(programme=p, enterprise=e, title=f"项目{e.name}{amount}", amount=amount,
                                    tranches=tranches or [{"amount": amount, "due_on": paid or applied}], by=maker,
                                    applied_on=applied, **terms)
    if signed is None:
        return a
    services.invest_first_submit(agreement=a, by=maker)
    services.invest_first_decide(agreement=a, by=checker, approve=True)
    clock.at(signed)
    services.invest_first_sign(agreement=a, signed_on=signed, by=maker)
    for t in a.tranches.order_by("number"):
        if t.due_on <= d(2026, 9, 30) or paid is None:
            clock.at(t.due_on)
            services.tranche_pay(tranche=t, paid_on=t.due_on, by=payer)
    a.refresh_from_db()
    return a


def _talent(p, e, who, *, amount, applied, approved, funded, clock):
    clock.at(applied)
    t = services.talent_equity_apply(programme=p, enterprise=e, title=f"人才{e.name}", amount=amount,
                                     price_per_share="2.00", founded_on=d(2020, 1, 1), by=who["maker"],
                                     talent_team_leads=True, registered_in_shandong=True, own_ip_count=2,
                                     founders_cash="600000.00", applied_on=applied)
    services.talent_equity_submit(talent=t, by=who["maker"])
    clock.at(approved)
    services.talent_equity_decide(talent=t, by=who["checker"], approve=True)
    clock.at(approved + dt.timedelta(days=5))
    services.talent_equity_sign(talent=t, by=who["maker"])
    clock.at(funded)
    services.talent_equity_fund(talent=t, funded_on=funded, by=who["payer"])
    return t


def build_direct(orgs, make_user, clock) -> dict:
    w = {}
    clock.at(d(2026, 1, 5))
    set_policy(skip=("investfirst.conversion_deadline_months",))
    parameter_set(key="investfirst.conversion_deadline_months", value=D("8"), effective_from=POLICY_EPOCH)
    dept = orgs.make(OrgKind.DEPARTMENT, name="山东省财政厅", dept_level="province")
    platform = orgs.make(OrgKind.FUND_MANAGER, name="省财金投资集团")
    who = {k: make_user(platform, Role.FUND_MANAGER) for k in ("maker", "checker", "payer")}
    e1, e2, e3 = (orgs.make(OrgKind.ENTERPRISE, name=n) for n in ("济南量子科技", "青岛海洋科技", "济南生物科技"))
    for e, region in ((e1, "济南"), (e2, "青岛"), (e3, "济南")):
        Organisation.objects.filter(pk=e.pk).update(region=region)
    p1 = services.programme_create(name="科技成果转化直投专项", owner_department=dept, manager=platform,
                                   budget="100000000.00", kinds=["invest_first", "grant_invest_loan"])
    services.programme_fund(programme=p1, amount="50000000.00", on=d(2026, 1, 5), reference="CZ-1")
    p2 = services.programme_create(name="人才创业股权专项", owner_department=dept, manager=platform,
                                   budget="20000000.00", kinds=["talent_equity"])
    services.programme_fund(programme=p2, amount="10000000.00", on=d(2026, 1, 5), reference="CZ-2")
    w.update(p1=p1, p2=p2, e1=e1, e2=e2, e3=e3, who=who)

    w["a3"] = _agreement(p1, e3, who, amount="400000.00", applied=d(2026, 1, 5), signed=d(2026, 1, 6),
                         tranches=[{"amount": "400000.00", "due_on": d(2026, 1, 20)}], clock=clock)
    founders_user = make_user(e1, Role.APPLICANT)
    captable.founders_register(enterprise=e1, founders=[("创始人甲", 5000000), ("创始人乙", 4000000)],
                               on=d(2024, 6, 1))
    w["a1"] = _agreement(p1, e1, who, amount="1000000.00", applied=d(2026, 1, 10), signed=d(2026, 2, 1),
                         tranches=[{"amount": "600000.00", "due_on": d(2026, 3, 1)},
                                   {"amount": "400000.00", "due_on": d(2026, 3, 1)}],
                         discount="20", valuation_cap="10000000.00", clock=clock)
    w["a2"] = _agreement(p1, e2, who, amount="600000.00", applied=d(2026, 2, 10), signed=d(2026, 3, 1),
                         tranches=[{"amount": "300000.00", "due_on": d(2026, 4, 1)},
                                   {"amount": "300000.00", "due_on": d(2026, 10, 5)}],
                         paid="first only", clock=clock)
    w["t1"] = _talent(p2, e3, who, amount="800000.00", applied=d(2026, 3, 1), approved=d(2026, 3, 5),
                      funded=d(2026, 5, 1), clock=clock)

    clock.at(d(2026, 4, 1))
    g = services.grant_invest_loan_apply(programme=p1, enterprise=e2, title="海洋传感拨投贷", by=who["maker"],
                                         grant_amount="1000000.00", equity_kind="direct", equity_amount="500000.00",
                                         equity_price_per_share="2.00", applied_on=d(2026, 4, 1))
    services.grant_invest_loan_review(project=g, by=who["maker"])
    services.grant_invest_loan_submit(project=g, by=who["maker"])
    clock.at(d(2026, 4, 10))
    services.grant_invest_loan_decide(project=g, by=who["checker"], approve=True)
    clock.at(d(2026, 5, 1))
    services.grant_invest_loan_sign(project=g, signed_on=d(2026, 5, 1), by=who["maker"])
    clock.at(d(2026, 5, 10))
    services.grant_invest_loan_pay_grant(project=g, paid_on=d(2026, 5, 10), by=who["payer"])
    clock.at(d(2026, 6, 1))
    services.grant_invest_loan_fund_equity(project=g, funded_on=d(2026, 6, 1), by=who["payer"])
    w["g1"] = g

    # The quarter: A1 converts at a round dated 2026-07-15; T2 is approved and signed; A3 is closed as a grant.
    clock.at(d(2026, 7, 15))
    r = services.round_report(enterprise=e1, round_date=d(2026, 7, 15), price_per_share="1.10",
                              pre_money="11150000.00", new_money="5000000.00", fd_shares_before=9000000,
                              by=founders_user)
    clock.at(d(2026, 7, 16))
    c = services.conversion_propose(agreement=w["a1"], round=r, by=who["maker"])
    clock.at(d(2026, 7, 20))
    services.conversion_decide(conversion=c, by=who["checker"], approve=True)
    clock.at(d(2026, 9, 7))
    assert services.invest_first_overdue_sweep(on=d(2026, 9, 7)) == 1  # A3 only (deadline 2026-09-06)
    clock.at(d(2026, 9, 8))
    closure = services.closure_propose(agreement=w["a3"], way="grant", reason="未在期限内融资，按项目资助处理",
                                       by=who["maker"])
    clock.at(d(2026, 9, 10))
    services.closure_decide(closure=closure, by=who["checker"], approve=True, on=d(2026, 9, 10))
    w["a4"] = _agreement(p1, e2, who, amount="500000.00", applied=d(2026, 9, 20), clock=clock)
    clock.at(d(2026, 9, 25))
    services.invest_first_submit(agreement=w["a4"], by=who["maker"])
    services.invest_first_decide(agreement=w["a4"], by=who["checker"], approve=True)
    w["a5"] = _agreement(p1, e3, who, amount="200000.00", applied=d(2026, 9, 28), clock=clock)
    w["t2"] = _talent(p2, e1, who, amount="300000.00", applied=d(2026, 8, 1), approved=d(2026, 8, 5),
                      funded=d(2026, 10, 8), clock=clock)

    # After the quarter end: none of these count in 2026Q3.
    clock.at(d(2026, 10, 3))
    services.invest_first_submit(agreement=w["a5"], by=who["maker"])
    clock.at(d(2026, 10, 5))
    services.tranche_pay(tranche=w["a2"].tranches.get(number=2), paid_on=d(2026, 10, 5), by=who["payer"])
    w["a6"] = _agreement(p1, e1, who, amount="100000.00", applied=d(2026, 10, 10), clock=clock)
    clock.reset()
    return w


@pytest.fixture
def world(db, orgs, make_user, clock):
    return build_direct(orgs, make_user, clock)


Q3 = "2026Q3"


def _section(quarter=Q3, scope=PROVINCE):
    return direct.compute(parse_quarter(quarter), scope)


def _states(by_state):
    return {k: v for k, v in by_state.items() if v["count"]}


def test_direct_figures_per_programme_and_instrument(world):
    s = _section()
    p1, p2 = s["programmes"]
    assert (p1["programme_id"], p1["programme"]) == (world["p1"].pk, "科技成果转化直投专项")
    assert (p2["programme_id"], p2["programme"]) == (world["p2"].pk, "人才创业股权专项")

    a = p1["invest_first"]
    assert (a["count"], a["amount"], a["disbursed"]) == (5, "2700000.00", "1700000.00")
    assert _states(a["by_state"]) == {
        "converted": {"count": 1, "amount": "1000000.00", "disbursed": "1000000.00"},
        "disbursed": {"count": 1, "amount": "600000.00", "disbursed": "300000.00"},
        "closed_grant": {"count": 1, "amount": "400000.00", "disbursed": "400000.00"},
        "approved": {"count": 1, "amount": "500000.00", "disbursed": "0.00"},
        "applied": {"count": 1, "amount": "200000.00", "disbursed": "0.00"},
    }
    assert set(a["by_state"]) == {"applied", "submitted", "approved", "rejected", "contracted", "disbursed",
                                  "converting", "converted", "overdue", "closing", "closed_grant", "closed_repaid",
                                  "closed_swapped", "exited"}  # stable keys, zeros included
    g = p1["grant_invest_loan"]
    assert (g["count"], g["grant"], g["grant_paid"], g["equity"], g["equity_invested"], g["loans_linked"]) == (
        1, "1000000.00", "1000000.00", "500000.00", "500000.00", 0)
    assert _states(g["by_state"]) == {"disbursed": {"count": 1, "grant": "1000000.00", "equity": "500000.00"}}
    assert p1["talent_equity"]["count"] == 0 and p1["talent_equity"]["amount"] == "0.00"
    assert (p1["count"], p1["amount"]) == (6, "4200000.00")
    assert p1["positions"]["held_count"] == 2 and p1["positions"]["held_cost"] == "1500000.00"
    assert p1["positions"]["by_kind"]["invest_first"] == {"held_count": 1, "held_cost": "1000000.00"}
    assert p1["positions"]["by_kind"]["grant_invest_loan"] == {"held_count": 1, "held_cost": "500000.00"}
    assert p1["conversions"] == {"count": 1, "amount": "1000000.00", "shares": 1136363}
    assert p1["closures"]["count"] == 1 and p1["closures"]["amount"] == "400000.00"
    assert p1["closures"]["by_way"] == {"grant": {"count": 1, "amount": "400000.00"},
                                        "repaid": {"count": 0, "amount": "0.00"},
                                        "swapped": {"count": 0, "amount": "0.00"}}
    assert p1["talent_cap_used"] == "3000000.00"  # A1 + A2 + A3 + A4 + G1's equity leg

    t = p2["talent_equity"]
    assert (t["count"], t["amount"], t["invested"]) == (2, "1100000.00", "800000.00")
    assert _states(t["by_state"]) == {"funded": {"count": 1, "amount": "800000.00", "invested": "800000.00"},
                                      "contracted": {"count": 1, "amount": "300000.00", "invested": "0.00"}}
    assert (p2["count"], p2["amount"], p2["talent_cap_used"]) == (2, "1100000.00", "1100000.00")
    assert p2["positions"]["held_count"] == 1 and p2["positions"]["held_cost"] == "800000.00"
    assert p2["conversions"]["count"] == 0 and p2["closures"]["count"] == 0

    total = s["total"]
    assert (total["count"], total["amount"], total["talent_cap_used"]) == (8, "5300000.00", "4100000.00")
    assert total["positions"]["held_count"] == 3 and total["positions"]["held_cost"] == "2300000.00"
    assert total["talent_cap"] == {"cap": "5000000.00", "enterprises": 3, "used": "4100000.00", "deals": "0.00",
                                   "headroom": "10900000.00", "at_cap": 0, "largest_used": "1600000.00",
                                   "largest_used_ratio": "0.3200"}


def test_events_after_the_quarter_end_are_excluded(world):
    # Today the records say otherwise: A2 is fully paid, T2 funded, A5 submitted, A6 exists.
    for key, status in (("a2", "disbursed"), ("a5", "submitted"), ("a6", "applied"), ("t2", "funded")):
        world[key].refresh_from_db()
        assert world[key].status == status
    world["a2"].refresh_from_db()
    assert world["a2"].disbursed == D("600000.00")
    s = _section()
    p1, p2 = s["programmes"]
    assert p1["invest_first"]["by_state"]["disbursed"]["disbursed"] == "300000.00"  # the October tranche is out
    assert p1["invest_first"]["by_state"]["applied"]["count"] == 1  # submitted on 2026-10-03: still applied at E
    assert p1["invest_first"]["by_state"]["submitted"]["count"] == 0
    assert p1["invest_first"]["count"] == 5  # A6 (applied 2026-10-10) is not there
    assert p2["talent_equity"]["by_state"]["funded"]["count"] == 1  # T2 funded on 2026-10-08: contracted at E
    assert p2["talent_equity"]["invested"] == "800000.00"
    assert p2["positions"]["held_cost"] == "800000.00"


def test_the_previous_quarter_has_its_own_figures(world):
    """2026Q2 (E = 2026-06-30): before the conversion, the closure and the third-quarter applications."""
    s = _section("2026Q2")
    p1, p2 = s["programmes"]
    a = p1["invest_first"]
    assert (a["count"], a["amount"], a["disbursed"]) == (3, "2000000.00", "1700000.00")
    assert _states(a["by_state"]) == {"disbursed": {"count": 3, "amount": "2000000.00", "disbursed": "1700000.00"}}
    assert p1["conversions"]["count"] == 0 and p1["closures"]["count"] == 0
    assert p1["positions"]["held_count"] == 1 and p1["positions"]["held_cost"] == "500000.00"  # G1's equity only
    assert _states(p2["talent_equity"]["by_state"]) == {"funded": {"count": 1, "amount": "800000.00",
                                                                   "invested": "800000.00"}}
    assert s["total"]["talent_cap_used"] == "3300000.00"  # A1 + A2 + A3 + G1 + T1


def test_city_scope_keeps_its_enterprises(world):
    s = _section(scope=Scope("city", "370100"))  # 济南: E1 and E3
    total = s["total"]
    assert total["invest_first"]["count"] == 3  # A1, A3, A5
    assert total["talent_equity"]["count"] == 2 and total["grant_invest_loan"]["count"] == 0
    assert total["talent_cap"]["enterprises"] == 2 and total["talent_cap"]["used"] == "2500000.00"
    qingdao = _section(scope=Scope("city", "370200"))["total"]
    assert qingdao["invest_first"]["count"] == 2 and qingdao["grant_invest_loan"]["count"] == 1


def test_totals_equal_the_sums_of_the_programme_lines(world):
    s = _section()
    for path in (("count",), ("amount",), ("talent_cap_used",), ("invest_first", "disbursed"),
                 ("talent_equity", "invested"), ("grant_invest_loan", "grant_paid"), ("positions", "held_cost"),
                 ("conversions", "amount"), ("closures", "amount")):
        def pick(x, path=path):
            for k in path:
                x = x[k]
            return D(str(x))
        assert pick(s["total"]) == sum((pick(p) for p in s["programmes"]), D(0)), path


def test_the_section_is_in_the_report_and_its_tables(world):
    content = report_compute(Q3)
    assert content["sections"]["direct"] == _section()
    tables = direct_tables(content["sections"]["direct"])
    assert [t["title"] for t in tables][:5] == ["直接投资工具（按专项）", "先投后股（截至季末）", "人才创业股权（截至季末）",
                                               "拨投贷（截至季末）", "按截至季末状态"]
    assert tables[0]["rows"][-1][:3] == ["合计", 8, "5300000.00"]
    assert tables[1]["rows"][-1] == ["合计", 5, "2700000.00", "1700000.00"]
    states = {(r[0], r[1]): r[2] for r in tables[4]["rows"]}
    assert states[("先投后股", "已转股")] == 1 and states[("人才创业股权", "已签约")] == 1
    assert states[("拨投贷", "已拨付")] == 1


def test_the_direct_section_on_the_page_in_the_xlsx_pdf_and_json(world, province, make_user, tmp_path):
    report = report_generate(quarter=Q3)
    reviewer = make_user(province, Role.DEPARTMENT_REVIEWER)
    c = Client()
    c.force_login(reviewer)
    html = c.get(f"/reports/{report.pk}/").content.decode()
    for text in ("直接投资工具（按专项）", "科技成果转化直投专项", "人才创业股权专项", "5,300,000.00", "已转股",
                 "已关闭（转为项目资助）", "人才创业股权投资支持上限（每户）", "10,900,000.00"):
        assert text in html, text
    assert "None" not in html and "invest_first" not in html
    body = c.get(f"/api/v1/reports/{Q3}/?scope=province").json()
    assert body["sections"]["direct"]["total"]["amount"] == "5300000.00"
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx_bytes(report))
    ws = load_workbook(path)["direct"]
    cells = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
    total = next(cell for cell in cells if cell.value == "合计")
    amount = ws.cell(row=total.row, column=3)
    assert amount.value == D("5300000.00") and amount.number_format == "#,##0.00"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(pdf_bytes(report))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "直接投资工具" in text and "5,300,000.00" in text

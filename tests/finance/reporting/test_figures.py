"""Exact figures of the 2026Q3 report on the hand-made book (tests/finance/reporting/conftest.py).

Loans (interest only, 4.35 %, 30/360 → monthly interest = principal × 0.3625 %), as of 2026-09-30:
  L1 bank A 1,000,000 (2025-01-15): paid 172,500 on 2026-09-15 = 20 months' interest 72,500 + 100,000 principal;
     nothing due unpaid at E → outstanding 900,000, dpd 0, normal. (53,625 on 2026-10-01 is after E.)
  L2 bank A 500,000 utility model (2026-08-10): first interest due 2026-09-10 unpaid → dpd 20, special mention.
  L3 bank B 2,000,000 (2025-03-20): never paid; oldest due 2025-04-20 → dpd 528, loss.
  L4 bank B 800,000 (2026-01-10): Feb–Apr interest paid on 2026-04-10; oldest unpaid 2026-05-10 → dpd 143,
     substandard (the late payment of 2026-10-01 is after E).
  L5 bank A 300,000 (2026-04-05): 1,087.50 paid on each due date; Jul–Sep in the quarter = 3,262.50.
"""
import datetime as dt
from decimal import Decimal as D

import pytest
from pyxirr import xirr

from finance.ledger.selectors import account_balance
from finance.reporting.quarters import parse_quarter
from finance.reporting.scopes import parse_scope
from finance.reporting.sections.funds import capital_account_check
from finance.reporting.services import content_hash, report_compute, report_generate
from guarantees.models import PoolSponsor, RiskPool
from loans.models import Loan

pytestmark = pytest.mark.django_db
E = dt.date(2026, 9, 30)


def zero(*keys):
    return {k: {"count": 0, "outstanding": "0.00"} for k in keys}


CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
BUCKETS = ("0", "1-30", "31-90", "91-180", "181-360", ">360")
KINDS = ("invention_patent", "utility_model", "trademark", "copyright", "none")


def line(**over):
    base = {"loans_outstanding": 0, "principal_outstanding": "0.00", "disbursed_count": 0, "disbursed_amount": "0.00",
            "principal_repaid": "0.00", "interest_received": "0.00", "by_class": zero(*CLASSES),
            "dpd_buckets": zero(*BUCKETS), "npl_outstanding": "0.00", "npl_ratio": None,
            "by_ip_kind": zero(*KINDS), "by_category": zero("ip_pledge", "rd_credit"),
            "subsidies": {"approved_count": 0, "approved_amount": "0.00", "paid_count": 0, "paid_amount": "0.00"}}
    for k, v in over.items():
        if isinstance(v, dict) and k in ("by_class", "dpd_buckets", "by_ip_kind", "by_category"):
            base[k] = {**base[k], **v}
        else:
            base[k] = v
    return base


@pytest.fixture
def report(book):
    return report_compute("2026Q3")


def test_loans_section_per_bank_and_total(book, report):
    loans = report["sections"]["loans"]
    bank_a = line(loans_outstanding=3, principal_outstanding="1700000.00", disbursed_count=1,
                  disbursed_amount="500000.00", principal_repaid="100000.00", interest_received="75762.50",
                  by_class={"normal": {"count": 2, "outstanding": "1200000.00"},
                            "special_mention": {"count": 1, "outstanding": "500000.00"}},
                  dpd_buckets={"0": {"count": 2, "outstanding": "1200000.00"},
                               "1-30": {"count": 1, "outstanding": "500000.00"}},
                  npl_ratio="0.0000",
                  by_ip_kind={"invention_patent": {"count": 2, "outstanding": "1200000.00"},
                              "utility_model": {"count": 1, "outstanding": "500000.00"}},
                  by_category={"ip_pledge": {"count": 3, "outstanding": "1700000.00"}},
                  subsidies={"approved_count": 1, "approved_amount": "2175.00", "paid_count": 1,
                             "paid_amount": "2175.00"})
    bank_b = line(loans_outstanding=2, principal_outstanding="2800000.00",
                  by_class={"substandard": {"count": 1, "outstanding": "800000.00"},
                            "loss": {"count": 1, "outstanding": "2000000.00"}},
                  dpd_buckets={"91-180": {"count": 1, "outstanding": "800000.00"},
                               ">360": {"count": 1, "outstanding": "2000000.00"}},
                  npl_outstanding="2800000.00", npl_ratio="1.0000",
                  by_ip_kind={"invention_patent": {"count": 2, "outstanding": "2800000.00"}},
                  by_category={"ip_pledge": {"count": 2, "outstanding": "2800000.00"}})
    total = line(loans_outstanding=5, principal_outstanding="4500000.00", disbursed_count=1,
                 disbursed_amount="500000.00", principal_repaid="100000.00", interest_received="75762.50",
                 by_class={"normal": {"count": 2, "outstanding": "1200000.00"},
                           "special_mention": {"count": 1, "outstanding": "500000.00"},
                           "substandard": {"count": 1, "outstanding": "800000.00"},
                           "loss": {"count": 1, "outstanding": "2000000.00"}},
                 dpd_buckets={"0": {"count": 2, "outstanding": "1200000.00"},
                              "1-30": {"count": 1, "outstanding": "500000.00"},
                              "91-180": {"count": 1, "outstanding": "800000.00"},
                              ">360": {"count": 1, "outstanding": "2000000.00"}},
                 npl_outstanding="2800000.00", npl_ratio="0.6222",  # 2,800,000 / 4,500,000
                 by_ip_kind={"invention_patent": {"count": 4, "outstanding": "4000000.00"},
                             "utility_model": {"count": 1, "outstanding": "500000.00"}},
                 by_category={"ip_pledge": {"count": 5, "outstanding": "4500000.00"}},
                 subsidies={"approved_count": 1, "approved_amount": "2175.00", "paid_count": 1,
                            "paid_amount": "2175.00"})
    assert [ln["bank"] for ln in loans["banks"]] == ["齐鲁银行科技支行", "青岛银行科创金融部"]
    assert {k: v for k, v in loans["banks"][0].items() if k not in ("bank", "bank_id")} == bank_a
    assert {k: v for k, v in loans["banks"][1].items() if k not in ("bank", "bank_id")} == bank_b
    assert loans["total"] == total


def test_repayments_after_the_quarter_end_are_excluded(book, report):
    """Loan 1 paid 50,000 of principal on 2026-10-01 and loan 4 cleared its arrears that day: the loans carry the
    new figures, the 2026Q3 report does not."""
    l1, l4 = Loan.objects.get(pk=book.loans[1].pk), Loan.objects.get(pk=book.loans[4].pk)
    assert l1.principal_outstanding == D("850000.00")
    assert l4.installments.filter(due_date__lt=E, paid_on__isnull=True).count() == 0
    bank_a, bank_b = report["sections"]["loans"]["banks"]
    assert bank_a["principal_outstanding"] == "1700000.00"  # 900,000 + 500,000 + 300,000
    assert bank_a["principal_repaid"] == "100000.00"
    assert bank_b["by_class"]["substandard"] == {"count": 1, "outstanding": "800000.00"}  # still 143 days late at E


def test_loan_figures_equal_the_sum_over_loans(book, report):
    """Principal outstanding at E recomputed loan by loan from principal − repayments dated ≤ E."""
    total = D(0)
    for loan in Loan.objects.all():
        repaid = sum((r.principal_part for r in loan.repayments.filter(paid_on__lte=E)), D(0))
        total += loan.principal.amount - repaid
    assert report["sections"]["loans"]["total"]["principal_outstanding"] == str(total) == "4500000.00"


def test_pool_section_equals_the_ledger_at_the_quarter_end(book, report):
    pool = report["sections"]["pool"]["pools"][0]
    assert pool == {
        "pool_id": book.pool.pk, "pool": "济南市知识产权质押融资风险补偿资金池", "region": "济南",
        "exposure": "900000.00",  # loan 1 (loan 3 was compensated)
        "funded": "10000000.00", "withdrawn": "0.00",
        "available": "8740000.00",  # 10,000,000 − 1,400,000 paid + 140,000 returned (200,000 × 70 %)
        "reserved": "0.00", "cash": "8740000.00",
        "paid": {"cumulative": "1400000.00", "quarter": "1400000.00"},
        "recovered": {"cumulative": "140000.00", "quarter": "140000.00"},
        "leverage_used": "0.1030",  # 900,000 / 8,740,000
        "claims": {"submitted": {"count": 0, "claimed_loss": "0.00", "government_amount": "0.00"},
                   "approved": {"count": 0, "claimed_loss": "0.00", "government_amount": "0.00"},
                   "paid": {"count": 1, "claimed_loss": "2000000.00", "government_amount": "1400000.00"},
                   "rejected": {"count": 0, "claimed_loss": "0.00", "government_amount": "0.00"}},
        "npl_by_bank": [
            {"bank_id": book.bank_a.pk, "bank": "齐鲁银行科技支行", "outstanding": "900000.00",
             "npl_outstanding": "0.00", "compensated": "0.00", "npl_ratio": "0.0000"},
            {"bank_id": book.bank_b.pk, "bank": "青岛银行科创金融部", "outstanding": "0.00",
             "npl_outstanding": "0.00", "compensated": "2000000.00", "npl_ratio": "1.0000"}],
    }
    # The ledger itself, read independently: the sponsors' accounts at E (the 2026-10-02 contribution is later).
    sponsors = PoolSponsor.objects.filter(pool=book.pool)
    available = -sum((account_balance(s.available_account, as_of=E) for s in sponsors), D(0))
    reserved = -sum((account_balance(s.reserved_account, as_of=E) for s in sponsors), D(0))
    cash = account_balance(RiskPool.objects.get(pk=book.pool.pk).cash_account, as_of=E)
    assert (str(available), str(reserved), str(cash)) == (pool["available"], pool["reserved"], pool["cash"])
    assert RiskPool.objects.get(pk=book.pool.pk).available == D("9740000.00")  # today's figure differs


def test_guarantees_section(book, report):
    total = {"in_force_count": 2, "in_force_amount": "1300000.00",  # guarantees on loans 4 and 2
             "payouts_count": 1, "payouts_amount": "1000000.00",
             "compensation": "200000.00",  # min(40 % guarantor share, 20 % of the amount)
             "recovered": "0.00",
             # 5,000 × 62/365 (to the payout) + 4,000 × 92/365 + 2,500 × 52/365, each half-up to the fen
             "premium_subsidy": "2213.70"}
    assert D("849.32") + D("1008.22") + D("356.16") == D(total["premium_subsidy"])
    g = report["sections"]["guarantees"]
    assert g["total"] == total
    assert g["guarantors"] == [{"guarantor_id": book.guarantor.pk, "guarantor": "山东省鲁科融资担保有限公司", **total}]


def _irr(flows):
    return str(D(repr(xirr([d for d, _ in flows], [a for _, a in flows]))).quantize(D("0.0001")))


def test_funds_section(book, report):
    f = report["sections"]["funds"]
    sf1, sf2 = f["sub_funds"]
    d = dt.date
    sf1_flows = [(d(2026, 3, 10), -10_000_000), (d(2026, 8, 10), -20_000_000), (d(2026, 9, 20), 5_000_000),
                 (d(2026, 9, 30), 29_000_000)]
    assert {k: sf1[k] for k in ("committed", "paid_in", "unfunded", "distributed", "nav", "nav_date", "dpi", "rvpi",
                                "tvpi", "net_irr", "ks_pme")} == {
        "committed": "100000000.00", "paid_in": "30000000.00", "unfunded": "70000000.00",
        "distributed": "5000000.00",
        "nav": "29000000.00", "nav_date": "2026-09-30",  # the NAV of 2026-10-15 (37,000,000) is ignored
        "dpi": "0.1667", "rvpi": "0.9667", "tvpi": "1.1333", "net_irr": _irr(sf1_flows), "ks_pme": None}
    assert {k: sf2[k] for k in ("paid_in", "unfunded", "nav", "nav_date", "dpi", "rvpi", "tvpi", "net_irr")} == {
        "paid_in": "5000000.00", "unfunded": "45000000.00", "nav": "5000000.00", "nav_date": "2026-03-31",
        "dpi": "0.0000", "rvpi": "1.0000", "tvpi": "1.0000", "net_irr": "0.0000"}
    assert sf1["compliance"] == {"reinvestment": "breach", "conversion_use": "breach", "single_deal": "ok",
                                 "in_province": "8000000.00", "reinvest_required": "20000000.00",
                                 "conversion": "0.00", "use_required": "60000000.00", "largest": "8000000.00",
                                 "single_cap": "20000000.00"}
    pooled = sf1_flows[:3] + [(d(2026, 2, 5), -5_000_000), (d(2026, 9, 30), 34_000_000)]
    assert f["total"] == {"committed": "150000000.00", "paid_in": "35000000.00", "unfunded": "115000000.00",
                          "distributed": "5000000.00", "nav": "34000000.00", "dpi": "0.1429", "rvpi": "0.9714",
                          "tvpi": "1.1143", "net_irr": _irr(pooled), "ks_pme": None}
    g_flows = [(d(2026, 2, 5), -1_000_000), (d(2026, 3, 10), -2_000_000), (d(2026, 8, 10), -4_000_000),
               (d(2026, 9, 20), 1_000_000), (d(2026, 9, 30), 6_800_000)]
    assert f["guidance"] == [{
        "guidance_fund_id": book.guidance.pk, "guidance_fund": "山东省科技成果转化引导基金", "sub_funds": 2,
        "committed": "30000000.00", "paid_in": "7000000.00", "unfunded": "23000000.00", "distributed": "1000000.00",
        "nav": "6800000.00",  # 29,000,000 × 6/30 + 5,000,000 × 1/5
        "dpi": "0.1429", "rvpi": "0.9714", "tvpi": "1.1143", "net_irr": _irr(g_flows), "ks_pme": None}]


def test_lp_capital_account_identity_holds(book, report):
    ca = report["sections"]["funds"]["sub_funds"][0]["capital_accounts"]
    # value 10,000,000 at 2026-06-30 and 29,000,000 at E split 20/40/40 on paid-in; fee 2 % × 10,000,000 × 91/365
    assert ca["lines"] == [
        {"commitment_id": ca["lines"][0]["commitment_id"], "lp": "引导基金", "lp_kind": "guidance",
         "beginning": "2000000.00", "contributions": "4000000.00", "distributions": "1000000.00", "fees": "9972.60",
         "gains": "809972.60", "ending": "5800000.00"},
        {"commitment_id": ca["lines"][1]["commitment_id"], "lp": "鲁信创投", "lp_kind": "social",
         "beginning": "4000000.00", "contributions": "8000000.00", "distributions": "2000000.00", "fees": "19945.21",
         "gains": "1619945.21", "ending": "11600000.00"},
        {"commitment_id": ca["lines"][2]["commitment_id"], "lp": "浪潮集团", "lp_kind": "social",
         "beginning": "4000000.00", "contributions": "8000000.00", "distributions": "2000000.00", "fees": "19945.20",
         "gains": "1619945.20", "ending": "11600000.00"}]
    assert ca["reconcile"]["ledger_contributions"] == "20000000.00"
    assert ca["reconcile"]["fees"] == "49863.01"
    for fund in report["sections"]["funds"]["sub_funds"]:
        assert capital_account_check(fund["capital_accounts"]) == []
    broken = {**ca, "lines": [{**ca["lines"][0], "gains": "809972.61"}, *ca["lines"][1:]]}
    assert capital_account_check(broken)


def test_direct_is_empty_without_programmes_and_changes_have_no_previous(report):
    s = report["sections"]
    assert s["direct"]["programmes"] == [] and s["direct"]["total"]["count"] == 0
    assert s["direct"]["total"]["amount"] == "0.00" and s["direct"]["total"]["talent_cap"]["enterprises"] == 0
    assert s["changes"]["previous_quarter"] == "2026Q2" and s["changes"]["previous_version"] is None
    assert {x["key"]: x["current"] for x in s["changes"]["figures"]}["loans.principal_outstanding"] == "4500000.00"
    assert all(x["previous"] is None and x["direction"] is None for x in s["changes"]["figures"])
    assert report["as_of"] == "2026-09-30" and report["quarter"] == "2026Q3" and report["scope"] == "province"


def test_a_second_generation_gives_the_same_hash(book):
    first = report_generate(quarter="2026Q3")
    again = report_generate(quarter="2026Q3")
    assert again.pk == first.pk and again.version == 1
    assert content_hash(report_compute("2026Q3")) == first.sha256


def test_scopes_restrict_the_figures(book):
    city = report_compute("2026Q3", "city:370200")  # 青岛: loans 3 and 4, sub-fund 2, no pool
    assert city["sections"]["loans"]["total"]["principal_outstanding"] == "2800000.00"
    assert city["sections"]["pool"]["pools"] == []
    assert [x["sub_fund"] for x in city["sections"]["funds"]["sub_funds"]] == ["生物医药子基金"]
    bank = report_compute("2026Q3", f"bank:{book.bank_a.pk}")
    assert bank["sections"]["funds"] is None and bank["sections"]["direct"] is None
    assert [x["bank"] for x in bank["sections"]["loans"]["banks"]] == ["齐鲁银行科技支行"]
    assert "available" not in bank["sections"]["pool"]["pools"][0]  # pool-wide money is not a bank's
    assert bank["sections"]["pool"]["pools"][0]["npl_by_bank"][0]["bank"] == "齐鲁银行科技支行"
    sub = report_compute("2026Q3", f"sub_fund:{book.funds[1].pk}")
    assert sub["sections"]["loans"] is None and sub["sections"]["funds"]["guidance"] == []
    assert sub["sections"]["funds"]["total"]["nav"] == "29000000.00"
    prog = report_compute("2026Q3", "programme:pool")
    assert prog["sections"]["loans"] is None and prog["sections"]["pool"]["total"]["available"] == "8740000.00"


@pytest.mark.parametrize("bad", ["2026Q5", "2026-13", "Q3 2026", "", "１２３４Q1", "2026Q3; drop", None, "9999Q1"])
def test_bad_quarter_strings_are_refused_naming_the_field(bad):
    from finance.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        parse_quarter(bad)
    assert exc.value.field == "quarter"
    assert exc.value.detail_zh.startswith("quarter：") and exc.value.detail_en.startswith("quarter: ")


def test_quarter_as_of_dates():
    q = parse_quarter("2026q1", on=dt.date(2026, 11, 30))
    assert (q.start, q.end, q.previous.label, q.zh) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2025Q4",
                                                         "2026年第一季度")
    assert str(q.cutoff) == "2026-04-01 00:00:00+08:00"
    assert parse_quarter("2024-Q4", on=dt.date(2026, 1, 1)).end == dt.date(2024, 12, 31)
    from finance.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        parse_quarter("2026Q4", on=dt.date(2026, 11, 30))  # not over yet
    assert exc.value.code == "quarter_not_ended"
    assert parse_quarter("2026Q3", on=dt.date(2026, 10, 1)).end == dt.date(2026, 9, 30)


@pytest.mark.parametrize("bad", ["city:999999", "bank:abc", "bank:-1", "programme:nope", "province:1", "galaxy",
                                 "sub_fund:" + "9" * 30])
def test_bad_scopes_are_refused(bad):
    from finance.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        parse_scope(bad)
    assert exc.value.field == "scope" and exc.value.code == "invalid_scope"

"""Performance (PIC, DPI, RVPI, TVPI, IRRs, KS-PME) and compliance on hand-checked examples."""
import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from finance.calc import ks_pme
from finance.core.errors import DomainError
from funds.models import IndexLevel, IndexSeries
from funds.selectors import compliance, guidance_performance, performance
from funds.services import (
    call_create,
    call_pay_all,
    distribution_create,
    holding_create,
    holding_exit,
    index_upload,
    nav_record,
    valuation_record,
)

START = dt.date(2020, 1, 1)


@pytest.fixture
def history(fund):
    call = call_create(sub_fund=fund, amount="100.00", call_date=START)
    call_pay_all(call=call, paid_on=START)
    a = holding_create(sub_fund=fund, company_name="A", invested_on=START, amount="60.00")
    b = holding_create(sub_fund=fund, company_name="B", invested_on=START, amount="40.00")
    holding_exit(holding=a, exited_on=dt.date(2022, 1, 1), proceeds="90.00")
    distribution_create(sub_fund=fund, amount="90.00", paid_on=dt.date(2022, 1, 1))
    valuation_record(holding=b, as_of=dt.date(2023, 12, 31), value="70.00")
    nav = nav_record(sub_fund=fund, as_of=dt.date(2023, 12, 31))
    return fund, nav


def test_nav_is_holdings_at_valuation_plus_cash(history):
    _, nav = history
    assert (nav.holdings_value, nav.cash, nav.nav) == (D("70.00"), D("0.00"), D("70.00"))


def _irr_by_bisection(flows) -> D:
    """The rate r with sum(cf / (1 + r) ** (days / 365)) = 0, found by bisection: independent of the code's
    own solver (finance.calc), rounded half-up to four places like the pages show."""
    t0 = flows[0][0]

    def npv(r):
        return sum(float(a) / (1 + r) ** ((d - t0).days / 365) for d, a in flows)

    lo, hi = -0.99, 10.0
    assert npv(lo) * npv(hi) < 0
    for _ in range(200):
        mid = (lo + hi) / 2
        if (npv(lo) > 0) == (npv(mid) > 0):
            lo = mid
        else:
            hi = mid
    return D(repr((lo + hi) / 2)).quantize(D("0.0001"), ROUND_HALF_UP)


def test_multiples_and_irrs_match_the_definitions(history):
    fund, _ = history
    p = performance([fund])[fund.pk]
    assert (p["pic"], p["distributed"], p["nav"]) == (D("100.00"), D("90.00"), D("70.00"))
    assert (p["dpi"], p["rvpi"], p["tvpi"]) == (D("0.9000"), D("0.7000"), D("1.6000"))
    # -100 on 2020-01-01, +90 on 2022-01-01, NAV 70 on 2023-12-31: NPV changes sign between 18.305 % and 18.315 %
    expected = _irr_by_bisection([(START, D("-100")), (dt.date(2022, 1, 1), D("90")), (dt.date(2023, 12, 31), D("70"))])
    assert p["net_irr"] == expected == D("0.1831")


def test_net_and_gross_irr_differ_when_the_fund_keeps_cash(fund):
    """Net: the LPs' flows and the NAV (cash included). Gross: the portfolio's flows and the holdings' value."""
    call_pay_all(call=call_create(sub_fund=fund, amount="100.00", call_date=START), paid_on=START)
    a = holding_create(sub_fund=fund, company_name="A", invested_on=START, amount="60.00")
    b = holding_create(sub_fund=fund, company_name="B", invested_on=START, amount="30.00")  # 10.00 stays in cash
    holding_exit(holding=a, exited_on=dt.date(2022, 1, 1), proceeds="90.00")
    distribution_create(sub_fund=fund, amount="90.00", paid_on=dt.date(2022, 1, 1))
    valuation_record(holding=b, as_of=dt.date(2023, 12, 31), value="70.00")
    nav = nav_record(sub_fund=fund, as_of=dt.date(2023, 12, 31))
    assert (nav.holdings_value, nav.cash, nav.nav) == (D("70.00"), D("10.00"), D("80.00"))
    p = performance([fund])[fund.pk]
    end = dt.date(2023, 12, 31)
    net = _irr_by_bisection([(START, D("-100")), (dt.date(2022, 1, 1), D("90")), (end, D("80"))])
    gross = _irr_by_bisection([(START, D("-90")), (dt.date(2022, 1, 1), D("90")), (end, D("70"))])
    assert net != gross
    assert (p["net_irr"], p["gross_irr"]) == (net, gross)


def test_ks_pme_against_an_uploaded_index(history, gp):
    fund, _ = history
    csv = "date,level\n2020-01-01,100\n2021-01-01,110\n2022-01-01,120\n2023-01-01,125\n2023-12-31,150\n"
    series = index_upload(owner=gp, name="沪深300", content=csv.encode())
    p = performance([fund], index=series)[fund.pk]
    levels = {dt.date(2020, 1, 1): D(100), dt.date(2022, 1, 1): D(120), dt.date(2023, 12, 31): D(150)}
    expected = ks_pme([(START, D("-100")), (dt.date(2022, 1, 1), D("90"))], levels, (dt.date(2023, 12, 31), D("70")))
    assert p["ks_pme"] == expected.quantize(D("0.0001")) == D("1.2167")  # (90 × 150/120 + 70) / (100 × 150/100)


def test_guidance_fund_look_through_is_its_twenty_percent(history, guidance):
    g = guidance_performance(guidance)
    assert (g["pic"], g["distributed"], g["nav"]) == (D("20.00"), D("18.00"), D("14.00"))
    assert g["tvpi"] == D("1.6000")


@pytest.mark.parametrize("content, code, field", [
    ("date,level\n2020-01-01,100\n2020-01-01,101\n", "index_duplicate_date", "row 3"),
    ("date,level\n2020-01-01,100\nabc,101\n", "index_invalid_date", "row 3"),
    ("date,level\n2020-01-01,100\n2020-02-01,n/a\n", "index_invalid_level", "row 3"),
    ("date,level\n2020-01-31,100\n2020-02-29,101\n2020-05-31,103\n2020-06-30,104\n", "index_gap", "row 4"),
    ("date,level\n2020-01-01,100\n2020-01-02,\n", "index_gap", "row 3"),
    ("date,level\n2020-01-01,100\n2020-01-02,-1\n", "index_invalid_level", "row 3"),
])
def test_bad_index_csv_is_refused_naming_the_row_and_nothing_written(gp, content, code, field):
    with pytest.raises(DomainError) as err:
        index_upload(owner=gp, name="idx", content=content.encode())
    assert err.value.code == code and err.value.field == field
    assert "/" in err.value.detail
    assert IndexSeries.objects.count() == 0 and IndexLevel.objects.count() == 0


def test_nav_dated_before_the_fund_is_refused(fund):
    from funds.models import NavReport
    with pytest.raises(DomainError) as err:
        nav_record(sub_fund=fund, as_of=dt.date(2019, 12, 31))
    assert err.value.code == "before_fund" and err.value.field == "as_of"
    assert err.value.detail_en == "NAV date 2019-12-31 is before the fund's vintage 2020-01-01"
    assert NavReport.objects.count() == 0


def test_compliance_on_a_hand_checked_example(make_fund):
    # size 1000, guidance 200: reinvest ≥ 1 × 200; conversion ≥ max(3 × 200, 50 % × 1000) = 600; single ≤ 200
    fund = make_fund(size="1000.00", lps=(("guidance", "200.00"), ("social", "400.00"), ("social", "400.00")))
    call_pay_all(call=call_create(sub_fund=fund, amount="1000.00", call_date=START), paid_on=START)
    holding_create(sub_fund=fund, company_name="A", invested_on=START, amount="190.00", converts_fiscal_result=True)
    holding_create(sub_fund=fund, company_name="B", invested_on=START, amount="210.00", converts_fiscal_result=True,
                   in_shandong=False)
    holding_create(sub_fund=fund, company_name="C", invested_on=START, amount="25.00", in_shandong=True)
    c = compliance([fund], on=START)[fund.pk]
    assert (c["in_province"], c["reinvest_required"], c["reinvest_status"]) == (D("215.00"), D("200.00"), "near")
    assert (c["conversion"], c["use_required"], c["use_status"]) == (D("400.00"), D("600.00"), "breach")
    assert (c["largest"], c["single_cap"], c["single_status"]) == (D("210.00"), D("200.00"), "breach")
    assert c["policy"]["fund.near_breach_margin"] == "10"


def test_look_through_share_rounds_once_half_up_to_the_fen():
    from fractions import Fraction

    from funds.selectors import _fen_half_up

    assert _fen_half_up(Fraction(1, 2)) == 1  # half a fen rounds up
    assert _fen_half_up(Fraction(100, 3)) == 33
    assert _fen_half_up(Fraction(200, 3)) == 67
    assert _fen_half_up(Fraction(-1, 2)) == -1  # half away from zero, as 四舍五入
    assert _fen_half_up(0) == 0


@pytest.mark.parametrize(("figure", "shown"), [
    (0.12345, D("0.1235")),   # a tie: half-up (四舍五入), where Decimal's default half-even gives 0.1234
    (0.12355, D("0.1236")),
    (-0.00005, D("-0.0001")),
    (1.0, D("1.0000")),
    (float("nan"), None),
    (None, None),
])
def test_ratios_round_half_up_to_four_places_in_one_place(figure, shown):
    """DPI/TVPI/IRR/PME are rounded by ``funds.performance.ratio`` for the pages, the API and the report."""
    from funds.performance import ratio

    assert ratio(figure) == shown


def test_near_breach_is_decided_exactly_at_the_margin():
    """Within ``near_margin`` of a threshold is "near", at it or past it "ok" — exact in fen, also for the
    largest funds (a float margin put a fund sitting exactly on the boundary on the wrong side)."""
    import pandas as pd

    from funds.performance import compliance_frame

    big = 10**11  # fen: 10 亿元
    funds = pd.DataFrame({"fund": [1, 2, 3, 4], "size": [1_000_000, 1_000_000, 1_000_000, big * 12 // 10],
                          "guidance": [100_000, 100_000, 100_000, big]})
    # reinvestment required = the guidance money (ratio 1); margin 10 %: "near" below 110 %, "ok" from it
    holdings = pd.DataFrame({"fund": [1, 2, 3, 4], "amount": [109_999, 110_000, 99_999, big * 11 // 10],
                             "in_shandong": [True] * 4, "converts": [True] * 4})
    out = compliance_frame(funds, holdings, reinvestment_ratio=D("1"), use_multiple=D("0"), use_share=D("0"),
                           single_deal_max=D("100"), near_margin=D("10"))
    assert out["reinvest_status"].tolist() == ["near", "ok", "breach", "ok"]
    # single deal: cap = the size; "near" above 90 % of it (fund 4: 110 of 120)
    assert out["single_status"].tolist() == ["ok", "ok", "ok", "near"]

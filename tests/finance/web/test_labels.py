"""What a person reads instead of a stored code (finance.web.labels, the template filters, the chart axis rule),
exact values; and the page scan's own detector, which must catch what the issue found on the demo world."""
import re
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.utils import translation

from finance.web import labels
from finance.web.charts import money_axis, money_unit, tick_text
from tests.finance.web.pagescan import problems


def test_the_scan_catches_what_the_issue_found():
    found = problems("""<p>sub_fund 1</p><p>pre_money None</p><td>submitted → active</td>
        <p>{'subsidy.appraisal_fee_share': '50'}</p><p>利息 10920.21</p><th>Reference or borrower</th>
        <svg><text>1e8</text><text>NAV</text></svg><input placeholder="Disbursed from">""")
    assert any("raw code" in p and "sub_fund" in p for p in found)
    assert any(p.startswith("None") for p in found)
    assert any("raw state change" in p for p in found)
    assert any(p.startswith("repr") for p in found)
    assert any("separator" in p for p in found)
    assert any("1e8" in p for p in found)
    for english in ("Reference or borrower", "NAV", "Disbursed from"):
        assert f"English: {english!r}" in found


def test_the_scan_lets_codes_meant_to_show_through():
    assert problems("""<td>DEMO-1-0002</td><td>91370100MA3C8Y7X1Q</td><td>2026-11-30</td><th>XIRR</th>
        <th>DPI</th><td>1,234,567.80</td><td>CNY</td><code>subsidy.appraisal_fee_share</code>
        <script>var a_b = None;</script><option>English</option>""") == []


@pytest.mark.django_db
def test_state_labels_come_from_the_models_choices():
    from loans.models import Loan

    change = SimpleNamespace(item_type_id=ContentType.objects.get_for_model(Loan).pk, field="status")
    with translation.override("zh-hans"):
        assert labels.state_label(change, "active") == "正常还款中"
        assert labels.state_label(change, "") == "—"
    other_field = SimpleNamespace(item_type_id=change.item_type_id, field="loan_reference")
    with translation.override("zh-hans"):  # a row about another field still names the status
        assert labels.state_label(other_field, "active") == "正常还款中"


@pytest.mark.parametrize("reason,zh,en", [
    ("registered in bulk", "批量登记", "registered in bulk"),
    ("paid on 2026-11-30 / 已付款", "已付款", "paid on 2026-11-30"),
    ("tranche 2 paid", "第 2 期已拨付", "tranche 2 paid"),
    ("approved at level 1 of 2", "第 1 级审批通过（共 2 级）", "approved at level 1 of 2"),
    ("企业停产，无力还款（演示）", "企业停产，无力还款（演示）", "企业停产，无力还款（演示）"),
    ("", "—", "—"),
])
def test_reasons_in_the_readers_language(reason, zh, en):
    with translation.override("zh-hans"):
        assert labels.reason_text(reason) == zh
    with translation.override("en"):
        assert labels.reason_text(reason) == en


def test_tiers_sources_and_details():
    with translation.override("zh-hans"):
        assert labels.tier_label("preferred_return") == "优先回报（门槛收益）"
        assert labels.tier_label("return_of_capital") == "返还本金"
        assert labels.source_text("pub 鲁政办字〔2023〕155号") == "公开文件 鲁政办字〔2023〕155号"
        assert labels.source_text("seen, one bank") == "实务所见 one bank"
        assert labels.source_text("platform default") == "平台默认值"
        assert labels.details_text({"a": [1, 2], "b": None}) == "a：1、2；b：—"
        assert labels.party_label("reguarantor") == "再担保机构"


@pytest.mark.django_db
def test_policy_snapshot_reads_as_names_and_units():
    with translation.override("zh-hans"):
        rows = labels.policy_rows({"subsidy.appraisal_fee_share": "50"})
    assert len(rows) == 1 and rows[0][1] == "50%" and "subsidy" not in rows[0][0]


def test_filters_render_amounts_percentages_and_dates_one_way():
    import datetime as dt
    from decimal import Decimal

    html = Template("{{ a|money }}|{{ a|yuan }}|{{ r|pct }}|{{ d }}|{{ n|yuan }}").render(
        Context({"a": Decimal("10920.2"), "r": Decimal("0.08"), "d": dt.date(2026, 11, 30), "n": None}))
    with translation.override("zh-hans"):
        zh = Template("{{ d }}|{{ d|date }}").render(Context({"d": dt.date(2026, 11, 30)}))
    assert html == "10,920.20|¥10,920.20|8.00%|2026-11-30|—"
    assert zh == "2026-11-30|2026-11-30"


def test_chart_axes_in_wan_or_yi_never_scientific():
    import matplotlib.pyplot as plt

    import funds.charts  # noqa: F401 - the charts' fonts (CJK) for the unit label

    assert money_unit([5e7]) == ("万元", 1e4)
    assert money_unit([2.5e8, None]) == ("亿元", 1e8)
    assert tick_text(25000.0) == "25,000" and tick_text(1.5) == "1.50"
    fig, ax = plt.subplots()
    div = money_axis(ax, [3e8])
    ax.plot([0, 1], [0, 3e8 / div])
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert div == 1e8 and ax.get_ylabel() == "亿元"
    assert not any(re.search(r"e[+-]?\d", t) for t in ticks) and ax.yaxis.get_offset_text().get_text() == ""
    plt.close(fig)


def test_fund_and_stress_charts_speak_chinese():
    import datetime as dt

    import numpy as np

    from funds.charts import fund_chart
    from guarantees.charts import payout_distribution

    with translation.override("zh-hans"):
        svg = fund_chart(navs=[(dt.date(2025, 1, 1), 3e8)], calls=[(dt.date(2024, 6, 1), 2e8)],
                         dists=[(dt.date(2025, 6, 1), 5e7)])
        stress = payout_distribution({1: np.array([1e6, 2e6, 3e6])}, 6e7)
    for text in ("净值", "实缴", "亿元"):
        assert text in svg
    assert "NAV" not in svg and "Paid-in" not in svg
    assert "情景数" in stress and "资金池余额 6,000 万元" in stress and "scenarios" not in stress
    assert problems(svg) == [] and problems(stress) == []

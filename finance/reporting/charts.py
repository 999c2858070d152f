"""SVG charts for the report page and the PDF (matplotlib Agg, no JavaScript, no CDN).

Axes are in 万元 or 亿元 (whichever keeps the numbers readable) with thousands separators — never "1e8" —, and
the labels are Chinese (Noto Sans CJK). ``svg.hashsalt`` makes the output deterministic.
"""
from __future__ import annotations

import re
from decimal import Decimal

import matplotlib

from finance.web.charts import figure_svg, money_unit, tick_text

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

plt.rcParams["font.family"] = ["Noto Sans CJK SC", "DejaVu Sans"]
plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["svg.hashsalt"] = "kejin-report"
plt.rcParams["axes.unicode_minus"] = False

COLORS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#dc3545", "#20c997"]


def unit_for(values) -> tuple[str, Decimal]:
    """亿元 when the largest value reaches 100 million yuan, else 万元."""
    unit, div = money_unit(Decimal(str(v)) for v in values)  # the one rule of every chart
    return unit, Decimal(int(div))


def _svg(fig) -> str:
    return figure_svg(fig)


def bars(title: str, labels: list[str], series: dict[str, list], *, money: bool = True) -> str:
    """Grouped bars: ``series`` = {legend: values (yuan strings or counts)} over ``labels``."""
    fig, ax = plt.subplots(figsize=(7, 2.9), dpi=100)
    all_values = [v for vs in series.values() for v in vs if v is not None]
    unit, div = unit_for(all_values) if money else ("笔", Decimal(1))
    n = max(len(series), 1)
    width = 0.8 / n
    for i, (name, values) in enumerate(series.items()):
        xs = [j + (i - (n - 1) / 2) * width for j in range(len(labels))]
        ys = [float(Decimal(str(v or 0)) / div) for v in values]
        ax.bar(xs, ys, width=width, label=name, color=COLORS[i % len(COLORS)])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels([lb if len(lb) <= 10 else lb[:9] + "…" for lb in labels], fontsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: tick_text(y)))
    ax.set_ylabel(unit, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    if len(series) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return _svg(fig)


def _unique_ids(svg: str, prefix: str) -> str:
    """Several charts share one page: give each chart's element ids (and their references) its own prefix."""
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}-\1"', svg)


def report_charts(content: dict) -> list[str]:
    return [_unique_ids(svg, f"chart{i}") for i, svg in enumerate(_charts(content))]


def _charts(content: dict) -> list[str]:
    from .presentation import BUCKET_LABELS

    s = content["sections"]
    out = []
    loans = s.get("loans")
    if loans and loans["banks"]:
        out.append(bars("各银行贷款余额与不良余额", [b["bank"] for b in loans["banks"]],
                        {"贷款余额": [b["principal_outstanding"] for b in loans["banks"]],
                         "不良余额": [b["npl_outstanding"] for b in loans["banks"]]}))
        buckets = loans["total"]["dpd_buckets"]
        out.append(bars("逾期天数分布（余额）", [BUCKET_LABELS[k] for k in buckets],
                        {"余额": [v["outstanding"] for v in buckets.values()]}))
    pool = s.get("pool")
    if pool and pool["pools"] and "available" in pool["pools"][0]:
        out.append(bars("资金池可用余额、累计补偿与风险敞口", [p["pool"] for p in pool["pools"]],
                        {"可用余额": [p["available"] for p in pool["pools"]],
                         "累计补偿": [p["paid"]["cumulative"] for p in pool["pools"]],
                         "风险敞口": [p["exposure"] for p in pool["pools"]]}))
    funds = s.get("funds")
    if funds and funds["sub_funds"]:
        out.append(bars("子基金实缴、分配与净值", [f["sub_fund"] for f in funds["sub_funds"]],
                        {"实缴": [f["paid_in"] for f in funds["sub_funds"]],
                         "累计分配": [f["distributed"] for f in funds["sub_funds"]],
                         "净值": [f["nav"] for f in funds["sub_funds"]]}))
    direct = s.get("direct")
    if direct and direct.get("programmes"):
        ps = direct["programmes"]
        out.append(bars("直接投资工具：承诺金额、持有股权成本、人才股权上限已用",
                        [p["programme"] for p in ps],
                        {"承诺金额": [p["amount"] for p in ps],
                         "持有股权成本": [p["positions"]["held_cost"] for p in ps],
                         "上限已用": [p["talent_cap_used"] for p in ps]}))
    return out

"""Server-side SVG charts (matplotlib Agg): no JavaScript, no CDN. Labels in the reader's language, amounts
in 万元 / 亿元 through the one axis rule (finance.web.charts.money_axis)."""
from __future__ import annotations

import matplotlib
from django.utils.translation import gettext as _

from finance.web.charts import figure_svg, money_axis

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams["font.family"] = ["Noto Sans CJK SC", "DejaVu Sans"]
plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["axes.unicode_minus"] = False


def _cumulative(rows):
    total, xs, ys = 0.0, [], []
    for d, v in sorted(rows):
        total += float(v)
        xs.append(d)
        ys.append(total)
    return xs, ys


def fund_chart(*, navs, calls, dists, title: str = "") -> str:
    """NAV and cumulative paid-in / distributions over time, as an inline SVG string."""
    fig, ax = plt.subplots(figsize=(7, 2.8), dpi=100)
    series = [(_cumulative(calls), _("Paid-in"), "#6c757d"),
              (_cumulative(dists), _("Distributed"), "#198754")]
    amounts = [float(v) for _d, v in navs] + [y for (_xs, ys), _l, _c in series for y in ys]
    div = money_axis(ax, amounts)
    if navs:
        ax.plot([d for d, _v in navs], [float(v) / div for _d, v in navs], label=_("NAV"), color="#0d6efd")
    for (xs, ys), label, color in series:
        if xs:
            ax.step(xs, [y / div for y in ys], where="post", label=label, color=color)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    if navs or calls or dists:
        ax.legend(fontsize=7, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return figure_svg(fig)

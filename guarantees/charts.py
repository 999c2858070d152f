"""Server-side SVG charts (matplotlib Agg; no CDN, no JavaScript). Labels in the reader's language, amounts in
万元 / 亿元 through the one axis rule (finance.web.charts.money_axis)."""

from __future__ import annotations

import matplotlib
from django.utils.translation import gettext as _

from finance.web.charts import figure_svg, money_axis, money_unit, tick_text

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import rcParams  # noqa: E402

rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans"]
rcParams["axes.unicode_minus"] = False
rcParams["svg.fonttype"] = "none"  # text stays text: small files, the browser's CJK fonts render it


def _svg(fig) -> str:
    return figure_svg(fig, tight=True)


def bars(labels, values, *, title: str = "", color: str = "#0d6efd", fmt: str = "{:,.0f}",
         money: bool = False) -> str:
    """One bar per label; ``money`` puts the amounts (yuan) in 万元 / 亿元 on the axis and on the bars."""
    fig, ax = plt.subplots(figsize=(6, 2.8))
    pos = range(len(labels))
    div = money_axis(ax, values) if money else 1.0
    ys = [float(v) / div for v in values]
    ax.bar(pos, ys, color=color)
    ax.set_xticks(list(pos), labels, fontsize=8)
    for i, y in enumerate(ys):
        ax.annotate(tick_text(y) if money else fmt.format(y), (i, y), ha="center", va="bottom", fontsize=7)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def payout_distribution(payouts: dict, balance: float, *, title: str = "") -> str:
    """Histograms of simulated payouts per horizon, with the pool balance.

    The x-axis spans the payouts, not the balance: a balance far above every scenario would squash the
    histogram against zero, so it is then named in the legend, with an arrow at the right edge, not drawn.
    """
    import numpy as np

    fig, ax = plt.subplots(figsize=(7, 3))
    arrays = [np.asarray(p, dtype=float) for p in payouts.values()]
    top = max((float(a.max()) for a in arrays if a.size), default=0.0)
    unit, div = money_unit([top, float(balance)])
    money_axis(ax, [top, float(balance)], axis="x", label=_("Payout"))
    for h, a in zip(payouts, arrays, strict=True):
        ax.hist(a / div, bins=60, alpha=0.55, label=_("%(years)s years") % {"years": h})
    right = max(top / div * 1.05, 1e-9)
    balance_label = _("Pool balance %(amount)s %(unit)s") % {"amount": tick_text(float(balance) / div),
                                                            "unit": unit}
    if float(balance) / div <= right * 1.5:
        ax.axvline(float(balance) / div, color="#dc3545", linestyle="--", label=balance_label)
        right = max(right, float(balance) / div * 1.05)
    else:
        ax.plot([], [], color="#dc3545", linestyle="--", label=balance_label + " →")
        ax.annotate("→", xy=(1.0, 0.5), xycoords="axes fraction", color="#dc3545", fontsize=14,
                    ha="right", va="center")
    ax.set_xlim(left=0, right=right)
    ax.set_ylabel(_("Scenarios"), fontsize=8)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)

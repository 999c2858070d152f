"""Server-side SVG charts (matplotlib Agg; no CDN, no JavaScript)."""

from __future__ import annotations

import matplotlib

from finance.web.charts import figure_svg

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import rcParams  # noqa: E402

rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "DejaVu Sans"]
rcParams["axes.unicode_minus"] = False
rcParams["svg.fonttype"] = "none"  # text stays text: small files, the browser's CJK fonts render it


def _svg(fig) -> str:
    return figure_svg(fig, tight=True)


def bars(labels, values, *, title: str = "", color: str = "#0d6efd", fmt: str = "{:,.0f}") -> str:
    fig, ax = plt.subplots(figsize=(6, 2.8))
    pos = range(len(labels))
    ax.bar(pos, [float(v) for v in values], color=color)
    ax.set_xticks(list(pos), labels, fontsize=8)
    for i, v in enumerate(values):
        ax.annotate(fmt.format(float(v)), (i, float(v)), ha="center", va="bottom", fontsize=7)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def payout_distribution(payouts: dict, balance: float, *, title: str = "") -> str:
    """Histograms of simulated payouts per horizon with the pool balance as a vertical line."""
    fig, ax = plt.subplots(figsize=(7, 3))
    for h, p in payouts.items():
        ax.hist(p / 1e4, bins=60, alpha=0.55, label=f"{h}y")
    ax.axvline(balance / 1e4, color="#dc3545", linestyle="--", label="balance")
    ax.set_xlabel("payout (10k CNY / 万元)", fontsize=8)
    ax.set_ylabel("scenarios", fontsize=8)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)

"""Server-side SVG charts (matplotlib Agg): no JavaScript, no CDN."""
from __future__ import annotations

import matplotlib

from finance.web.charts import figure_svg

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams["font.family"] = ["Noto Sans CJK SC", "DejaVu Sans"]
plt.rcParams["svg.fonttype"] = "none"


def fund_chart(*, navs, calls, dists, title: str = "") -> str:
    """NAV and cumulative paid-in / distributions over time, as an inline SVG string."""
    fig, ax = plt.subplots(figsize=(7, 2.8), dpi=100)
    if navs:
        ax.plot([d for d, _ in navs], [float(v) for _, v in navs], label="NAV", color="#0d6efd")
    for rows, label, color in ((calls, "Paid-in", "#6c757d"), (dists, "Distributed", "#198754")):
        if rows:
            total, xs, ys = 0.0, [], []
            for d, v in sorted(rows):
                total += float(v)
                xs.append(d)
                ys.append(total)
            ax.step(xs, ys, where="post", label=label, color=color)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return figure_svg(fig)

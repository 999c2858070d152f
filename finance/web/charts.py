"""One way to turn a matplotlib figure into SVG that pages embed inline.

Deterministic (no date in the metadata, so a report's files hash the same twice) and without matplotlib's
``<style>`` element, which the Content-Security-Policy blocks in a page (it only sets line joins and caps).
"""
from __future__ import annotations

import io
import re

_STYLE = re.compile(r"<style.*?</style>", flags=re.S)


def figure_svg(fig, *, tight: bool = False) -> str:
    """The figure as an inline ``<svg>`` element (prolog and style removed); the figure is closed."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, **({"bbox_inches": "tight"} if tight else {}))
    plt.close(fig)
    svg = buf.getvalue()
    return _STYLE.sub("", svg[svg.index("<svg"):])


def money_unit(values) -> tuple[str, float]:
    """亿元 when the largest amount reaches 100 million yuan, else 万元: the unit and its divisor."""
    top = max((abs(float(v)) for v in values if v is not None), default=0.0)
    return ("亿元", 1e8) if top >= 1e8 else ("万元", 1e4)


def tick_text(y: float) -> str:
    """A tick label with thousands separators: whole numbers bare, small ones with two places."""
    return f"{y:,.0f}" if abs(y) >= 100 or y == int(y) else f"{y:,.2f}"


def money_axis(ax, values, *, axis: str = "y", label: str = "") -> float:
    """Put amounts (in yuan) on ``axis`` in 万元 or 亿元 with separators — never "1e8" — and name the unit.

    Returns the divisor: the caller plots ``value / divisor``. Every chart of every app uses this one rule.
    """
    from matplotlib.ticker import FuncFormatter

    unit, div = money_unit(values)
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _pos: tick_text(v)))
    text = f"{label}（{unit}）" if label else unit
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(text, fontsize=8)
    return div

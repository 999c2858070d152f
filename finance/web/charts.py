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

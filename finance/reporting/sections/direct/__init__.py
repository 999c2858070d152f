"""Section ``direct``: the direct instruments (先投后股, 拨投贷, talent equity) per programme and instrument,
as of the quarter end E.

Each instrument's **state at E** is worked out in SQL, one row per instrument:

- dated business events win when dated ≤ E: a 先投后股 agreement is ``exited`` / ``converted`` when its equity
  position was exited / invested by E (a conversion is booked at the round's date), ``closed_<way>`` when an
  approved closure was decided by E, ``disbursed`` when a tranche was paid by E; a talent investment is
  ``funded`` / ``exited`` by its position's dates;
- otherwise the state recorded in the audit trail before the cutoff (``approvals.StateChange``): approvals,
  signatures and the 拨投贷 steps have no business date of their own. An instrument applied for after E is
  not in the report; a 先投后股 agreement born of a 拨投贷 equity leg exists from its signing.

Amounts are integer fen summed exactly, out as yuan strings. Per programme and in total: counts and amounts by
state (every state key always present), disbursed / invested as of E, equity positions held at cost, the
quarter's conversions (round dated in the quarter), closures (decided in the quarter) and exits, and the
talent cap used: what counts against ``talent.equity_cap`` at E under the rule of ``funds.direct.caps``
(from approval on, never freed; a 拨投贷 equity leg made as 先投后股 counts once, as that agreement). In
total, the cap's headroom over the enterprises with support counted (sub-fund deals in a fiscal equity
instrument included, as the cap counts them): per enterprise ``max(cap − used, 0)``.

In two parts: ``queries`` reads what stood at E in SQL (one frame per kind of row); ``totals`` makes the
per-programme lines, the total and the cap figures from those frames (``compute``). The section's names stay
importable from ``finance.reporting.sections.direct``.
"""

from __future__ import annotations

from .queries import CLO_COLS, CONV_COLS, GIL_COLS, IF_COLS, POS_COLS, TALENT_COLS
from .totals import CAP_KEY, GIL_STATES, IF_STATES, POSITION_KINDS, TALENT_STATES, WAYS, compute

__all__ = [
    "CAP_KEY", "CLO_COLS", "compute", "CONV_COLS", "GIL_COLS", "GIL_STATES", "IF_COLS", "IF_STATES",
    "POS_COLS", "POSITION_KINDS", "TALENT_COLS", "TALENT_STATES", "WAYS",
]

"""Fund performance: XIRR (ACT/365F) and ILPA multiples, from the LP's point of view.

Sign convention everywhere: contributions (paid-in capital) are negative, distributions are
positive. For a net IRR, append the ending NAV as a final positive flow on the valuation date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pyxirr

from . import _checks
from .errors import CalcError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

Cashflows = Iterable[tuple[dt.date, Decimal]]


def _flows(cashflows: Cashflows, field: str = "cashflows") -> list[tuple[dt.date, Decimal]]:
    out = []
    for i, item in enumerate(cashflows):
        try:
            when, amount = item
        except (TypeError, ValueError):
            raise CalcError("bad_cashflow", f"{field}[{i}]", f"{field}[{i}] 必须是 (日期, 金额)",
                            f"{field}[{i}] must be a (date, amount) pair") from None
        out.append((_checks.day(when, f"{field}[{i}].date"),
                    _checks.money(amount, f"{field}[{i}].amount", allow_negative=True)))
    if not out:
        raise CalcError("empty", field, f"{field} 不能为空", f"{field} must not be empty")
    return out


def xirr(cashflows: Cashflows) -> float | None:
    """Annual IRR of dated flows, ACT/365F; None when the flows have no sign change (or no root).

    Runs the same engine as ``xirr_columns`` so one fund and a batch always agree: conventional
    flows by Newton, everything else by pyxirr. (pyxirr alone can stop on the flat tail of a huge
    rate: for 0, +0.02, -0.01 a year apart it answers 3.5e7, where the unique root is -0.5.)
    """
    flows = _flows(cashflows)
    amounts = np.array([float(a) for _, a in flows])
    if not ((amounts > 0).any() and (amounts < 0).any()):
        return None
    rate = xirr_columns(np.zeros(len(flows), dtype=np.int64), np.array([d for d, _ in flows],
                        dtype="datetime64[D]"), amounts, n_funds=1)[0]
    return None if np.isnan(rate) else float(rate)


def xirr_many(funds: Sequence[Cashflows]) -> np.ndarray:
    """``xirr`` for many funds; NaN where ``xirr`` gives None. See ``xirr_columns``."""
    fund, dates, amounts = [], [], []
    for i, flows in enumerate(funds):
        for when, amount in _flows(flows, f"funds[{i}]"):
            fund.append(i)
            dates.append(when)
            amounts.append(float(amount))
    return xirr_columns(np.array(fund, dtype=np.int64), np.array(dates, dtype="datetime64[D]"),
                        np.array(amounts, dtype=np.float64), n_funds=len(funds))


def xirr_columns(fund: np.ndarray, dates: np.ndarray, amounts: np.ndarray, n_funds: int | None = None,
                 *, max_iter: int = 50) -> np.ndarray:
    """XIRR of many funds given as flat columns (rows need not be sorted or grouped).

    A vectorised Newton iteration solves every fund whose flows are conventional (all outflows
    dated before all inflows, or the reverse): by Descartes' rule such a fund has exactly one
    IRR, so this is the same root pyxirr finds. Funds with interleaved signs, that do not
    converge, or whose IRR lies outside -99 % .. +1000 %, are handed to pyxirr one by one. Amounts may be fen
    or yuan: IRR is scale-free.
    """
    fund = np.asarray(fund, dtype=np.int64)
    days = np.asarray(dates, dtype="datetime64[D]").astype(np.int64)
    amt = np.asarray(amounts, dtype=np.float64)
    n = int(fund.max()) + 1 if n_funds is None else n_funds
    result = np.full(n, np.nan)
    if fund.size == 0:
        return result
    pos, neg = amt > 0, amt < 0
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, fund, days)
    big, small = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    last_neg, first_pos = np.full(n, small), np.full(n, big)
    last_pos, first_neg = np.full(n, small), np.full(n, big)
    np.maximum.at(last_neg, fund[neg], days[neg])
    np.minimum.at(first_pos, fund[pos], days[pos])
    np.maximum.at(last_pos, fund[pos], days[pos])
    np.minimum.at(first_neg, fund[neg], days[neg])
    has_both = (np.bincount(fund[pos], minlength=n) > 0) & (np.bincount(fund[neg], minlength=n) > 0)
    conventional = has_both & ((last_neg < first_pos) | (last_pos < first_neg))

    t = (days - first[fund]) / 365.0
    rate = _first_guess(fund, t, amt, pos, n)
    done = ~conventional
    with np.errstate(all="ignore"):  # overflow at absurd rates is caught by isfinite below
        for _ in range(max_iter):
            lr = np.log1p(rate)[fund]
            v = amt * np.exp(-t * lr)
            f = np.bincount(fund, weights=v, minlength=n)
            df = np.bincount(fund, weights=-t * v, minlength=n) / (1 + rate)
            step = np.where(done, 0.0, f / df)
            new = rate - step
            new = np.where(new <= -1, (rate - 1) / 2, new)  # stay above -100 %
            ok = np.isfinite(new)
            # Newton converges quadratically: a step of 1e-9 leaves an error near 1e-18.
            converged = ok & (np.abs(new - rate) <= 1e-9 * np.maximum(1.0, np.abs(new)))
            rate = np.where(ok, new, rate)
            done = done | converged | ~ok
            # Beyond -99 % .. +1000 % the curve is so flat that solvers disagree: let pyxirr decide.
            sane = (new > -0.99) & (new < 10.0)
            result = np.where(converged & sane & conventional & np.isnan(result), new, result)
            if done.all():
                break
    # Interleaved signs, and any fund Newton did not settle, go to pyxirr.
    rest = np.flatnonzero(has_both & np.isnan(result))
    if rest.size:
        order = np.argsort(fund, kind="stable")
        bounds = np.searchsorted(fund[order], np.arange(n + 1))
        for i in rest:
            rows = order[bounds[i]:bounds[i + 1]]
            r = pyxirr.xirr(days[rows].astype("datetime64[D]"), amt[rows], silent=True)
            result[i] = np.nan if r is None else r
    return result


def _first_guess(fund: IntArray, t: FloatArray, amt: FloatArray, pos: BoolArray, n: int) -> FloatArray:
    """Start Newton near the root: the growth from the money-weighted mean date of the
    outflows to that of the inflows (or the reverse), which cuts the iterations by half."""
    w = np.abs(amt)
    w_pos = np.bincount(fund, weights=w * pos, minlength=n)
    w_neg = np.bincount(fund, weights=w * ~pos, minlength=n)
    t_pos = np.bincount(fund, weights=w * t * pos, minlength=n)
    t_neg = np.bincount(fund, weights=w * t * ~pos, minlength=n)
    with np.errstate(all="ignore"):
        t_pos, t_neg = t_pos / w_pos, t_neg / w_neg  # type: ignore[assignment]  # float weights: float sums
        later_first = t_pos >= t_neg
        ratio = np.where(later_first, w_pos / w_neg, w_neg / w_pos)
        span = np.maximum(np.abs(t_pos - t_neg), 1 / 365)
        guess = ratio ** (1 / span) - 1
    return np.where(np.isfinite(guess), np.clip(guess, -0.9, 5.0), 0.1)


def pic(cashflows: Cashflows) -> Decimal:
    """Paid-in capital: the sum of contributions, as a positive amount."""
    return -sum((a for _, a in _flows(cashflows) if a < 0), Decimal("0.00"))


def _split(cashflows: Cashflows) -> tuple[Decimal, Decimal]:
    flows = _flows(cashflows)
    paid_in = -sum((a for _, a in flows if a < 0), Decimal("0.00"))
    if paid_in == 0:
        raise CalcError("no_contributions", "cashflows", "没有出资(负现金流),无法计算倍数",
                        "cashflows have no contributions (negative amounts), so the multiple is undefined")
    return paid_in, sum((a for _, a in flows if a > 0), Decimal("0.00"))


def dpi(cashflows: Cashflows) -> Decimal:
    """Distributions to paid-in."""
    paid_in, distributed = _split(cashflows)
    return distributed / paid_in


def rvpi(cashflows: Cashflows, nav: Decimal | int) -> Decimal:
    """Residual value (NAV) to paid-in."""
    paid_in, _ = _split(cashflows)
    return _checks.money(nav, "nav") / paid_in


def tvpi(cashflows: Cashflows, nav: Decimal | int) -> Decimal:
    """Total value to paid-in: DPI + RVPI."""
    paid_in, distributed = _split(cashflows)
    return (distributed + _checks.money(nav, "nav")) / paid_in


def ks_pme(cashflows: Cashflows, index_levels: Mapping[dt.date, Decimal],
           nav: tuple[dt.date, Decimal]) -> Decimal:
    """Kaplan-Schoar PME: distributions and NAV over contributions, each flow compounded by the index.

    ``nav`` is ``(valuation_date, amount)``; every flow date and the valuation date must have an
    index level. PME > 1 means the fund beat the index. Signs: contributions negative.
    """
    flows = _flows(cashflows)
    try:
        nav_date, nav_amount = nav
    except (TypeError, ValueError):
        raise CalcError("bad_nav", "nav", "nav 必须是 (估值日, 金额)",
                        "nav must be a (date, amount) pair") from None
    nav_date = _checks.day(nav_date, "nav.date")
    nav_amount = _checks.money(nav_amount, "nav.amount")

    def level(when: dt.date) -> Decimal:
        if when not in index_levels:
            raise CalcError("missing_index_level", "index_levels", f"缺少 {when} 的指数点位",
                            f"index_levels has no level for {when}")
        return _checks.number(index_levels[when], f"index_levels[{when}]", minimum=Decimal("1e-12"),
                              allow_float=True)

    end = level(nav_date)
    grown_in = sum((-a * end / level(d) for d, a in flows if a < 0), Decimal(0))
    grown_out = sum((a * end / level(d) for d, a in flows if a > 0), Decimal(0))
    if grown_in == 0:
        raise CalcError("no_contributions", "cashflows", "没有出资(负现金流),无法计算 PME",
                        "cashflows have no contributions (negative amounts), so PME is undefined")
    return (grown_out + nav_amount) / grown_in

"""Schedules for many loans at once, identical to ``amortization_schedule`` at array speed.

Why it is exact: it runs the same integer-fen algorithm as ``schedules.schedule_fen``, one
repayment period at a time across all loans (loans sorted by term, so the loans still running
at period k are a prefix). Interest is ``balance * a * num / den`` with integers; the quotient
and remainder are exact (``_mul_div_round``), so rounding matches Decimal's to the fen.

The equal-installment payment is the one non-rational number. It is evaluated in float64
(relative error below 1e-14: log1p/expm1 and n <= 600) and rounded; a loan whose float value lies
within a relative 1e-9 of a rounding boundary -- far wider than the float error -- is recomputed
with the Decimal function the scalar path uses. Either way the fen is the Decimal path's fen.

Input: a ``LoanColumns`` of numpy arrays (fast) or a sequence of mappings with the keyword
arguments of ``amortization_schedule`` (validated loan by loan, slower).
Output: a ``BulkSchedules`` of column arrays, rows ordered by (loan, number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from . import schedules as s
from .errors import CalcError

Arr = npt.NDArray[Any]

METHOD_CODES = {m: i for i, m in enumerate(s.METHODS)}
DAY_COUNT_CODES = {d: i for i, d in enumerate(s.DAY_COUNTS)}
ROUNDING_CODES = {r: i for i, r in enumerate(s.ROUNDINGS)}
_EI, _EP, _IO, _BULLET = (METHOD_CODES[m] for m in s.METHODS)
_D30, _ACT360, _ACT365, _ACTACT = (DAY_COUNT_CODES[d] for d in s.DAY_COUNTS)
_HALF_UP, _HALF_EVEN, _DOWN = range(3)
_YEAR_DEN = np.array([s.YEAR_DEN[d] for d in s.DAY_COUNTS], dtype=np.int64)
_EPOCH_YEAR = 1970
_NAT = np.datetime64("NaT", "D")


@dataclass(frozen=True)
class LoanColumns:
    """Loans as columns; code arrays index ``METHODS``, ``DAY_COUNTS`` and ``ROUNDINGS``.

    ``rate_units`` is the annual rate in 0.0001 % (4.35 % -> 43500); ``first_due_date`` holds
    NaT for loans without an odd first period; ``rounding`` None means half-up for all.
    """

    principal_fen: np.ndarray  # int64
    rate_units: np.ndarray  # int64
    term_months: np.ndarray  # int64
    method: np.ndarray  # int8 codes
    day_count: np.ndarray  # int8 codes
    start_date: np.ndarray  # datetime64[D]
    first_due_date: np.ndarray | None = None  # datetime64[D], NaT = none
    rounding: np.ndarray | None = None  # int8 codes

    def __len__(self) -> int:
        return len(self.principal_fen)

    @classmethod
    def from_loans(cls, loans: Iterable[Mapping[str, Any]]) -> LoanColumns:
        """Validate each loan exactly as ``amortization_schedule`` would, then pack the columns."""
        terms = []
        for i, loan in enumerate(loans):
            try:
                terms.append(s.validate_terms(**loan))
            except CalcError as err:
                raise CalcError(err.code, f"loans[{i}].{err.field}", f"第 {i} 笔贷款: {err.message_zh}",
                                f"loan {i}: {err.message_en}") from err
            except TypeError as err:
                raise CalcError("bad_loan", f"loans[{i}]", f"第 {i} 笔贷款参数有误: {err}",
                                f"loan {i} has bad arguments: {err}") from err
        return cls(
            principal_fen=np.array([t.principal_fen for t in terms], dtype=np.int64),
            rate_units=np.array([t.rate_units for t in terms], dtype=np.int64),
            term_months=np.array([t.term_months for t in terms], dtype=np.int64),
            method=np.array([METHOD_CODES[t.method] for t in terms], dtype=np.int8),
            day_count=np.array([DAY_COUNT_CODES[t.day_count] for t in terms], dtype=np.int8),
            start_date=np.array([t.start_date for t in terms], dtype="datetime64[D]"),
            first_due_date=np.array([t.first_due_date or _NAT for t in terms], dtype="datetime64[D]"),
            rounding=np.array([ROUNDING_CODES[t.rounding] for t in terms], dtype=np.int8),
        )


@dataclass(frozen=True)
class BulkSchedules:
    """All installments of all loans as columns; amounts in integer fen.

    Rows of loan ``i`` are ``offsets[i]:offsets[i + 1]``; ``payment = principal + interest``;
    ``balance`` is what remains after the row.
    """

    loan: np.ndarray  # int64, index into the input
    number: np.ndarray  # int64, 1-based installment number
    due_date: np.ndarray  # datetime64[D]
    principal: np.ndarray  # int64 fen
    interest: np.ndarray  # int64 fen
    payment: np.ndarray  # int64 fen
    balance: np.ndarray  # int64 fen
    offsets: np.ndarray  # int64, len = loans + 1

    def __len__(self) -> int:
        return len(self.loan)

    def installments(self, i: int) -> list[s.Installment]:
        """Loan ``i``'s rows as ``Installment`` objects, for comparing with the scalar path."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        return [
            s.to_installment(int(self.number[j]), self.due_date[j].item(), int(self.principal[j]),
                             int(self.interest[j]), int(self.balance[j]))
            for j in range(lo, hi)
        ]


def _fail(field: str, bad: Arr, zh: str, en: str, code: str = "out_of_range") -> NoReturn:
    i = int(np.flatnonzero(bad)[0])
    raise CalcError(code, f"loans.{field}", f"第 {i} 笔贷款的 {field} {zh}", f"loan {i}: {field} {en}")


def _month_index(d: Arr) -> Arr:
    index: Arr = d.astype("datetime64[M]").astype(np.int64)
    return index


def _clamped_day(month_index: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    start = month_index.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    dim = (month_index + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - start
    day: Arr = start + np.minimum(anchor, dim) - 1
    return day


def _checked(cols: LoanColumns) -> tuple[Arr, Arr, Arr, Arr, Arr, Arr, Arr, Arr | None]:
    """Vectorised version of ``validate_terms``; returns plain arrays."""
    n_loans = len(cols)
    p = np.asarray(cols.principal_fen, dtype=np.int64)
    a = np.asarray(cols.rate_units, dtype=np.int64)
    n = np.asarray(cols.term_months, dtype=np.int64)
    meth = np.asarray(cols.method, dtype=np.int8)
    dc = np.asarray(cols.day_count, dtype=np.int8)
    start = np.asarray(cols.start_date, dtype="datetime64[D]")
    first = (np.full(n_loans, _NAT) if cols.first_due_date is None
             else np.asarray(cols.first_due_date, dtype="datetime64[D]"))
    rnd = None if cols.rounding is None else np.asarray(cols.rounding, dtype=np.int8)
    for arr in (a, n, meth, dc, start, first) + (() if rnd is None else (rnd,)):
        if arr.shape != (n_loans,):
            raise CalcError("bad_shape", "loans", "各列长度必须一致", "all columns must have the same length")
    max_fen = int(s.MAX_PRINCIPAL * 100)
    if ((p <= 0) | (p > max_fen)).any():
        _fail("principal_fen", (p <= 0) | (p > max_fen), f"必须在 1 到 {max_fen} 分之间",
              f"must be between 1 and {max_fen} fen")
    max_units = int(s.MAX_RATE * s.RATE_SCALE)
    if ((a < 0) | (a > max_units)).any():
        _fail("rate_units", (a < 0) | (a > max_units), f"必须在 0 到 {max_units} 之间",
              f"must be between 0 and {max_units}")
    if ((n < 1) | (n > s.MAX_TERM)).any():
        _fail("term_months", (n < 1) | (n > s.MAX_TERM), f"必须在 1 到 {s.MAX_TERM} 之间",
              f"must be between 1 and {s.MAX_TERM}")
    codes: tuple[tuple[str, Arr | None, int], ...] = (
        ("method", meth, 4), ("day_count", dc, 4), ("rounding", rnd, 3))
    for name, column, k in codes:
        if column is not None and ((column < 0) | (column >= k)).any():
            _fail(name, (column < 0) | (column >= k), "代码未知", "has an unknown code",
                  code=f"unknown_{name}")
    if np.isnat(start).any():
        _fail("start_date", np.isnat(start), "缺失", "is missing", code="not_date")
    has_first = ~np.isnat(first)
    if has_first.any():
        start_mi = _month_index(start)
        dom = (start - start_mi.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
        latest = _clamped_day(start_mi + 2, dom)
        fd = first.astype(np.int64)
        sd = start.astype(np.int64)
        bad = has_first & ((fd <= sd) | (fd > latest))
        if bad.any():
            _fail("first_due_date", bad, "必须晚于 start_date 且不超过两个月",
                  "must be after start_date and at most two months later")
    return p, a, n, meth, dc, start, first, rnd


def _apply_rounding(q: Arr, r: Arr, den: Arr, rnd: Arr | None) -> Arr:
    up = 2 * r >= den
    if rnd is None:
        return q + up
    even = (2 * r > den) | ((2 * r == den) & (q % 2 == 1))
    return q + np.where(rnd == _HALF_UP, up, np.where(rnd == _HALF_EVEN, even, False))


def _mul_div_round(x: Arr, m: Arr, den: Arr, rnd: Arr | None) -> Arr:
    """round(x * m / den) per element, exactly, without int64 overflow."""
    if x.size == 0:
        return x.copy()
    if int(x.max()) * int(m.max()) < 2**62:
        num = x * m
        q = num // den
        r = num - q * den
    else:
        # Float gives the quotient within 1; the remainder, computed with wrapping int64
        # arithmetic, is exact because its true value is small. Then correct q by whole steps.
        q = np.floor(x.astype(np.float64) * m.astype(np.float64) / den.astype(np.float64)).astype(np.int64)
        with np.errstate(over="ignore"):
            r = x * m - q * den
        for _ in range(8):
            lo, hi = r < 0, r >= den
            if not (lo.any() or hi.any()):
                break
            q = q - lo + hi
            r = r + den * lo - den * hi
        else:  # pragma: no cover - would mean the float estimate was off by more than 8
            raise ArithmeticError("interest quotient did not settle")
    return _apply_rounding(q, r, den, rnd)


def _level_payments(p: Arr, a: Arr, n: Arr, rnd: Arr | None) -> Arr:
    """等额本息 payments in fen; float where it is provably safe, Decimal where it is not."""
    codes = np.zeros(len(p), dtype=np.int8) if rnd is None else rnd
    out = np.empty(len(p), dtype=np.int64)
    zero = a == 0
    if zero.any():
        q, r = np.divmod(p[zero], n[zero])
        out[zero] = _apply_rounding(q, r, n[zero], codes[zero])
    nz = ~zero
    r = a[nz] / float(s.RATE_DEN * 12)
    y = p[nz] * r / -np.expm1(-n[nz] * np.log1p(r))
    f = np.floor(y)
    frac = y - f
    tol = y * 1e-9 + 1e-6
    down = codes[nz] == _DOWN
    amb = np.where(down, (frac <= tol) | (frac >= 1 - tol), np.abs(frac - 0.5) <= tol)
    out[nz] = (f + (~down & (frac > 0.5))).astype(np.int64)
    for i in np.flatnonzero(nz)[amb]:
        out[i] = s.level_payment_fen(int(p[i]), int(a[i]), int(n[i]), s.ROUNDINGS[codes[i]])
    return out


def bulk_schedules(loans: LoanColumns | Iterable[Mapping[str, Any]]) -> BulkSchedules:
    """Schedules of many loans; equal, row for row, to ``amortization_schedule`` on each loan."""
    cols = loans if isinstance(loans, LoanColumns) else LoanColumns.from_loans(loans)
    p, a, n, meth, dc, start, first, rnd = _checked(cols)
    n_loans = len(p)
    if n_loans == 0:
        empty = np.zeros(0, dtype=np.int64)
        return BulkSchedules(empty, empty, empty.astype("datetime64[D]"), empty, empty, empty, empty,
                             np.zeros(1, dtype=np.int64))

    # Per-loan set-up: anchor day, month index of "period 0", odd first period.
    start_day = start.astype(np.int64)
    start_mi = _month_index(start)
    start_dom = start_day - start_mi.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + 1
    regular_first = _clamped_day(start_mi + 1, start_dom)
    first_day = first.astype(np.int64)
    odd = ~np.isnat(first) & (first_day != regular_first)
    first_mi = np.where(odd, _month_index(np.where(odd, first, start)), 0)
    first_dom = np.where(odd, first_day - first_mi.astype("datetime64[M]").astype("datetime64[D]")
                         .astype(np.int64) + 1, 0)
    base_mi = np.where(odd, first_mi - 1, start_mi)
    anchor = np.where(odd, first_dom, start_dom)
    first_num30 = np.where(odd, 360 * (first_mi // 12 - start_mi // 12) + 30 * (first_mi % 12 - start_mi % 12)
                           + np.minimum(first_dom, 30) - np.minimum(start_dom, 30), 30)
    den = s.RATE_DEN * _YEAR_DEN[dc]
    pmt = np.zeros(n_loans, dtype=np.int64)
    ei = meth == _EI
    if ei.any():
        pmt[ei] = _level_payments(p[ei], a[ei], n[ei], None if rnd is None else rnd[ei])
    q, r = np.divmod(p, n)
    part = _apply_rounding(q, r, n, rnd)

    # Sort by term, longest first: the loans still running at period k are a prefix.
    order = np.argsort(-n, kind="stable")
    sp, sa, sn, sm, sdc, sden = p[order], a[order], n[order], meth[order], dc[order], den[order]
    s_pmt, s_part, s_base, s_anchor, s_num30 = pmt[order], part[order], base_mi[order], anchor[order], \
        first_num30[order]
    s_rnd = None if rnd is None else rnd[order]
    is30, is_aa, is_bullet = sdc == _D30, sdc == _ACTACT, sm == _BULLET
    is_ei, is_ep = sm == _EI, sm == _EP
    any_aa = bool(is_aa.any())
    max_n = int(sn[0])
    active = np.cumsum(np.bincount(sn, minlength=max_n + 1)[::-1])[::-1][1:]  # loans with n >= k
    step_start = np.concatenate(([0], np.cumsum(active)))
    total_steps = int(step_start[-1])

    # Lookup tables: first day of each month, and per year its 1 January and leap-year days before it.
    mi_lo = min(int(s_base.min()), int(start_mi.min()))  # an odd first period may start a month earlier
    mi_hi = int((s_base + sn).max()) + 1
    month_start = np.arange(mi_lo, mi_hi + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    y_lo, y_hi = mi_lo // 12 + _EPOCH_YEAR, mi_hi // 12 + _EPOCH_YEAR
    years = np.arange(y_lo, y_hi + 1)
    leap = ((years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))).astype(np.int64)
    jan1 = (years - _EPOCH_YEAR).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    leap_before = np.concatenate(([0], np.cumsum(366 * leap)))[:-1]

    def leap_days_before(day: Arr, mi: Arr) -> Arr:
        yi = mi // 12 + (_EPOCH_YEAR - y_lo)
        days: Arr = leap_before[yi] + leap[yi] * (day - jan1[yi])
        return days

    prev = start_day[order]
    prev_leap = leap_days_before(prev, start_mi[order]) if any_aa else None
    balance = sp.copy()
    acc = np.zeros(n_loans, dtype=np.int64)
    buf_due = np.empty(total_steps, dtype=np.int64)
    buf_prin = np.empty(total_steps, dtype=np.int64)
    buf_int = np.empty(total_steps, dtype=np.int64)
    buf_bal = np.empty(total_steps, dtype=np.int64)

    for k in range(1, max_n + 1):
        c = int(active[k - 1])
        mi = s_base[:c] + k
        idx = mi - mi_lo
        ms = month_start[idx]
        due = ms + np.minimum(s_anchor[:c], month_start[idx + 1] - ms) - 1
        act = due - prev[:c]
        num = np.where(is30[:c], s_num30[:c] if k == 1 else 30, act)
        if any_aa:
            assert prev_leap is not None
            lb = leap_days_before(due, mi)
            num = np.where(is_aa[:c], 366 * act - (lb - prev_leap[:c]), num)
            prev_leap[:c] = lb
        prev[:c] = due
        acc[:c] += num
        bal = balance[:c]
        b = is_bullet[:c]
        interest = _mul_div_round(bal, sa[:c] * np.where(b, acc[:c], num), sden[:c],
                                  None if s_rnd is None else s_rnd[:c])
        prin = np.where(is_ei[:c], np.clip(s_pmt[:c] - interest, 0, bal),
                        np.where(is_ep[:c], np.minimum(s_part[:c], bal), 0))
        prin = np.where(sn[:c] == k, bal, prin)
        balance[:c] = bal - prin
        lo = int(step_start[k - 1])
        buf_due[lo:lo + c] = due
        buf_prin[lo:lo + c] = prin
        buf_int[lo:lo + c] = interest
        buf_bal[lo:lo + c] = balance[:c]

    # Gather the rows in (loan, number) order; a bullet loan keeps only its last step.
    bullet = meth == _BULLET
    rows = np.where(bullet, 1, n)
    offsets = np.concatenate(([0], np.cumsum(rows)))
    loan = np.repeat(np.arange(n_loans, dtype=np.int64), rows)
    number = np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(offsets[:-1], rows) + 1
    rank = np.empty(n_loans, dtype=np.int64)
    rank[order] = np.arange(n_loans)
    step = np.where(bullet[loan], n[loan], number)
    src = step_start[step - 1] + rank[loan]
    principal, interest = buf_prin[src], buf_int[src]
    return BulkSchedules(loan, number, buf_due[src].view("datetime64[D]"), principal, interest,
                         principal + interest, buf_bal[src], offsets)

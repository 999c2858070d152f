"""Synthetic, reproducible data for the benchmarks: loans and fund cash flows.

Shaped after the platform's book: IP-pledge loans of 0.1-10 million yuan over 6-60 months
(about 23 rows a loan on average), mostly equal-installment 30/360; sub-funds that call capital
for a few years and then distribute, valued at NAV at the end.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from finance.calc import DAY_COUNTS, METHODS, LoanColumns

TERMS = np.array([6, 12, 18, 24, 36, 48, 60])
TERM_WEIGHTS = np.array([0.10, 0.28, 0.15, 0.17, 0.15, 0.06, 0.09])
METHOD_WEIGHTS = np.array([0.50, 0.25, 0.20, 0.05])  # in METHODS order
DAY_COUNT_WEIGHTS = np.array([0.70, 0.15, 0.10, 0.05])  # in DAY_COUNTS order


def synthetic_loan_columns(n: int, seed: int = 0) -> LoanColumns:
    """``n`` loans as columns, ready for ``bulk_schedules``."""
    rng = np.random.default_rng(seed)
    principal_yuan = np.round(np.exp(rng.uniform(np.log(1e5), np.log(1e7), n)) / 1000) * 1000
    start = np.datetime64("2019-01-01") + rng.integers(0, 7 * 365, n).astype("timedelta64[D]")
    odd = rng.random(n) < 0.10
    first_due = np.where(odd, start + rng.integers(15, 46, n).astype("timedelta64[D]"), np.datetime64("NaT"))
    return LoanColumns(
        principal_fen=(principal_yuan * 100).astype(np.int64),
        rate_units=rng.integers(50, 161, n).astype(np.int64) * 500,  # 2.50 % .. 8.00 % in 0.05 % steps
        term_months=rng.choice(TERMS, n, p=TERM_WEIGHTS).astype(np.int64),
        method=rng.choice(len(METHODS), n, p=METHOD_WEIGHTS).astype(np.int8),
        day_count=rng.choice(len(DAY_COUNTS), n, p=DAY_COUNT_WEIGHTS).astype(np.int8),
        start_date=start,
        first_due_date=first_due.astype("datetime64[D]"),
    )


def loans_from_columns(cols: LoanColumns) -> list[dict]:
    """The same loans as keyword dicts for ``amortization_schedule``."""
    out = []
    for i in range(len(cols)):
        first = cols.first_due_date[i] if cols.first_due_date is not None else np.datetime64("NaT")
        loan = dict(
            principal=Decimal(int(cols.principal_fen[i])).scaleb(-2),
            annual_rate=Decimal(int(cols.rate_units[i])).scaleb(-4),
            term_months=int(cols.term_months[i]),
            method=METHODS[cols.method[i]],
            day_count=DAY_COUNTS[cols.day_count[i]],
            start_date=cols.start_date[i].item(),
        )
        if not np.isnat(first):
            loan["first_due_date"] = first.item()
        out.append(loan)
    return out


def synthetic_loans(n: int, seed: int = 0) -> list[dict]:
    return loans_from_columns(synthetic_loan_columns(n, seed))


def synthetic_fund_columns(n_funds: int, seed: int = 0):
    """Cash flows of ``n_funds`` funds as ``(fund, dates, amounts_fen)`` columns, LP view.

    Each fund: 3-8 capital calls (negative) over its first years, 3-14 distributions (positive)
    afterwards, and the ending NAV as a final positive flow, so every fund has an IRR.
    """
    rng = np.random.default_rng(seed)
    calls = rng.integers(3, 9, n_funds)
    dists = rng.integers(3, 15, n_funds)
    per_fund = calls + dists + 1
    fund = np.repeat(np.arange(n_funds), per_fund)
    first = np.concatenate(([0], np.cumsum(per_fund)))[:-1]
    k = np.arange(len(fund)) - first[fund]
    is_call = k < calls[fund]
    gaps = rng.integers(30, 240, len(fund))
    gaps[first] = 0
    start = np.datetime64("2012-01-01") + rng.integers(0, 8 * 365, n_funds).astype("timedelta64[D]")
    offsets = np.cumsum(gaps) - np.cumsum(gaps)[first][fund]
    dates = start[fund] + offsets.astype("timedelta64[D]")
    size = np.exp(rng.uniform(np.log(5e6), np.log(5e8), n_funds))  # commitment in yuan
    multiple = rng.uniform(0.6, 2.6, n_funds)
    weights = rng.uniform(0.5, 1.5, len(fund))
    call_share = weights * is_call / np.bincount(fund, weights * is_call)[fund]
    out_share = weights * ~is_call / np.bincount(fund, weights * ~is_call)[fund]
    amount = np.where(is_call, -size[fund] * call_share, size[fund] * multiple[fund] * out_share)
    return fund, dates, np.round(amount * 100).astype(np.int64)


def synthetic_funds(n_funds: int, seed: int = 0) -> list[list[tuple[dt.date, Decimal]]]:
    """The same funds as lists of ``(date, Decimal amount)`` for ``xirr``."""
    fund, dates, amounts = synthetic_fund_columns(n_funds, seed)
    out: list[list] = [[] for _ in range(n_funds)]
    for f, d, a in zip(fund.tolist(), dates.tolist(), amounts.tolist(), strict=True):
        out[f].append((d, Decimal(a).scaleb(-2)))
    return out

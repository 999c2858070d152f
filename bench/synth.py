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


def synthetic_fund_book(n_funds: int, flows_per_fund: int = 50, n_holdings: int = 2000, seed: int = 0):
    """A book of sub-funds as the frames ``funds.performance`` takes (amounts in integer fen).

    Per fund: ``flows_per_fund`` LP flows over ten years (calls in the first six years, distributions
    from year three, so calls and distributions interleave as in real funds), a quarterly NAV, the
    portfolio's flows (``n_holdings`` investments spread over the funds, half exited) and a quarterly
    index. Returns a dict of pandas frames: funds, flows, navs, gross, values, holdings, index.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    fund_ids = np.arange(n_funds)
    vintage = np.datetime64("2015-01-01") + rng.integers(0, 365 * 3, n_funds).astype("timedelta64[D]")
    size = rng.integers(2, 20, n_funds) * 100_000_000 * 100  # fen
    guidance = (size * rng.uniform(0.1, 0.3, n_funds)).astype(np.int64)
    f = np.repeat(fund_ids, flows_per_fund)
    is_call = rng.random(f.size) < 0.45
    offset = np.where(is_call, rng.integers(0, 365 * 6, f.size), rng.integers(365 * 3, 365 * 10, f.size))
    dates = vintage[f] + offset.astype("timedelta64[D]")
    amount = (rng.uniform(0.005, 0.05, f.size) * size[f]).astype(np.int64)
    flows = pd.DataFrame({"fund": f, "date": dates, "amount": np.where(is_call, -amount, amount)})
    nav_date = np.datetime64("2025-12-31")
    navs = pd.DataFrame({"fund": fund_ids, "date": nav_date,
                         "nav": (size * rng.uniform(0.2, 1.2, n_funds)).astype(np.int64)})
    h_fund = rng.integers(0, n_funds, n_holdings)
    h_amount = (size[h_fund] * rng.uniform(0.01, 0.12, n_holdings)).astype(np.int64)
    h_date = vintage[h_fund] + rng.integers(30, 365 * 5, n_holdings).astype("timedelta64[D]")
    exited = rng.random(n_holdings) < 0.5
    x_date = h_date + rng.integers(365, 365 * 5, n_holdings).astype("timedelta64[D]")
    gross = pd.DataFrame({"fund": np.concatenate([h_fund, h_fund[exited]]),
                          "date": np.concatenate([h_date, x_date[exited]]),
                          "amount": np.concatenate([-h_amount, (h_amount[exited] * rng.uniform(0.3, 4, exited.sum()))
                                                    .astype(np.int64)])})
    live = ~exited
    values = (pd.DataFrame({"fund": h_fund[live], "value": (h_amount[live] * rng.uniform(0.5, 3, live.sum()))
                            .astype(np.int64)}).groupby("fund")["value"].sum().reset_index())
    values["date"] = nav_date
    holdings = pd.DataFrame({"fund": h_fund, "amount": h_amount, "in_shandong": rng.random(n_holdings) < 0.8,
                             "converts": rng.random(n_holdings) < 0.6})
    q = pd.date_range("2014-12-31", "2026-03-31", freq="QE")
    index = pd.Series(3000 * np.cumprod(1 + rng.normal(0.01, 0.06, len(q))), index=q)
    funds = pd.DataFrame({"fund": fund_ids, "size": size, "guidance": guidance})
    return {"funds": funds, "flows": flows, "navs": navs, "gross": gross, "values": values[["fund", "date", "value"]],
            "holdings": holdings, "index": index}


def synthetic_loan_file(n: int, seed: int = 0, disbursed_before: dt.date = dt.date(2026, 1, 1)) -> bytes:
    """A bank's bulk file of ``n`` loans as UTF-8 CSV with the Chinese template headers (loans/files.py).

    Valid by construction: distinct references, borrowers (about n/4 enterprises with valid credit codes),
    invention patents with correct check digits, principal at ≤ 25% of the appraisal, terms ≤ 36 months.
    """
    from stdnum.cn import uscc

    from finance.calc.identifiers import patent_check_char

    rng = np.random.default_rng(seed)
    headers = ["贷款编号", "借款企业统一社会信用代码", "借款企业名称", "贷款本金", "币种", "年利率(%)", "期限(月)",
               "还款方式", "计息基准", "放款日期", "质押物类型", "质押物编号", "评估价值", "质押登记号"]
    n_firms = max(1, n // 4)
    firm = rng.integers(0, n_firms, n)
    principal = np.round(np.exp(rng.uniform(np.log(1e5), np.log(5e6), n)) / 1000) * 1000
    appraisal = principal * 4 + np.round(rng.uniform(0, 1e6, n) / 1000) * 1000
    terms = rng.choice(np.array([6, 12, 18, 24, 36]), n, p=[0.1, 0.35, 0.15, 0.2, 0.2])
    methods = rng.choice(np.array(["等额本息", "等额本金", "先息后本", "到期一次还本付息"]), n, p=[0.5, 0.25, 0.2, 0.05])
    rates = rng.choice(np.array(["3.45", "3.85", "4.35", "4.75", "5.5"]), n)
    start = np.datetime64(disbursed_before) - rng.integers(1, 3 * 365, n).astype("timedelta64[D]")
    codes = {}
    lines = [",".join(headers)]
    for i in range(n):
        f = int(firm[i])
        code = codes.get(f)
        if code is None:
            body = f"91370100MB{f:07d}"
            code = codes[f] = body + uscc.calc_check_digit(body)
        digits = f"2018{1}{(seed * 10_000_000 + i) % 10_000_000:07d}"
        lines.append(f"B{seed}-{i:07d},{code},合成科技{f:06d}有限公司,{principal[i]:.2f},CNY,{rates[i]},{terms[i]},"
                     f"{methods[i]},30/360,{start[i]},发明专利,{digits}.{patent_check_char(digits)},{appraisal[i]:.2f},"
                     f"Y{i:09d}")
    return ("\n".join(lines) + "\n").encode()


def synthetic_pool_book(n_loans: int, n_pools: int, n_banks: int = 20, seed: int = 0) -> dict:
    """Loans spread over risk-compensation pools and banks, for the pool benchmark.

    Principals 0.1-5 million yuan (log-uniform, whole thousands); claimed loss 30-100 % of the principal;
    about 12 % of the loans are R&D credit loans (the pool's 90 % government share).
    """
    rng = np.random.default_rng(seed)
    principal = np.round(np.exp(rng.uniform(np.log(1e5), np.log(5e6), n_loans)) / 1000) * 1000
    loss = np.round(principal * rng.uniform(0.3, 1.0, n_loans), 2)
    return {"principal": principal, "loss": loss, "pool": rng.integers(0, n_pools, n_loans),
            "bank": rng.integers(0, n_banks, n_loans), "rd_credit": rng.random(n_loans) < 0.12}


def synthetic_pool_portfolio(n_loans: int, seed: int = 0) -> dict:
    """A pool's covered book for the stress test: exposure, five-category class, the pool's share of a loss."""
    rng = np.random.default_rng(seed)
    exposure = np.round(np.exp(rng.uniform(np.log(1e5), np.log(5e6), n_loans)) / 1000) * 1000
    classes = rng.choice(["normal", "special_mention", "substandard", "doubtful"], n_loans,
                         p=[0.90, 0.06, 0.03, 0.01])
    gov_share = np.where(rng.random(n_loans) < 0.12, 0.9, 0.7)
    return {"exposure": exposure, "classes": classes, "gov_share": gov_share}

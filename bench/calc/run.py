"""Bulk schedules vs plain numpy-financial, and vectorised XIRR vs a pyxirr loop, in one run.

Both sides of each comparison get their inputs prepared outside the timing and are timed
alternately, best of ``--repeat``, so the ratio is meaningful on a noisy machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time

import numpy as np
import numpy_financial as npf
import pyxirr

from bench.synth import loans_from_columns, synthetic_fund_columns, synthetic_loan_columns
from finance.calc import amortization_schedule, bulk_schedules, xirr_columns


def best_of(repeat: int, *fns):
    """Run the functions alternately ``repeat`` times; the best time of each and its last result."""
    times = [float("inf")] * len(fns)
    results = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            results[i] = fn()
            times[i] = min(times[i], time.perf_counter() - t)
    return times, results


def npf_schedules(principal, annual_rate, terms):
    """The plain float computation: every row's payment, interest and principal, level payment."""
    rows = terms
    rate = np.repeat(annual_rate / 1200.0, rows)
    nper = np.repeat(terms, rows).astype(np.float64)
    pv = -np.repeat(principal, rows)
    first = np.concatenate(([0], np.cumsum(rows)))[:-1]
    per = np.arange(int(rows.sum())) - np.repeat(first, rows) + 1
    return npf.pmt(rate, nper, pv), npf.ipmt(rate, per, nper, pv), npf.ppmt(rate, per, nper, pv)


def machine() -> str:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, Python "
            f"{platform.python_version()}, numpy {np.__version__}, numpy-financial {npf.__version__}, "
            f"pyxirr {pyxirr.__version__}")


def bench_schedules(n_loans: int, repeat: int, seed: int) -> None:
    cols = synthetic_loan_columns(n_loans, seed)
    principal = cols.principal_fen / 100.0
    annual = cols.rate_units / 10_000.0
    terms = cols.term_months
    (t_bulk, t_npf), (out, _) = best_of(repeat, lambda: bulk_schedules(cols),
                                        lambda: npf_schedules(principal, annual, terms))
    print(f"schedules: {n_loans:,} loans, {len(out):,} rows (numpy-financial: {int(terms.sum()):,} rows)")
    print(f"  bulk_schedules (exact, integer fen) {t_bulk:8.3f} s")
    print(f"  numpy-financial pmt/ipmt/ppmt (float) {t_npf:6.3f} s")
    print(f"  ratio bulk / numpy-financial        {t_bulk / t_npf:8.2f}x")

    # Exactness on a sample, and the scalar path's speed for scale.
    sample = random.Random(seed).sample(range(n_loans), min(2000, n_loans))
    loans = loans_from_columns(cols)
    t = time.perf_counter()
    scalar = [amortization_schedule(**loans[i]) for i in sample]
    t_scalar = time.perf_counter() - t
    mismatches = sum(out.installments(i) != rows for i, rows in zip(sample, scalar, strict=True))
    print(f"  sample of {len(sample):,} loans vs amortization_schedule: {mismatches} mismatching loans")
    print(f"  amortization_schedule, one loan at a time: {t_scalar / len(sample) * 1e6:.0f} us a loan "
          f"(~{t_scalar / len(sample) * n_loans:.1f} s for all)")
    t = time.perf_counter()
    bulk_schedules(loans)
    print(f"  bulk_schedules from {n_loans:,} dicts (validation per loan included): "
          f"{time.perf_counter() - t:.3f} s")


def bench_xirr(n_funds: int, repeat: int, seed: int) -> None:
    fund, dates, amounts = synthetic_fund_columns(n_funds, seed)
    bounds = np.searchsorted(fund, np.arange(n_funds + 1))
    per_fund = [(dates[a:b].tolist(), (amounts[a:b] / 100.0).tolist()) for a, b in zip(bounds, bounds[1:],
                                                                                      strict=False)]

    def loop():
        return [pyxirr.xirr(d, a, silent=True) for d, a in per_fund]

    (t_vec, t_loop), (vec, ref) = best_of(repeat, lambda: xirr_columns(fund, dates, amounts, n_funds), loop)
    ref = np.array([np.nan if r is None else r for r in ref])
    diff = np.nanmax(np.abs(vec - ref))
    print(f"xirr: {n_funds:,} funds, {len(fund):,} flows")
    print(f"  xirr_columns (vectorised Newton)    {t_vec:8.3f} s")
    print(f"  loop of pyxirr.xirr                 {t_loop:8.3f} s")
    print(f"  ratio xirr_columns / pyxirr loop    {t_vec / t_loop:8.2f}x")
    print(f"  max |difference| {diff:.2e}; NaN agree: {bool((np.isnan(vec) == np.isnan(ref)).all())}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--funds", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    print(machine())
    bench_schedules(args.loans, args.repeat, args.seed)
    bench_xirr(args.funds, args.repeat, args.seed)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Fund performance and compliance for every fund: ``funds.performance`` (the code the pages and the API use)
against plain pandas + a pyxirr loop on the same synthetic data, timed alternately in one run (best of N).

    .venv/bin/python -m bench.funds [--repeat 5] [--scale 1 10]
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from decimal import Decimal

import numpy as np
import pandas as pd
import pyxirr

from bench.synth import synthetic_fund_book
from funds.performance import compliance_frame, fund_performance

PARAMS = dict(reinvestment_ratio=Decimal("1"), use_multiple=Decimal("3"), use_share=Decimal("50"),
              single_deal_max=Decimal("20"), near_margin=Decimal("10"))


def contender(book):
    perf = fund_performance(book["flows"], book["navs"], gross_flows=book["gross"], gross_values=book["values"],
                            index=book["index"], funds=book["funds"]["fund"])
    comp = compliance_frame(book["funds"], book["holdings"], **PARAMS)
    return perf, comp


def baseline(book):
    """What one writes with pandas and pyxirr without thinking about vectorisation: a loop over funds."""
    idx = book["index"]
    navs = book["navs"].set_index("fund")
    values = book["values"].set_index("fund")
    gross = dict(tuple(book["gross"].groupby("fund")))
    rows = {}
    for fund, fl in book["flows"].groupby("fund"):
        amt = fl["amount"]
        pic, dist = -amt[amt < 0].sum(), amt[amt > 0].sum()
        nav_date, nav = navs.loc[fund, "date"], navs.loc[fund, "nav"]
        net = pyxirr.xirr(list(fl["date"]) + [nav_date], list(amt.astype(float)) + [float(nav)], silent=True)
        g = gross.get(fund)
        gr = None
        if g is not None:
            gv = values.loc[fund] if fund in values.index else None
            gd = list(g["date"]) + ([gv["date"]] if gv is not None else [])
            ga = list(g["amount"].astype(float)) + ([float(gv["value"])] if gv is not None else [])
            gr = pyxirr.xirr(gd, ga, silent=True)
        end = idx.asof(pd.Timestamp(nav_date))
        lv = np.array([idx.asof(pd.Timestamp(d)) for d in fl["date"]])
        grown = amt.to_numpy() * end / lv
        pme = (grown[amt > 0].sum() + nav) / -grown[amt < 0].sum()
        rows[fund] = dict(pic=pic, distributed=dist, nav=nav, dpi=dist / pic, rvpi=nav / pic, tvpi=(dist + nav) / pic,
                          net_irr=net, gross_irr=gr, ks_pme=pme)
    perf = pd.DataFrame.from_dict(rows, orient="index")
    h = book["holdings"]
    comp = book["funds"].set_index("fund").join(pd.DataFrame({
        "in_province": h[h["in_shandong"]].groupby("fund")["amount"].sum(),
        "conversion": h[h["converts"]].groupby("fund")["amount"].sum(),
        # the single-deal rule is per company: follow-ons add to the first round
        "largest": h.groupby(["fund", "company"])["amount"].sum().groupby(level="fund").max()})).fillna(0)
    comp["reinvest_ok"] = comp["in_province"] >= comp["guidance"] * 1
    comp["use_ok"] = comp["conversion"] >= np.maximum(comp["guidance"] * 3, comp["size"] * 0.5)
    comp["single_ok"] = comp["largest"] <= comp["size"] * 0.2
    return perf, comp


def best_of(repeat, *fns):
    times, results = [float("inf")] * len(fns), [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            results[i] = fn()
            times[i] = min(times[i], time.perf_counter() - t)
    return times, results


def main(argv=None):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance.settings")
    django.setup()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scale", type=int, nargs="+", default=[1, 10])
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()} · pandas {pd.__version__} · numpy {np.__version__} · "
          f"pyxirr {pyxirr.__version__} · {os.cpu_count()} CPUs")
    print("| input | funds.performance | pandas + pyxirr loop | ratio |")
    print("|---|---|---|---|")
    for scale in args.scale:
        book = synthetic_fund_book(200 * scale, 50, 2000 * scale, seed=scale)
        h = book["holdings"]  # a third of the investments are follow-ons in a company already held
        book["holdings"] = h.assign(company=np.arange(len(h)) % max(1, (2 * len(h)) // 3))
        (t_c, t_b), (res_c, res_b) = best_of(args.repeat, lambda b=book: contender(b), lambda b=book: baseline(b))
        perf_c, perf_b = res_c[0], res_b[0]
        both = perf_b["net_irr"].notna() & perf_c["net_irr"].notna()
        diff = float(np.nanmax(np.abs(perf_c.loc[both.index[both], "net_irr"] - perf_b.loc[both, "net_irr"].astype(float))))
        assert diff < 1e-8, f"net IRR differs by {diff}"
        assert (perf_c["pic"] == perf_b["pic"]).all()
        pme = float(np.nanmax(np.abs(perf_c["ks_pme"] - perf_b["ks_pme"].astype(float))))
        assert pme < 1e-9, f"KS-PME differs by {pme}"
        comp_c, comp_b = res_c[1], res_b[1]
        assert (comp_c["largest"] == comp_b["largest"].reindex(comp_c.index).astype(np.int64)).all()
        print(f"| {200 * scale} funds × 50 flows, {2000 * scale} holdings | {t_c * 1000:.1f} ms | {t_b * 1000:.1f} ms | "
              f"{t_c / t_b:.2f} |")
    sys.stdout.flush()

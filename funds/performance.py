"""Fund performance and compliance for many funds at once: the one place pages, the API and the benchmark use.

Inputs are flat pandas frames with amounts in integer fen (exact sums); the ratios and IRRs come out as floats
from a vectorised kernel (``finance.calc.xirr_columns``) and are rounded to 4 places for display.

Sign convention (ILPA, LP point of view): contributions negative, distributions positive.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from finance.calc import xirr_columns
from finance.core.money import percent_to_fraction

FLOW_COLUMNS = ["fund", "date", "amount"]  # amount: int64 fen
NAV_COLUMNS = ["fund", "date", "nav"]  # the latest NAV per fund is used


def _latest(navs: pd.DataFrame, value: str) -> pd.DataFrame:
    if navs.empty:
        return pd.DataFrame(columns=["date", value]).rename_axis("fund")
    navs = navs.sort_values(["fund", "date"], kind="stable")
    return navs.groupby("fund").tail(1).set_index("fund")[["date", value]]


def _irr(flows: pd.DataFrame, terminal: pd.DataFrame, value: str, funds: pd.Index) -> pd.Series:
    """XIRR per fund of the flows plus the terminal value as a last inflow."""
    codes = pd.Series(np.arange(len(funds)), index=funds)
    parts = [flows[["fund", "date", "amount"]]]
    if not terminal.empty:
        parts.append(terminal.reset_index().rename(columns={value: "amount"})[["fund", "date", "amount"]])
    allf = pd.concat(parts, ignore_index=True)
    allf = allf[allf["fund"].isin(funds) & (allf["amount"] != 0)]
    if allf.empty:
        return pd.Series(np.nan, index=funds)
    rates = xirr_columns(codes.loc[allf["fund"]].to_numpy(), allf["date"].to_numpy(dtype="datetime64[D]"),
                         allf["amount"].to_numpy(dtype=np.float64), n_funds=len(funds))
    return pd.Series(rates, index=funds)


def _index_levels(index: pd.Series, dates: np.ndarray) -> np.ndarray:
    """The index level on or before each date (NaN before the series starts)."""
    idx_dates = index.index.to_numpy(dtype="datetime64[D]")
    pos = np.searchsorted(idx_dates, dates.astype("datetime64[D]"), side="right") - 1
    levels = index.to_numpy(dtype=np.float64)
    out = np.where(pos >= 0, levels[np.clip(pos, 0, None)], np.nan)
    return out


def fund_performance(flows: pd.DataFrame, navs: pd.DataFrame, *, gross_flows: pd.DataFrame | None = None,
                     gross_values: pd.DataFrame | None = None, index: pd.Series | None = None,
                     funds=None) -> pd.DataFrame:
    """PIC, distributions, NAV, DPI, RVPI, TVPI, net IRR, gross IRR and KS-PME for every fund.

    ``flows``: LP flows (fund, date, amount fen). ``navs``: (fund, date, nav fen), latest per fund used as
    the residual value and the IRR's terminal flow. ``gross_flows``/``gross_values``: portfolio-level flows
    (investments negative, proceeds positive) and the holdings' value, for the gross IRR. ``index``: levels
    by date (sorted), for the Kaplan-Schoar PME (level on or before each flow date).
    """
    flows = flows if not flows.empty else pd.DataFrame({c: pd.Series(dtype="int64") for c in FLOW_COLUMNS})
    if funds is None:
        funds = pd.Index(sorted(set(flows["fund"]) | set(navs["fund"] if not navs.empty else [])),
                         name="fund")
    else:
        funds = pd.Index(funds, name="fund")
    amt = flows["amount"].to_numpy(dtype=np.int64)
    by_fund = flows.assign(paid=np.where(amt < 0, -amt, 0), dist=np.where(amt > 0, amt, 0)).groupby("fund")
    pic = by_fund["paid"].sum().reindex(funds, fill_value=0).astype(np.int64)
    dist = by_fund["dist"].sum().reindex(funds, fill_value=0).astype(np.int64)
    last = _latest(navs, "nav")
    nav = last["nav"].reindex(funds, fill_value=0).astype(np.int64)
    out = pd.DataFrame({"pic": pic, "distributed": dist, "nav": nav}, index=funds)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = np.where(pic > 0, pic, np.nan)
        out["dpi"] = dist / denom
        out["rvpi"] = nav / denom
        out["tvpi"] = (dist + nav) / denom
    out["net_irr"] = _irr(flows, last, "nav", funds)
    if gross_flows is not None and not gross_flows.empty:
        gv = _latest(gross_values if gross_values is not None else pd.DataFrame(columns=["fund", "date",
                                                                                         "value"]),
                     "value")
        out["gross_irr"] = _irr(gross_flows, gv, "value", funds)
    else:
        out["gross_irr"] = np.nan
    out["ks_pme"] = np.nan
    if index is not None and len(index) and not flows.empty and not last.empty:
        end_dates = last["date"].reindex(flows["fund"]).to_numpy(dtype="datetime64[D]")
        lvl = _index_levels(index, flows["date"].to_numpy(dtype="datetime64[D]"))
        end = _index_levels(index, end_dates)
        grown = amt * (end / lvl)
        g = pd.DataFrame({"fund": flows["fund"].to_numpy(), "in": np.where(amt < 0, -grown, 0.0),
                          "out": np.where(amt > 0, grown, 0.0)}).groupby("fund").sum(min_count=1)
        g = g.reindex(funds)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["ks_pme"] = ((g["out"] + nav.astype(np.float64)) / g["in"].where(g["in"] > 0)).to_numpy()
    return out


def compliance_frame(funds: pd.DataFrame, holdings: pd.DataFrame, *, reinvestment_ratio: Decimal,
                     use_multiple: Decimal, use_share: Decimal, single_deal_max: Decimal,
                     near_margin: Decimal) -> pd.DataFrame:
    """Compliance figures per fund (fen) and their status: ``ok``, ``near`` (within the margin) or ``breach``.

    ``funds``: fund, size, guidance (fen). ``holdings``: fund, amount (fen), in_shandong, converts and
    (optional) company.
    - reinvestment (返投): in-province investments ≥ ratio × guidance money;
    - use: investments in conversion firms ≥ multiple × guidance money and ≥ share % of the fund size;
    - single deal: the largest total in one company ≤ single_deal_max % of the fund size.
    Thresholds are rounded half-up to the fen.
    """
    f = funds.set_index("fund")
    h = holdings
    amt = h["amount"].to_numpy(dtype=np.int64)
    g = pd.DataFrame({"fund": h["fund"].to_numpy(), "invested": amt,
                      "in_province": np.where(h["in_shandong"].to_numpy(dtype=bool), amt, 0),
                      "conversion": np.where(h["converts"].to_numpy(dtype=bool), amt, 0)}).groupby("fund")
    # The single-deal rule is per company: a follow-on adds to the first round (without a company column,
    # each row is its own company).
    company = h["company"].to_numpy() if "company" in h else np.arange(len(h))
    per_company = pd.DataFrame({"fund": h["fund"].to_numpy(), "company": company, "largest": amt})
    largest = per_company.groupby(["fund", "company"])["largest"].sum().groupby(level="fund").max()
    agg = g[["invested", "in_province", "conversion"]].sum().join(largest)
    out = f.join(agg).fillna(0)
    for c in ("invested", "in_province", "conversion", "largest"):
        out[c] = out[c].astype(np.int64)

    def fen_of(x: pd.Series, factor: Decimal) -> pd.Series:
        # exact: integer fen × a Decimal factor, rounded half-up (factors have few decimals: scale by 10^6)
        scaled = int((factor * 1_000_000).to_integral_value())
        return (x.astype(np.int64) * scaled + 500_000) // 1_000_000

    out["reinvest_required"] = fen_of(out["guidance"], reinvestment_ratio)
    out["use_required"] = np.maximum(fen_of(out["guidance"], use_multiple),
                                     fen_of(out["size"], percent_to_fraction(use_share)))
    out["single_cap"] = fen_of(out["size"], percent_to_fraction(single_deal_max))
    # "near" within the margin, exactly: the margin as an integer ratio and the fen as Python integers (a
    # float margin would misplace a fund sitting on the boundary; int64 could overflow for the largest funds)
    num, den = percent_to_fraction(near_margin).as_integer_ratio()

    def scaled(x: pd.Series, factor: int) -> np.ndarray:
        return np.array([int(v) * factor for v in x], dtype=object)

    def minimum(actual, required):
        near = scaled(actual, den) < scaled(required, den + num)
        return np.select([actual < required, near.astype(bool)], ["breach", "near"], "ok")

    out["reinvest_status"] = minimum(out["in_province"], out["reinvest_required"])
    out["use_status"] = minimum(out["conversion"], out["use_required"])
    near_cap = scaled(out["largest"], den) > scaled(out["single_cap"], den - num)
    out["single_status"] = np.select([out["largest"] > out["single_cap"], near_cap.astype(bool)],
                                     ["breach", "near"], "ok")
    return out


def to_decimal_fen(x) -> Decimal:
    return (Decimal(int(x)) / 100).quantize(Decimal("0.01"))


RATIO_PLACES = Decimal("0.0001")


def ratio(x) -> Decimal | None:
    """A float figure (DPI, RVPI, TVPI, IRR, PME) to four places, half-up like every figure (四舍五入) — the
    sub-fund pages, the API and the quarterly report all round through here, so they never differ by a tie."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)) or pd.isna(x):
        return None
    return Decimal(repr(float(x))).quantize(RATIO_PLACES, ROUND_HALF_UP)


def as_dates(values) -> np.ndarray:
    return np.array([v if isinstance(v, dt.date) else v for v in values], dtype="datetime64[D]")

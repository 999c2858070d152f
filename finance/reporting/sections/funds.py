"""Section ``funds``: per sub-fund, the guidance fund's look-through, and the ILPA capital account per LP.

Everything as of the quarter end E: commitments made by E, call lines paid by E, distributions paid by E, the
latest NAV on or before E (a later NAV is ignored), holdings invested by E, index levels up to E. The figures
go through ``funds.performance.fund_performance`` (vectorised XIRR of ``finance.calc``) and
``compliance_frame`` with the policy in force at E.

Capital account per LP for the quarter (ILPA): beginning + contributions − distributions − fees ± gains =
ending, where the fund's value at a date is its NAV on or before that date (paid-in − distributed when it has
none), split over the LPs pro rata to their paid-in at that date (``finance.calc.allocate``, exact to the
fen); fees are the accruals whose period ends in the quarter, split the same way; gains are the change in
value the flows do not explain (net of carried interest). ``capital_account_check`` verifies each line and
that the columns reconcile with the fund's value and with the LP capital accounts on the ledger; publishing
refuses a report that fails it.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd
from django.db.models import Q

from finance.calc import allocate
from finance.ledger.models import Posting, Side
from finance.policy.selectors import PolicyHistory, PolicyUse
from funds.models import (
    CapitalCallLine,
    Commitment,
    DistributionLine,
    FeeAccrual,
    GuidanceFund,
    Holding,
    IndexLevel,
    IndexSeries,
    LPKind,
    NavReport,
    SubFund,
)
from funds.performance import compliance_frame, fund_performance

from ..figures import fen_half_up_div, fen_of, fen_sum, float_ratio, frame, yuan
from ..quarters import Quarter
from ..scopes import Scope, ScopeKind

MONEY_KEYS = ("committed", "paid_in", "unfunded", "distributed", "nav")


def fund_filter(scope: Scope) -> Q:
    if scope.kind == ScopeKind.CITY:
        return Q(region=scope.city)
    if scope.kind == ScopeKind.SUB_FUND:
        return Q(pk=scope.id)
    return Q()


def _flows(ids, upto, since=None) -> pd.DataFrame:
    """LP flows per fund and date (fen; contributions negative), dated ≤ ``upto`` (and ≥ ``since``)."""
    calls = CapitalCallLine.objects.filter(
        call__sub_fund_id__in=ids, paid_on__isnull=False, paid_on__lte=upto
    )
    dists = DistributionLine.objects.filter(
        distribution__sub_fund_id__in=ids, distribution__paid_on__lte=upto
    )
    c = frame(calls.values("call__sub_fund_id", "paid_on").annotate(s=fen_sum("amount"))
              .values_list("call__sub_fund_id", "paid_on", "s"), ["fund", "date", "amount"], ints=("amount",))
    d = frame(
        dists.values("distribution__sub_fund_id", "distribution__paid_on")
        .annotate(s=fen_sum("amount"))
        .values_list("distribution__sub_fund_id", "distribution__paid_on", "s"),
        ["fund", "date", "amount"],
        ints=("amount",),
    )
    c["amount"] = -c["amount"]
    return pd.concat([c, d], ignore_index=True) if len(d) else c


def _navs(ids, upto) -> pd.DataFrame:
    return frame(NavReport.objects.filter(sub_fund_id__in=ids, as_of__lte=upto).values_list(
        "sub_fund_id", "as_of", fen_of("nav")), ["fund", "date", "nav"], ints=("nav",))


def _index(q: Quarter, funds: list[SubFund]) -> tuple[pd.Series | None, str | None]:
    """The index for KS-PME: the guidance fund manager's most recently uploaded series (levels up to E)."""
    managers = {f.guidance_fund.manager_id for f in funds}
    series = IndexSeries.objects.filter(owner_id__in=managers).order_by("-uploaded_at", "-pk").first()
    if series is None:
        return None, None
    rows = list(
        IndexLevel.objects.filter(series=series, on__lte=q.end).order_by("on").values_list("on", "level")
    )
    if not rows:
        return None, series.name
    return pd.Series([float(x) for _, x in rows], index=pd.to_datetime([d for d, _ in rows])), series.name


def _perf_line(perf_row) -> dict:
    return {"dpi": float_ratio(perf_row["dpi"]), "rvpi": float_ratio(perf_row["rvpi"]),
            "tvpi": float_ratio(perf_row["tvpi"]), "net_irr": float_ratio(perf_row["net_irr"]),
            "ks_pme": float_ratio(perf_row["ks_pme"])}


def _paid_by_lp(ids, upto) -> dict[int, int]:
    return dict(
        CapitalCallLine.objects.filter(call__sub_fund_id__in=ids, paid_on__isnull=False, paid_on__lte=upto)
        .values("commitment_id")
        .annotate(s=fen_sum("amount"))
        .values_list("commitment_id", "s")
    )


def _values(navs: pd.DataFrame, flows: pd.DataFrame, upto) -> dict[int, int]:
    """Every fund's value at ``upto``: the latest NAV on or before it, else paid-in − distributed (grouped
    once over all the funds' rows)."""
    cut = pd.Timestamp(upto)
    out = {}
    f = flows[pd.to_datetime(flows["date"]) <= cut] if len(flows) else flows
    if len(f):
        out.update({int(k): int(-v) for k, v in f.groupby("fund")["amount"].sum().items()})
    n = navs[pd.to_datetime(navs["date"]) <= cut] if len(navs) else navs
    if len(n):
        latest = n.sort_values(["fund", "date"], kind="stable").groupby("fund")["nav"].last()
        out.update({int(k): int(v) for k, v in latest.items()})
    return out


def _split(total_fen: int, weights: list[int]) -> list[int]:
    if not weights:
        return []
    if sum(weights) == 0:
        weights = [1] * len(weights)
    return [int(x * 100) for x in allocate(Decimal(total_fen) / 100, [Decimal(w) for w in weights])]


def _quarter_figures(q: Quarter, ids: list[int]) -> dict:
    """Everything the capital accounts need, for all the sub-funds at once (a handful of grouped queries)."""
    prev = q.previous.end
    in_q = dict(paid_on__gte=q.start, paid_on__lte=q.end)
    by_lp = CapitalCallLine.objects.filter(call__sub_fund_id__in=ids).values("commitment_id")
    contrib = dict(by_lp.filter(**in_q).annotate(s=fen_sum("amount")).values_list("commitment_id", "s"))
    dist = dict(
        DistributionLine.objects.filter(
            distribution__sub_fund_id__in=ids,
            distribution__paid_on__gte=q.start,
            distribution__paid_on__lte=q.end,
        )
        .values("commitment_id")
        .annotate(s=fen_sum("amount"))
        .values_list("commitment_id", "s")
    )
    fees = dict(FeeAccrual.objects.filter(sub_fund_id__in=ids, period_end__gte=q.start, period_end__lte=q.end)
                .values("sub_fund_id").annotate(s=fen_sum("amount")).values_list("sub_fund_id", "s"))
    # The LP capital accounts on the ledger (funds.services names them funds:sf<fund>:lp<commitment>:capital).
    ledger = {
        code: (c, d)
        for code, c, d in Posting.objects.filter(
            account__code__startswith="funds:sf",
            account__code__endswith=":capital",
            entry__value_date__gte=q.start,
            entry__value_date__lte=q.end,
        )
        .values("account__code")
        .annotate(
            c=fen_sum("amount", filter=Q(side=Side.CREDIT)), d=fen_sum("amount", filter=Q(side=Side.DEBIT))
        )
        .values_list("account__code", "c", "d")
    }
    return {"paid_end": _paid_by_lp(ids, q.end), "paid_prev": _paid_by_lp(ids, prev), "contrib": contrib,
            "dist": dist, "fees": fees, "ledger": ledger}


def _capital_accounts(q: Quarter, fund: SubFund, commitments: list, figs: dict) -> dict:
    paid_end, paid_prev, contrib, dist = figs["paid_end"], figs["paid_prev"], figs["contrib"], figs["dist"]
    fees = figs["fees"].get(fund.pk, 0)
    ids = [c.pk for c in commitments]
    begin = _split(figs["value_prev"].get(fund.pk, 0), [paid_prev.get(i, 0) for i in ids])
    end = _split(figs["value_end"].get(fund.pk, 0), [paid_end.get(i, 0) for i in ids])
    fee = _split(fees, [paid_end.get(i, 0) for i in ids])
    lines = []
    for c, b, e, f in zip(commitments, begin, end, fee, strict=True):
        ci, di = contrib.get(c.pk, 0), dist.get(c.pk, 0)
        lines.append({"commitment_id": c.pk, "lp": c.lp_name, "lp_kind": c.lp_kind, "beginning": yuan(b),
                      "contributions": yuan(ci), "distributions": yuan(di), "fees": yuan(f),
                      "gains": yuan(e - b - ci + di + f), "ending": yuan(e)})
    led = [figs["ledger"].get(f"funds:sf{fund.pk}:lp{i}:capital", (0, 0)) for i in ids]
    return {
        "lines": lines,
        "total": _total_line(lines),
        "reconcile": {
            "value_beginning": yuan(sum(begin)),
            "value_ending": yuan(sum(end)),
            "fees": yuan(fees),
            "ledger_contributions": yuan(sum(c for c, _ in led)),
            "ledger_distributions": yuan(sum(d for _, d in led)),
        },
    }


CA_KEYS = ("beginning", "contributions", "distributions", "fees", "gains", "ending")


def _total_line(lines: list[dict]) -> dict:
    return {k: str(sum((Decimal(x[k]) for x in lines), Decimal("0.00"))) for k in CA_KEYS}


def capital_account_check(accounts: dict) -> list[str]:
    """What is wrong with a stored capital account (empty when the identity holds, the columns reconcile)."""
    errors = []
    D = Decimal
    for ln in accounts.get("lines", []):
        lhs = (
            D(ln["beginning"])
            + D(ln["contributions"])
            - D(ln["distributions"])
            - D(ln["fees"])
            + D(ln["gains"])
        )
        if lhs != D(ln["ending"]):
            errors.append(f"{ln['lp']}: {lhs} ≠ {ln['ending']}")
    total, rec = _total_line(accounts.get("lines", [])), accounts.get("reconcile", {})
    for key, other in (("beginning", "value_beginning"), ("ending", "value_ending"), ("fees", "fees"),
                       ("contributions", "ledger_contributions"), ("distributions", "ledger_distributions")):
        if D(total[key]) != D(rec.get(other, "0")):
            errors.append(f"{key}: {total[key]} ≠ {other} {rec.get(other)}")
    if accounts.get("total") != total:
        errors.append("total line ≠ sum of lines")
    return errors


def _compliance(q: Quarter, funds: list[SubFund], guidance: dict[int, int]) -> dict[int, dict]:
    keys = ("fund.reinvestment_ratio", "fund.use_multiple_of_guidance_min", "fund.use_share_of_size_min",
            "fund.single_deal_max", "fund.near_breach_margin")
    use = PolicyUse(on=q.end, history=PolicyHistory(keys=keys))  # the five values in one query
    params = dict(
        reinvestment_ratio=use("fund.reinvestment_ratio"),
        use_multiple=use("fund.use_multiple_of_guidance_min"),
        use_share=use("fund.use_share_of_size_min"),
        single_deal_max=use("fund.single_deal_max"),
        near_margin=use("fund.near_breach_margin"),
    )
    ids = [f.pk for f in funds]
    f = pd.DataFrame({"fund": ids, "size": [int(x.size * 100) for x in funds],
                      "guidance": [guidance.get(i, 0) for i in ids]})
    hold = frame(Holding.objects.filter(sub_fund_id__in=ids, invested_on__lte=q.end).values_list(
        "sub_fund_id", fen_of("amount"), "in_shandong", "converts_fiscal_result"),
        ["fund", "amount", "in_shandong", "converts"], ints=("amount",))
    out = {}
    for fid, row in compliance_frame(f, hold, **params).iterrows():
        out[int(fid)] = {
            "reinvestment": row["reinvest_status"],
            "conversion_use": row["use_status"],
            "single_deal": row["single_status"],
            "in_province": yuan(row["in_province"]),
            "reinvest_required": yuan(row["reinvest_required"]),
            "conversion": yuan(row["conversion"]),
            "use_required": yuan(row["use_required"]),
            "largest": yuan(row["largest"]),
            "single_cap": yuan(row["single_cap"]),
        }
    return out, dict(use.snapshot)


def _look_through(q: Quarter, guidance: GuidanceFund, funds: list[SubFund], flows, navs, index) -> dict:
    """The guidance fund's own returns: its calls and distributions, its pro-rata share (paid-in at E) of each
    sub-fund's NAV, rounded once half-up to the fen."""
    ids = [f.pk for f in funds if f.guidance_fund_id == guidance.pk]
    g_lines = Commitment.objects.filter(sub_fund_id__in=ids, lp_kind=LPKind.GUIDANCE, committed_on__lte=q.end)
    calls = CapitalCallLine.objects.filter(commitment__in=g_lines, paid_on__isnull=False, paid_on__lte=q.end)
    dists = DistributionLine.objects.filter(commitment__in=g_lines, distribution__paid_on__lte=q.end)
    paid = dict(
        calls.values("call__sub_fund_id").annotate(s=fen_sum("amount")).values_list("call__sub_fund_id", "s")
    )
    all_paid = dict(
        CapitalCallLine.objects.filter(call__sub_fund_id__in=ids, paid_on__isnull=False, paid_on__lte=q.end)
        .values("call__sub_fund_id")
        .annotate(s=fen_sum("amount"))
        .values_list("call__sub_fund_id", "s")
    )
    rows = [
        (0, d, -a)
        for d, a in calls.values("paid_on").annotate(s=fen_sum("amount")).values_list("paid_on", "s")
    ]
    rows += [(0, d, a) for d, a in dists.values("distribution__paid_on").annotate(s=fen_sum("amount"))
             .values_list("distribution__paid_on", "s")]
    g_flows = pd.DataFrame(rows, columns=["fund", "date", "amount"]).astype({"amount": "int64"})
    latest = navs[navs["fund"].isin(ids)].sort_values("date").groupby("fund").tail(1)
    share = sum(
        (
            Fraction(int(n) * paid.get(f, 0), all_paid[f])
            for f, n in zip(latest["fund"], latest["nav"], strict=True)
            if all_paid.get(f)
        ),
        Fraction(0),
    )
    nav = fen_half_up_div(share.numerator, share.denominator)
    nav_frame = pd.DataFrame(
        [(0, latest["date"].max(), nav)] if len(latest) else [], columns=["fund", "date", "nav"]
    )
    perf = fund_performance(g_flows, nav_frame, index=index, funds=[0]).iloc[0]
    committed = sum(g_lines.values_list("amount", flat=True), Decimal(0))
    pic, distributed = int(perf["pic"]), int(perf["distributed"])
    return {"guidance_fund_id": guidance.pk, "guidance_fund": guidance.name, "sub_funds": len(ids),
            "committed": str(committed.quantize(Decimal("0.01"))), "paid_in": yuan(pic),
            "unfunded": str((committed - _called(g_lines, q)).quantize(Decimal("0.01"))),
            "distributed": yuan(distributed), "nav": yuan(nav), **_perf_line(perf)}


def _called(commitments, q: Quarter) -> Decimal:
    return sum(CapitalCallLine.objects.filter(commitment__in=commitments, call__call_date__lte=q.end)
               .values_list("amount", flat=True), Decimal(0))


def compute(q: Quarter, scope: Scope) -> dict:
    funds = list(
        SubFund.objects.filter(fund_filter(scope), vintage__lte=q.end)
        .select_related("guidance_fund")
        .order_by("pk")
    )
    ids = [f.pk for f in funds]
    flows, navs = _flows(ids, q.end), _navs(ids, q.end)
    index, index_name = _index(q, funds)
    perf = fund_performance(flows, navs, index=index, funds=ids) if ids else None
    commitments = list(Commitment.objects.filter(sub_fund_id__in=ids, committed_on__lte=q.end).order_by("pk"))
    called = dict(
        CapitalCallLine.objects.filter(call__sub_fund_id__in=ids, call__call_date__lte=q.end)
        .values("call__sub_fund_id")
        .annotate(s=fen_sum("amount"))
        .values_list("call__sub_fund_id", "s")
    )
    guidance_fen = {c.sub_fund_id: int(c.amount * 100) for c in commitments if c.lp_kind == LPKind.GUIDANCE}
    comp, policy = _compliance(q, funds, guidance_fen) if funds else ({}, {})
    figs = _quarter_figures(q, ids)
    figs["value_prev"], figs["value_end"] = _values(navs, flows, q.previous.end), _values(navs, flows, q.end)
    by_fund: dict[int, list] = {}
    for c in commitments:
        by_fund.setdefault(c.sub_fund_id, []).append(c)
    nav_dates = {int(k): str(v) for k, v in navs.groupby("fund")["date"].max().items()} if len(navs) else {}
    lines = []
    for f in funds:  # one line per sub-fund (figures come from the vectorised frames above)
        p = perf.loc[f.pk]
        mine = by_fund.get(f.pk, [])
        committed = sum(int(c.amount * 100) for c in mine)
        lines.append(
            {
                "sub_fund_id": f.pk,
                "sub_fund": f.name,
                "region": f.region,
                "committed": yuan(committed),
                "paid_in": yuan(p["pic"]),
                "unfunded": yuan(committed - called.get(f.pk, 0)),
                "distributed": yuan(p["distributed"]),
                "nav": yuan(p["nav"]),
                "nav_date": nav_dates.get(f.pk),
                **_perf_line(p),
                "compliance": comp.get(f.pk, {}),
                "capital_accounts": _capital_accounts(q, f, mine, figs),
            }
        )
    pooled = flows.assign(fund=0)
    latest = navs.sort_values("date").groupby("fund").tail(1)
    total_nav = pd.DataFrame([(0, latest["date"].max(), int(latest["nav"].sum()))] if len(latest) else [],
                             columns=["fund", "date", "nav"])
    tp = fund_performance(pooled, total_nav, funds=[0]).iloc[0]
    total = {k: yuan(sum(Decimal(ln[k]) * 100 for ln in lines)) for k in MONEY_KEYS}
    total.update(_perf_line(tp))
    total["ks_pme"] = None
    out = {"sub_funds": lines, "total": total, "index": index_name, "policy": policy, "guidance": []}
    if scope.kind != ScopeKind.SUB_FUND:
        for g in GuidanceFund.objects.filter(pk__in={f.guidance_fund_id for f in funds}).order_by("pk"):
            out["guidance"].append(_look_through(q, g, funds, flows, navs, index))
    return out


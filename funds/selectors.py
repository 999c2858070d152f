"""Reads for the funds app, every queryset scoped to the caller through ``scope_to_caller``.

A sub-fund is visible to its GP's users, to the guidance fund's manager, to the organisations that are its LPs
(their commitments and capital accounts only) and to oversight roles.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pandas as pd
from django.db.models import QuerySet, Sum

from finance.approvals.models import ApprovalStatus, Meeting, MeetingStatus
from finance.approvals.selectors import approval_current
from finance.calc import allocate, round_div
from finance.core.inputs import today
from finance.core.money import fraction_to_percent
from finance.parties.models import Role
from finance.parties.selectors import scope_to_caller
from finance.policy.selectors import PolicyUse

from .models import (
    CallStatus,
    CapitalCallLine,
    Commitment,
    Deal,
    DistributionLine,
    GuidanceFund,
    Holding,
    IndexSeries,
    LPKind,
    NavReport,
    SubFund,
    Valuation,
)
from .performance import compliance_frame, fund_performance, ratio, to_decimal_fen

D = Decimal


def sub_fund_list(*, user) -> QuerySet[SubFund]:
    """Funds the caller manages (as GP or as the guidance fund's manager); oversight sees all."""
    qs = SubFund.objects.select_related("manager", "guidance_fund")
    mine = scope_to_caller(qs, user, "manager") | scope_to_caller(qs, user, "guidance_fund__manager")
    return mine.distinct()


def sub_fund_managed(*, user) -> QuerySet[SubFund]:
    """Funds the caller may write to: their own GP's funds (scope_to_caller on the manager)."""
    return scope_to_caller(SubFund.objects.select_related("manager", "guidance_fund"), user, "manager")


def guidance_fund_list(*, user) -> QuerySet[GuidanceFund]:
    return scope_to_caller(GuidanceFund.objects.all(), user, "manager")


def deal_list(*, user) -> QuerySet[Deal]:
    return scope_to_caller(Deal.objects.select_related("sub_fund", "enterprise", "maker", "meeting"), user,
                           "sub_fund__manager")


def commitments_of_caller(*, user) -> QuerySet[Commitment]:
    """An LP's own commitments (department or enterprise users)."""
    if not user.organisation_id:
        return Commitment.objects.none()
    return (Commitment.objects.filter(organisation_id=user.organisation_id)
            .select_related("sub_fund", "organisation"))


def index_series_list(*, user) -> QuerySet[IndexSeries]:
    return scope_to_caller(IndexSeries.objects.all(), user, "owner")


def pending_votes(*, user) -> list[Meeting]:
    """Open meetings of the caller's committees where they have neither voted nor recused."""
    qs = (Meeting.objects.filter(status=MeetingStatus.OPEN, committee__members=user)
          .exclude(votes__member=user).exclude(recusals__member=user).select_related("committee"))
    return list(qs)


# ---------------------------------------------------------------- capital accounts


def capital_accounts(fund: SubFund, *, as_of: dt.date | None = None) -> list[dict]:
    """Per LP: commitment, called, paid-in, unfunded, distributed, share of NAV (pro rata paid-in)."""
    lines = CapitalCallLine.objects.filter(call__sub_fund=fund)
    dl = DistributionLine.objects.filter(distribution__sub_fund=fund)
    if as_of:
        lines = lines.filter(call__call_date__lte=as_of)
        dl = dl.filter(distribution__paid_on__lte=as_of)
    paid = dict(lines.filter(paid_on__isnull=False).values_list("commitment_id").annotate(s=Sum("amount")))
    dist = dict(dl.values_list("commitment_id").annotate(s=Sum("amount")))
    nav = latest_nav(fund)
    commitments = list(fund.commitments.select_related("organisation").order_by("pk"))
    weights = [paid.get(c.pk, D(0)) for c in commitments]
    # The NAV split pro rata to paid-in through allocate: the shares sum exactly to the NAV.
    shares = allocate(nav.nav, weights) if nav and sum(weights, D(0)) > 0 else [D("0.00")] * len(commitments)
    rows = []
    for c, p, share in zip(commitments, weights, shares, strict=True):
        rows.append({"commitment": c, "lp": c.lp_name, "kind": c.get_lp_kind_display(), "committed": c.amount,
                     "called": c.called, "paid_in": p, "unfunded": c.amount - c.called,
                     "distributed": dist.get(c.pk, D("0.00")), "nav_share": share,
                     "share_pct": fraction_to_percent(c.amount / fund.size).quantize(D("0.01"))})
    return rows


def _navs(qs):
    """NAVs that are facts: dated up to today (a NAV stored with a later date, from before the rule, is
    ignored)."""
    return qs.filter(as_of__lte=today())


def nav_list(fund: SubFund) -> list[NavReport]:
    return list(_navs(fund.navs.all()).order_by("as_of"))


def latest_nav(fund: SubFund) -> NavReport | None:
    return _navs(fund.navs.all()).order_by("-as_of").first()


def call_approvals(fund: SubFund, *, user) -> dict[int, dict]:
    """Per call awaiting approval: levels done and needed, and whether ``user`` may decide the next level."""
    out = {}
    for call in fund.calls.filter(status=CallStatus.PENDING_APPROVAL).order_by("number"):
        request = approval_current(call)
        if request is None or request.status != ApprovalStatus.PENDING:
            continue
        deciders = set(request.decisions.values_list("approver_id", flat=True))
        can = (user.has_role(Role.FUND_MANAGER) and user.organisation_id == fund.manager_id
               and user.pk != request.maker_id and user.pk not in deciders)
        out[call.pk] = {"done": len(deciders), "needed": request.levels_required, "can_decide": can}
    return out


# ---------------------------------------------------------------- frames for performance and compliance


def _fen(series) -> pd.Series:
    return (pd.Series(series, dtype="object").map(lambda d: int(d * 100))).astype("int64")


def frames(fund_ids) -> dict[str, pd.DataFrame]:
    """LP flows, NAVs, portfolio flows and holding values for the given sub-funds, as fen frames."""
    fund_ids = list(fund_ids)
    calls = list(CapitalCallLine.objects.filter(call__sub_fund_id__in=fund_ids, paid_on__isnull=False)
                 .values_list("call__sub_fund_id", "paid_on").annotate(s=Sum("amount")))
    dists = list(DistributionLine.objects.filter(distribution__sub_fund_id__in=fund_ids)
                 .values_list("distribution__sub_fund_id", "distribution__paid_on").annotate(s=Sum("amount")))
    rows = [(f, d, -a) for f, d, a in calls] + [(f, d, a) for f, d, a in dists]
    flows = pd.DataFrame(rows, columns=["fund", "date", "amount"])
    flows["amount"] = _fen(flows["amount"]) if len(flows) else flows["amount"].astype("int64")
    nav_rows = _navs(NavReport.objects.filter(sub_fund_id__in=fund_ids))
    navs = pd.DataFrame(list(nav_rows.values_list("sub_fund_id", "as_of", "nav")),
                        columns=["fund", "date", "nav"])
    navs["nav"] = _fen(navs["nav"]) if len(navs) else navs["nav"].astype("int64")
    holdings = list(Holding.objects.filter(sub_fund_id__in=fund_ids).values_list(
        "pk", "sub_fund_id", "invested_on", "amount", "exited_on", "proceeds", "in_shandong",
        "converts_fiscal_result"))
    g = [(f, d, -a) for _, f, d, a, *_ in holdings] + [(f, x, p) for _, f, _, _, x, p, *_ in holdings if x]
    gross = pd.DataFrame(g, columns=["fund", "date", "amount"])
    gross["amount"] = _fen(gross["amount"]) if len(gross) else gross["amount"].astype("int64")
    hold = pd.DataFrame([(f, a, s, c, x) for _, f, _, a, x, _, s, c in holdings],
                        columns=["fund", "amount", "in_shandong", "converts", "exited_on"])
    hold["amount"] = _fen(hold["amount"]) if len(hold) else hold["amount"].astype("int64")
    # Holding value at each fund's latest NAV date (the NAV's holdings part).
    values = pd.DataFrame(list(nav_rows.values_list("sub_fund_id", "as_of", "holdings_value")),
                          columns=["fund", "date", "value"])
    values["value"] = _fen(values["value"]) if len(values) else values["value"].astype("int64")
    return {"flows": flows, "navs": navs, "gross": gross, "values": values, "holdings": hold}


def index_series(series: IndexSeries | None) -> pd.Series | None:
    if series is None:
        return None
    rows = list(series.levels.order_by("on").values_list("on", "level"))
    return pd.Series([float(x) for _, x in rows], index=pd.to_datetime([d for d, _ in rows]))


def performance(funds, *, index: IndexSeries | None = None) -> dict[int, dict]:
    """Performance of sub-funds: {fund id: {pic, distributed, nav, dpi, rvpi, tvpi, net_irr, gross_irr,
    ks_pme}}."""
    ids = [f.pk for f in funds]
    fr = frames(ids)
    perf = fund_performance(fr["flows"], fr["navs"], gross_flows=fr["gross"], gross_values=fr["values"],
                            index=index_series(index), funds=ids)
    return {fid: _row(row) for fid, row in perf.iterrows()}


def _row(row) -> dict:
    return {"pic": to_decimal_fen(row["pic"]), "distributed": to_decimal_fen(row["distributed"]),
            "nav": to_decimal_fen(row["nav"]), "dpi": ratio(row["dpi"]), "rvpi": ratio(row["rvpi"]),
            "tvpi": ratio(row["tvpi"]), "net_irr": ratio(row["net_irr"]),
            "gross_irr": ratio(row["gross_irr"]),
            "ks_pme": ratio(row["ks_pme"])}


def _fen_half_up(x) -> int:
    """An exact fraction of fen rounded half-up to a whole fen (0 for an empty sum)."""
    x = Fraction(x)
    return round_div(x.numerator, x.denominator)


def guidance_performance(guidance: GuidanceFund, *, index: IndexSeries | None = None) -> dict:
    """The guidance fund's own returns across its sub-funds, looking through to the portfolio companies:
    its paid-in and distributions, its pro-rata share of each NAV, and its share of each portfolio's flows."""
    funds = list(guidance.sub_funds.all())
    ids = [f.pk for f in funds]
    fr = frames(ids)
    g_lines = Commitment.objects.filter(sub_fund_id__in=ids, lp_kind=LPKind.GUIDANCE)
    paid = dict(CapitalCallLine.objects.filter(commitment__in=g_lines, paid_on__isnull=False)
                .values_list("call__sub_fund_id").annotate(s=Sum("amount")))
    all_paid = dict(CapitalCallLine.objects.filter(call__sub_fund_id__in=ids, paid_on__isnull=False)
                    .values_list("call__sub_fund_id").annotate(s=Sum("amount")))
    # The guidance fund's look-through share of each sub-fund (exact fractions; rounded once, half-up, to
    # the fen).
    share = {f: Fraction(paid.get(f, 0)) / Fraction(all_paid[f]) if all_paid.get(f) else Fraction(0)
             for f in ids}
    paid_lines = CapitalCallLine.objects.filter(commitment__in=g_lines, paid_on__isnull=False)
    rows = [(0, d, -a) for d, a in paid_lines.values_list("paid_on", "amount")]
    rows += [(0, d, a) for d, a in DistributionLine.objects.filter(commitment__in=g_lines)
             .values_list("distribution__paid_on", "amount")]
    flows = pd.DataFrame(rows, columns=["fund", "date", "amount"])
    flows["amount"] = _fen(flows["amount"]) if len(flows) else flows["amount"].astype("int64")
    navs = fr["navs"].sort_values("date").groupby("fund").tail(1)
    nav_total = _fen_half_up(sum(int(n) * share[f] for f, n in zip(navs["fund"], navs["nav"], strict=True)))
    nav_date = navs["date"].max() if len(navs) else None
    gross = fr["gross"].copy()
    if len(gross):
        gross["amount"] = [_fen_half_up(int(a) * share[f])
                           for a, f in zip(gross["amount"], gross["fund"], strict=True)]
        gross["amount"] = gross["amount"].astype("int64")
        gross["fund"] = 0
    values = fr["values"].sort_values("date").groupby("fund").tail(1)
    gval = _fen_half_up(sum(int(v) * share[f] for f, v in zip(values["fund"], values["value"], strict=True)))
    perf = fund_performance(
        flows, pd.DataFrame([(0, nav_date, nav_total)] if nav_date else [], columns=["fund", "date", "nav"]),
        gross_flows=gross, gross_values=pd.DataFrame([(0, nav_date, gval)] if nav_date else [],
                                                     columns=["fund", "date", "value"]),
        index=index_series(index), funds=[0])
    out = _row(perf.iloc[0])
    out["committed"] = g_lines.aggregate(s=Sum("amount"))["s"] or D("0.00")
    out["sub_funds"] = len(funds)
    return out


def compliance(funds, *, on: dt.date | None = None) -> dict[int, dict]:
    """Compliance figures and flags per sub-fund, with the policy values used."""
    on = on or today()
    funds = list(funds)
    ids = [f.pk for f in funds]
    use = PolicyUse(on=on)
    params = dict(reinvestment_ratio=use("fund.reinvestment_ratio"),
                  use_multiple=use("fund.use_multiple_of_guidance_min"),
                  use_share=use("fund.use_share_of_size_min"), single_deal_max=use("fund.single_deal_max"),
                  near_margin=use("fund.near_breach_margin"))
    guidance = dict(Commitment.objects.filter(sub_fund_id__in=ids, lp_kind=LPKind.GUIDANCE)
                    .values_list("sub_fund_id", "amount"))
    f = pd.DataFrame({"fund": ids, "size": [int(x.size * 100) for x in funds],
                      "guidance": [int(guidance.get(i, 0) * 100) for i in ids]})
    hold = frames_holdings(ids)
    frame = compliance_frame(f, hold, **params)
    out = {}
    for fid, row in frame.iterrows():
        out[fid] = {
            "invested": to_decimal_fen(row["invested"]),
            "in_province": to_decimal_fen(row["in_province"]),
            "reinvest_required": to_decimal_fen(row["reinvest_required"]),
            "reinvest_status": row["reinvest_status"],
            "conversion": to_decimal_fen(row["conversion"]),
            "use_required": to_decimal_fen(row["use_required"]),
            "use_status": row["use_status"],
            "largest": to_decimal_fen(row["largest"]), "single_cap": to_decimal_fen(row["single_cap"]),
            "single_status": row["single_status"], "policy": dict(use.snapshot),
        }
    return out


def frames_holdings(ids) -> pd.DataFrame:
    """Holdings at cost with the company they are in (the organisation, or the name for a holding
    without one): the single-deal rule adds up every holding in one company."""
    rows = [(f, f"org:{org}" if org else f"name:{name}", a, s, c) for f, org, name, a, s, c in
            Holding.objects.filter(sub_fund_id__in=ids).values_list(
                "sub_fund_id", "company_id", "company_name", "amount", "in_shandong",
                "converts_fiscal_result")]
    hold = pd.DataFrame(rows, columns=["fund", "company", "amount", "in_shandong", "converts"])
    hold["amount"] = _fen(hold["amount"]) if len(hold) else hold["amount"].astype("int64")
    return hold


def holdings_with_values(fund: SubFund) -> list[dict]:
    out = []
    latest = {}
    for v in Valuation.objects.filter(holding__sub_fund=fund).order_by("as_of"):
        latest[v.holding_id] = v
    for h in fund.holdings.select_related("deal").order_by("invested_on", "pk"):
        v = latest.get(h.pk)
        out.append({"holding": h, "value": (h.proceeds if h.exited_on else (v.value if v else h.amount)),
                    "valued_on": v.as_of if v else None})
    return out

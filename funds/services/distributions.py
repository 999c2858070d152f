"""Distributions through the European waterfall, split per LP; the guidance fund's early-exit price."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum

from finance.calc import CalcError, allocate, early_exit_price, european_waterfall
from finance.core.inputs import parse_amount, parse_date
from finance.core.money import fen, percent_to_fraction
from finance.ledger.services import credit, debit, entry_post
from finance.policy.selectors import PolicyUse

from ..models import GOVERNMENT_KINDS, CapitalCallLine, Distribution, DistributionLine, LPKind, SubFund
from ._common import (
    D,
    _calc,
    _err,
    cash_account,
    check_fund_open,
    fund_money,
    gp_carry_account,
    lp_capital_account,
    open_fund_locked,
    paid_in_by_lp,
    years_between,
)


def _concession(commitments, profit: list[Decimal], weights: list[Decimal], rate: Decimal) -> list[Decimal]:
    """The government LPs' profit concession (让利): each gives ``rate`` of its profit, the social LPs share
    what is given pro rata to their paid-in (``allocate``: the parts sum exactly to what was given)."""
    concession = [D("0.00")] * len(commitments)
    social = [i for i, c in enumerate(commitments) if c.lp_kind == LPKind.SOCIAL]
    if not social:
        return concession
    given = D(0)
    for i, c in enumerate(commitments):
        if c.lp_kind in GOVERNMENT_KINDS:
            g = fen(profit[i] * rate)
            concession[i] -= g
            given += g
    for i, part in zip(social, allocate(given, [weights[i] for i in social]), strict=True):
        concession[i] += part
    return concession


def distribution_plan(*, sub_fund: SubFund, amount, paid_on: dt.date) -> dict:
    """The waterfall and per-LP split of a distribution, computed without writing (the wizard shows it).

    European whole-fund waterfall on cumulative distributions: this distribution's GP share is the cumulative
    GP entitlement less what the GP already received. LPs share capital and profit pro rata to paid-in; a
    government LP of a fund with a profit concession (让利) passes that share of its profit to the social LPs.
    Never dated after today.
    """
    amount = parse_amount(amount, "amount")
    paid_on = parse_date(paid_on, "paid_on", not_future=True)
    check_fund_open(sub_fund)
    if paid_on < sub_fund.vintage:
        raise _err(f"分配日 {paid_on} 早于基金成立日 {sub_fund.vintage}",
                   f"distribution date {paid_on} is before the fund's vintage", "before_fund", "paid_on")
    paid = paid_in_by_lp(sub_fund, paid_on)
    contributed = sum(paid.values(), D(0))
    if contributed <= 0:
        raise _err("尚无实缴出资，不能分配",
                   "nothing has been paid in yet: there is nothing to distribute against",
                   "no_contributions", "amount")
    first = (CapitalCallLine.objects.filter(call__sub_fund=sub_fund, paid_on__isnull=False)
             .order_by("paid_on").values_list("paid_on", flat=True).first())
    prior = sub_fund.distributions.aggregate(a=Sum("amount"), lp=Sum("lp_amount"))
    prior_amount, prior_lp = prior["a"] or D(0), prior["lp"] or D(0)
    prior_capital = (DistributionLine.objects.filter(distribution__sub_fund=sub_fund)
                     .aggregate(s=Sum("capital"))["s"] or D(0))
    use = PolicyUse(on=paid_on)
    years = years_between(first, paid_on)
    try:
        wf = european_waterfall(contributed, prior_amount + amount, hurdle_rate=sub_fund.hurdle_rate,
                                hurdle_years=years, compounding=sub_fund.hurdle_compounding,
                                catch_up_share=sub_fund.catch_up_share, carry_share=sub_fund.carry_share)
    except CalcError as exc:
        raise _calc(exc) from None
    lp_inc = min(amount, max(D(0), wf.lp - prior_lp))
    gp_inc = amount - lp_inc
    roc_inc = min(lp_inc, max(D(0), wf.tier("return_of_capital").lp - prior_capital))
    profit_inc = lp_inc - roc_inc
    commitments = [c for c in sub_fund.commitments.order_by("pk") if paid.get(c.pk)]
    weights = [paid[c.pk] for c in commitments]
    capital = allocate(roc_inc, weights)
    profit = allocate(profit_inc, weights)
    if sub_fund.profit_concession and profit_inc > 0:
        concession = _concession(commitments, profit, weights,
                                 percent_to_fraction(use("fund.profit_concession")))
    else:
        concession = [D("0.00")] * len(commitments)
    lines = [{"commitment": c, "capital": capital[i], "profit": profit[i], "concession": concession[i],
              "amount": capital[i] + profit[i] + concession[i]} for i, c in enumerate(commitments)]
    return {"amount": amount, "paid_on": paid_on, "contributed": contributed, "hurdle_years": years,
            "lp_amount": lp_inc, "gp_amount": gp_inc, "lines": lines, "policy": use.snapshot,
            "cumulative": {"distributed": str(prior_amount + amount), "lp": str(wf.lp), "gp": str(wf.gp),
                           "tiers": {t.name: {"lp": str(t.lp), "gp": str(t.gp)} for t in wf.tiers}}}


@transaction.atomic
def distribution_create(*, sub_fund: SubFund, amount, paid_on: dt.date, by=None) -> Distribution:
    fund = open_fund_locked(sub_fund)
    plan = distribution_plan(sub_fund=fund, amount=amount, paid_on=paid_on)
    number = (fund.distributions.aggregate(n=Max("number"))["n"] or 0) + 1
    dist = Distribution.objects.create(sub_fund=fund, number=number, paid_on=plan["paid_on"],
                                       amount=plan["amount"],
                                       lp_amount=plan["lp_amount"], gp_amount=plan["gp_amount"],
                                       tiers=plan["cumulative"], policy=plan["policy"], created_by=by)
    DistributionLine.objects.bulk_create([
        DistributionLine(distribution=dist, commitment=ln["commitment"], capital=ln["capital"],
                         profit=ln["profit"],
                         concession=ln["concession"], amount=ln["amount"]) for ln in plan["lines"]])
    legs = [debit(lp_capital_account(ln["commitment"]), fund_money(fund, ln["amount"]))
            for ln in plan["lines"] if ln["amount"] > 0]
    if plan["gp_amount"] > 0:
        legs.append(debit(gp_carry_account(fund), fund_money(fund, plan["gp_amount"])))
    legs.append(credit(cash_account(fund), fund_money(fund, plan["amount"])))
    dist.entry = entry_post(lines=legs, value_date=dist.paid_on,
                            memo=f"收益分配 distribution: {fund.name} #{number}",
                            source=dist, idempotency_ref=f"funds:distribution:{dist.pk}", by=by)
    dist.save(update_fields=["entry"])
    return dist


def guidance_exit_price(*, sub_fund: SubFund, exit_on: dt.date) -> dict:
    """The minimum price at which the guidance fund's share may leave early.

    At cost within the free years of the guidance fund's first payment into the sub-fund; after them, cost
    plus reference-rate interest, each call's money from its own payment date (a call paid last year earns
    one year of interest, not the fund's whole life). ``early_exit_price`` runs per paid call (free years 0:
    interest from that payment) and the fen-rounded results are summed.
    """
    exit_on = parse_date(exit_on, "exit_on")
    guidance = sub_fund.commitments.filter(lp_kind=LPKind.GUIDANCE).first()
    if guidance is None:
        raise _err("该子基金没有引导基金出资", "the guidance fund has no commitment in this sub-fund",
                   "no_guidance",
                   "sub_fund")
    payments = list(guidance.call_lines.filter(paid_on__isnull=False, paid_on__lte=exit_on, amount__gt=0)
                    .order_by("paid_on", "pk").values_list("paid_on", "amount"))
    cost = sum((a for _, a in payments), D(0))
    if cost <= 0:
        raise _err("引导基金尚未实缴", "the guidance fund has paid nothing in yet", "no_contributions",
                   "sub_fund")
    invested_on = payments[0][0]
    use = PolicyUse(on=exit_on)
    free = int(use("fund.early_exit_free_years"))
    past_free = years_between(invested_on, exit_on) > free
    rate = use("fund.early_exit_reference_rate") if past_free else D(0)
    try:
        per_call = [early_exit_price(amount, invested_on=paid_on, exit_on=exit_on, free_years=0,
                                     annual_rate=rate)
                    for paid_on, amount in payments]
    except CalcError as exc:
        raise _calc(exc) from None
    return {"cost": cost, "invested_on": invested_on, "exit_on": exit_on, "min_price": sum(per_call, D(0)),
            "calls": [{"paid_on": p, "cost": a, "min_price": m} for (p, a),
                      m in zip(payments, per_call, strict=True)],
            "policy": use.snapshot}

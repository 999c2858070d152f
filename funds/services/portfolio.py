"""The portfolio: holdings paid from the fund's cash, valuations, exits and the quarterly NAV."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.core.errors import Conflict
from finance.core.inputs import parse_amount, parse_date, parse_rate, parse_text
from finance.core.locks import lock
from finance.ledger.selectors import account_balance
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Organisation

from ..models import Deal, Holding, NavReport, Stage, SubFund, Valuation
from ._common import (
    HUNDRED,
    D,
    _err,
    cash_account,
    fund_money,
    gains_account,
    investments_account,
    open_fund_locked,
)


def parse_stake(value, field: str = "stake") -> Decimal:
    """A stake in percent, 0–100, at most four decimals (the column's scale); "abc", NaN, floats refused."""
    return parse_rate(value if value not in (None, "") else "0", field, max_value=HUNDRED, places=4)


def _holding_post(holding: Holding, by=None):
    fund = holding.sub_fund
    amount = fund_money(fund, holding.amount)
    holding.entry = entry_post(
        lines=[debit(investments_account(fund), amount), credit(cash_account(fund), amount)],
        value_date=holding.invested_on, memo=f"项目投资 investment: {fund.name} → {holding.company_name}",
        source=holding, idempotency_ref=f"funds:holding:{holding.pk}:invested", by=by)
    holding.save(update_fields=["entry"])


@transaction.atomic
def holding_create(*, sub_fund: SubFund, company_name: str, invested_on: dt.date, amount, stake="0",
                   stage: str = Stage.EARLY, in_shandong: bool = True, converts_fiscal_result: bool = False,
                   company: Organisation | None = None, deal: Deal | None = None, by=None) -> Holding:
    """Record a portfolio investment and pay it from the fund's cash (which may not go below zero)."""
    fund = open_fund_locked(sub_fund)
    amount = parse_amount(amount, "amount")
    invested_on = parse_date(invested_on, "invested_on", not_future=True)
    if invested_on < fund.vintage:
        raise _err("投资日早于基金成立日", "the investment date is before the fund's vintage", "before_fund",
                   "invested_on")
    stake = parse_stake(stake)
    if stage not in Stage.values:
        raise _err(f"未知的阶段 {str(stage)[:30]!r}", f"unknown stage {str(stage)[:30]!r}", "invalid_stage",
                   "stage")
    name = parse_text(company_name or (company.name if company else ""), "company_name", max_length=200)
    holding = Holding.objects.create(sub_fund=fund, company=company, company_name=name,
                                     invested_on=invested_on,
                                     amount=amount, stake=stake, stage=stage, in_shandong=in_shandong,
                                     converts_fiscal_result=converts_fiscal_result, deal=deal)
    _holding_post(holding, by=by)
    return holding


@transaction.atomic
def valuation_record(*, holding: Holding, as_of: dt.date, value, by=None) -> Valuation:
    holding = lock(Holding, holding.pk)
    as_of = parse_date(as_of, "as_of", not_future=True)
    value = parse_amount(value, "value", allow_zero=True)
    if as_of < holding.invested_on:
        raise _err("估值日早于投资日", "the valuation date is before the investment date",
                   "before_investment", "as_of")
    val, created = Valuation.objects.get_or_create(holding=holding, as_of=as_of, defaults={"value": value})
    if not created and val.value != value:
        val.value = value
        val.save(update_fields=["value"])
    return val


@transaction.atomic
def holding_exit(*, holding: Holding, exited_on: dt.date, proceeds, by=None) -> Holding:
    """Sell a holding: proceeds into cash, cost out of investments, the difference a realised gain or loss."""
    holding = lock(Holding, holding.pk)
    if holding.exited_on:
        raise Conflict("该项目已退出", "this holding has already been exited", code="already_exited")
    exited_on = parse_date(exited_on, "exited_on", not_future=True)
    if exited_on < holding.invested_on:
        raise _err("退出日早于投资日", "the exit date is before the investment date", "invalid_date",
                   "exited_on")
    proceeds = parse_amount(proceeds, "proceeds", allow_zero=True)
    fund = holding.sub_fund
    lines = [credit(investments_account(fund), fund_money(fund, holding.amount))]
    if proceeds > 0:
        lines.append(debit(cash_account(fund), fund_money(fund, proceeds)))
    gain = proceeds - holding.amount
    if gain > 0:
        lines.append(credit(gains_account(fund), fund_money(fund, gain)))
    elif gain < 0:
        lines.append(debit(gains_account(fund), fund_money(fund, -gain)))
    entry_post(lines=lines, value_date=exited_on, memo=f"项目退出 exit: {fund.name} ← {holding.company_name}",
               source=holding, idempotency_ref=f"funds:holding:{holding.pk}:exit", by=by)
    holding.exited_on = exited_on
    holding.proceeds = proceeds
    holding.save(update_fields=["exited_on", "proceeds"])
    return holding


def holdings_value(fund: SubFund, as_of: dt.date) -> Decimal:
    """Live holdings at their latest valuation on or before ``as_of`` (at cost if never valued)."""
    total = D(0)
    holdings = (fund.holdings.filter(invested_on__lte=as_of).exclude(exited_on__lte=as_of)
                .prefetch_related("valuations"))
    for h in holdings:
        vals = [v for v in h.valuations.all() if v.as_of <= as_of]
        total += max(vals, key=lambda v: v.as_of).value if vals else h.amount
    return total


@transaction.atomic
def nav_record(*, sub_fund: SubFund, as_of: dt.date, by=None) -> NavReport:
    """Quarterly NAV: holdings at their valuations plus the fund's cash on the ledger at that date.

    Never dated after today (a NAV "as of" the future would be a guess, and would stand as the latest NAV)."""
    as_of = parse_date(as_of, "as_of", not_future=True)
    fund = lock(SubFund, sub_fund.pk)
    if as_of < fund.vintage:
        raise _err(f"净值日 {as_of} 早于基金成立日 {fund.vintage}",
                   f"NAV date {as_of} is before the fund's vintage {fund.vintage}", "before_fund", "as_of")
    if fund.navs.filter(as_of=as_of).exists():
        raise Conflict(f"{as_of} 的净值已登记", f"the NAV for {as_of} is already recorded", code="duplicate")
    value = holdings_value(fund, as_of)
    cash = account_balance(cash_account(fund), as_of=as_of)
    return NavReport.objects.create(sub_fund=fund, as_of=as_of, holdings_value=value, cash=cash,
                                    nav=value + cash,
                                    created_by=by)

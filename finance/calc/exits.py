"""Minimum exit price of the government's share (guidance fund, 先投后股 equity)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import _checks
from .errors import CalcError
from .schedules import MAX_RATE, RATE_DEN, RATE_SCALE, add_months, round_div


def early_exit_price(cost: Decimal | int, *, invested_on: dt.date, exit_on: dt.date, free_years: int,
                     annual_rate: Decimal | int) -> Decimal:
    """At least cost within ``free_years`` of investing; after that cost + simple interest.

    The rules read "cost + reference-rate interest", so once past the free years interest runs
    for the whole holding period, ACT/365, at ``annual_rate`` percent, rounded half-up to the fen.
    The free period ends on the anniversary (29 Feb -> 28 Feb); exiting on that day is still free.
    """
    cost = _checks.money(cost, "cost", positive=True)
    invested_on = _checks.day(invested_on, "invested_on")
    exit_on = _checks.day(exit_on, "exit_on")
    if exit_on < invested_on:
        raise CalcError("out_of_range", "exit_on", "exit_on 不能早于 invested_on",
                        "exit_on must not precede invested_on")
    free_years = _checks.integer(free_years, "free_years", minimum=0, maximum=100)
    rate = _checks.number(annual_rate, "annual_rate", minimum=Decimal(0), maximum=MAX_RATE)
    units = rate * RATE_SCALE
    if units != units.to_integral_value():
        raise CalcError("too_many_decimals", "annual_rate", "annual_rate 最多四位小数(百分比)",
                        "annual_rate (a percentage) must have at most 4 decimal places")
    if exit_on <= add_months(invested_on, 12 * free_years, invested_on.day):
        return cost
    days = (exit_on - invested_on).days
    interest = round_div(_checks.to_fen(cost) * int(units) * days, RATE_DEN * 365)
    return cost + _checks.from_fen(interest)

"""Repayment schedules of a single loan, exact to the fen.

All the arithmetic is done in integer fen with exact rational rates, so the bulk engine
(``bulk.py``) can reproduce it bit for bit with numpy integers:

* the annual rate is a percentage with at most 4 decimals, held as an integer ``a`` in units of
  0.0001 % (4.35 % -> 43500), so the rate per year is ``a / RATE_DEN``;
* a period's year fraction is ``num / YEAR_DEN[day_count]`` with an integer ``num``;
* interest of a period is ``balance_fen * a * num / (RATE_DEN * YEAR_DEN)`` rounded once, with
  the chosen rounding (half-up by default), from the exact quotient and remainder.

Only the level payment of an equal-installment loan is not rational in closed form; it is
computed once per loan in 50-digit Decimal and rounded to the fen.
"""

from __future__ import annotations

import datetime as dt
from calendar import isleap, monthrange
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import numpy.typing as npt

from . import _checks
from .errors import CalcError

EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
INTEREST_ONLY = "interest_only"  # 先息后本
BULLET = "bullet"  # 到期一次还本付息
METHODS = (EQUAL_INSTALLMENT, EQUAL_PRINCIPAL, INTEREST_ONLY, BULLET)

DAY_COUNTS = ("30/360", "ACT/360", "ACT/365", "ACT/ACT")
# Denominator of a period's year fraction. ACT/ACT (ISDA) weighs a day of a common year 366 and a
# day of a leap year 365 over 365*366, so every day count has an integer numerator.
YEAR_DEN = {"30/360": 360, "ACT/360": 360, "ACT/365": 365, "ACT/ACT": 365 * 366}

ROUNDINGS = (ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN)
RATE_SCALE = 10_000  # rate units per percent: 0.0001 %
RATE_DEN = 100 * RATE_SCALE  # a / RATE_DEN is the rate per year as a fraction
MAX_RATE = Decimal(36)  # above this a rate is usurious in China and almost surely a typo
MAX_TERM = 600
MAX_PRINCIPAL = Decimal("10000000000")  # 100 亿元: keeps every product inside int64 in bulk


@dataclass(frozen=True, slots=True)
class Installment:
    """One row of a schedule; ``balance`` is what remains owed after this payment."""

    number: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    payment: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """Validated loan terms in the integer units both engines compute with."""

    principal_fen: int
    rate_units: int  # annual rate in 0.0001 %
    term_months: int
    method: str
    start_date: dt.date
    day_count: str
    first_due_date: dt.date | None  # None when it is the regular first due date
    rounding: str


def round_div(num: int, den: int, rounding: str = ROUND_HALF_UP) -> int:
    """``num / den`` rounded to an integer exactly as Decimal would (den > 0): half-up is half away from
    zero (四舍五入), so -0.5 fen is -1. The one rule for a share of an amount in fen; ``round_div_array`` is
    the same over an int64 array."""
    if num < 0:
        return -round_div(-num, den, rounding)
    q, r = divmod(num, den)
    if rounding == ROUND_HALF_UP:
        return q + (2 * r >= den)
    if rounding == ROUND_HALF_EVEN:
        return q + (2 * r > den or (2 * r == den and q % 2 == 1))
    return q


def round_div_array(num: npt.NDArray[np.int64], den: int) -> npt.NDArray[np.int64]:
    """``round_div(n, den)`` half-up for every element of an int64 array (den > 0)."""
    magnitude = (2 * np.abs(num) + den) // (2 * den)
    return np.where(num < 0, -magnitude, magnitude)


def add_months(start: dt.date, months: int, anchor_day: int) -> dt.date:
    """The date ``months`` after ``start``'s month on ``anchor_day``, clamped to the month's end."""
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return dt.date(year, month, min(anchor_day, monthrange(year, month)[1]))


def days_30e_360(d1: dt.date, d2: dt.date) -> int:
    """30E/360 day count, used only for an odd first period under 30/360."""
    return 360 * (d2.year - d1.year) + 30 * (d2.month - d1.month) + min(d2.day, 30) - min(d1.day, 30)


def leap_days_before(d: dt.date) -> int:
    """Days falling in leap years from 0001-01-01 up to (not including) ``d``."""
    y = d.year - 1
    leap_years = y // 4 - y // 100 + y // 400
    return 366 * leap_years + ((d - dt.date(d.year, 1, 1)).days if isleap(d.year) else 0)


def year_fraction_num(day_count: str, start: dt.date, end: dt.date, *, regular: bool) -> int:
    """Numerator of the year fraction of (start, end] over ``YEAR_DEN[day_count]``.

    Under 30/360 a regular monthly period is 30 days by definition (monthly rate = annual/12);
    only an odd first period is counted, by 30E/360.
    """
    if day_count == "30/360":
        return 30 if regular else days_30e_360(start, end)
    days = (end - start).days
    if day_count == "ACT/ACT":
        return 366 * days - (leap_days_before(end) - leap_days_before(start))
    return days


def due_dates(terms: LoanTerms) -> list[dt.date]:
    """Monthly due dates on the anchor day (start day, or the first due date's day), clamped."""
    if terms.first_due_date is None:
        s = terms.start_date
        return [add_months(s, k, s.day) for k in range(1, terms.term_months + 1)]
    f = terms.first_due_date
    return [add_months(f, k, f.day) for k in range(terms.term_months)]


def level_payment_fen(principal_fen: int, rate_units: int, term_months: int,
                      rounding: str = ROUND_HALF_UP) -> int:
    """等额本息 payment at monthly rate = annual/12 for every day count, rounded to the fen."""
    if rate_units == 0:
        return round_div(principal_fen, term_months, rounding)
    with localcontext() as ctx:
        ctx.prec = 50
        r = Decimal(rate_units) / (RATE_DEN * 12)
        growth = (1 + r) ** term_months
        payment = principal_fen * r * growth / (growth - 1)
        return int(payment.quantize(Decimal(1), rounding=rounding))


def validate_terms(principal: Decimal | int, annual_rate: Decimal | int, term_months: int, *, method: str,
                   start_date: dt.date, day_count: str = "30/360", first_due_date: dt.date | None = None,
                   rounding: str = ROUND_HALF_UP) -> LoanTerms:
    """Check the inputs once and convert them to integer units; errors name the argument."""
    principal = _checks.money(principal, "principal", positive=True, maximum=MAX_PRINCIPAL)
    rate = _checks.number(annual_rate, "annual_rate", minimum=Decimal(0), maximum=MAX_RATE)
    units = rate * RATE_SCALE
    if units != units.to_integral_value():
        raise CalcError("too_many_decimals", "annual_rate", "annual_rate 最多四位小数(百分比)",
                        "annual_rate (a percentage) must have at most 4 decimal places")
    term_months = _checks.integer(term_months, "term_months", minimum=1, maximum=MAX_TERM)
    _checks.choice(method, "method", METHODS)
    _checks.choice(day_count, "day_count", DAY_COUNTS)
    _checks.choice(rounding, "rounding", ROUNDINGS)
    start_date = _checks.day(start_date, "start_date")
    if first_due_date is not None:
        _checks.day(first_due_date, "first_due_date")
        latest = add_months(start_date, 2, start_date.day)
        if not start_date < first_due_date <= latest:
            raise CalcError("out_of_range", "first_due_date",
                            "first_due_date 必须晚于 start_date 且不超过两个月",
                            "first_due_date must be after start_date and at most two months later")
        if first_due_date == add_months(start_date, 1, start_date.day):
            first_due_date = None
    return LoanTerms(_checks.to_fen(principal), int(units), term_months, method, start_date, day_count,
                     first_due_date, rounding)


def schedule_fen(terms: LoanTerms) -> list[tuple[int, dt.date, int, int, int]]:
    """Rows ``(number, due_date, principal, interest, balance)`` in fen: the reference algorithm.

    The principal of every row but the last is fixed by the method and never exceeds the
    balance; the last row repays whatever balance remains, so the parts sum to the principal.
    An equal-installment row whose actual-day interest exceeds the level payment repays no
    principal rather than capitalising interest.
    """
    dates = due_dates(terms)
    den = RATE_DEN * YEAR_DEN[terms.day_count]
    nums, prev = [], terms.start_date
    for k, due in enumerate(dates):
        regular = k > 0 or terms.first_due_date is None
        nums.append(year_fraction_num(terms.day_count, prev, due, regular=regular))
        prev = due
    p, a, n, rnd = terms.principal_fen, terms.rate_units, terms.term_months, terms.rounding
    if terms.method == BULLET:
        interest = round_div(p * a * sum(nums), den, rnd)
        return [(1, dates[-1], p, interest, 0)]
    payment = level_payment_fen(p, a, n, rnd) if terms.method == EQUAL_INSTALLMENT else 0
    part = round_div(p, n, rnd) if terms.method == EQUAL_PRINCIPAL else 0
    rows, balance = [], p
    for k in range(1, n + 1):
        interest = round_div(balance * a * nums[k - 1], den, rnd)
        if k == n:
            principal = balance
        elif terms.method == EQUAL_INSTALLMENT:
            principal = min(max(payment - interest, 0), balance)
        elif terms.method == EQUAL_PRINCIPAL:
            principal = min(part, balance)
        else:
            principal = 0
        balance -= principal
        rows.append((k, dates[k - 1], principal, interest, balance))
    return rows


def to_installment(number: int, due: dt.date, principal: int, interest: int, balance: int) -> Installment:
    f = _checks.from_fen
    return Installment(number, due, f(principal), f(interest), f(principal + interest), f(balance))


def amortization_schedule(principal: Decimal | int, annual_rate: Decimal | int, term_months: int, *,
                          method: str, start_date: dt.date, day_count: str = "30/360",
                          first_due_date: dt.date | None = None,
                          rounding: str = ROUND_HALF_UP) -> list[Installment]:
    """The repayment schedule of one loan.

    ``annual_rate`` is a percentage (``Decimal("4.35")``). Due dates fall on the start date's day
    of month, or on ``first_due_date``'s day when an odd first period is given, clamped to the
    month's end. Interest is rounded each period; the last installment absorbs any residual.
    """
    terms = validate_terms(principal, annual_rate, term_months, method=method, start_date=start_date,
                           day_count=day_count, first_due_date=first_due_date, rounding=rounding)
    return [to_installment(*row) for row in schedule_fen(terms)]

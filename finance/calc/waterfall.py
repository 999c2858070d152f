"""European (whole-fund) distribution waterfall between LPs and the GP."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from . import _checks
from .allocation import allocate
from .errors import CalcError

TIERS = ("return_of_capital", "preferred_return", "catch_up", "carried_interest")
COMPOUNDING = ("simple", "annual")


@dataclass(frozen=True)
class Tier:
    name: str
    lp: Decimal
    gp: Decimal

    @property
    def total(self) -> Decimal:
        return self.lp + self.gp


@dataclass(frozen=True)
class WaterfallResult:
    """Per-tier LP/GP amounts (in ``TIERS`` order); ``lp + gp == distributable`` to the fen."""

    tiers: tuple[Tier, ...]
    lp: Decimal
    gp: Decimal

    def tier(self, name: str) -> Tier:
        return next(t for t in self.tiers if t.name == name)


def _fen(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(_checks.CENT, ROUND_HALF_UP)


def european_waterfall(contributed: Decimal | int, distributable: Decimal | int, *,
                       hurdle_rate: Decimal | int, hurdle_years: Decimal | int, compounding: str,
                       catch_up_share: Decimal | int,
                       carry_share: Decimal | int) -> WaterfallResult:
    """Return of capital -> preferred return -> GP catch-up -> carried-interest split.

    Rates and shares are fractions: ``hurdle_rate=Decimal("0.08")``, ``catch_up_share=1`` (the GP
    takes 100 % of the catch-up tier), ``carry_share=Decimal("0.2")``. The catch-up tier is just
    large enough for the GP to hold ``carry_share`` of all profit paid so far:
    ``X = carry * pref / (catch_up - carry)``. ``catch_up_share=0`` means no catch-up.
    Each tier is split with ``allocate`` so the tiers sum exactly to ``distributable``.
    """
    contributed = _checks.money(contributed, "contributed", positive=True)
    distributable = _checks.money(distributable, "distributable")
    h = Fraction(_checks.number(hurdle_rate, "hurdle_rate", minimum=Decimal(0), maximum=Decimal(1)))
    years = Fraction(_checks.number(hurdle_years, "hurdle_years", minimum=Decimal(0), maximum=Decimal(100)))
    _checks.choice(compounding, "compounding", COMPOUNDING)
    c_share = _checks.number(catch_up_share, "catch_up_share", minimum=Decimal(0), maximum=Decimal(1))
    carry_fraction = _checks.number(carry_share, "carry_share", minimum=Decimal(0), maximum=Decimal(1))
    c, carry = Fraction(c_share), Fraction(carry_fraction)
    if 0 < c <= carry:
        raise CalcError("catch_up_too_small", "catch_up_share", "catch_up_share 必须为 0 或大于 carry_share",
                        "catch_up_share must be 0 or greater than carry_share")
    if compounding == "annual" and years.denominator != 1:
        raise CalcError("not_integer", "hurdle_years", "按年复利时 hurdle_years 必须是整数",
                        "hurdle_years must be whole years with annual compounding")

    c_amount = Fraction(contributed)
    hurdle = c_amount * h * years if compounding == "simple" else c_amount * ((1 + h) ** int(years) - 1)
    left = distributable
    roc = min(left, contributed)
    left -= roc
    pref = min(left, _fen(hurdle))
    left -= pref
    catch_up = min(left, _fen(carry * Fraction(pref) / (c - carry))) if c else Decimal("0.00")
    left -= catch_up
    split = left

    def tier(name: str, amount: Decimal, gp_share: Decimal) -> Tier:
        lp, gp = allocate(amount, [1 - gp_share, gp_share])
        return Tier(name, lp, gp)

    tiers = (Tier("return_of_capital", roc, Decimal("0.00")), Tier("preferred_return", pref, Decimal("0.00")),
             tier("catch_up", catch_up, c_share), tier("carried_interest", split, carry_fraction))
    return WaterfallResult(tiers, sum((t.lp for t in tiers), Decimal("0.00")),
                           sum((t.gp for t in tiers), Decimal("0.00")))

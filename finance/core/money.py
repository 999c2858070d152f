"""Money helpers: every amount is a Decimal with two places, rounded half-up (四舍五入) explicitly.

django-money stores amount + currency; these helpers make sure nothing with extra decimals reaches the
database (SQLite and PostgreSQL would otherwise round differently) and that an amount is always built in
the currency of the record it belongs to (a USD fund's call is USD, never the platform default).
Parsing outside input lives in ``finance.core.inputs``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from djmoney.money import Money

from .errors import DomainError

FEN = Decimal("0.01")


def fen(amount: Decimal) -> Decimal:
    """Round to the fen, half-up."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def money(amount: Decimal | int | str, currency: str | None = None) -> Money:
    """Money rounded to the fen; prefer ``money_of`` where the amount belongs to a record."""
    return Money(fen(Decimal(amount)), currency or settings.DEFAULT_CURRENCY)


def money_of(record: object, amount: Decimal | int | str, *, attr: str = "currency") -> Money:
    """Money in the record's own currency (a fund, a pool, a loan): the one way to build a posted amount."""
    currency = getattr(record, attr, None)
    if currency is None:
        raise ValueError(f"{type(record).__name__} has no {attr}")
    return Money(fen(Decimal(amount)), str(currency))


def same_currency(*currencies: str, field: str = "currency") -> str:
    """Refuse mixing: amounts of different currencies are never added or compared."""
    distinct = {str(c) for c in currencies if c}
    if len(distinct) > 1:
        listed = "、".join(sorted(distinct))
        raise DomainError(f"币种不一致：{listed}", f"currencies differ: {', '.join(sorted(distinct))}",
                          code="currency_mismatch", field=field)
    return distinct.pop() if distinct else str(settings.DEFAULT_CURRENCY)


def totals_by_currency(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Sum (currency, amount) pairs per currency: never one total across currencies."""
    out: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for currency, amount in pairs:
        out[str(currency)] += Decimal(amount)
    return dict(out)


def percent_to_fraction(percent: Decimal | int | str) -> Decimal:
    """8 (%) → 0.08, exactly (a Decimal shift, no float)."""
    return Decimal(percent).scaleb(-2)


def fraction_to_percent(fraction: Decimal | int | str) -> Decimal:
    """0.08 → 8 (%), exactly."""
    return Decimal(fraction).scaleb(2).normalize()

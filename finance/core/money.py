"""Money helpers: every amount is a Decimal with two places, rounded half-up (四舍五入) explicitly.

django-money stores amount + currency; these helpers make sure nothing with extra decimals or a currency
outside the whitelist reaches the database (SQLite and PostgreSQL would otherwise round differently).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from djmoney.money import Money

from .errors import DomainError

FEN = Decimal("0.01")


def fen(amount: Decimal) -> Decimal:
    """Round to the fen, half-up."""
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def check_currency(currency, field: str = "currency") -> str:
    """Normalise (" cny" → "CNY", empty → the default) and refuse currencies outside the whitelist."""
    currency = str(currency or "").strip().upper() or settings.DEFAULT_CURRENCY
    if currency not in settings.CURRENCIES:
        raise DomainError(
            f"币种 {currency!r} 不受支持（支持：{', '.join(settings.CURRENCIES)}）",
            f"currency {currency!r} is not supported (supported: {', '.join(settings.CURRENCIES)})",
            code="invalid_currency", field=field,
        )
    return currency


def parse_amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """Parse user input into a positive two-place Decimal; refuse floats, NaN, more than two decimals."""
    if isinstance(value, float):
        raise DomainError(f"{field} 必须是十进制字符串，不能是浮点数", f"{field} must be a decimal string, not a float",
                          code="invalid_amount", field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"{field} 不是有效金额：{value!r}", f"{field} is not a valid amount: {value!r}",
                          code="invalid_amount", field=field) from None
    if not amount.is_finite():
        raise DomainError(f"{field} 不是有限数", f"{field} is not a finite number", code="invalid_amount", field=field)
    if amount.as_tuple().exponent < -2:
        raise DomainError(f"{field} 最多两位小数（分）", f"{field} has more than two decimal places (fen)",
                          code="invalid_amount", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(f"{field} 必须大于零", f"{field} must be greater than zero", code="invalid_amount", field=field)
    return amount.quantize(FEN)


def money(amount, currency: str | None = None) -> Money:
    return Money(fen(Decimal(amount)), currency or settings.DEFAULT_CURRENCY)

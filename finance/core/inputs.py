"""The one place where input is parsed: amounts, rates, dates, currencies, ids, text, and "today".

Every API field, bulk-file column, page form and service that takes outside input calls these, so a rule
(two decimal places, no floats, no future dates, Asia/Shanghai "today") is written once. Each refusal is a
``DomainError`` naming the field in Chinese and English; nothing here touches the database.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from .errors import DomainError
from .money import FEN, fraction_to_percent, percent_to_fraction

# Money columns are NUMERIC(18, 2): sixteen digits before the point. Anything larger is refused here,
# not by the database (which would answer with a 500).
AMOUNT_MAX = Decimal("9999999999999999.99")
# Rates and ratios are NUMERIC(≤8, ≤6) fractions; a rate of 1,000 (100,000 %) is already absurd.
RATE_MAX = Decimal("1000")
# Dates the platform deals with: the oldest rules (2017) back to fund vintages, and nothing in year 9999.
DATE_MIN = dt.date(1990, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
_MAX_NUMBER_TEXT = 40  # characters; "1e400" and 40 nines are refused before Decimal sees them


def today() -> dt.date:
    """Today in Asia/Shanghai (the platform's TIME_ZONE), whatever the server clock's zone."""
    day: dt.date = timezone.localdate()
    return day


def _err(field: str, zh: str, en: str, code: str) -> DomainError:
    return DomainError(f"{field}：{zh}", f"{field}: {en}", code=code, field=field)


def _decimal(value: object, field: str, code: str) -> Decimal:
    """Decimal from a string, int or Decimal; floats, booleans, NaN, infinities and exponents are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise _err(field, "必须是十进制字符串，不能是浮点数", "must be a decimal string, not a float", code)
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip()
        if not text or len(text) > _MAX_NUMBER_TEXT or "\x00" in text:
            raise _err(field, f"不是有效数字：{text[:20]!r}", f"not a valid number: {text[:20]!r}", code)
        try:
            number = Decimal(text.replace(",", ""))
        except (InvalidOperation, ValueError):
            raise _err(field, f"不是有效数字：{text[:20]!r}", f"not a valid number: {text[:20]!r}",
                       code) from None
    if not number.is_finite():
        raise _err(field, "不是有限数", "is not a finite number", code)
    return number


def parse_amount(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    """A positive amount with at most two decimal places (fen), below the columns' limit."""
    amount = _decimal(value, field, "invalid_amount")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise _err(field, "最多两位小数（分）", "has more than two decimal places (fen)", "invalid_amount")
    if abs(amount) > AMOUNT_MAX:
        raise _err(field, f"超过上限 {AMOUNT_MAX:,}", f"exceeds the limit {AMOUNT_MAX:,}", "invalid_amount")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise _err(field, "必须大于零", "must be greater than zero", "invalid_amount")
    return amount.quantize(FEN)


def parse_rate(value: object, field: str, *, percent: bool = False, max_value: Decimal | None = None,
               allow_zero: bool = True, places: int = 6) -> Decimal:
    """A rate or ratio as a fraction (0.08 for 8 %). ``percent=True`` reads "8" as 8 % and returns 0.08.

    At most ``places`` decimals after conversion (the columns' scale); negative rates are refused.
    """
    number = _decimal(value, field, "invalid_rate")
    if percent:
        number = percent_to_fraction(number)
    if number < 0 or (number == 0 and not allow_zero):
        raise _err(field, "必须大于零" if not allow_zero else "不能为负", "must be positive" if not allow_zero
                   else "cannot be negative", "invalid_rate")
    limit = RATE_MAX if max_value is None else max_value
    if number > limit:
        shown = fraction_to_percent(limit) if percent else limit
        raise _err(field, f"不能超过 {shown}", f"cannot exceed {shown}", "invalid_rate")
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        raise _err(field, f"最多 {places} 位小数", f"has more than {places} decimal places", "invalid_rate")
    return number.quantize(quantum).normalize() if number else Decimal(0)


def parse_number(value: object, field: str, *, max_value: Decimal, places: int) -> Decimal:
    """A non-negative figure (a policy value: percent, yuan, months, ratio) that fits a NUMERIC column:
    finite, at most ``max_value`` and ``places`` decimals (NaN, Infinity and 1e30 are refused, not stored)."""
    number = _decimal(value, field, "invalid_number")
    if number < 0:
        raise _err(field, "不能为负", "cannot be negative", "invalid_number")
    if number > max_value:
        raise _err(field, f"不能超过 {max_value:,}", f"cannot exceed {max_value:,}", "invalid_number")
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        raise _err(field, f"最多 {places} 位小数", f"has more than {places} decimal places", "invalid_number")
    return number


def parse_date(value: object, field: str, *, not_future: bool = False, not_before: dt.date | None = None,
               not_before_label: str = "") -> dt.date:
    """An ISO date (or a date) inside the platform's range; ``not_future`` applies "not after today"."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        text = str(value or "").strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise _err(field, f"不是有效日期（YYYY-MM-DD）：{text[:20]!r}",
                       f"not a valid date (YYYY-MM-DD): {text[:20]!r}", "invalid_date") from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise _err(field, f"日期须在 {DATE_MIN} 至 {DATE_MAX} 之间",
                   f"date must be between {DATE_MIN} and {DATE_MAX}",
                   "invalid_date")
    if not_future:
        check_not_future(value, field)
    if not_before is not None and value < not_before:
        label = not_before_label or str(not_before)
        raise _err(field, f"不能早于{label}（{not_before}）",
                   f"cannot be before {label or not_before} ({not_before})",
                   "invalid_date")
    return value


def check_not_future(value: dt.date, field: str) -> dt.date:
    """The shared rule: payments, repayments, NAVs, recoveries and payouts are never dated after today."""
    if value > today():
        raise _err(field, f"不能晚于今天（{today()}）", f"cannot be after today ({today()})", "future_date")
    return value


def check_currency(currency: object, field: str = "currency") -> str:
    """Normalise (" cny" → "CNY", empty → the default) and refuse currencies outside the whitelist."""
    currency = str(currency or "").strip().upper() or settings.DEFAULT_CURRENCY
    if currency not in settings.CURRENCIES:
        raise DomainError(
            f"币种 {currency[:10]!r} 不受支持（支持：{', '.join(settings.CURRENCIES)}）",
            f"currency {currency[:10]!r} is not supported (supported: {', '.join(settings.CURRENCIES)})",
            code="invalid_currency", field=field,
        )
    return currency


def parse_id(value: object, field: str) -> int:
    """A positive integer id from a form or query string ("abc", "NaN", "1e3" and 0 are refused)."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise _err(field, f"不是有效编号：{text[:20]!r}", f"not a valid id: {text[:20]!r}", "invalid_id")
    return int(text)


def parse_int(value: object, field: str, *, min_value: int = 0, max_value: int = 10**15) -> int:
    """A whole number (share counts, months, years) within bounds."""
    text = str(value if value is not None else "").strip()
    sign = text[:1] == "-"
    digits = text[1:] if sign else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        raise _err(field, f"不是整数：{text[:20]!r}", f"not a whole number: {text[:20]!r}", "invalid_number")
    number = -int(digits) if sign else int(digits)
    if not min_value <= number <= max_value:
        raise _err(field, f"须在 {min_value:,} 至 {max_value:,} 之间",
                   f"must be between {min_value:,} and {max_value:,}",
                   "invalid_number")
    return number


def parse_text(value: object, field: str, *, max_length: int, required: bool = True) -> str:
    """Free text: stripped, no NUL or other control characters, at most ``max_length`` characters."""
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise _err(field, "必填", "is required", "required")
    if len(text) > max_length:
        raise _err(field, f"最多 {max_length} 个字符", f"at most {max_length} characters", "too_long")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise _err(field, "包含控制字符", "contains control characters", "invalid_text")
    return text

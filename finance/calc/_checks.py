"""Input checks shared by the calculators: money is Decimal (or int), never float."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from fractions import Fraction

from .errors import CalcError

CENT = Decimal("0.01")


def money(raw: object, field: str, *, positive: bool = False, allow_negative: bool = False,
          maximum: Decimal | None = None) -> Decimal:
    """A money amount: Decimal or int, finite, at most 2 decimal places."""
    if isinstance(raw, bool) or not isinstance(raw, (Decimal, int)):
        raise CalcError("not_decimal", field,
                        f"{field} 必须是 Decimal 金额(不接受 {type(raw).__name__})",
                        f"{field} must be a Decimal amount, not {type(raw).__name__}")
    value = Decimal(raw)
    if not value.is_finite():
        raise CalcError("not_finite", field, f"{field} 必须是有限数", f"{field} must be finite")
    if value != value.quantize(CENT):
        raise CalcError("too_many_decimals", field, f"{field} 最多两位小数(分)",
                        f"{field} must have at most 2 decimal places (fen)")
    if positive and value <= 0:
        raise CalcError("not_positive", field, f"{field} 必须大于零", f"{field} must be positive")
    if not allow_negative and value < 0:
        raise CalcError("negative", field, f"{field} 不能为负", f"{field} must not be negative")
    if maximum is not None and value > maximum:
        raise CalcError("too_large", field, f"{field} 不能超过 {maximum}",
                        f"{field} must not exceed {maximum}")
    return value.quantize(CENT)


def number(raw: object, field: str, *, minimum: Decimal | int | None = None,
           maximum: Decimal | int | None = None, allow_float: bool = False) -> Decimal:
    """A rate, share or weight as an exact Decimal (float only where the caller allows it)."""
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, float) and allow_float:
        raw = Decimal(repr(raw))
    if not isinstance(raw, (Decimal, int)):
        raise CalcError("not_decimal", field, f"{field} 必须是 Decimal 数值",
                        f"{field} must be a Decimal number, not {type(raw).__name__}")
    value = Decimal(raw)
    if not value.is_finite():
        raise CalcError("not_finite", field, f"{field} 必须是有限数", f"{field} must be finite")
    if minimum is not None and value < minimum:
        raise CalcError("too_small", field, f"{field} 不能小于 {minimum}",
                        f"{field} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise CalcError("too_large", field, f"{field} 不能超过 {maximum}",
                        f"{field} must not exceed {maximum}")
    return value


def integer(value: object, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalcError("not_integer", field, f"{field} 必须是整数", f"{field} must be an integer")
    if not minimum <= value <= maximum:
        raise CalcError("out_of_range", field, f"{field} 必须在 {minimum} 到 {maximum} 之间",
                        f"{field} must be between {minimum} and {maximum}")
    return value


def day(value: object, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise CalcError("not_date", field, f"{field} 必须是日期", f"{field} must be a date")
    return value


def choice(value: object, field: str, allowed: Collection[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        opts = ", ".join(map(str, allowed))
        raise CalcError(f"unknown_{field}", field, f"未知的 {field}: {value!r}(可选 {opts})",
                        f"unknown {field} {value!r} (choose from {opts})")
    return value


def fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def to_fen(value: Decimal) -> int:
    return int(value.scaleb(2))


def from_fen(fen: int) -> Decimal:
    return Decimal(int(fen)).scaleb(-2)

"""Template filters every page uses (registered as builtins): money shown the same way everywhere."""
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def money(value):
    """1234567.8 → "1,234,567.80": two places and thousands separators in every language."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(getattr(value, 'amount', value))):,.2f}"
    except (InvalidOperation, ValueError):
        return value


@register.filter
def pct(value, places: int = 2):
    """A fraction as a percentage: 0.0391 → "3.91%"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)) * 100:.{int(places)}f}%"
    except (InvalidOperation, ValueError):
        return value

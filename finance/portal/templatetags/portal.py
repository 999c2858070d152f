"""Whole numbers with thousands separators in every language (``intcomma`` follows the locale, and zh-hans
groups nothing)."""
from django import template

register = template.Library()


@register.filter
def grouped(value):
    """1200000 → "1,200,000"; empty → "—"."""
    if value in (None, ""):
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value

"""Template filters and tags every page uses (registered as builtins): money shown the same way everywhere,
the CSP nonce."""
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


@register.simple_tag(takes_context=True)
def csp_nonce(context):
    """`<script{% csp_nonce %}>` / `<style{% csp_nonce %}>`: the request's Content-Security-Policy nonce
    attribute.

    Only for the rare inline block that cannot live in a static file; inline event handlers (onclick=…) are
    refused by the policy whatever their nonce: use a data attribute and finance/web/static/web/kejin.js.
    """
    from django.utils.html import format_html

    request = context.get("request")
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    # django-csp's lazy nonce is falsy until first read, and reading it is what puts it in the header
    return format_html(' nonce="{}"', str(nonce)) if nonce is not None else ""

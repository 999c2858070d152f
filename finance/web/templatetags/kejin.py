"""Template filters and tags every page uses (registered as builtins): money shown the same way everywhere,
the CSP nonce."""
from decimal import Decimal, InvalidOperation

from django import template

from finance.web import labels

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
def yuan(value):
    """An amount inside a sentence: "¥1,234,567.80" (in a table the column header names the currency and the
    cells use ``money``; docs/ui.md)."""
    shown = money(value)
    return shown if shown == "—" or not isinstance(shown, str) else f"¥{shown}"


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


@register.filter
def from_label(change):
    """A state-change row's former state as its model's label (``submitted`` → 已提交)."""
    from finance.web.labels import state_label

    return state_label(change, change.from_state)


@register.filter
def to_label(change):
    from finance.web.labels import state_label

    return state_label(change, change.to_state)


@register.simple_tag(takes_context=True)
def can(context, url_name, *args):
    """``{% can "funds:index-upload" as may_upload %}``: the view's own role rule
    (finance.web.permissions)."""
    from finance.web.permissions import can_open

    return can_open(context.get("user"), url_name, *args)


# The labels a person reads for stored codes (finance.web.labels is their one place), as template filters.
register.filter("reason_text", labels.reason_text)
register.filter("tier_label", labels.tier_label)
register.filter("currency_label", labels.currency_label)
register.filter("details_text", labels.details_text)
register.filter("policy_rows", labels.policy_rows)
register.filter("source_text", labels.source_text)
register.filter("party_label", labels.party_label)

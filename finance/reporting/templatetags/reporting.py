from django import template

from ..presentation import fmt

register = template.Library()


@register.filter
def cells(row, columns):
    """A table row as formatted cells: [{text, num}] (numbers right-aligned, thousands separators)."""
    out = []
    for value, (_label, kind) in zip(row, columns, strict=True):
        k = value[0] if isinstance(value, tuple) else kind
        out.append({"text": fmt(value, kind), "num": k not in ("text", "date")})
    return out

"""Home-panel figures of the application flow."""
from django import template

from .. import selectors
from ..models import Status

register = template.Library()


@register.simple_tag
def application_counts_for(user):
    counts = selectors.application_counts(user=user)
    return [(Status(s).label, n) for s, n in counts.items()]


@register.simple_tag
def queue_counts_for(user):
    return selectors.queue_counts(user=user)


@register.simple_tag
def needs_count_for(user):
    return selectors.financing_needs(user=user).count()

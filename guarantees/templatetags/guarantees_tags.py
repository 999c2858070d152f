from django import template

from guarantees import selectors
from guarantees.models import ClaimStatus

register = template.Library()


@register.simple_tag
def pool_home_counts(user):
    claims = selectors.claim_list(user=user)
    return {
        "review": claims.filter(status=ClaimStatus.SUBMITTED).count(),
        "to_pay": claims.filter(status=ClaimStatus.APPROVED).count(),
        "enrolments": selectors.enrolment_list(user=user).count(),
        "guarantees": selectors.guarantee_list(user=user).count(),
    }

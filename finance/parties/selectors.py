"""Reads for organisations and users, scoped to the caller."""
from django.db.models import QuerySet

from .models import Organisation
from .rules import can_see_everything


def scope_to_caller(qs: QuerySet, user, org_field: str) -> QuerySet:
    """The one scoping rule: oversight roles see all rows, everybody else only rows of their organisation.

    ``org_field`` is the lookup path from the queryset's model to its owning organisation (``bank``,
    ``sub_fund__manager``...). Objects outside the scope then answer 404 wherever they are fetched.
    """
    if can_see_everything(user):
        return qs
    if not user.organisation_id:
        return qs.none()
    return qs.filter(**{org_field: user.organisation_id})


def organisation_list(*, user) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if can_see_everything(user):
        return qs
    return qs.filter(pk=user.organisation_id)

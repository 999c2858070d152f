"""Reads for organisations and users, scoped to the caller."""
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    IdentityEvent,
    Invitation,
    Organisation,
    OrganisationAPIKey,
    RoleRequest,
    RoleRequestStatus,
    User,
)
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


def people_of(organisation) -> QuerySet:
    """The organisation's users (system users of API keys left out), with their roles."""
    return (User.objects.filter(organisation=organisation).exclude(username__startswith="system-")
            .prefetch_related("role_grants").order_by("-is_active", "username"))


def person_for(user, pk: int):
    """A colleague of ``user`` by id: another organisation's user (or a system user) is not found (404)."""
    return get_object_or_404(people_of(user.organisation_id or -1), pk=pk)


def api_keys_of(organisation) -> QuerySet:
    return OrganisationAPIKey.objects.filter(organisation=organisation).order_by("-created")


def api_key_for(user, prefix: str):
    """One of the caller's organisation's keys by its public prefix (another organisation's: 404)."""
    return get_object_or_404(api_keys_of(user.organisation_id or -1), prefix=prefix)


def identity_events_of(organisation, *, user=None, limit: int = 100):
    qs = IdentityEvent.objects.filter(organisation=organisation).select_related("by", "user")
    if user is not None:
        qs = qs.filter(user=user)
    return qs[:limit]


def role_requests_pending(organisation) -> QuerySet:
    return (RoleRequest.objects.filter(user__organisation=organisation, status=RoleRequestStatus.PENDING)
            .select_related("user", "requested_by"))


def invitations_open(organisation) -> QuerySet:
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True,
                                     cancelled_at__isnull=True, expires_at__gt=timezone.now())

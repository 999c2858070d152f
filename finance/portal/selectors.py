"""Reads of the enterprise's records. ``*_of(org)`` read one enterprise (the caller has already resolved it
from its own scope); ``*_for(user, pk)`` fetch one object through ``scope_to_caller`` (the enterprise's own
users and oversight roles see it; anyone else gets 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from finance.parties.models import Organisation, OrgKind
from finance.parties.selectors import scope_to_caller
from loans.selectors import pledged_ip_numbers

from .models import Document, EnterpriseProfile, IPRight, Shareholder, TalentMember

#: The portal's IP kinds as the loans app names them (designs are never pledged for a loan).
LOAN_IP_KIND = {
    "invention": "invention_patent",
    "utility_model": "utility_model",
    "trademark": "trademark",
    "software_copyright": "copyright",
}


def profile_of(org: Organisation) -> EnterpriseProfile:
    """The enterprise's profile, or an unsaved empty one (``pk is None``) if it has not filled it in."""
    return EnterpriseProfile.objects.filter(organisation=org).first() or EnterpriseProfile(organisation=org)


def profile_completeness(profile: EnterpriseProfile) -> int:
    """Percent of the profile's key fields filled in (a whole number, 0–100)."""
    fields = EnterpriseProfile.COMPLETENESS_FIELDS
    filled = sum(1 for f in fields if getattr(profile, f) not in (None, ""))
    return filled * 100 // len(fields)


def talent_members_of(org: Organisation) -> QuerySet[TalentMember]:
    return TalentMember.objects.filter(organisation=org)


def shareholders_of(org: Organisation) -> QuerySet[Shareholder]:
    return Shareholder.objects.filter(organisation=org)


def ip_rights_of(org: Organisation) -> list[IPRight]:
    """The portfolio, each right with ``pledged_now``: whether it secures an outstanding loan now (read from
    loans, so the bank, the reviewer and the enterprise see one truth)."""
    rights = list(IPRight.objects.filter(organisation=org))
    pairs = {(LOAN_IP_KIND[r.kind], r.number) for r in rights if r.kind in LOAN_IP_KIND}
    pledged = pledged_ip_numbers(pairs)
    for r in rights:
        r.pledged_now = (LOAN_IP_KIND.get(r.kind), r.number) in pledged
    return rights


def ip_right_count(org: Organisation) -> int:
    return IPRight.objects.filter(organisation=org).count()


def documents_of(org: Organisation, kinds=None) -> QuerySet[Document]:
    """The enterprise's live documents (deleted ones hidden), newest first; ``kinds`` narrows them."""
    qs = Document.objects.filter(organisation=org, deleted_at__isnull=True).select_related("uploaded_by")
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    return qs


def document_list(*, user) -> QuerySet[Document]:
    return scope_to_caller(Document.objects.filter(deleted_at__isnull=True), user, "organisation")


def document_for(user, pk) -> Document:
    """A live document the caller may see; another enterprise's (or a deleted one) raises Http404."""
    document = document_list(user=user).select_related("organisation").filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def _one(qs: QuerySet, user, pk):
    obj = scope_to_caller(qs, user, "organisation").select_related("organisation").filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def ip_right_for(user, pk) -> IPRight:
    return _one(IPRight.objects.all(), user, pk)


def talent_member_for(user, pk) -> TalentMember:
    return _one(TalentMember.objects.all(), user, pk)


def shareholder_for(user, pk) -> Shareholder:
    return _one(Shareholder.objects.all(), user, pk)


# ---------------------------------------------------------------- the department's verification queue


def verification_queue() -> QuerySet[Organisation]:
    """Enterprises a department has not confirmed yet, oldest first (self-registered, or registered by a
    bank)."""
    return Organisation.objects.filter(
        kind=OrgKind.ENTERPRISE, verified_at__isnull=True, is_active=True
    ).order_by("created_at", "pk")


def enterprise_for_review(pk) -> Organisation:
    """Any enterprise, for a department reviewer (the view checks the role); anything else is 404."""
    org = Organisation.objects.filter(kind=OrgKind.ENTERPRISE, pk=pk).first()
    if org is None:
        raise Http404
    return org


def documents_with_licence(org_ids) -> list[int]:
    """Which of the enterprises have a live business licence uploaded."""
    from .models import DocumentKind

    return list(
        Document.objects.filter(
            organisation_id__in=list(org_ids), kind=DocumentKind.BUSINESS_LICENCE, deleted_at__isnull=True
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )

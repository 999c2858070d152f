"""Permission predicates (django-rules): one place for each "who may do what" rule.

Object predicates take the object's owning organisation through ``owner_org(obj)`` so that every app shares
the same scoping rule: a user sees objects of their own organisation; oversight roles (department reviewers,
auditors, administrators) see everything in the province.
"""
import rules

from .models import OrgKind, Role

OVERSIGHT_ROLES = (Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)


def _has(*roles):
    @rules.predicate
    def predicate(user):
        return bool(user and user.is_authenticated and hasattr(user, "has_role") and user.has_role(*roles))

    predicate.__name__ = "has_role_" + "_or_".join(roles)
    return predicate


is_applicant = _has(Role.APPLICANT)
is_bank_officer = _has(Role.BANK_OFFICER)
is_fund_manager = _has(Role.FUND_MANAGER)
is_committee_member = _has(Role.COMMITTEE_MEMBER)
is_guarantor_officer = _has(Role.GUARANTOR_OFFICER)
is_department_reviewer = _has(Role.DEPARTMENT_REVIEWER)
is_auditor = _has(Role.AUDITOR)
is_administrator = _has(Role.ADMINISTRATOR)
is_oversight = _has(*OVERSIGHT_ROLES)


def owner_org_id(obj):
    """The organisation an object belongs to: objects expose ``owner_org_id`` (a field or a property)."""
    return getattr(obj, "owner_org_id", None)


@rules.predicate
def is_own_org_object(user, obj):
    return obj is not None and user.organisation_id is not None and owner_org_id(obj) == user.organisation_id


def can_see_everything(user) -> bool:
    """Oversight users read across organisations; everyone else only their own."""
    return is_oversight(user)


def is_org_kind(user, kind: OrgKind) -> bool:
    return bool(user.organisation_id) and user.organisation.kind == kind


rules.add_perm("parties.view_object", is_oversight | is_own_org_object)
rules.add_perm("parties.administer", is_administrator)

"""Permission predicates (django-rules): one place for each "who may do what" rule.

Reads are scoped by ``finance.parties.selectors.scope_to_caller`` (a user sees objects of their own
organisation; oversight roles, department reviewers, auditors and administrators, see everything in the
province). This module also holds the identity rules every entry point shares: whether an account may be used
at all (``account_usable``), whether it still owes a second factor (``needs_second_factor``) and whether two
people belong to the same organisation (``same_organisation``, for maker-checker across organisations).
"""
import rules
from django.conf import settings

from finance.core.errors import DomainError

from .models import APPROVER_ROLES, ROLE_ORG_KINDS, OrgKind, Role

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
is_org_admin = _has(Role.ORG_ADMIN)
#: Who manages an organisation's people: its organisation administrators; in a department also the platform
#: administrators (departments' people are the platform's own).
PEOPLE_MANAGER_ROLES = (Role.ORG_ADMIN, Role.ADMINISTRATOR)
may_manage_people = _has(*PEOPLE_MANAGER_ROLES)
#: Who enrols an authenticator: the approvers (who must pass a second factor) and organisation administrators.
AUTHENTICATOR_ROLES = (*sorted(APPROVER_ROLES), Role.ORG_ADMIN)


def can_see_everything(user) -> bool:
    """Oversight users read across organisations; everyone else only their own."""
    return is_oversight(user)


def is_org_kind(user, kind: OrgKind) -> bool:
    return bool(user.organisation_id) and user.organisation.kind == kind




@rules.predicate
def may_manage_api_keys(user) -> bool:
    """Bank (and guarantor) administrators issue, expire and revoke their organisation's API keys."""
    return bool(user and user.is_authenticated and hasattr(user, "has_role") and user.has_role(Role.ORG_ADMIN)
                and user.organisation_id and user.organisation.kind in (OrgKind.BANK, OrgKind.GUARANTOR))


def grantable_roles(by, organisation) -> list[str]:
    """The roles ``by`` may give in ``organisation``: those its kind allows (ROLE_ORG_KINDS); the platform
    administrator role only by a platform administrator."""
    if by is None or not may_manage_people(by) or by.organisation_id != organisation.pk:
        return []
    return [role.value for role in Role if organisation.kind in ROLE_ORG_KINDS[role]
            and (role != Role.ADMINISTRATOR or by.has_role(Role.ADMINISTRATOR))]


def check_may_submit(organisation) -> None:
    """The one rule for submitting an application: the enterprise's identity must have been confirmed by a
    department reviewer (finance.parties.services.enterprise_verify)."""
    if organisation is None or not organisation.is_verified:
        raise DomainError(
            "企业身份尚未经主管部门核验，暂不能提交申请；可先完善资料并保存草稿",
            "the enterprise's identity has not been confirmed by a department yet: it cannot submit "
            "applications (profile and drafts can still be saved)",
            code="enterprise_unverified",
            status=403,
        )


def account_usable(user) -> bool:
    """An account may authenticate (password, session or API key) only while it and its organisation are
    active.

    Deactivating an organisation therefore stops its API keys, its users' logins and their open sessions at
    once.
    """
    if user is None or not user.is_active:
        return False
    return user.organisation_id is None or user.organisation.is_active


def needs_second_factor(user) -> bool:
    """With KEJIN_REQUIRE_OTP, approvers (APPROVER_ROLES) must have passed a one-time password in this
    session.

    Pages (finance.web.middleware) and session-authenticated API calls (finance.api.auth) both ask this.
    """
    if (
        not settings.KEJIN_REQUIRE_OTP
        or user is None
        or not user.is_authenticated
        or not hasattr(user, "has_role")
    ):
        return False
    if not user.has_role(*APPROVER_ROLES):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def same_organisation(user_a, user_b) -> bool:
    """Whether two users belong to the same organisation (users without one never match)."""
    return bool(user_a is not None and user_b is not None and user_a.organisation_id
                and user_a.organisation_id == user_b.organisation_id)


def check_approver_independent(*, maker, approver, role: str) -> None:
    """Maker-checker across organisations: when the approving role cannot be held in the maker's kind of
    organisation (a department reviewer approving a bank's claim), the approver must not come from the maker's
    organisation. Within one organisation (two reviewers of a department, a fund manager and the committee)
    the existing maker ≠ checker rule is enough."""
    from finance.core.errors import PermissionDenied

    from .models import ROLE_ORG_KINDS

    maker_kind = maker.organisation.kind if maker is not None and maker.organisation_id else None
    cross_organisation = maker_kind not in ROLE_ORG_KINDS.get(role, set())
    if cross_organisation and same_organisation(maker, approver):
        raise PermissionDenied(
            "审批人不能与提交人来自同一机构",
            "the approver cannot belong to the maker's organisation",
            code="approver_same_organisation",
        )
rules.add_perm("parties.administer", is_administrator)

"""Organisations, users and their roles.

A user belongs to exactly one organisation (platform operators belong to the operating department) and holds
one or more roles there. Every selector scopes reads through the user's organisation.
"""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey


class OrgKind(models.TextChoices):
    BANK = "bank", _("Bank")
    ENTERPRISE = "enterprise", _("Enterprise (startup)")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    GUARANTOR = "guarantor", _("Guarantor")
    DEPARTMENT = "department", _("Department")
    UNIVERSITY = "university", _("University / institute")


class DeptLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")


#: Organisation kinds that must carry a unified social credit code.
USCC_REQUIRED = (OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.GUARANTOR, OrgKind.FUND_MANAGER)


class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    dept_level = models.CharField(_("department level"), max_length=10, choices=DeptLevel.choices, blank=True)
    region = models.CharField(_("region (city)"), max_length=50, blank=True)
    tech_sme_number = models.CharField(_("tech-based SME registration number"), max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="org_uscc_required",
                condition=~Q(kind__in=[k.value for k in USCC_REQUIRED]) | Q(uscc__isnull=False),
            ),
            models.CheckConstraint(
                name="org_dept_level_only_for_departments",
                condition=Q(kind="department") | Q(dept_level=""),
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    BANK_OFFICER = "bank_officer", _("Bank officer")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    GUARANTOR_OFFICER = "guarantor_officer", _("Guarantor officer")
    DEPARTMENT_REVIEWER = "department_reviewer", _("Department reviewer")
    AUDITOR = "auditor", _("Auditor (read-only)")
    ADMINISTRATOR = "administrator", _("Administrator")


#: Which organisation kinds a role can be held in (one place for the rule).
ROLE_ORG_KINDS = {
    Role.APPLICANT: {OrgKind.ENTERPRISE, OrgKind.UNIVERSITY},
    Role.BANK_OFFICER: {OrgKind.BANK},
    Role.FUND_MANAGER: {OrgKind.FUND_MANAGER},
    Role.COMMITTEE_MEMBER: {OrgKind.FUND_MANAGER},
    Role.GUARANTOR_OFFICER: {OrgKind.GUARANTOR},
    Role.DEPARTMENT_REVIEWER: {OrgKind.DEPARTMENT},
    Role.AUDITOR: {OrgKind.DEPARTMENT},
    Role.ADMINISTRATOR: {OrgKind.DEPARTMENT},
}

#: Roles that approve or sign off things (fund managers sign off deals): with KEJIN_REQUIRE_OTP they must pass
#: a one-time-password second factor, on pages and on the API alike
#: (finance.parties.rules.needs_second_factor).
APPROVER_ROLES = {Role.COMMITTEE_MEMBER, Role.DEPARTMENT_REVIEWER, Role.FUND_MANAGER, Role.ADMINISTRATOR}


def _role_fits_org_kind() -> Q:
    """The database form of ROLE_ORG_KINDS: each grant's role must be allowed in its organisation's kind."""
    condition = Q()
    for role, kinds in ROLE_ORG_KINDS.items():
        condition |= Q(role=role.value, org_kind__in=sorted(k.value for k in kinds))
    return condition


class User(AbstractUser):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="users", verbose_name=_("organisation"))
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    def roles(self) -> set[str]:
        """The user's roles, cached on the instance (one query per request)."""
        if not hasattr(self, "_roles_cache"):
            self._roles_cache = set(self.role_grants.values_list("role", flat=True))
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    def __str__(self):
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role held by a user. ``org_kind`` copies the kind of the user's organisation so that the database can
    check role ↔ organisation kind (CHECK ``role_grant_fits_org_kind``); triggers (migration 0002) keep the
    copy equal to the real kind on insert/update and refuse moving a user, or re-kinding an organisation,
    under it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    org_kind = models.CharField(
        _("organisation kind"), max_length=20, choices=OrgKind.choices, editable=False, default=""
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique"),
            models.CheckConstraint(name="role_grant_fits_org_kind", condition=_role_fits_org_kind()),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        if not self.org_kind and self.user_id:
            organisation = (
                User.objects.filter(pk=self.user_id).values_list("organisation__kind", flat=True).first()
            )
            self.org_kind = organisation or ""
        super().save(*args, **kwargs)


class OrganisationAPIKey(AbstractAPIKey):
    """A hashed API key for a bank's (or guarantor's) system; requests act as the organisation's system
    user."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_keys")

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("organisation API key")

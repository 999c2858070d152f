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
    # The year of the registration (入库年度): a registration holds for its year. With the number, the one
    # record of it (the portal's profile form checks 2017…this year and writes both through
    # organisation_tech_sme_set). No check constraint: on SQLite it would remake the table under the role
    # triggers (see 0003).
    tech_sme_year = models.PositiveSmallIntegerField(
        _("tech-based SME registration year"), null=True, blank=True
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    # Identity confirmed by a department reviewer against the business licence (finance.parties.services
    # enterprise_verify). A self-registered enterprise, or one a bank registered, starts unverified and cannot
    # submit applications (rules.check_may_submit); bank flows never look at it.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey("parties.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("verified by"))
    verification_note = models.TextField(_("verification note"), blank=True)  # the last refusal's reason
    self_registered = models.BooleanField(_("self-registered"), default=False)
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

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_shandong(self) -> bool:
        """Registered in Shandong: the administrative-division code of the credit code starts with 37."""
        return is_shandong_uscc(self.uscc or "")


def is_shandong_uscc(uscc: str) -> bool:
    """Positions 3-8 of a unified social credit code are the administrative division where it was
    registered; Shandong's codes start with 37."""
    code = (uscc or "").strip().upper()
    return len(code) == 18 and code[2:4] == "37"


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    BANK_OFFICER = "bank_officer", _("Bank officer")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    GUARANTOR_OFFICER = "guarantor_officer", _("Guarantor officer")
    DEPARTMENT_REVIEWER = "department_reviewer", _("Department reviewer")
    AUDITOR = "auditor", _("Auditor (read-only)")
    ADMINISTRATOR = "administrator", _("Administrator")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    VIEWER = "viewer", _("Viewer (read-only colleague)")


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
    Role.ORG_ADMIN: set(OrgKind),
    Role.VIEWER: {OrgKind.ENTERPRISE, OrgKind.UNIVERSITY},
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


#: Roles an organisation administrator grants only with a second administrator's confirmation (maker-checker:
#: approval power is never given by one person). The platform administrator role is granted only by platform
#: administrators.
SECOND_ADMIN_ROLES = APPROVER_ROLES


class IdentityAction(models.TextChoices):
    ENTERPRISE_REGISTERED = "enterprise_registered", _("Enterprise registered itself")
    ENTERPRISE_CLAIMED = "enterprise_claimed", _("Enterprise account claimed")
    ENTERPRISE_VERIFIED = "enterprise_verified", _("Enterprise identity confirmed")
    ENTERPRISE_REJECTED = "enterprise_rejected", _("Enterprise identity not confirmed")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    ROLE_REQUESTED = "role_requested", _("Role grant requested (awaits a second administrator)")
    ROLE_REQUEST_REFUSED = "role_request_refused", _("Role grant request refused")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    INVITATION_CANCELLED = "invitation_cancelled", _("Invitation cancelled")
    API_KEY_CREATED = "api_key_created", _("API key created")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    API_KEY_EXPIRY_SET = "api_key_expiry_set", _("API key expiry set")
    OTP_ENROLLED = "otp_enrolled", _("Authenticator enrolled")


class IdentityEvent(models.Model):
    """Append-only audit of who changed an organisation's people, roles, keys and identity, and when."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="identity_events",
                                     verbose_name=_("organisation"))
    action = models.CharField(_("action"), max_length=30, choices=IdentityAction.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                           verbose_name=_("by"))
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "at"])]

    def __str__(self):
        return f"{self.organisation} · {self.get_action_display()}"


class Invitation(models.Model):
    """An email invitation to join an organisation with some roles. Only the sha256 of the token is stored;
    the link in the email carries the token itself."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations",
                                     verbose_name=_("organisation"))
    email = models.EmailField(_("email"))
    roles = models.JSONField(_("roles"), default=list)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles]


class RoleRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a second administrator")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")


class RoleRequest(models.Model):
    """A grant of approval power (SECOND_ADMIN_ROLES) asked by one administrator, waiting for another."""

    TRANSITIONS = {
        RoleRequestStatus.PENDING: {RoleRequestStatus.CONFIRMED, RoleRequestStatus.REFUSED},
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests",
                             verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    status = models.CharField(_("status"), max_length=20, choices=RoleRequestStatus.choices,
                              default=RoleRequestStatus.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], condition=Q(status="pending"),
                                    name="role_request_one_pending"),
            models.CheckConstraint(
                name="role_request_decider_not_requester",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} ({self.get_status_display()})"

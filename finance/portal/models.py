"""The startup's own records: its profile, talent team, shareholders, IP portfolio and documents.

Every figure an eligibility rule reads is a typed column with a database constraint behind the service's
check (non-negative money, R&D staff within headcount, a Nice class only on trademarks), so a bad row cannot
be written by any path. All rows belong to one enterprise (``organisation``), the key every selector
scopes on.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from finance.core.inputs import today
from finance.parties.models import Organisation, User


class Industry(models.TextChoices):
    """The eight fields of 国家重点支持的高新技术领域, plus other."""

    ELECTRONIC_INFORMATION = "electronic_information", _("Electronic information")
    BIOMEDICINE = "biomedicine", _("Biology and new medicine")
    AEROSPACE = "aerospace", _("Aviation and aerospace")
    NEW_MATERIALS = "new_materials", _("New materials")
    HIGH_TECH_SERVICES = "high_tech_services", _("High-tech services")
    NEW_ENERGY = "new_energy", _("New energy and energy saving")
    ENVIRONMENT = "environment", _("Resources and environment")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("Advanced manufacturing and automation")
    OTHER = "other", _("Other")


class EnterpriseProfile(models.Model):
    """One per enterprise: the facts the eligibility rules and reviewers read."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="enterprise_profile",
        verbose_name=_("enterprise"),
    )
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    address = models.CharField(_("registered address"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    headcount = models.PositiveIntegerField(_("headcount"), null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)
    revenue_last_year = models.DecimalField(
        _("revenue last year (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    rd_spend_last_year = models.DecimalField(
        _("R&D spend last year (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    hnte_certificate_number = models.CharField(
        _("high-tech enterprise certificate number"), max_length=40, blank=True
    )
    hnte_expires_on = models.DateField(_("high-tech enterprise certificate expiry"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("enterprise profile")
        constraints = [
            models.CheckConstraint(
                name="profile_capital_not_negative",
                condition=Q(registered_capital__isnull=True) | Q(registered_capital__gte=0),
            ),
            models.CheckConstraint(
                name="profile_revenue_not_negative",
                condition=Q(revenue_last_year__isnull=True) | Q(revenue_last_year__gte=0),
            ),
            models.CheckConstraint(
                name="profile_rd_spend_not_negative",
                condition=Q(rd_spend_last_year__isnull=True) | Q(rd_spend_last_year__gte=0),
            ),
            models.CheckConstraint(
                name="profile_rd_staff_within_headcount",
                condition=Q(rd_staff__isnull=True)
                | Q(headcount__isnull=True)
                | Q(rd_staff__lte=F("headcount")),
            ),
        ]

    def __str__(self):
        return str(self.organisation)

    #: The fields a complete profile has filled in (the home page shows the share).
    COMPLETENESS_FIELDS = (
        "founded_on",
        "registered_capital",
        "address",
        "industry",
        "headcount",
        "rd_staff",
        "revenue_last_year",
        "rd_spend_last_year",
    )

    # The tech-based SME registration is kept once, on the Organisation (pool enrolment reads it there); the
    # profile shows it and its form writes it through finance.parties.services.organisation_tech_sme_set.
    @property
    def tech_sme_number(self) -> str:
        return self.organisation.tech_sme_number

    @property
    def tech_sme_year(self) -> int | None:
        return self.organisation.tech_sme_year

    @property
    def tech_sme_expired(self) -> bool:
        """A tech-based SME registration (入库) holds for its year: a past year's number is expired."""
        return (
            bool(self.tech_sme_number)
            and self.tech_sme_year is not None
            and self.tech_sme_year < today().year
        )

    @property
    def hnte_expired(self) -> bool:
        return self.hnte_expires_on is not None and self.hnte_expires_on < today()


class TalentProgramme(models.TextChoices):
    NATIONAL = "national", _("National talent programme")
    TAISHAN = "taishan", _("Taishan scholars / Taishan industry leaders")
    PROVINCIAL = "provincial", _("Other provincial programme")
    CITY = "city", _("City programme")
    NONE = "none", _("None")


class TalentMember(models.Model):
    """A member of the founding talent team (talent-equity eligibility reads the team leads)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="talent_members")
    name = models.CharField(_("member name"), max_length=50)
    role = models.CharField(_("role in the team"), max_length=50)
    programme = models.CharField(
        _("talent programme"), max_length=20, choices=TalentProgramme.choices, default=TalentProgramme.NONE
    )
    leads_team = models.BooleanField(_("team lead"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-leads_team", "pk"]
        verbose_name = _("talent team member")

    def __str__(self):
        return self.name


class HolderKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ORGANISATION = "organisation", _("Organisation")


class Shareholder(models.Model):
    """A shareholder as the enterprise declares it (shares or a stake in percent); the cap table of the direct
    instruments starts from these."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="declared_shareholders"
    )
    name = models.CharField(_("holder name"), max_length=200)
    kind = models.CharField(_("holder kind"), max_length=20, choices=HolderKind.choices)
    id_number = models.CharField(_("ID card number or credit code"), max_length=18)
    shares = models.PositiveBigIntegerField(_("shares held"), null=True, blank=True)
    stake_percent = models.DecimalField(_("stake (%)"), max_digits=7, decimal_places=4, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("shareholder")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "id_number"], name="shareholder_unique_id"),
            models.CheckConstraint(
                name="shareholder_has_shares_or_stake",
                condition=Q(shares__isnull=False) | Q(stake_percent__isnull=False),
            ),
            models.CheckConstraint(
                name="shareholder_stake_in_range",
                condition=Q(stake_percent__isnull=True) | Q(stake_percent__gt=0, stake_percent__lte=100),
            ),
            models.CheckConstraint(
                name="shareholder_shares_positive", condition=Q(shares__isnull=True) | Q(shares__gt=0)
            ),
        ]

    def __str__(self):
        return self.name


class IPRightKind(models.TextChoices):
    INVENTION = "invention", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design patent")
    TRADEMARK = "trademark", _("Trademark")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")


#: Kinds whose number is a CNIPA patent number with a check digit.
PATENT_KINDS = (IPRightKind.INVENTION, IPRightKind.UTILITY_MODEL, IPRightKind.DESIGN)


class IPStatus(models.TextChoices):
    PENDING = "pending", _("Applied, pending")
    VALID = "valid", _("Granted, in force")
    EXPIRED = "expired", _("Expired")
    INVALID = "invalid", _("Invalidated or abandoned")


class IPRight(models.Model):
    """One right in the enterprise's IP portfolio, its number normalised (patents: ``digits.check``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="ip_rights")
    kind = models.CharField(_("IP kind"), max_length=20, choices=IPRightKind.choices)
    number = models.CharField(_("number"), max_length=40)
    nice_class = models.PositiveSmallIntegerField(_("Nice class"), null=True, blank=True)
    title = models.CharField(_("title of the right"), max_length=200)
    owner_name = models.CharField(_("owner"), max_length=200)
    granted_on = models.DateField(_("grant date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=IPStatus.choices, default=IPStatus.VALID)
    expires_on = models.DateField(_("expiry"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("IP right")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "number"], name="ip_right_unique_number"),
            models.CheckConstraint(
                name="ip_right_nice_class_only_for_trademarks",
                condition=Q(kind="trademark", nice_class__gte=1, nice_class__lte=45)
                | (~Q(kind="trademark") & Q(nice_class__isnull=True)),
            ),
            models.CheckConstraint(
                name="ip_right_expiry_after_grant",
                condition=Q(granted_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gte=F("granted_on")),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    FINANCIAL_STATEMENTS = "financial_statements", _("Financial statements")
    IP_CERTIFICATE = "ip_certificate", _("IP certificate")
    BUSINESS_PLAN = "business_plan", _("Business plan")
    ATTACHMENT = "attachment", _("Other attachment")


def document_path(instance: Document, filename: str) -> str:
    """A generated name under the private folder (MEDIA_ROOT/private, never served statically): the person's
    file name is kept only in ``original_name``."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/portal/{instance.organisation_id}/{uuid.uuid4().hex}.{ext}"


class Document(models.Model):
    """An uploaded file of an enterprise, checked by extension and content before it is stored. Deleting keeps
    the row and the file (an application may have been submitted with it) and hides it from the enterprise."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="portal_documents")
    kind = models.CharField(_("document kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("document")
        constraints = [
            models.CheckConstraint(name="document_size_positive", condition=Q(size__gt=0)),
        ]

    def __str__(self):
        return self.original_name

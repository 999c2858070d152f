"""Interest subsidies on loans: schemes and startups' applications (maker-checker, paid via the ledger)."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import Organisation, User

from .core import Loan


class SubsidyKind(models.TextChoices):
    """The rule a scheme applies; its figures are policy parameters (subsidy.*) in force when applied for."""

    PAID_INTEREST = "paid_interest", _("Share of interest paid (2023 rule)")
    BENCHMARK = "benchmark", _("Share of benchmark rate × principal (IP-pledge rule of earlier years)")
    APPRAISAL_FEE = "appraisal_fee", _("Appraisal-fee subsidy")


class SubsidyScheme(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("rule"), max_length=20, choices=SubsidyKind.choices)
    is_open = models.BooleanField(_("open for applications"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class SubsidyStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved, awaiting payment")
    REJECTED = "rejected", pgettext_lazy("application", "Rejected")
    PAID = "paid", _("Paid out")


class SubsidyApplication(models.Model):
    """A startup's claim under a scheme on one loan of its choice; approved by maker-checker (two approvers
    from ``approval.subsidy.second_level_from``), then paid through the ledger by a third person."""

    S = SubsidyStatus
    TRANSITIONS = {S.SUBMITTED: {S.APPROVED, S.REJECTED}, S.APPROVED: {S.PAID}, S.REJECTED: set(),
                   S.PAID: set()}

    scheme = models.ForeignKey(SubsidyScheme, on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="loan_subsidies")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="subsidies")
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="loan_subsidies")
    applied_on = models.DateField()
    loan_year = models.PositiveSmallIntegerField(null=True,
                                                 blank=True)  # benchmark rule: year 1, 2 ... of the loan
    appraisal_fee = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    basis = models.DecimalField(_("basis"), max_digits=18,
                                decimal_places=2)  # interest paid, principal, or fee
    amount_requested = models.DecimalField(_("amount computed"), max_digits=18, decimal_places=2)
    amount_granted = models.DecimalField(_("amount granted"), max_digits=18, decimal_places=2, null=True,
                                         blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SubsidyStatus.choices,
                              default=SubsidyStatus.SUBMITTED)
    policy_snapshot = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="subsidy_amount_positive", condition=Q(amount_requested__gt=0)),
            models.CheckConstraint(name="subsidy_granted_within_requested",
                                   condition=Q(amount_granted__isnull=True)
                                   | (Q(amount_granted__gt=0)
                                      & Q(amount_granted__lte=models.F("amount_requested")))),
        ]

    def __str__(self):
        return f"#{self.pk} {self.scheme_id} {self.enterprise_id}"

    @property
    def maker_id(self):
        return self.applicant_id

    def approval_content(self) -> dict:
        return {"scheme": self.scheme.code, "enterprise": self.enterprise_id, "loan": self.loan_id,
                "loan_year": self.loan_year, "appraisal_fee": self.appraisal_fee, "basis": self.basis,
                "amount": self.amount_requested}

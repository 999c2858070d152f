"""Guarantees (鲁科担): fields and constraints only.

Every workflow is in ``guarantees.services`` (guarantees, payouts, public_money).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import Organisation, User

from .pools import CURRENCIES, MONEY


class CounterGuarantee(models.TextChoices):
    NONE = "none", _("None")
    IP = "ip", _("IP pledge")
    LICENCE = "licence", _("Licence right")
    PROPERTY = "property", _("Real estate / other collateral")


SCHEME_COUNTER_GUARANTEES = (CounterGuarantee.NONE, CounterGuarantee.IP, CounterGuarantee.LICENCE)


class GuaranteeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the bank's confirmation")
    ACTIVE = "active", pgettext_lazy("pool", "Active")
    DECLINED = "declined", _("Declined by the bank")
    PAID_OUT = "paid_out", _("Paid out (代偿)")
    RELEASED = "released", _("Released")


class GuarantorNetAssets(models.Model):
    """A guarantor's net assets as of a date (from its audited statements): the base of the leverage cap.

    Kept here (not on the organisation) because only the guarantee scheme reads it; history is kept, the
    latest figure dated on or before a decision is the one used.
    """

    guarantor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="net_assets_reports")
    net_assets = models.DecimalField(_("net assets"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    as_of = models.DateField(_("as of"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["guarantor", "-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["guarantor", "as_of"], name="net_assets_once_per_date"),
            models.CheckConstraint(name="net_assets_positive", condition=Q(net_assets__gt=0)),
            models.CheckConstraint(
                name="net_assets_currency_whitelist", condition=Q(currency__in=CURRENCIES)
            ),
        ]

    def __str__(self):
        return f"{self.guarantor_id} · {self.net_assets} · {self.as_of}"


class Guarantee(models.Model):
    """A scheme guarantee on a bank's loan. It counts (status active) only once the lending bank confirmed it,
    or when the bank registered it itself."""

    TRANSITIONS = {
        GuaranteeStatus.PROPOSED: {GuaranteeStatus.ACTIVE, GuaranteeStatus.DECLINED},
        GuaranteeStatus.ACTIVE: {GuaranteeStatus.PAID_OUT, GuaranteeStatus.RELEASED},
    }

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="guarantees")
    guarantor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="guarantees_given")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="guarantees_received")
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    amount = models.DecimalField(_("guaranteed amount"), **MONEY)
    fee_rate = models.DecimalField(_("fee rate (%/yr)"), max_digits=7, decimal_places=4)
    counter_guarantee = models.CharField(max_length=10, choices=CounterGuarantee.choices)
    start_on = models.DateField()
    end_on = models.DateField()
    premium_subsidy_rate = models.DecimalField(max_digits=7, decimal_places=4)
    premium_subsidy_yearly = models.DecimalField(_("premium subsidy per year"), **MONEY)
    status = models.CharField(
        max_length=10, choices=GuaranteeStatus.choices, default=GuaranteeStatus.PROPOSED
    )
    policy_snapshot = models.JSONField(default=dict, blank=True)
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "guarantor"], name="guarantee_once_per_loan_guarantor"),
            models.CheckConstraint(name="guarantee_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="guarantee_fee_rate_range", condition=Q(fee_rate__gte=0)),
            models.CheckConstraint(name="guarantee_dates", condition=Q(end_on__gt=F("start_on"))),
            models.CheckConstraint(name="guarantee_currency_whitelist", condition=Q(currency__in=CURRENCIES)),
            models.CheckConstraint(
                name="guarantee_active_is_confirmed",
                condition=Q(status="proposed") | Q(status="declined") | Q(confirmed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"Guarantee #{self.pk} · {self.amount}"


class CompensationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Under review")
    APPROVED = "approved", _("Approved")
    PAID = "paid", pgettext_lazy("pool", "Paid")
    REJECTED = "rejected", pgettext_lazy("application", "Rejected")


COMPENSATION_TRANSITIONS = {
    CompensationStatus.SUBMITTED: {CompensationStatus.APPROVED, CompensationStatus.REJECTED},
    CompensationStatus.APPROVED: {CompensationStatus.PAID, CompensationStatus.REJECTED},
}


class GuaranteePayout(models.Model):
    """代偿: the guarantor pays the bank on default; the loss is shared and the guarantor compensated (≤20%).

    The compensation is public money: reviewed by department reviewers (``guarantee_payout`` maker-checker,
    two levels from the policy threshold) and paid by a third person (``compensation_status``).
    """

    TRANSITIONS = COMPENSATION_TRANSITIONS

    guarantee = models.OneToOneField(Guarantee, on_delete=models.PROTECT, related_name="payout")
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField()
    shares = models.JSONField(default=dict)  # party -> ratio string
    split = models.JSONField(default=dict)  # party -> amount string
    compensation = models.DecimalField(_("compensation to the guarantor"), **MONEY)
    compensation_cap = models.DecimalField(_("compensation cap"), default=0, **MONEY)
    status = models.CharField(
        _("compensation status"),
        max_length=10,
        choices=CompensationStatus.choices,
        default=CompensationStatus.SUBMITTED,
    )
    compensation_paid_on = models.DateField(null=True, blank=True)
    recovered_total = models.DecimalField(default=0, **MONEY)
    policy_snapshot = models.JSONField(default=dict, blank=True)
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="payout_positive", condition=Q(amount__gt=0) & Q(compensation__gte=0)
            ),
            models.CheckConstraint(
                name="payout_recovered_within",
                condition=Q(recovered_total__gte=0) & Q(recovered_total__lte=F("amount")),
            ),
        ]

    def __str__(self):
        return f"Payout #{self.pk} · {self.amount}"

    @property
    def maker_id(self):
        return self.recorded_by_id

    def approval_content(self) -> dict:
        return {
            "guarantee": self.guarantee_id,
            "amount": str(self.amount),
            "paid_on": str(self.paid_on),
            "split": self.split,
            "compensation": str(self.compensation),
        }


class GuaranteeRecovery(models.Model):
    payout = models.ForeignKey(GuaranteePayout, on_delete=models.PROTECT, related_name="recoveries")
    recovered = models.DecimalField(**MONEY)
    costs = models.DecimalField(default=0, **MONEY)
    net = models.DecimalField(**MONEY)
    split = models.JSONField(default=dict)
    recovered_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="guarantee_recovery_positive",
                condition=Q(recovered__gt=0) & Q(costs__gte=0) & Q(net__gte=0),
            )
        ]

    def __str__(self):
        return f"Guarantee recovery #{self.pk} · {self.recovered}"


class PremiumSubsidy(models.Model):
    """担保费补贴: the provincial premium subsidy for one year of an active guarantee, paid through the ledger
    after maker-checker (``premium_subsidy``: the guarantor applies, department reviewers approve, a third
    person pays)."""

    TRANSITIONS = COMPENSATION_TRANSITIONS

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="premium_subsidies")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("premium subsidy"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(
        max_length=10, choices=CompensationStatus.choices, default=CompensationStatus.SUBMITTED
    )
    paid_on = models.DateField(null=True, blank=True)
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    policy_snapshot = models.JSONField(default=dict, blank=True)
    applied_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["guarantee", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["guarantee", "period_start"],
                condition=~Q(status="rejected"),
                name="premium_subsidy_once_per_period",
            ),
            models.CheckConstraint(name="premium_subsidy_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="premium_subsidy_period", condition=Q(period_end__gt=F("period_start"))
            ),
            models.CheckConstraint(
                name="premium_subsidy_currency_whitelist", condition=Q(currency__in=CURRENCIES)
            ),
        ]

    def __str__(self):
        return f"Premium subsidy #{self.pk} · {self.amount}"

    @property
    def maker_id(self):
        return self.applied_by_id

    def approval_content(self) -> dict:
        return {
            "guarantee": self.guarantee_id,
            "period": [str(self.period_start), str(self.period_end)],
            "amount": str(self.amount),
            "currency": self.currency,
        }

"""Risk-compensation pools (鲁科贷) and guarantees (鲁科担): fields and constraints only.

Money in a pool lives in the ledger (``finance.ledger``): per pool one cash account and, per sponsor, an
"available" and a "reserved" account, both with ``may_go_negative=False``. The pool row caches the figures
(funded, withdrawn, reserved, paid, returned, available) under the pool's row lock; CheckConstraints hold
``available ≥ 0`` and ``available = funded − withdrawn − reserved − paid + returned`` on every write path.
All workflows are in ``guarantees.services``.
"""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import Organisation, User

MONEY = dict(max_digits=18, decimal_places=2)


class PoolStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("pool", "Active")
    CLOSED = "closed", _("Closed")


class RiskPool(models.Model):
    TRANSITIONS = {PoolStatus.ACTIVE: {PoolStatus.CLOSED}}

    name = models.CharField(_("name"), max_length=200, unique=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(_("status"), max_length=10, choices=PoolStatus.choices, default=PoolStatus.ACTIVE)
    # Cached figures, maintained by the services under the pool's row lock (the ledger is the truth).
    funded = models.DecimalField(_("funded"), default=0, **MONEY)
    withdrawn = models.DecimalField(_("withdrawn"), default=0, **MONEY)
    reserved = models.DecimalField(_("reserved"), default=0, **MONEY)
    paid = models.DecimalField(_("paid"), default=0, **MONEY)
    returned = models.DecimalField(_("returned by recoveries"), default=0, **MONEY)
    available = models.DecimalField(_("available"), default=0, **MONEY)
    cash_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="pool_available_not_negative", condition=Q(available__gte=0)),
            models.CheckConstraint(name="pool_reserved_not_negative", condition=Q(reserved__gte=0)),
            models.CheckConstraint(
                name="pool_available_identity",
                condition=Q(available=F("funded") - F("withdrawn") - F("reserved") - F("paid") + F("returned"))),
            models.CheckConstraint(name="pool_currency_whitelist",
                                   condition=Q(currency__in=["CNY", "USD", "EUR", "HKD"])),
        ]

    def __str__(self):
        return self.name

    @property
    def scope(self) -> str:
        return f"pool:{self.pk}"

    @property
    def balance(self):
        """Money held: available + reserved."""
        return self.available + self.reserved


class SponsorLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")


class PoolSponsor(models.Model):
    pool = models.ForeignKey(RiskPool, on_delete=models.PROTECT, related_name="sponsors")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pool_sponsorships")
    level = models.CharField(_("level"), max_length=10, choices=SponsorLevel.choices)
    funding_share = models.DecimalField(_("funding share (%)"), max_digits=7, decimal_places=4)
    available_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    reserved_account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pool", "level", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "organisation"], name="pool_sponsor_once"),
            models.CheckConstraint(name="pool_sponsor_share_range",
                                   condition=Q(funding_share__gt=0) & Q(funding_share__lte=100)),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_level_display()} {self.funding_share}%)"


class MovementKind(models.TextChoices):
    CONTRIBUTION = "contribution", _("Contribution")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class PoolMovement(models.Model):
    """A sponsor's contribution to, or withdrawal from, a pool (one journal entry each)."""

    pool = models.ForeignKey(RiskPool, on_delete=models.PROTECT, related_name="movements")
    sponsor = models.ForeignKey(PoolSponsor, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    amount = models.DecimalField(**MONEY)
    value_date = models.DateField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-value_date", "-id"]
        constraints = [models.CheckConstraint(name="pool_movement_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} · {self.value_date}"


class LoanCategory(models.TextChoices):
    STANDARD = "standard", _("Standard tech-SME loan")
    RD_CREDIT = "rd_credit", _("Early-stage R&D credit loan")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    CLAIMED = "claimed", _("Claim filed")
    COMPENSATED = "compensated", _("Compensated")


ENROLMENT_TRANSITIONS = {
    EnrolmentStatus.ENROLLED: {EnrolmentStatus.CLAIMED},
    EnrolmentStatus.CLAIMED: {EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPENSATED},
}


class Enrolment(models.Model):
    """备案: a bank's loan covered by a pool. A loan is enrolled in one pool at most."""

    TRANSITIONS = ENROLMENT_TRANSITIONS

    pool = models.ForeignKey(RiskPool, on_delete=models.PROTECT, related_name="enrolments")
    loan = models.OneToOneField("loans.Loan", on_delete=models.PROTECT, related_name="pool_enrolment")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pool_enrolments")
    category = models.CharField(_("category"), max_length=12, choices=LoanCategory.choices,
                                default=LoanCategory.STANDARD)
    enrolled_on = models.DateField(_("enrolled on"))
    principal = models.DecimalField(_("principal covered"), **MONEY)
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    policy_snapshot = models.JSONField(default=dict, blank=True)
    figures = models.JSONField(default=dict, blank=True)  # exposure / leverage / NPL ratio seen at enrolment
    enrolled_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        constraints = [models.CheckConstraint(name="enrolment_principal_positive", condition=Q(principal__gt=0))]
        indexes = [models.Index(fields=["pool", "bank", "status"])]

    def __str__(self):
        return f"{self.pool} · {self.loan_id}"

class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Under review")
    APPROVED = "approved", _("Approved (money reserved)")
    PAID = "paid", pgettext_lazy("pool", "Paid")
    REJECTED = "rejected", _("Rejected")


CLAIM_TRANSITIONS = {
    ClaimStatus.SUBMITTED: {ClaimStatus.APPROVED, ClaimStatus.REJECTED},
    ClaimStatus.APPROVED: {ClaimStatus.PAID, ClaimStatus.REJECTED},
}


class Claim(models.Model):
    """A bank's compensation claim on an enrolled loan. A loan is compensated at most once."""

    TRANSITIONS = CLAIM_TRANSITIONS

    pool = models.ForeignKey(RiskPool, on_delete=models.PROTECT, related_name="claims")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="claims")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="pool_claims")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pool_claims")
    category = models.CharField(max_length=12, choices=LoanCategory.choices)
    filed_on = models.DateField(_("filed on"))
    claimed_loss = models.DecimalField(_("claimed principal loss"), **MONEY)
    # The split by ratio (before caps) and what the pool pays (after caps).
    ratio_province = models.DecimalField(max_digits=7, decimal_places=4)
    ratio_city = models.DecimalField(max_digits=7, decimal_places=4)
    ratio_bank = models.DecimalField(max_digits=7, decimal_places=4)
    split_province = models.DecimalField(**MONEY)
    split_city = models.DecimalField(**MONEY)
    split_bank = models.DecimalField(**MONEY)
    pay_province = models.DecimalField(_("province pays"), **MONEY)
    pay_city = models.DecimalField(_("city pays"), **MONEY)
    government_amount = models.DecimalField(_("pool pays"), **MONEY)
    capped_by = models.JSONField(default=list, blank=True)
    # Per sponsor: {"<sponsor id>": "amount"} (province part over province sponsors, city part over city ones).
    sponsor_parts = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED)
    paid_amount = models.DecimalField(default=0, **MONEY)
    paid_on = models.DateField(null=True, blank=True)
    recovered_total = models.DecimalField(default=0, **MONEY)
    costs_total = models.DecimalField(default=0, **MONEY)
    returned_total = models.DecimalField(_("returned to the pool"), default=0, **MONEY)
    policy_snapshot = models.JSONField(default=dict, blank=True)
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["loan"], condition=~Q(status="rejected"), name="claim_one_live_per_loan"),
            models.CheckConstraint(name="claim_loss_positive", condition=Q(claimed_loss__gt=0)),
            models.CheckConstraint(name="claim_split_sums",
                                   condition=Q(claimed_loss=F("split_province") + F("split_city") + F("split_bank"))),
            models.CheckConstraint(name="claim_pay_within_split",
                                   condition=Q(pay_province__gte=0) & Q(pay_city__gte=0)
                                   & Q(pay_province__lte=F("split_province")) & Q(pay_city__lte=F("split_city"))),
            models.CheckConstraint(name="claim_government_sum",
                                   condition=Q(government_amount=F("pay_province") + F("pay_city"))),
            models.CheckConstraint(name="claim_paid_within_government",
                                   condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("government_amount"))),
            models.CheckConstraint(name="claim_returned_within_paid",
                                   condition=Q(returned_total__gte=0) & Q(returned_total__lte=F("paid_amount"))),
            models.CheckConstraint(name="claim_recovered_within_loss",
                                   condition=Q(recovered_total__gte=0) & Q(recovered_total__lte=F("claimed_loss"))),
        ]
        indexes = [models.Index(fields=["pool", "status"]), models.Index(fields=["bank", "status"])]

    def __str__(self):
        return f"Claim #{self.pk} · {self.loan_id}"

    @property
    def maker_id(self):
        return self.filed_by_id

    def approval_content(self) -> dict:
        return {"loan": self.loan_id, "pool": self.pool_id, "claimed_loss": str(self.claimed_loss),
                "split": [str(self.split_province), str(self.split_city), str(self.split_bank)],
                "pay": [str(self.pay_province), str(self.pay_city)], "parts": self.sponsor_parts}


def claim_document_path(instance, filename):
    return f"claims/{instance.claim_id}/{filename}"


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=claim_document_path)
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Recovery(models.Model):
    """追偿回收 after compensation: the net (recovered − costs) goes back in the original proportions."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recoveries")
    recovered = models.DecimalField(**MONEY)
    costs = models.DecimalField(default=0, **MONEY)
    net = models.DecimalField(**MONEY)
    returned_to_pool = models.DecimalField(**MONEY)
    kept_by_bank = models.DecimalField(**MONEY)
    sponsor_parts = models.JSONField(default=dict, blank=True)
    recovered_on = models.DateField()
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recovered_on", "id"]
        constraints = [
            models.CheckConstraint(name="recovery_positive", condition=Q(recovered__gt=0) & Q(costs__gte=0)),
            models.CheckConstraint(name="recovery_net_parts",
                                   condition=Q(net=F("returned_to_pool") + F("kept_by_bank")) & Q(net__gte=0)
                                   & Q(returned_to_pool__gte=0) & Q(kept_by_bank__gte=0)),
        ]

    def __str__(self):
        return f"Recovery #{self.pk} · claim {self.claim_id} · {self.recovered}"


# ---------------------------------------------------------------- guarantees (鲁科担)


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
            models.CheckConstraint(name="net_assets_currency_whitelist",
                                   condition=Q(currency__in=["CNY", "USD", "EUR", "HKD"])),
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
    status = models.CharField(max_length=10, choices=GuaranteeStatus.choices, default=GuaranteeStatus.PROPOSED)
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
            models.CheckConstraint(name="guarantee_currency_whitelist",
                                   condition=Q(currency__in=["CNY", "USD", "EUR", "HKD"])),
            models.CheckConstraint(name="guarantee_active_is_confirmed",
                                   condition=Q(status="proposed") | Q(status="declined")
                                   | Q(confirmed_at__isnull=False)),
        ]

    def __str__(self):
        return f"Guarantee #{self.pk} · {self.amount}"


class CompensationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Under review")
    APPROVED = "approved", _("Approved")
    PAID = "paid", pgettext_lazy("pool", "Paid")
    REJECTED = "rejected", _("Rejected")


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
    status = models.CharField(_("compensation status"), max_length=10, choices=CompensationStatus.choices,
                              default=CompensationStatus.SUBMITTED)
    compensation_paid_on = models.DateField(null=True, blank=True)
    recovered_total = models.DecimalField(default=0, **MONEY)
    policy_snapshot = models.JSONField(default=dict, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="payout_positive", condition=Q(amount__gt=0) & Q(compensation__gte=0)),
            models.CheckConstraint(name="payout_recovered_within",
                                   condition=Q(recovered_total__gte=0) & Q(recovered_total__lte=F("amount"))),
        ]

    def __str__(self):
        return f"Payout #{self.pk} · {self.amount}"

    @property
    def maker_id(self):
        return self.recorded_by_id

    def approval_content(self) -> dict:
        return {"guarantee": self.guarantee_id, "amount": str(self.amount), "paid_on": str(self.paid_on),
                "split": self.split, "compensation": str(self.compensation)}


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
        constraints = [models.CheckConstraint(name="guarantee_recovery_positive",
                                              condition=Q(recovered__gt=0) & Q(costs__gte=0) & Q(net__gte=0))]

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
    status = models.CharField(max_length=10, choices=CompensationStatus.choices, default=CompensationStatus.SUBMITTED)
    paid_on = models.DateField(null=True, blank=True)
    entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    policy_snapshot = models.JSONField(default=dict, blank=True)
    applied_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["guarantee", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["guarantee", "period_start"], condition=~Q(status="rejected"),
                                    name="premium_subsidy_once_per_period"),
            models.CheckConstraint(name="premium_subsidy_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="premium_subsidy_period", condition=Q(period_end__gt=F("period_start"))),
            models.CheckConstraint(name="premium_subsidy_currency_whitelist",
                                   condition=Q(currency__in=["CNY", "USD", "EUR", "HKD"])),
        ]

    def __str__(self):
        return f"Premium subsidy #{self.pk} · {self.amount}"

    @property
    def maker_id(self):
        return self.applied_by_id

    def approval_content(self) -> dict:
        return {"guarantee": self.guarantee_id, "period": [str(self.period_start), str(self.period_end)],
                "amount": str(self.amount), "currency": self.currency}

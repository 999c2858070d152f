"""Risk-compensation pools (鲁科贷) and guarantees (鲁科担): fields and constraints only.

Money in a pool lives in the ledger (``finance.ledger``): per pool one cash account and, per sponsor, an
"available" and a "reserved" account, both with ``may_go_negative=False``. The pool row caches the figures
(funded, withdrawn, reserved, paid, returned, available) under the pool's row lock; CheckConstraints hold
``available ≥ 0`` and ``available = funded − withdrawn − reserved − paid + returned`` on every write path.
All workflows are in ``guarantees.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import Organisation, User

MONEY = dict(max_digits=18, decimal_places=2)
# The one currency whitelist (settings.CURRENCIES), enforced by a constraint wherever money is stored.
CURRENCIES = list(settings.CURRENCIES)


class PoolStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("pool", "Active")
    CLOSED = "closed", _("Closed")


class RiskPool(models.Model):
    TRANSITIONS = {PoolStatus.ACTIVE: {PoolStatus.CLOSED}}

    name = models.CharField(_("name"), max_length=200, unique=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    status = models.CharField(
        _("status"), max_length=10, choices=PoolStatus.choices, default=PoolStatus.ACTIVE
    )
    # Cached figures, maintained by the services under the pool's row lock (the ledger is the truth).
    funded = models.DecimalField(_("funded"), default=0, **MONEY)
    withdrawn = models.DecimalField(_("withdrawn"), default=0, **MONEY)
    reserved = models.DecimalField(_("reserved"), default=0, **MONEY)
    paid = models.DecimalField(_("paid"), default=0, **MONEY)
    returned = models.DecimalField(_("returned by recoveries"), default=0, **MONEY)
    available = models.DecimalField(_("available"), default=0, **MONEY)
    cash_account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="pool_available_not_negative", condition=Q(available__gte=0)),
            models.CheckConstraint(name="pool_reserved_not_negative", condition=Q(reserved__gte=0)),
            models.CheckConstraint(
                name="pool_available_identity",
                condition=Q(
                    available=F("funded") - F("withdrawn") - F("reserved") - F("paid") + F("returned")
                ),
            ),
            models.CheckConstraint(name="pool_currency_whitelist", condition=Q(currency__in=CURRENCIES)),
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
            models.CheckConstraint(
                name="pool_sponsor_share_range", condition=Q(funding_share__gt=0) & Q(funding_share__lte=100)
            ),
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
    category = models.CharField(
        _("category"), max_length=12, choices=LoanCategory.choices, default=LoanCategory.STANDARD
    )
    enrolled_on = models.DateField(_("enrolled on"))
    principal = models.DecimalField(_("principal covered"), **MONEY)
    status = models.CharField(
        max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    policy_snapshot = models.JSONField(default=dict, blank=True)
    figures = models.JSONField(default=dict, blank=True)  # exposure / leverage / NPL ratio seen at enrolment
    enrolled_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            models.CheckConstraint(name="enrolment_principal_positive", condition=Q(principal__gt=0))
        ]
        indexes = [models.Index(fields=["pool", "bank", "status"])]

    def __str__(self):
        return f"{self.pool} · {self.loan_id}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Under review")
    APPROVED = "approved", _("Approved (money reserved)")
    PAID = "paid", pgettext_lazy("pool", "Paid")
    REJECTED = "rejected", pgettext_lazy("application", "Rejected")


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
    # Per sponsor: {"<sponsor id>": "amount"} (province part over province sponsors, city part over city
    # ones).
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
            models.UniqueConstraint(
                fields=["loan"], condition=~Q(status="rejected"), name="claim_one_live_per_loan"
            ),
            models.CheckConstraint(name="claim_loss_positive", condition=Q(claimed_loss__gt=0)),
            models.CheckConstraint(
                name="claim_split_sums",
                condition=Q(claimed_loss=F("split_province") + F("split_city") + F("split_bank")),
            ),
            models.CheckConstraint(
                name="claim_pay_within_split",
                condition=Q(pay_province__gte=0)
                & Q(pay_city__gte=0)
                & Q(pay_province__lte=F("split_province"))
                & Q(pay_city__lte=F("split_city")),
            ),
            models.CheckConstraint(
                name="claim_government_sum", condition=Q(government_amount=F("pay_province") + F("pay_city"))
            ),
            models.CheckConstraint(
                name="claim_paid_within_government",
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("government_amount")),
            ),
            models.CheckConstraint(
                name="claim_returned_within_paid",
                condition=Q(returned_total__gte=0) & Q(returned_total__lte=F("paid_amount")),
            ),
            models.CheckConstraint(
                name="claim_recovered_within_loss",
                condition=Q(recovered_total__gte=0) & Q(recovered_total__lte=F("claimed_loss")),
            ),
        ]
        indexes = [models.Index(fields=["pool", "status"]), models.Index(fields=["bank", "status"])]

    def __str__(self):
        return f"Claim #{self.pk} · {self.loan_id}"

    @property
    def maker_id(self):
        return self.filed_by_id

    def approval_content(self) -> dict:
        return {
            "loan": self.loan_id,
            "pool": self.pool_id,
            "claimed_loss": str(self.claimed_loss),
            "split": [str(self.split_province), str(self.split_city), str(self.split_bank)],
            "pay": [str(self.pay_province), str(self.pay_city)],
            "parts": self.sponsor_parts,
        }


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
    entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recovered_on", "id"]
        constraints = [
            models.CheckConstraint(name="recovery_positive", condition=Q(recovered__gt=0) & Q(costs__gte=0)),
            models.CheckConstraint(
                name="recovery_net_parts",
                condition=Q(net=F("returned_to_pool") + F("kept_by_bank"))
                & Q(net__gte=0)
                & Q(returned_to_pool__gte=0)
                & Q(kept_by_bank__gte=0),
            ),
        ]

    def __str__(self):
        return f"Recovery #{self.pk} · claim {self.claim_id} · {self.recovered}"

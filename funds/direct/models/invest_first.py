"""先投后股: agreements, their tranches, the conversion at a priced round and the closure without one."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation, User

from .captable import FinancingRound
from .positions import EquityPosition
from .programmes import MONEY, PRICE, Programme


class InvestFirstStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("application", "Applied")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("application", "Rejected")
    CONTRACTED = "contracted", _("Contracted")
    DISBURSED = "disbursed", _("Project funding disbursed")
    CONVERTING = "converting", _("Conversion awaiting decision")
    CONVERTED = "converted", _("Converted to equity")
    OVERDUE = "overdue", _("Conversion overdue")
    CLOSING = "closing", _("Closure awaiting decision")
    CLOSED_GRANT = "closed_grant", _("Closed as a project grant")
    CLOSED_REPAID = "closed_repaid", _("Closed: repaid by the enterprise")
    CLOSED_SWAPPED = "closed_swapped", _("Closed: swapped into another project")
    EXITED = "exited", _("Exited")


#: From approval on an agreement counts against the talent cap, whatever happens later (exit included).
IF_COUNTED = (InvestFirstStatus.APPROVED, InvestFirstStatus.CONTRACTED, InvestFirstStatus.DISBURSED,
              InvestFirstStatus.CONVERTING, InvestFirstStatus.CONVERTED, InvestFirstStatus.OVERDUE,
              InvestFirstStatus.CLOSING, InvestFirstStatus.CLOSED_GRANT, InvestFirstStatus.CLOSED_REPAID,
              InvestFirstStatus.CLOSED_SWAPPED, InvestFirstStatus.EXITED)


class InvestFirstAgreement(models.Model):
    S = InvestFirstStatus
    TRANSITIONS = {
        S.APPLIED: {S.SUBMITTED, S.REJECTED},
        S.SUBMITTED: {S.APPROVED, S.REJECTED},
        S.APPROVED: {S.CONTRACTED},
        S.CONTRACTED: {S.DISBURSED, S.OVERDUE},
        S.DISBURSED: {S.CONVERTING, S.OVERDUE},
        S.CONVERTING: {S.CONVERTED, S.DISBURSED, S.OVERDUE},
        S.OVERDUE: {S.CLOSING},
        S.CLOSING: {S.CLOSED_GRANT, S.CLOSED_REPAID, S.CLOSED_SWAPPED, S.OVERDUE},
        S.CONVERTED: {S.EXITED},
    }

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="invest_first")
    enterprise = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="invest_first_agreements",
        verbose_name=_("enterprise"),
    )
    title = models.CharField(_("project"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    discount = models.DecimalField(_("discount"), null=True, blank=True, max_digits=8, decimal_places=6)
    valuation_cap = models.DecimalField(_("valuation cap"), null=True, blank=True, **MONEY)
    status = models.CharField(_("status"), max_length=16, choices=InvestFirstStatus.choices,
                              default=InvestFirstStatus.APPLIED)
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    maker = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    applied_on = models.DateField(_("applied on"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    deadline = models.DateField(_("conversion deadline"), null=True, blank=True)
    min_round_size = models.DecimalField(_("minimum qualified round"), null=True, blank=True, **MONEY)
    max_share = models.DecimalField(_("share cap (%)"), null=True, blank=True, max_digits=7, decimal_places=4)
    disbursed = models.DecimalField(_("disbursed"), default=0, **MONEY)
    round = models.ForeignKey(
        FinancingRound, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.OneToOneField(
        EquityPosition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    policy = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="if_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="if_discount_range",
                                   condition=Q(discount__isnull=True) | Q(discount__gte=0, discount__lt=1)),
            models.CheckConstraint(name="if_cap_positive",
                                   condition=Q(valuation_cap__isnull=True) | Q(valuation_cap__gt=0)),
            models.CheckConstraint(name="if_disbursed_within",
                                   condition=Q(disbursed__gte=0, disbursed__lte=models.F("amount"))),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_org_id(self):
        return self.programme.manager_id

    def approval_content(self) -> dict:
        return {"programme": self.programme_id, "enterprise": self.enterprise_id, "amount": self.amount,
                "discount": self.discount, "valuation_cap": self.valuation_cap,
                "tranches": [(t.number, t.amount, t.due_on) for t in self.tranches.order_by("number")]}


class Tranche(models.Model):
    agreement = models.ForeignKey(InvestFirstAgreement, on_delete=models.PROTECT, related_name="tranches")
    number = models.PositiveSmallIntegerField()
    amount = models.DecimalField(_("amount"), **MONEY)
    due_on = models.DateField(_("due on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="tranche_unique"),
                       models.CheckConstraint(name="tranche_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.agreement_id} #{self.number}"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Conversion(models.Model):
    """The computed conversion of one agreement at one round: decided by maker-checker before it is booked."""

    TRANSITIONS = {DecisionStatus.PENDING: {DecisionStatus.APPROVED, DecisionStatus.REJECTED}}

    agreement = models.ForeignKey(InvestFirstAgreement, on_delete=models.PROTECT, related_name="conversions")
    round = models.ForeignKey(FinancingRound, on_delete=models.PROTECT, related_name="conversions")
    amount = models.DecimalField(_("amount converting"), **MONEY)
    price = models.DecimalField(_("conversion price"), **PRICE)
    shares = models.BigIntegerField(_("shares"))
    ownership = models.DecimalField(_("ownership after the round"), max_digits=12, decimal_places=8)
    programme_share = models.DecimalField(
        _("programme's share after the round"), max_digits=12, decimal_places=8
    )
    figures = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.PENDING)
    maker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.CheckConstraint(name="conversion_shares_positive", condition=Q(shares__gt=0))]

    def __str__(self):
        return f"conversion {self.agreement_id}@{self.round_id}"

    @property
    def owner_org_id(self):
        return self.agreement.programme.manager_id

    def approval_content(self) -> dict:
        return {
            "agreement": self.agreement_id,
            "round": self.round_id,
            "amount": self.amount,
            "price": self.price,
            "shares": self.shares,
        }


class ClosureWay(models.TextChoices):
    GRANT = "grant", _("Treated as a project grant (expensed)")
    REPAID = "repaid", _("Repaid / compensated by the enterprise")
    SWAPPED = "swapped", _("Swapped into another project")


class Closure(models.Model):
    """Closing an overdue agreement without conversion: one of three ways, decided by maker-checker."""

    TRANSITIONS = {DecisionStatus.PENDING: {DecisionStatus.APPROVED, DecisionStatus.REJECTED}}

    agreement = models.ForeignKey(InvestFirstAgreement, on_delete=models.PROTECT, related_name="closures")
    way = models.CharField(_("closure"), max_length=8, choices=ClosureWay.choices)
    agreed_amount = models.DecimalField(_("agreed repayment"), null=True, blank=True, **MONEY)
    target_project = models.CharField(_("target project"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices,
                              default=DecisionStatus.PENDING)
    maker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    approvers = models.JSONField(default=list, blank=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"closure {self.agreement_id} {self.way}"

    @property
    def owner_org_id(self):
        return self.agreement.programme.manager_id

    def approval_content(self) -> dict:
        return {"agreement": self.agreement_id, "way": self.way, "agreed_amount": self.agreed_amount,
                "target_project": self.target_project, "reason": self.reason}

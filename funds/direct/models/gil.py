"""拨投贷: grant, investment and loan for one project, one approval and one exposure."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation, User

from .invest_first import InvestFirstAgreement
from .positions import EquityPosition
from .programmes import MONEY, PRICE, Programme


class GILStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("application", "Applied")
    REVIEWED = "reviewed", _("Reviewed")
    COMMITTEE = "committee", _("At committee")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CONTRACTED = "contracted", _("Contracted")
    DISBURSED = "disbursed", _("Legs disbursed")
    MONITORING = "monitoring", _("Monitoring")
    EXITED = "exited", _("Exited")
    CLOSED = "closed", _("Closed")


GIL_COUNTED = (GILStatus.APPROVED, GILStatus.CONTRACTED, GILStatus.DISBURSED, GILStatus.MONITORING,
               GILStatus.EXITED, GILStatus.CLOSED)


class EquityLegKind(models.TextChoices):
    NONE = "", _("No equity leg")
    DIRECT = "direct", _("Direct equity")
    INVEST_FIRST = "invest_first", _("Invest first, equity later (先投后股)")


class GrantInvestLoan(models.Model):
    S = GILStatus
    TRANSITIONS = {S.APPLIED: {S.REVIEWED, S.REJECTED}, S.REVIEWED: {S.COMMITTEE, S.REJECTED},
                   S.COMMITTEE: {S.APPROVED, S.REJECTED}, S.APPROVED: {S.CONTRACTED},
                   S.CONTRACTED: {S.DISBURSED}, S.DISBURSED: {S.MONITORING},
                   S.MONITORING: {S.EXITED, S.CLOSED}}

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="grant_invest_loans")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grant_invest_loans",
                                   verbose_name=_("enterprise"))
    title = models.CharField(_("project"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=GILStatus.choices, default=GILStatus.APPLIED
    )
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    maker = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    applied_on = models.DateField(_("applied on"))
    # 拨: the grant leg, expensed when paid.
    grant_amount = models.DecimalField(_("grant"), default=0, **MONEY)
    grant_paid_on = models.DateField(_("grant paid on"), null=True, blank=True)
    grant_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 投: direct equity, or a 先投后股 agreement.
    equity_kind = models.CharField(_("equity leg"), max_length=12, choices=EquityLegKind.choices, blank=True,
                                   default=EquityLegKind.NONE)
    equity_amount = models.DecimalField(_("equity"), default=0, **MONEY)
    equity_price_per_share = models.DecimalField(_("price per share"), null=True, blank=True, **PRICE)
    invest_first = models.OneToOneField(InvestFirstAgreement, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="grant_invest_loan")
    position = models.OneToOneField(
        EquityPosition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 贷: a bank loan registered through the loans API, linked by the bank's own reference.
    loan_bank = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lending bank"),
    )
    loan_reference = models.CharField(_("bank loan reference"), max_length=64, blank=True)
    loan_pool_enrolled = models.BooleanField(_("loan enrolled in a risk pool"), default=False)
    policy = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                name="gil_amounts_nonneg", condition=Q(grant_amount__gte=0, equity_amount__gte=0)
            ),
            models.CheckConstraint(
                name="gil_has_a_leg",
                condition=Q(grant_amount__gt=0) | Q(equity_amount__gt=0) | ~Q(loan_reference=""),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_org_id(self):
        return self.programme.manager_id

    def approval_content(self) -> dict:
        return {"programme": self.programme_id, "enterprise": self.enterprise_id, "grant": self.grant_amount,
                "equity_kind": self.equity_kind, "equity": self.equity_amount,
                "price_per_share": self.equity_price_per_share, "invest_first": self.invest_first_id,
                "loan_bank": self.loan_bank_id, "loan_reference": self.loan_reference}

"""Cap tables: share classes, holders, priced rounds and share movements (ownership is always computed
from share counts)."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import Organisation, User

from .programmes import MONEY, PRICE, Programme


class HolderKind(models.TextChoices):
    FOUNDER = "founder", _("Founder")
    PROGRAMME = "programme", _("Fiscal programme")
    SUB_FUND = "sub_fund", _("Sub-fund")
    ROUND_INVESTOR = "round_investor", _("Round investor")
    OTHER = "other", _("Other shareholder")


class ShareClass(models.Model):
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="share_classes")
    name = models.CharField(_("share class"), max_length=100)
    preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        ordering = ["enterprise", "id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="share_class_unique")]

    def __str__(self):
        return self.name


class Shareholder(models.Model):
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cap_table_holders")
    name = models.CharField(_("shareholder"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=HolderKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["enterprise", "id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "name"], name="shareholder_unique")]

    def __str__(self):
        return self.name


class FinancingRound(models.Model):
    """A priced round as reported (by the enterprise or the manager); the figures were checked for
    consistency."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="financing_rounds")
    round_date = models.DateField(_("round date"))
    price_per_share = models.DecimalField(_("price per share"), **PRICE)
    pre_money = models.DecimalField(_("pre-money valuation"), **MONEY)
    new_money = models.DecimalField(_("new money"), **MONEY)
    fd_shares_before = models.BigIntegerField(_("fully diluted shares before the round"))
    other_converting = models.JSONField(_("other converting instruments"), default=list, blank=True)
    # The programmes' 先投后股 agreements converting at this round, as they stood when it was reported.
    converting = models.JSONField(default=list, blank=True)
    derived_price = models.DecimalField(_("price derived from the figures"), **PRICE)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise", "round_date", "id"]
        constraints = [
            models.CheckConstraint(name="round_price_positive", condition=Q(price_per_share__gt=0)),
            models.CheckConstraint(name="round_pre_money_positive", condition=Q(pre_money__gt=0)),
            models.CheckConstraint(name="round_new_money_nonneg", condition=Q(new_money__gte=0)),
            models.CheckConstraint(name="round_shares_positive", condition=Q(fd_shares_before__gt=0)),
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.round_date}"

    @property
    def owner_org_id(self):
        return self.enterprise_id


class MovementReason(models.TextChoices):
    ISSUE = "issue", _("Issued")
    ROUND = "round", _("Round subscription")
    CONVERSION = "conversion", _("Conversion")
    DIRECT = "direct", _("Direct equity investment")
    BUYBACK = "buyback", _("Buy-back")
    SALE = "sale", _("Sale")


class ShareMovement(models.Model):
    """Append-only: a holder's shares of a class change by ``shares`` (negative when they leave)."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="share_movements")
    holder = models.ForeignKey(Shareholder, on_delete=models.PROTECT, related_name="movements")
    share_class = models.ForeignKey(ShareClass, on_delete=models.PROTECT, related_name="movements")
    shares = models.BigIntegerField(_("shares"))
    on = models.DateField(_("date"))
    reason = models.CharField(pgettext_lazy("share movement", "reason"), max_length=12,
                              choices=MovementReason.choices)
    round = models.ForeignKey(
        FinancingRound, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    price_per_share = models.DecimalField(_("price per share"), null=True, blank=True, **PRICE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["enterprise", "on", "id"]
        constraints = [models.CheckConstraint(name="share_movement_nonzero", condition=~Q(shares=0))]

    def __str__(self):
        return f"{self.holder} {self.shares:+d}"

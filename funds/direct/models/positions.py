"""The programmes' equity positions (at cost) and their exits."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation

from .programmes import MONEY, DirectKind, Programme


class PositionStatus(models.TextChoices):
    HELD = "held", _("Held")
    EXITED = "exited", _("Exited")


class ExitKind(models.TextChoices):
    SALE = "sale", _("Sale")
    BUYBACK = "buyback", _("Buy-back by the founders")


class EquityPosition(models.Model):
    """Equity the programme holds at cost: a converted 先投后股, a talent investment, a 拨投贷 equity leg."""

    TRANSITIONS = {PositionStatus.HELD: {PositionStatus.EXITED}}

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="positions")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="direct_positions")
    kind = models.CharField(pgettext_lazy("fund", "instrument"), max_length=20, choices=DirectKind.choices)
    cost = models.DecimalField(_("cost"), **MONEY)
    shares = models.BigIntegerField(_("shares"))
    invested_on = models.DateField(_("invested on"))
    exit_due_on = models.DateField(_("end of holding period"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=PositionStatus.choices, default=PositionStatus.HELD
    )
    exit_kind = models.CharField(_("exit"), max_length=8, choices=ExitKind.choices, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    proceeds = models.DecimalField(_("proceeds"), null=True, blank=True, **MONEY)
    min_exit_price = models.DecimalField(_("minimum exit price"), null=True, blank=True, **MONEY)
    multiple = models.DecimalField(
        _("realised multiple"), null=True, blank=True, max_digits=12, decimal_places=4
    )
    irr = models.DecimalField(_("IRR"), null=True, blank=True, max_digits=12, decimal_places=6)
    policy = models.JSONField(default=dict, blank=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    exit_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["programme", "id"]
        constraints = [
            models.CheckConstraint(name="position_cost_positive", condition=Q(cost__gt=0)),
            models.CheckConstraint(name="position_shares_positive", condition=Q(shares__gt=0)),
        ]

    def __str__(self):
        return f"{self.programme} → {self.enterprise}"

    @property
    def owner_org_id(self):
        return self.programme.manager_id

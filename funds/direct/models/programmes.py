"""Programmes of direct instruments: what a programme may fund, its budget and its manager."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import Organisation, User

MONEY = {"max_digits": 18, "decimal_places": 2}
PRICE = {"max_digits": 24, "decimal_places": 6}


class DirectKind(models.TextChoices):
    INVEST_FIRST = "invest_first", _("Invest first, equity later (先投后股)")
    GRANT_INVEST_LOAN = "grant_invest_loan", _("Grant-invest-loan (拨投贷)")
    TALENT_EQUITY = "talent_equity", _("Talent startup equity (人才股权)")


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("fund", "Active")
    CLOSED = "closed", _("Closed")


class Programme(models.Model):
    """A department's fiscal money for direct instruments, run by a designated manager."""

    TRANSITIONS = {ProgrammeStatus.ACTIVE: {ProgrammeStatus.CLOSED}}

    name = models.CharField(_("name"), max_length=200, unique=True)
    owner_department = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="direct_programmes_owned",
        verbose_name=_("owner department"),
    )
    manager = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="direct_programmes_managed",
        verbose_name=_("manager organisation"),
    )
    budget = models.DecimalField(_("budget"), **MONEY)
    funded = models.DecimalField(_("funded by the department"), default=0, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    kinds = models.JSONField(_("instrument kinds allowed"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=ProgrammeStatus.choices,
                              default=ProgrammeStatus.ACTIVE)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="programme_budget_positive", condition=Q(budget__gt=0)),
            models.CheckConstraint(name="programme_funded_within_budget",
                                   condition=Q(funded__gte=0, funded__lte=models.F("budget"))),
            models.CheckConstraint(name="programme_currency_whitelist",
                                   condition=Q(currency__in=["CNY", "USD", "EUR", "HKD"])),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_org_id(self):
        return self.manager_id

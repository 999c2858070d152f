"""Talent-startup equity (人才创业股权投资)."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.parties.models import Organisation, User

from .positions import EquityPosition
from .programmes import MONEY, PRICE, Programme


class TalentStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("application", "Applied")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("application", "Rejected")
    CONTRACTED = "contracted", _("Contracted")
    FUNDED = "funded", _("Funded")
    EXITED = "exited", _("Exited")


TALENT_COUNTED = (TalentStatus.APPROVED, TalentStatus.CONTRACTED, TalentStatus.FUNDED, TalentStatus.EXITED)


class TalentEquity(models.Model):
    S = TalentStatus
    TRANSITIONS = {S.APPLIED: {S.SUBMITTED, S.REJECTED}, S.SUBMITTED: {S.APPROVED, S.REJECTED},
                   S.APPROVED: {S.CONTRACTED}, S.CONTRACTED: {S.FUNDED}, S.FUNDED: {S.EXITED}}

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="talent_equity")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="talent_equity",
                                   verbose_name=_("enterprise"))
    title = models.CharField(_("project"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    price_per_share = models.DecimalField(_("price per share"), **PRICE)
    # Eligibility as stated by the applicant (checked against the policy parameters at application and
    # approval).
    talent_team_leads = models.BooleanField(_("a talent team leads the company"), default=False)
    registered_in_shandong = models.BooleanField(_("registered in Shandong"), default=False)
    own_ip_count = models.PositiveIntegerField(_("own IP items"), default=0)
    founded_on = models.DateField(_("company founded on"))
    founders_cash = models.DecimalField(_("founders' cash in"), default=0, **MONEY)
    eligibility = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TalentStatus.choices, default=TalentStatus.APPLIED
    )
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    maker = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    applied_on = models.DateField(_("applied on"))
    position = models.OneToOneField(
        EquityPosition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    policy = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="talent_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="talent_price_positive", condition=Q(price_per_share__gt=0)),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_org_id(self):
        return self.programme.manager_id

    def approval_content(self) -> dict:
        return {"programme": self.programme_id, "enterprise": self.enterprise_id, "amount": self.amount,
                "price_per_share": self.price_per_share, "talent_team_leads": self.talent_team_leads,
                "registered_in_shandong": self.registered_in_shandong, "own_ip_count": self.own_ip_count,
                "founded_on": self.founded_on, "founders_cash": self.founders_cash}

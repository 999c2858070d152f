"""Deals through the pipeline and the investment committee, their checklists, documents and conditions."""
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.approvals.models import Committee, Meeting
from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation, User

from .funds import MONEY, SubFund
from .money import Stage


class Instrument(models.TextChoices):
    EQUITY = "equity", _("Equity")
    INVEST_FIRST = "invest_first", _("Invest first, equity later (先投后股)")
    GRANT_INVEST_LOAN = "grant_invest_loan", _("Grant-invest-loan (拨投贷)")
    TALENT_EQUITY = "talent_equity", _("Talent startup equity (人才股权)")


#: Fiscal equity instruments: the talent cap counts all of them per enterprise.
FISCAL_EQUITY = (Instrument.INVEST_FIRST, Instrument.GRANT_INVEST_LOAN, Instrument.TALENT_EQUITY)


class DealStatus(models.TextChoices):
    SOURCED = "sourced", _("Sourced")
    SCREENING = "screening", _("Screening")
    DUE_DILIGENCE = "due_diligence", _("Due diligence")
    COMMITTEE = "committee", _("Committee")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CONTRACTED = "contracted", _("Contracted")
    FUNDED = "funded", _("Funded")
    EXITED = "exited", _("Exited")


#: Commitments of a fiscal equity instrument count against the talent cap from approval on.
LIVE_DEAL_STATUSES = (DealStatus.APPROVED, DealStatus.CONTRACTED, DealStatus.FUNDED)


class Deal(models.Model):
    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="deals")
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="deals",
                                   verbose_name=_("enterprise"))
    title = models.CharField(_("title"), max_length=200)
    instrument = models.CharField(pgettext_lazy("fund", "instrument"), max_length=20,
                                  choices=Instrument.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    pre_money = models.DecimalField(_("pre-money valuation"), null=True, blank=True, **MONEY)
    stake = models.DecimalField(_("stake (%)"), max_digits=7, decimal_places=4, default=0)
    stage = models.CharField(_("company stage"), max_length=8, choices=Stage.choices, default=Stage.EARLY)
    in_shandong = models.BooleanField(_("in Shandong"), default=True)
    converts_fiscal_result = models.BooleanField(_("converts a fiscally funded result"), default=False)
    terms = models.TextField(_("terms"), blank=True)
    status = models.CharField(_("stage"), max_length=16, choices=DealStatus.choices,
                              default=DealStatus.SOURCED)
    maker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="deals_made")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    policy = models.JSONField(default=dict, blank=True)  # parameters used by the approval / funding decisions
    funded_on = models.DateField(null=True, blank=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    TRANSITIONS = {
        DealStatus.SOURCED: {DealStatus.SCREENING, DealStatus.REJECTED},
        DealStatus.SCREENING: {DealStatus.DUE_DILIGENCE, DealStatus.REJECTED},
        DealStatus.DUE_DILIGENCE: {DealStatus.COMMITTEE, DealStatus.REJECTED},
        DealStatus.COMMITTEE: {DealStatus.APPROVED, DealStatus.REJECTED, DealStatus.DUE_DILIGENCE},
        DealStatus.APPROVED: {DealStatus.CONTRACTED, DealStatus.COMMITTEE},
        DealStatus.CONTRACTED: {DealStatus.FUNDED, DealStatus.COMMITTEE},
        DealStatus.FUNDED: {DealStatus.EXITED},
    }

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="deal_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="deal_stake_range", condition=Q(stake__gte=0, stake__lte=100)),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id

    def approval_content(self) -> dict:
        """What the committee sees: an edit to any of these voids earlier votes and approvals."""
        return {"sub_fund": self.sub_fund_id, "enterprise": self.enterprise_id, "instrument": self.instrument,
                "amount": str(self.amount), "pre_money": str(self.pre_money), "stake": str(self.stake),
                "stage": self.stage, "in_shandong": self.in_shandong,
                "converts_fiscal_result": self.converts_fiscal_result, "terms": self.terms}


class ChecklistItem(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="checklist")
    label = models.CharField(_("item"), max_length=200)
    done = models.BooleanField(default=False)
    done_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["deal", "id"]

    def __str__(self):
        return self.label


def document_path(instance, filename: str) -> str:
    """A generated name (never the uploader's): deals/<deal>/<random>.<whitelisted extension>."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"deals/{instance.deal_id}/{uuid.uuid4().hex}.{ext[:5]}"


class DealDocument(models.Model):
    """Served only through the scoped download view, as an attachment (never from MEDIA_URL)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deal", "id"]

    def __str__(self):
        return self.title


class Condition(models.Model):
    """A condition precedent to funding."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="conditions")
    description = models.CharField(_("condition"), max_length=300)
    satisfied_on = models.DateField(null=True, blank=True)
    satisfied_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["deal", "id"]

    def __str__(self):
        return self.description

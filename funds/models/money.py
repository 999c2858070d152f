"""Money through a sub-fund: capital calls, distributions, holdings, valuations, NAV, fees, index series."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation, User

from .funds import MONEY, Commitment, FeeBasis, SubFund


class CallPurpose(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    MANAGEMENT_FEE = "management_fee", _("Management fee")
    EXPENSES = "expenses", _("Fund expenses")


class CallStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    ISSUED = "issued", pgettext_lazy("call", "Issued")
    REJECTED = "rejected", pgettext_lazy("call", "Rejected")


class CapitalCall(models.Model):
    """A call on the LPs. Below the four-eyes threshold it is issued at once; from it, drafted by the manager
    and issued (notices out, payable) only once approved by others (``finance.approvals``, kind
    capital_call)."""

    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="calls")
    number = models.PositiveIntegerField()
    call_date = models.DateField(_("call date"))
    due_date = models.DateField(_("due date"))
    purpose = models.CharField(_("purpose"), max_length=16, choices=CallPurpose.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CallStatus.choices,
                              default=CallStatus.ISSUED)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = {CallStatus.PENDING_APPROVAL: {CallStatus.ISSUED, CallStatus.REJECTED}}

    class Meta:
        ordering = ["sub_fund", "number"]
        constraints = [
            models.CheckConstraint(name="call_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="call_due_after_call",
                                   condition=Q(due_date__gte=models.F("call_date"))),
            models.UniqueConstraint(fields=["sub_fund", "number"], name="call_number_unique"),
        ]

    def __str__(self):
        return f"{self.sub_fund} #{self.number}"

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id

    @property
    def maker_id(self):
        return self.created_by_id

    def approval_content(self) -> dict:
        """What the approvers see: the call and its split per LP."""
        return {"sub_fund": self.sub_fund_id, "number": self.number, "amount": str(self.amount),
                "call_date": self.call_date, "due_date": self.due_date, "purpose": self.purpose,
                "lines": [[ln.commitment_id, str(ln.amount)] for ln in self.lines.order_by("commitment_id")]}


class CapitalCallLine(models.Model):
    call = models.ForeignKey(CapitalCall, on_delete=models.PROTECT, related_name="lines")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="call_lines")
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["call", "commitment"]
        constraints = [
            models.CheckConstraint(name="call_line_amount_nonneg", condition=Q(amount__gte=0)),
            models.UniqueConstraint(fields=["call", "commitment"], name="call_line_unique"),
        ]

    def __str__(self):
        return f"{self.call} · {self.commitment_id}: {self.amount}"


class Distribution(models.Model):
    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="distributions")
    number = models.PositiveIntegerField()
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("distributable amount"), **MONEY)
    lp_amount = models.DecimalField(_("to LPs"), **MONEY)
    gp_amount = models.DecimalField(_("to GP (carry)"), **MONEY)
    tiers = models.JSONField(default=dict)  # cumulative waterfall after this distribution, and its share
    policy = models.JSONField(default=dict)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sub_fund", "number"]
        constraints = [
            models.CheckConstraint(name="distribution_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["sub_fund", "number"], name="distribution_number_unique"),
        ]

    def __str__(self):
        return f"{self.sub_fund_id} distribution #{self.number}"

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id


class DistributionLine(models.Model):
    distribution = models.ForeignKey(Distribution, on_delete=models.PROTECT, related_name="lines")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="distribution_lines")
    capital = models.DecimalField(_("return of capital"), **MONEY)
    profit = models.DecimalField(_("profit"), **MONEY)
    concession = models.DecimalField(_("concession (+received / −given)"), default=0, **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["distribution", "commitment"]
        constraints = [models.UniqueConstraint(fields=["distribution", "commitment"],
                                               name="distribution_line_unique"),
                       models.CheckConstraint(name="distribution_line_nonneg", condition=Q(amount__gte=0))]

    def __str__(self):
        return f"{self.distribution} · {self.commitment_id}: {self.amount}"


class Stage(models.TextChoices):
    SEED = "seed", pgettext_lazy("fund", "Seed")
    EARLY = "early", _("Early")
    GROWTH = "growth", _("Growth")
    LATE = "late", _("Late")


class Holding(models.Model):
    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="holdings")
    company = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    company_name = models.CharField(_("company"), max_length=200)
    invested_on = models.DateField(_("invested on"))
    amount = models.DecimalField(_("amount invested"), **MONEY)
    stake = models.DecimalField(_("stake (%)"), max_digits=7, decimal_places=4, default=0)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.EARLY)
    in_shandong = models.BooleanField(_("in Shandong"), default=True)
    converts_fiscal_result = models.BooleanField(_("converts a fiscally funded result"), default=False)
    deal = models.OneToOneField("Deal", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="holding")
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    proceeds = models.DecimalField(_("exit proceeds"), default=0, **MONEY)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["sub_fund", "invested_on", "id"]
        constraints = [
            models.CheckConstraint(name="holding_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="holding_stake_range", condition=Q(stake__gte=0, stake__lte=100)),
        ]

    def __str__(self):
        return self.company_name

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id


class Valuation(models.Model):
    holding = models.ForeignKey(Holding, on_delete=models.PROTECT, related_name="valuations")
    as_of = models.DateField(_("as of"))
    value = models.DecimalField(_("fair value"), **MONEY)

    class Meta:
        ordering = ["holding", "as_of"]
        constraints = [models.UniqueConstraint(fields=["holding", "as_of"], name="valuation_once_per_date"),
                       models.CheckConstraint(name="valuation_nonneg", condition=Q(value__gte=0))]

    def __str__(self):
        return f"{self.holding_id} @ {self.as_of}: {self.value}"


class NavReport(models.Model):
    """Quarterly NAV of a sub-fund: holdings at their latest valuation plus the fund's cash."""

    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="navs")
    as_of = models.DateField(_("as of"))
    holdings_value = models.DecimalField(**MONEY)
    cash = models.DecimalField(**MONEY)
    nav = models.DecimalField(_("NAV"), **MONEY)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sub_fund", "as_of"]
        constraints = [models.UniqueConstraint(fields=["sub_fund", "as_of"], name="nav_once_per_date")]

    def __str__(self):
        return f"NAV {self.sub_fund_id} @ {self.as_of}: {self.nav}"


class FeeAccrual(models.Model):
    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="fee_accruals")
    period_start = models.DateField()
    period_end = models.DateField()
    basis = models.CharField(max_length=10, choices=FeeBasis.choices)
    basis_amount = models.DecimalField(**MONEY)
    rate = models.DecimalField(max_digits=6, decimal_places=4)
    amount = models.DecimalField(**MONEY)
    policy = models.JSONField(default=dict)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["sub_fund", "period_start"]
        constraints = [models.UniqueConstraint(fields=["sub_fund", "period_start"], name="fee_accrual_once"),
                       models.CheckConstraint(name="fee_period_order",
                                              condition=Q(period_end__gt=models.F("period_start")))]

    def __str__(self):
        return f"fee {self.sub_fund_id} {self.period_start}–{self.period_end}: {self.amount}"

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id

    def approval_content(self) -> dict:
        """What the approvers of the fee's payment see (``funds.services.fees``): the accrual as posted."""
        return {"sub_fund": self.sub_fund_id, "period_start": self.period_start,
                "period_end": self.period_end, "basis": self.basis, "basis_amount": str(self.basis_amount),
                "rate": str(self.rate), "amount": str(self.amount)}


class IndexSeries(models.Model):
    """A public-market index the manager uploads (CSV of date, level) for KS-PME."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="index_series")
    name = models.CharField(_("name"), max_length=100)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="index_name_unique")]

    def __str__(self):
        return self.name

    @property
    def owner_org_id(self):
        return self.owner_id


class IndexLevel(models.Model):
    series = models.ForeignKey(IndexSeries, on_delete=models.CASCADE, related_name="levels")
    on = models.DateField()
    level = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        ordering = ["series", "on"]
        constraints = [models.UniqueConstraint(fields=["series", "on"], name="index_level_unique"),
                       models.CheckConstraint(name="index_level_positive", condition=Q(level__gt=0))]

    def __str__(self):
        return f"{self.on}: {self.level}"

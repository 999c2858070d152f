"""Guidance fund, sub-funds, LP commitments, capital calls, distributions, NAV, holdings and deals.

Fields and constraints only: every write goes through ``funds.services``. Money is ``Decimal`` with two places
(CNY unless the sub-fund says otherwise); a paid or posted amount is also a ledger entry.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from finance.approvals.models import Committee, Meeting
from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation, User

MONEY = {"max_digits": 18, "decimal_places": 2}
CURRENCY_WHITELIST = ["CNY", "USD", "EUR", "HKD"]


class FundStatus(models.TextChoices):
    FUNDRAISING = "fundraising", _("Fundraising")
    INVESTING = "investing", _("Investing")
    HARVESTING = "harvesting", _("Harvesting")
    CLOSED = "closed", _("Closed")


class GuidanceFund(models.Model):
    name = models.CharField(_("name"), max_length=200)
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="guidance_funds",
                                verbose_name=_("manager"))
    size = models.DecimalField(_("size"), **MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    vintage = models.DateField(_("vintage"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="guidance_size_positive", condition=Q(size__gt=0)),
            models.CheckConstraint(name="guidance_currency_whitelist", condition=Q(currency__in=CURRENCY_WHITELIST)),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_org_id(self):
        return self.manager_id


class FeeBasis(models.TextChoices):
    COMMITTED = "committed", _("Committed capital")
    PAID_IN = "paid_in", _("Paid-in capital")
    INVESTED = "invested", _("Invested capital")


class SubFund(models.Model):
    guidance_fund = models.ForeignKey(GuidanceFund, on_delete=models.PROTECT, related_name="sub_funds")
    name = models.CharField(_("name"), max_length=200)
    manager = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sub_funds",
                                verbose_name=_("manager (GP)"))
    size = models.DecimalField(_("size"), **MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    vintage = models.DateField(_("vintage (first close)"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=10)
    investment_period_years = models.PositiveSmallIntegerField(_("investment period (years)"), default=5)
    strategy = models.CharField(_("strategy"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FundStatus.choices, default=FundStatus.INVESTING)
    # Waterfall terms (fractions: 0.08 = 8 %).
    hurdle_rate = models.DecimalField(_("hurdle rate"), max_digits=6, decimal_places=4, default=0)
    hurdle_compounding = models.CharField(max_length=8, default="simple",
                                          choices=[("simple", _("Simple")), ("annual", _("Annual"))])
    catch_up_share = models.DecimalField(_("GP catch-up share"), max_digits=6, decimal_places=4, default=0)
    carry_share = models.DecimalField(_("carried interest share"), max_digits=6, decimal_places=4, default=0)
    profit_concession = models.BooleanField(_("government LP concedes profit (让利)"), default=False)
    fee_rate = models.DecimalField(_("management fee rate per year (%)"), max_digits=6, decimal_places=4, default=0)
    fee_basis = models.CharField(_("management fee basis"), max_length=10, choices=FeeBasis.choices,
                                 default=FeeBasis.PAID_IN)
    policy = models.JSONField(default=dict, blank=True)  # parameters used by the last set-up check
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(name="subfund_size_positive", condition=Q(size__gt=0)),
            models.CheckConstraint(name="subfund_currency_whitelist", condition=Q(currency__in=CURRENCY_WHITELIST)),
            models.CheckConstraint(name="subfund_shares_fractions",
                                   condition=Q(hurdle_rate__gte=0, hurdle_rate__lte=1, carry_share__gte=0,
                                               carry_share__lte=1, catch_up_share__gte=0, catch_up_share__lte=1)),
            models.UniqueConstraint(fields=["guidance_fund", "name"], name="subfund_name_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_org_id(self):
        return self.manager_id


class LPKind(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance fund")
    PROVINCIAL = "provincial", _("Other provincial government money")
    CITY = "city", _("City / county government money")
    SOCIAL = "social", _("Social capital")


GOVERNMENT_KINDS = (LPKind.GUIDANCE, LPKind.PROVINCIAL, LPKind.CITY)
PROVINCIAL_KINDS = (LPKind.GUIDANCE, LPKind.PROVINCIAL)


class Commitment(models.Model):
    """An LP's commitment to a sub-fund: an organisation (department, enterprise) or a named social investor."""

    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="commitments")
    lp_kind = models.CharField(_("LP kind"), max_length=10, choices=LPKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="fund_commitments")
    investor_name = models.CharField(_("investor name"), max_length=200, blank=True)
    amount = models.DecimalField(_("commitment"), **MONEY)
    committed_on = models.DateField(_("committed on"))
    # Sum of call lines issued against this commitment (maintained under a row lock by the call service).
    called = models.DecimalField(_("called"), default=0, **MONEY)

    class Meta:
        ordering = ["sub_fund", "id"]
        constraints = [
            models.CheckConstraint(name="commitment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="commitment_called_within", condition=Q(called__gte=0, called__lte=models.F("amount"))),
            models.CheckConstraint(name="commitment_has_lp",
                                   condition=Q(organisation__isnull=False) | ~Q(investor_name="")),
            models.UniqueConstraint(fields=["sub_fund"], condition=Q(lp_kind="guidance"),
                                    name="commitment_one_guidance_per_fund"),
        ]

    def __str__(self):
        return self.lp_name

    @property
    def lp_name(self):
        return self.organisation.name if self.organisation_id else self.investor_name

    @property
    def unfunded(self):
        return self.amount - self.called

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id


class CallPurpose(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    MANAGEMENT_FEE = "management_fee", _("Management fee")
    EXPENSES = "expenses", _("Fund expenses")


class CapitalCall(models.Model):
    sub_fund = models.ForeignKey(SubFund, on_delete=models.PROTECT, related_name="calls")
    number = models.PositiveIntegerField()
    call_date = models.DateField(_("call date"))
    due_date = models.DateField(_("due date"))
    purpose = models.CharField(_("purpose"), max_length=16, choices=CallPurpose.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sub_fund", "number"]
        constraints = [
            models.CheckConstraint(name="call_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="call_due_after_call", condition=Q(due_date__gte=models.F("call_date"))),
            models.UniqueConstraint(fields=["sub_fund", "number"], name="call_number_unique"),
        ]

    def __str__(self):
        return f"{self.sub_fund} #{self.number}"

    @property
    def owner_org_id(self):
        return self.sub_fund.manager_id


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
    tiers = models.JSONField(default=dict)  # cumulative waterfall after this distribution and this one's share
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
        constraints = [models.UniqueConstraint(fields=["distribution", "commitment"], name="distribution_line_unique"),
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
    company = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    company_name = models.CharField(_("company"), max_length=200)
    invested_on = models.DateField(_("invested on"))
    amount = models.DecimalField(_("amount invested"), **MONEY)
    stake = models.DecimalField(_("stake (%)"), max_digits=7, decimal_places=4, default=0)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.EARLY)
    in_shandong = models.BooleanField(_("in Shandong"), default=True)
    converts_fiscal_result = models.BooleanField(_("converts a fiscally funded result"), default=False)
    deal = models.OneToOneField("Deal", on_delete=models.PROTECT, null=True, blank=True, related_name="holding")
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
                       models.CheckConstraint(name="fee_period_order", condition=Q(period_end__gt=models.F("period_start")))]

    def __str__(self):
        return f"fee {self.sub_fund_id} {self.period_start}–{self.period_end}: {self.amount}"


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


# ---------------------------------------------------------------- deals

    def __str__(self):
        return f"{self.on}: {self.level}"


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
    instrument = models.CharField(_("instrument"), max_length=20, choices=Instrument.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    pre_money = models.DecimalField(_("pre-money valuation"), null=True, blank=True, **MONEY)
    stake = models.DecimalField(_("stake (%)"), max_digits=7, decimal_places=4, default=0)
    stage = models.CharField(_("company stage"), max_length=8, choices=Stage.choices, default=Stage.EARLY)
    in_shandong = models.BooleanField(_("in Shandong"), default=True)
    converts_fiscal_result = models.BooleanField(_("converts a fiscally funded result"), default=False)
    terms = models.TextField(_("terms"), blank=True)
    status = models.CharField(_("stage"), max_length=16, choices=DealStatus.choices, default=DealStatus.SOURCED)
    maker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="deals_made")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    policy = models.JSONField(default=dict, blank=True)  # parameters used by the approval / funding decisions
    funded_on = models.DateField(null=True, blank=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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


class DealDocument(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to="deals/%Y/%m/")
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

from funds.direct.models import *  # noqa: E402,F401,F403  direct instruments

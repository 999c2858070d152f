"""Direct fiscal instruments: programmes, 先投后股 agreements, talent equity, 拨投贷 projects, cap tables.

These models belong to the ``funds`` app (``funds/models.py`` re-exports them). Fields and constraints only:
every write goes through ``funds.direct.services``. Money is ``Decimal`` with two places in the programme's
currency; share counts are whole numbers and ownership is always computed from share counts.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation, User

__all__ = [
    "Closure", "ClosureWay", "Conversion", "DecisionStatus", "DirectKind", "EquityLegKind", "EquityPosition",
    "ExitKind", "FinancingRound", "GILStatus", "GrantInvestLoan", "HolderKind", "InvestFirstAgreement",
    "InvestFirstStatus", "MovementReason", "PositionStatus", "Programme", "ProgrammeStatus", "ShareClass",
    "ShareMovement", "Shareholder", "TalentEquity", "TalentStatus", "Tranche",
]

MONEY = {"max_digits": 18, "decimal_places": 2}
PRICE = {"max_digits": 24, "decimal_places": 6}


class DirectKind(models.TextChoices):
    INVEST_FIRST = "invest_first", _("Invest first, equity later (先投后股)")
    GRANT_INVEST_LOAN = "grant_invest_loan", _("Grant-invest-loan (拨投贷)")
    TALENT_EQUITY = "talent_equity", _("Talent startup equity (人才股权)")


class ProgrammeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
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


# ---------------------------------------------------------------- cap table


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
    reason = models.CharField(_("reason"), max_length=12, choices=MovementReason.choices)
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


# ---------------------------------------------------------------- the programme's equity positions


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
    kind = models.CharField(_("instrument"), max_length=20, choices=DirectKind.choices)
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


# ---------------------------------------------------------------- 先投后股


class InvestFirstStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
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


# ---------------------------------------------------------------- talent equity


class TalentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
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


# ---------------------------------------------------------------- 拨投贷


class GILStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
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

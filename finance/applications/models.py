"""One application flow for every instrument, its thread and notifications, and the reviewers' workbench.

Fields and constraints only: every write goes through ``finance.applications.services``. An application keeps
its own state up to the hand-over (``recommended``); from then on the decision belongs to the instrument it
created (a talent-equity investment, a 先投后股 agreement, a 拨投贷 project, a subsidy application), and the
application only links to it: the outcome shown on the timeline is read from the linked object
(``selectors.application_outcome``), never copied here.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from finance.parties.models import Organisation, User
from funds.direct.models import EquityLegKind as EquityLeg  # the 拨投贷 equity leg kinds: the instrument's

MONEY = {"max_digits": 18, "decimal_places": 2}
PRICE = {"max_digits": 24, "decimal_places": 6}


class Instrument(models.TextChoices):
    TALENT_EQUITY = "talent_equity", _("Talent startup equity")
    INVEST_FIRST = "invest_first", _("Invest first, equity later")
    GRANT_INVEST_LOAN = "grant_invest_loan", _("Grant-invest-loan")
    INTEREST_SUBSIDY = "interest_subsidy", _("Interest subsidy")
    APPRAISAL_FEE_SUBSIDY = "appraisal_fee_subsidy", _("Appraisal-fee subsidy")
    FINANCING_NEED = "financing_need", _("Financing need (IP-pledge loan)")


EQUITY_INSTRUMENTS = (Instrument.TALENT_EQUITY, Instrument.INVEST_FIRST, Instrument.GRANT_INVEST_LOAN)
SUBSIDY_INSTRUMENTS = (Instrument.INTEREST_SUBSIDY, Instrument.APPRAISAL_FEE_SUBSIDY)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFO_REQUESTED = "info_requested", _("Information requested")
    RECOMMENDED = "recommended", _("Recommended and handed over")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Not recommended")


#: Submitted and not yet decided: the workbench's open queue, and the states in which a reviewer is assigned.
REVIEW_STATES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
#: States in which the enterprise may still withdraw.
OPEN_STATES = (Status.DRAFT, *REVIEW_STATES)


class Application(models.Model):
    """An enterprise's application for one instrument; typed fields per instrument (blank where the instrument
    does not use them, checked per instrument by ``forms.FIELDS`` and the services)."""

    S = Status
    TRANSITIONS = {
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.UNDER_REVIEW, S.WITHDRAWN, S.REJECTED},
        S.UNDER_REVIEW: {S.INFO_REQUESTED, S.RECOMMENDED, S.REJECTED, S.WITHDRAWN},
        S.INFO_REQUESTED: {S.UNDER_REVIEW, S.WITHDRAWN, S.REJECTED},
    }

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications",
                                   verbose_name=_("enterprise"))
    instrument = models.CharField(_("instrument"), max_length=24, choices=Instrument.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("project title"), max_length=200, blank=True)
    # equity instruments: the programme applied to (funds.direct)
    programme = models.ForeignKey("funds.Programme", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("programme"))
    amount = models.DecimalField(_("amount applied for"), null=True, blank=True, **MONEY)
    price_per_share = models.DecimalField(_("price per share"), null=True, blank=True, **PRICE)
    # talent equity: the eligibility facts the rule reads
    talent_team_leads = models.BooleanField(_("a talent team leads the company"), default=False)
    registered_in_shandong = models.BooleanField(_("registered in Shandong"), default=False)
    own_ip_count = models.PositiveIntegerField(_("own IP items"), null=True, blank=True)
    founded_on = models.DateField(_("company founded on"), null=True, blank=True)
    founders_cash = models.DecimalField(_("founders' cash in"), null=True, blank=True, **MONEY)
    # 先投后股: one disbursement of the whole amount, and the conversion terms
    disbursement_due_on = models.DateField(_("disbursement due on"), null=True, blank=True)
    discount = models.DecimalField(_("conversion discount (%)"), null=True, blank=True, max_digits=7,
                                   decimal_places=4)
    valuation_cap = models.DecimalField(_("valuation cap"), null=True, blank=True, **MONEY)
    # 拨投贷
    grant_amount = models.DecimalField(_("grant"), null=True, blank=True, **MONEY)
    equity_kind = models.CharField(_("equity leg"), max_length=12, choices=EquityLeg.choices, blank=True)
    equity_amount = models.DecimalField(_("equity"), null=True, blank=True, **MONEY)
    # subsidies: the scheme and the loan (registered by its bank)
    scheme = models.ForeignKey("loans.SubsidyScheme", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("subsidy scheme"))
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("loan"))
    loan_year = models.PositiveSmallIntegerField(_("loan year"), null=True, blank=True)
    appraisal_fee = models.DecimalField(_("appraisal fee paid"), null=True, blank=True, **MONEY)
    # financing need (融资对接)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    ip_offered = models.TextField(_("IP offered as pledge"), blank=True)
    purpose = models.TextField(_("use of the money"), blank=True)
    # the hand-over: the object the instrument's own service created (its state is the decision)
    talent = models.OneToOneField("funds.TalentEquity", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="application")
    agreement = models.OneToOneField("funds.InvestFirstAgreement", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="application")
    project = models.OneToOneField("funds.GrantInvestLoan", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="application")
    subsidy = models.OneToOneField("loans.SubsidyApplication", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="application")
    documents = models.ManyToManyField("portal.Document", blank=True, related_name="+",
                                       verbose_name=_("documents submitted"))
    precheck = models.JSONField(_("pre-check at submission"), default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "instrument"])]
        constraints = [
            models.CheckConstraint(name="application_amounts_nonneg", condition=(
                (Q(amount__isnull=True) | Q(amount__gt=0))
                & (Q(grant_amount__isnull=True) | Q(grant_amount__gte=0))
                & (Q(equity_amount__isnull=True) | Q(equity_amount__gte=0))
                & (Q(founders_cash__isnull=True) | Q(founders_cash__gte=0))
                & (Q(appraisal_fee__isnull=True) | Q(appraisal_fee__gt=0)))),
            models.CheckConstraint(name="application_submitted_has_time",
                                   condition=Q(status__in=["draft", "withdrawn"])
                                   | Q(submitted_at__isnull=False)),
        ]

    def __str__(self):
        return self.title or f"{self.get_instrument_display()} #{self.pk}"

    @property
    def owner_org_id(self):
        return self.enterprise_id

    @property
    def handed_over(self):
        """The instrument object created at recommendation, if any."""
        return self.talent or self.agreement or self.project or self.subsidy


class MessageKind(models.TextChoices):
    RFI = "rfi", _("Request for information")
    ANSWER = "answer", _("Answer")
    NOTE = "note", _("Message")
    BANK = "bank", _("Bank's answer")


class Message(models.Model):
    """The thread of an application: reviewers' requests for information and the enterprise's answers; on a
    financing need, each bank's own conversation with the enterprise (``bank`` set: only that bank and the
    enterprise read it)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("bank"))
    body = models.TextField(_("message"))
    attachments = models.ManyToManyField("portal.Document", blank=True, related_name="+",
                                         verbose_name=_("attachments"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.application_id} {self.kind}"


class Verb(models.TextChoices):
    SUBMITTED = "submitted", _("A new application was submitted")
    ASSIGNED = "assigned", _("An application was assigned to you")
    INFO_REQUESTED = "info_requested", _("A reviewer asked for information")
    ANSWERED = "answered", _("The enterprise answered")
    RECOMMENDED = "recommended", _("Your application was recommended")
    REJECTED = "rejected", _("Your application was not recommended")
    WITHDRAWN = "withdrawn", _("An application was withdrawn")
    BANK_ANSWER = "bank_answer", _("A bank answered your financing need")


class Notification(models.Model):
    """In-platform notice to one person; the same notice goes out by email through a Celery task."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(_("event"), max_length=16, choices=Verb.choices)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notifications")
    link = models.CharField(_("link"), max_length=200)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user_id} {self.verb}"


class Assignment(models.Model):
    """A reviewer in charge of an application (one active reviewer per application and organisation)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="application_assignments")
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"],
                                               name="assignment_once_per_reviewer")]

    def __str__(self):
        return f"{self.application_id} → {self.reviewer_id}"


class ConflictDeclaration(models.Model):
    """A reviewer's declaration of interest on one application. A conflicted reviewer neither scores nor
    recommends it; an undeclared one must declare first."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    conflicted = models.BooleanField(_("I have a conflict of interest"))
    reason = models.TextField(_("reason"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="conflict_once_per_reviewer"),
            models.CheckConstraint(name="conflict_has_reason", condition=Q(conflicted=False) | ~Q(reason="")),
        ]

    def __str__(self):
        return f"{self.application_id} {self.reviewer_id} {self.conflicted}"


class Score(models.Model):
    """One reviewer's mark (0–100) on one criterion; the weight is the policy value in force when scored."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField(_("criterion"), max_length=80)  # a policy key: review.weight.<name>
    score = models.PositiveSmallIntegerField(_("score"))
    weight = models.DecimalField(_("weight (%)"), max_digits=7, decimal_places=4)
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["criterion"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer", "criterion"], name="score_once"),
            models.CheckConstraint(name="score_range", condition=Q(score__gte=0, score__lte=100)),
        ]

    def __str__(self):
        return f"{self.application_id} {self.criterion}={self.score}"

"""IP-pledge loans (知识产权质押贷款): pledged IP assets, loans, schedules, repayments, classification,
bank files, interest subsidies.

Fields only; every workflow lives in ``loans.services``. Stateful models declare ``TRANSITIONS``; every move
is checked, saved and logged by ``finance.approvals.services.state_change`` (``state_change_bulk`` for
set-based moves).

Money columns carry their currency (django-money) and a constraint keeps it in the platform's one whitelist,
``settings.CURRENCIES``.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from finance.parties.models import Organisation, User

#: The one currency whitelist (settings.CURRENCIES), enforced by a constraint on every money column here.
CURRENCIES = list(settings.CURRENCIES)


def _currency_ok(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(name=name, condition=Q(**{f"{field}_currency__in": CURRENCIES}))


class IPKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model")
    TRADEMARK = "trademark", _("Trademark")
    COPYRIGHT = "copyright", _("Copyright")


class IPAsset(models.Model):
    kind = models.CharField(_("IP kind"), max_length=20, choices=IPKind.choices)
    number = models.CharField(_("number"), max_length=40)  # normalised (patents: 12 digits + check digit)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ip_assets")
    appraised_value = MoneyField(_("appraised value"), max_digits=18, decimal_places=2,
                                 default_currency="CNY")
    appraised_on = models.DateField(_("appraisal date"), null=True, blank=True)
    appraiser = models.CharField(_("appraiser"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="ip_asset_unique_number"),
            models.CheckConstraint(name="ip_asset_value_positive", condition=Q(appraised_value__gt=0)),
            _currency_ok("appraised_value", "ip_asset_currency_whitelist"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALLMENT = "equal_installment", _("Equal installment (等额本息)")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal (等额本金)")
    INTEREST_ONLY = "interest_only", _("Interest only, bullet principal (先息后本)")
    BULLET = "bullet", _("Bullet (到期一次还本付息)")


class DayCount(models.TextChoices):
    D30_360 = "30/360", "30/360"
    ACT_360 = "ACT/360", "ACT/360"
    ACT_365 = "ACT/365", "ACT/365"
    ACT_ACT = "ACT/ACT", "ACT/ACT"


class LoanStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACTIVE = "active", _("Active")
    OVERDUE = "overdue", _("Overdue")
    DEFAULTED = "defaulted", _("Defaulted")
    REPAID = "repaid", _("Repaid")
    WRITTEN_OFF = "written_off", _("Written off")


class LoanClass(models.TextChoices):
    """Five-category classification (五级分类); thresholds in days past due are policy parameters."""

    NORMAL = "normal", _("Normal")
    SPECIAL_MENTION = "special_mention", _("Special mention")
    SUBSTANDARD = "substandard", _("Substandard")
    DOUBTFUL = "doubtful", _("Doubtful")
    LOSS = "loss", _("Loss")


class LoanCategory(models.TextChoices):
    """What secures the loan: pledged IP, or nothing (early-stage R&D credit loans, the pool's rd_credit)."""

    IP_PLEDGE = "ip_pledge", _("IP-pledge loan")
    RD_CREDIT = "rd_credit", _("Early-stage R&D credit loan (unsecured)")


class Loan(models.Model):
    S = LoanStatus
    #: ``submitted`` → ``active`` in the registration itself; ``active`` ⇄ ``overdue`` by days past due;
    #: ``defaulted`` declared by the bank; ``repaid`` at zero principal; ``written_off`` ends a default.
    TRANSITIONS = {
        S.SUBMITTED: {S.ACTIVE},
        S.ACTIVE: {S.OVERDUE, S.REPAID, S.DEFAULTED},
        S.OVERDUE: {S.ACTIVE, S.REPAID, S.DEFAULTED},
        S.DEFAULTED: {S.REPAID, S.WRITTEN_OFF},
        S.REPAID: set(),
        S.WRITTEN_OFF: set(),
    }
    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="loans_as_bank")
    borrower = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="loans_as_borrower")
    external_ref = models.CharField(_("bank reference"), max_length=64)
    category = models.CharField(_("loan category"), max_length=12, choices=LoanCategory.choices,
                                default=LoanCategory.IP_PLEDGE)
    principal = MoneyField(_("principal"), max_digits=18, decimal_places=2, default_currency="CNY")
    annual_rate = models.DecimalField(_("annual rate (%)"), max_digits=7, decimal_places=4)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(_("repayment method"), max_length=20, choices=RepaymentMethod.choices)
    day_count = models.CharField(_("day count"), max_length=8, choices=DayCount.choices,
                                 default=DayCount.D30_360)
    disbursed_on = models.DateField(_("disbursed on"))
    maturity_on = models.DateField(_("maturity"))
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices,
                              default=LoanStatus.SUBMITTED)
    # Maintained by the repayment service and the nightly classification (set-based SQL).
    principal_outstanding = models.DecimalField(_("principal outstanding"), max_digits=18, decimal_places=2)
    dpd = models.PositiveIntegerField(_("days past due"), default=0)
    loan_class = models.CharField(_("classification"), max_length=16, choices=LoanClass.choices,
                                  default=LoanClass.NORMAL)
    classified_on = models.DateField(null=True, blank=True)
    claim_eligible_since = models.DateField(_("eligible for compensation claim since"), null=True, blank=True)
    defaulted_on = models.DateField(null=True, blank=True)
    default_reason = models.TextField(blank=True)
    # Policy values the submission checks used (LTV caps, max term...), for the record.
    policy_snapshot = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="loans_submitted")
    source_file = models.ForeignKey("LoanFile", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="loans")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disbursed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "external_ref"],
                                    name="loan_external_ref_unique_per_bank"),
            models.CheckConstraint(name="loan_principal_positive", condition=Q(principal__gt=0)),
            models.CheckConstraint(name="loan_outstanding_within_principal",
                                   condition=Q(principal_outstanding__gte=0)
                                   & Q(principal_outstanding__lte=models.F("principal"))),
            models.CheckConstraint(name="loan_term_positive", condition=Q(term_months__gt=0)),
            _currency_ok("principal", "loan_currency_whitelist"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["bank", "status"])]

    def __str__(self):
        return f"{self.external_ref} · {self.borrower}"

    @property
    def currency(self) -> str:
        """The loan's currency (``finance.core.money.money_of`` builds amounts in it)."""
        return str(self.principal.currency)

    @property
    def maker_id(self):
        return self.submitted_by_id


class Pledge(models.Model):
    """An IP asset pledged for a loan, registered with CNIPA; released when the loan is repaid or written off.

    One live (unreleased) pledge per asset: a partial unique index, so an asset never backs two live loans.
    """

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="pledges")
    asset = models.ForeignKey(IPAsset, on_delete=models.PROTECT, related_name="pledges")
    registration_no = models.CharField(_("CNIPA pledge registration number"), max_length=60)
    # Required on every new pledge (API and file); null only on rows registered before the rule.
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    # The appraisal and LTV cap this loan's check used (the asset's value may be re-appraised later).
    appraised_value = models.DecimalField(_("appraised value used"), max_digits=18, decimal_places=2,
                                          null=True,
                                          blank=True)
    ltv_cap = models.DecimalField(_("LTV cap used (%)"), max_digits=7, decimal_places=4, null=True,
                                  blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["loan", "asset"], name="pledge_asset_once_per_loan"),
            models.UniqueConstraint(fields=["asset"], condition=Q(released_on__isnull=True),
                                    name="pledge_one_live_per_asset"),
        ]

    def __str__(self):
        return f"{self.asset} → {self.loan_id}"


class InstallmentStatus(models.TextChoices):
    DUE = "due", _("Due")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")


class Installment(models.Model):
    """One row of the schedule from ``finance.calc.amortization_schedule``, with what has been paid on it."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    principal = models.DecimalField(max_digits=18, decimal_places=2)
    interest = models.DecimalField(max_digits=18, decimal_places=2)
    payment = models.DecimalField(max_digits=18, decimal_places=2)
    balance = models.DecimalField(max_digits=18, decimal_places=2)
    principal_paid = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    interest_paid = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    status = models.CharField(max_length=8, choices=InstallmentStatus.choices, default=InstallmentStatus.DUE)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_number_unique"),
            models.CheckConstraint(name="installment_paid_within_due",
                                   condition=Q(principal_paid__lte=models.F("principal"))
                                   & Q(interest_paid__lte=models.F("interest"))),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.loan_id}#{self.number} {self.due_date}"

    @property
    def paid(self):
        """Principal and interest paid on this installment (a Decimal: the ``add`` filter truncates)."""
        return self.principal_paid + self.interest_paid


class Repayment(models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    paid_on = models.DateField()
    amount = MoneyField(max_digits=18, decimal_places=2, default_currency="CNY")
    # The allocation, in order: overdue interest, overdue principal, current interest, principal.
    interest_part = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    principal_part = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    allocation = models.JSONField(default=list, blank=True)  # per installment: number, interest, principal
    on_time = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loan", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(name="repayment_amount_positive", condition=Q(amount__gt=0)),
            _currency_ok("amount", "repayment_currency_whitelist"),
            # Compared in whole fen: SQLite keeps these decimals as binary floats, where 3625.00 + 26054.93
            # need not equal 29679.93 exactly; PostgreSQL numeric is exact either way.
            models.CheckConstraint(name="repayment_parts_sum_fen",
                                   condition=Exact(Round(models.F("amount") * 100),
                                                   Round(models.F("interest_part") * 100)
                                                   + Round(models.F("principal_part") * 100))),
        ]

    def __str__(self):
        return f"{self.loan_id} {self.paid_on} {self.amount}"


class LoanClassHistory(models.Model):
    """One row per loan per classification run in which its days past due or class changed."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="class_history")
    as_of = models.DateField()
    dpd = models.PositiveIntegerField()
    loan_class = models.CharField(max_length=16, choices=LoanClass.choices)

    class Meta:
        ordering = ["loan", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["loan", "as_of"], name="class_history_once_per_day")]

    def __str__(self):
        return f"{self.loan_id} {self.as_of} {self.loan_class}"


class LoanFileStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LoanFile(models.Model):
    """A bank's bulk file of loans: all-or-nothing; the same file (sha256) twice is refused unless the
    first one failed (a failed file may be sent again). A job still processing after the timeout is failed
    by the periodic ``loans.fail_stuck_files`` task (nothing was written: the import is one transaction)."""

    F = LoanFileStatus
    TRANSITIONS = {F.QUEUED: {F.PROCESSING, F.FAILED}, F.PROCESSING: {F.DONE, F.FAILED}, F.DONE: set(),
                   F.FAILED: set()}

    bank = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="loan_files")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT)
    file = models.FileField(upload_to="loan_files/%Y/%m/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=LoanFileStatus.choices, default=LoanFileStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_already_registered = models.JSONField(default=list, blank=True)  # [{row, external_ref, loan_id}]
    errors = models.JSONField(default=list, blank=True)  # [{row, column, code, detail_zh, detail_en}]
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["bank", "sha256"], condition=~Q(status="failed"),
                                               name="loan_file_once_per_bank")]

    def __str__(self):
        return f"#{self.pk} {self.original_name}"


# ---------------------------------------------------------------- interest subsidies (贴息)

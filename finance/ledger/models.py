"""Double-entry ledger: accounts, journal entries and postings.

Money only moves through ``finance.ledger.services.entry_post``. Posted entries and postings are append-only:
the model refuses updates and deletes, the admin is read-only, and on PostgreSQL a trigger refuses them even
from raw SQL. A correction is a reversing entry.

Sign convention: an account's ``balance`` is debits minus credits. ``normal_side`` says which side a healthy
balance sits on, and accounts that must never go below zero (a pool's available money) carry
``may_go_negative=False``, which a database constraint holds under every write path.
"""
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from finance.parties.models import Organisation, User


class Side(models.TextChoices):
    DEBIT = "D", _("Debit")
    CREDIT = "C", _("Credit")


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity / fund capital")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


NORMAL_SIDE = {
    AccountKind.ASSET: Side.DEBIT,
    AccountKind.EXPENSE: Side.DEBIT,
    AccountKind.LIABILITY: Side.CREDIT,
    AccountKind.EQUITY: Side.CREDIT,
    AccountKind.INCOME: Side.CREDIT,
}


class Account(models.Model):
    code = models.CharField(_("code"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    normal_side = models.CharField(max_length=1, choices=Side.choices)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="accounts")
    # The programme, pool or fund the account belongs to, when it is not simply an organisation's.
    programme_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    programme_id = models.PositiveBigIntegerField(null=True, blank=True)
    programme = GenericForeignKey("programme_type", "programme_id")
    may_go_negative = models.BooleanField(default=True)
    # Cached debits − credits, maintained by entry_post under a row lock; always equal to the postings' sum.
    balance = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="account_balance_within_floor",
                condition=(Q(may_go_negative=True) | Q(normal_side="D", balance__gte=0)
                           | Q(normal_side="C", balance__lte=0)),
            ),
            models.CheckConstraint(name="account_currency_whitelist",
                                   condition=Q(currency__in=["CNY", "USD", "EUR", "HKD"])),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def normal_balance(self):
        """The balance on its normal side (a pool's money shows positive)."""
        return self.balance if self.normal_side == Side.DEBIT else -self.balance


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("posted ledger rows are immutable / 已过账的分录不可修改")

    def delete(self):
        raise PermissionError("posted ledger rows are immutable / 已过账的分录不可删除")


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("posted ledger rows are immutable / 已过账的分录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("posted ledger rows are immutable / 已过账的分录不可删除")


class JournalEntry(ImmutableModel):
    value_date = models.DateField(_("value date"))
    memo = models.CharField(_("memo"), max_length=300)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    # A stable reference from the business event ("claim:12:payment"): the same event is never posted twice.
    idempotency_ref = models.CharField(max_length=120, unique=True, null=True, blank=True)
    reversal_of = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="reversed_by")
    posted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self):
        return f"#{self.pk} {self.value_date} {self.memo}"


class Posting(ImmutableModel):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    side = models.CharField(max_length=1, choices=Side.choices)
    amount = MoneyField(max_digits=18, decimal_places=2, default_currency="CNY")

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(name="posting_amount_positive", condition=Q(amount__gt=0))]
        indexes = [models.Index(fields=["account", "entry"])]

    def __str__(self):
        return f"{self.side} {self.account.code} {self.amount}"

    @property
    def signed_amount(self):
        return self.amount.amount if self.side == Side.DEBIT else -self.amount.amount

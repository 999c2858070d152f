import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from djmoney.money import Money

from finance.core.errors import Conflict, DomainError
from finance.ledger.models import Account, AccountKind, JournalEntry, Posting
from finance.ledger.selectors import account_balance, trial_balance
from finance.ledger.services import account_get_or_create, credit, debit, entry_post, entry_reverse
from tests.conftest import postgres_only

D = Decimal
DAY = dt.date(2026, 1, 15)


@pytest.fixture
def accounts(db):
    cash = account_get_or_create(code="test:cash", name="Cash", kind=AccountKind.ASSET)
    pool = account_get_or_create(code="test:pool", name="Pool", kind=AccountKind.LIABILITY, may_go_negative=False)
    usd = account_get_or_create(code="test:usd", name="USD cash", kind=AccountKind.ASSET, currency="USD")
    return cash, pool, usd


def cny(x):
    return Money(D(x), "CNY")


def test_balanced_entry_posts_and_updates_derived_and_cached_balances(accounts):
    cash, pool, _ = accounts
    entry = entry_post(lines=[debit(cash, cny("1000.00")), credit(pool, cny("1000.00"))], value_date=DAY, memo="fund")
    assert entry.postings.count() == 2
    cash.refresh_from_db()
    pool.refresh_from_db()
    assert cash.balance == D("1000.00") == account_balance(cash)
    assert pool.balance == D("-1000.00") == account_balance(pool)
    assert pool.normal_balance == D("1000.00")


def test_unbalanced_entry_is_refused_and_writes_nothing(accounts):
    cash, pool, _ = accounts
    with pytest.raises(DomainError) as err:
        entry_post(lines=[debit(cash, cny("1000.00")), credit(pool, cny("999.99"))], value_date=DAY, memo="bad")
    assert err.value.code == "unbalanced_entry"
    assert "不平衡" in err.value.detail and "unbalanced" in err.value.detail
    assert JournalEntry.objects.count() == 0 and Posting.objects.count() == 0
    cash.refresh_from_db()
    assert cash.balance == 0


def test_balance_is_per_currency(accounts):
    cash, pool, usd = accounts
    with pytest.raises(DomainError) as err:
        entry_post(lines=[debit(usd, Money(D("10.00"), "USD")), credit(cash, Money(D("10.00"), "USD"))],
                   value_date=DAY, memo="fx")
    assert err.value.code == "currency_mismatch"


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "1.001"])
def test_non_positive_or_sub_fen_lines_are_refused(accounts, amount):
    cash, pool, _ = accounts
    with pytest.raises(DomainError) as err:
        entry_post(lines=[debit(cash, cny(amount)), credit(pool, cny(amount))], value_date=DAY, memo="bad")
    assert err.value.code == "invalid_amount"


def test_floor_account_cannot_go_below_zero(accounts):
    cash, pool, _ = accounts
    entry_post(lines=[debit(cash, cny("100.00")), credit(pool, cny("100.00"))], value_date=DAY, memo="fund")
    with pytest.raises(DomainError) as err:
        entry_post(lines=[debit(pool, cny("100.01")), credit(cash, cny("100.01"))], value_date=DAY, memo="pay")
    assert err.value.code == "insufficient_balance"
    pool.refresh_from_db()
    assert pool.normal_balance == D("100.00")


def test_idempotency_ref_posts_once(accounts):
    cash, pool, _ = accounts
    lines = [debit(cash, cny("50.00")), credit(pool, cny("50.00"))]
    first = entry_post(lines=lines, value_date=DAY, memo="x", idempotency_ref="claim:1:pay")
    again = entry_post(lines=lines, value_date=DAY, memo="x", idempotency_ref="claim:1:pay")
    assert first.pk == again.pk
    with pytest.raises(Conflict):
        entry_post(lines=[debit(cash, cny("51.00")), credit(pool, cny("51.00"))], value_date=DAY, memo="x",
                   idempotency_ref="claim:1:pay")
    cash.refresh_from_db()
    assert cash.balance == D("50.00")


def test_reversal_restores_balances_and_keeps_the_original(accounts):
    cash, pool, _ = accounts
    entry = entry_post(lines=[debit(cash, cny("70.00")), credit(pool, cny("70.00"))], value_date=DAY, memo="x")
    reversal = entry_reverse(entry=entry, reason="typo")
    assert reversal.reversal_of_id == entry.pk
    assert account_balance(cash) == 0 and account_balance(pool) == 0
    assert JournalEntry.objects.count() == 2
    with pytest.raises(Conflict):
        entry_reverse(entry=entry, reason="twice")
    assert trial_balance()["CNY"]["D"] == trial_balance()["CNY"]["C"] == D("140.00")


def test_posted_rows_refuse_orm_update_and_delete(accounts):
    cash, pool, _ = accounts
    entry = entry_post(lines=[debit(cash, cny("1.00")), credit(pool, cny("1.00"))], value_date=DAY, memo="x")
    entry.memo = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        JournalEntry.objects.filter(pk=entry.pk).update(memo="changed")
    with pytest.raises(PermissionError):
        Posting.objects.filter(entry=entry).delete()
    posting = entry.postings.first()
    with pytest.raises(PermissionError):
        posting.save()
    assert JournalEntry.objects.get(pk=entry.pk).memo == "x"


def test_admin_is_read_only(accounts, admin_client):
    cash, pool, _ = accounts
    entry = entry_post(lines=[debit(cash, cny("1.00")), credit(pool, cny("1.00"))], value_date=DAY, memo="x")
    page = admin_client.get(f"/admin/ledger/journalentry/{entry.pk}/change/")
    assert page.status_code == 200  # viewable
    assert b'name="memo"' not in page.content  # but no editable field
    assert admin_client.post(f"/admin/ledger/journalentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/ledger/journalentry/add/").status_code == 403
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


@postgres_only
@pytest.mark.parametrize("sql", [
    "UPDATE ledger_journalentry SET memo = 'hacked' WHERE id = %s",
    "DELETE FROM ledger_posting WHERE entry_id = %s",
    "UPDATE ledger_posting SET amount = amount + 1 WHERE entry_id = %s",
    "DELETE FROM ledger_journalentry WHERE id = %s",
])
def test_postgres_trigger_refuses_raw_sql(accounts, sql):
    cash, pool, _ = accounts
    entry = entry_post(lines=[debit(cash, cny("1.00")), credit(pool, cny("1.00"))], value_date=DAY, memo="x")
    with pytest.raises(IntegrityError, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert JournalEntry.objects.get(pk=entry.pk).memo == "x"
    assert sum(p.amount.amount for p in Posting.objects.filter(entry=entry)) == D("2.00")


def test_database_constraint_backs_the_floor(accounts):
    """Even a write that bypasses entry_post cannot push a floor account below zero."""
    _, pool, _ = accounts
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=pool.pk).update(balance=D("0.01"))

"""The only way money moves: post a balanced journal entry, or reverse one."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from djmoney.money import Money

from finance.core.errors import Conflict, DomainError
from finance.core.locks import lock_all

from .models import NORMAL_SIDE, Account, JournalEntry, Posting, Side


@dataclass(frozen=True)
class Line:
    account: Account
    side: str
    amount: Money


def debit(account: Account, amount: Money) -> Line:
    return Line(account, Side.DEBIT, amount)


def credit(account: Account, amount: Money) -> Line:
    return Line(account, Side.CREDIT, amount)


def account_get_or_create(*, code: str, name: str, kind: str, currency: str = "CNY", owner=None,
                          programme=None, may_go_negative: bool = True) -> Account:
    """Accounts are created on first use by the service that owns the programme; codes are stable keys."""
    defaults = dict(name=name, kind=kind, normal_side=NORMAL_SIDE[kind], currency=currency, owner=owner,
                    may_go_negative=may_go_negative)
    if programme is not None:
        defaults.update(programme_type=ContentType.objects.get_for_model(programme),
                        programme_id=programme.pk)
    account, _ = Account.objects.get_or_create(code=code, defaults=defaults)
    return account


def _validate(lines: list[Line]) -> None:
    if len(lines) < 2:
        raise DomainError("分录至少需要两行", "a journal entry needs at least two lines",
                          code="entry_too_short")
    totals: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {Side.DEBIT: Decimal(0), Side.CREDIT: Decimal(0)})
    for i, line in enumerate(lines):
        amount = line.amount.amount
        currency = str(line.amount.currency)
        if line.side not in (Side.DEBIT, Side.CREDIT):
            raise DomainError(f"第 {i + 1} 行借贷方向无效", f"line {i + 1}: invalid side",
                              code="invalid_side")
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise DomainError(f"第 {i + 1} 行金额必须为正且最多两位小数",
                              f"line {i + 1}: amount must be positive with at most two decimals",
                              code="invalid_amount")
        if currency != line.account.currency:
            raise DomainError(f"第 {i + 1} 行币种 {currency} 与账户 {line.account.code} 的币种不一致",
                              f"line {i + 1}: currency {currency} differs from account {line.account.code}",
                              code="currency_mismatch")
        totals[currency][line.side] += amount
    for currency, t in totals.items():
        if t[Side.DEBIT] != t[Side.CREDIT]:
            raise DomainError(f"分录不平衡：{currency} 借方 {t[Side.DEBIT]} ≠ 贷方 {t[Side.CREDIT]}",
                              f"unbalanced entry: {currency} debits {t[Side.DEBIT]} "
                              f"≠ credits {t[Side.CREDIT]}",
                              code="unbalanced_entry")


def _same_lines(entry: JournalEntry, lines: list[Line]) -> bool:
    stored = sorted((p.account_id, p.side, p.amount.amount, str(p.amount.currency))
                    for p in entry.postings.all())
    wanted = sorted((ln.account.pk, ln.side, ln.amount.amount, str(ln.amount.currency)) for ln in lines)
    return stored == wanted


@transaction.atomic
def entry_post(*, lines: list[Line], value_date: dt.date, memo: str, source=None,
               idempotency_ref: str | None = None, by=None,
               reversal_of: JournalEntry | None = None) -> JournalEntry:
    """Post one balanced entry: debits equal credits per currency, accounts locked in pk order.

    With ``idempotency_ref`` the same business event posts once: a repeat with the same lines returns the
    first entry, a repeat with other lines is refused. An account with a floor that the entry would breach
    refuses the whole entry (the database constraint backs the check).
    """
    _validate(lines)
    if idempotency_ref:
        existing = JournalEntry.objects.filter(idempotency_ref=idempotency_ref).first()
        if existing is not None:
            if _same_lines(existing, lines):
                return existing
            raise Conflict(f"业务事件 {idempotency_ref} 已以不同金额过账",
                           f"event {idempotency_ref} was already posted with other lines",
                           code="already_posted")
    account_ids = sorted({ln.account.pk for ln in lines})
    locked = {a.pk: a for a in lock_all(Account, pk__in=account_ids)}
    delta: dict[int, Decimal] = defaultdict(Decimal)
    for ln in lines:
        delta[ln.account.pk] += ln.amount.amount if ln.side == Side.DEBIT else -ln.amount.amount
    for pk, change in delta.items():
        account = locked[pk]
        new_balance = account.balance + change
        below_floor = new_balance < 0 if account.normal_side == Side.DEBIT else new_balance > 0
        if not account.may_go_negative and below_floor:
            available = account.normal_balance
            raise DomainError(
                f"账户 {account.name} 余额不足：可用 {available}，需要 {abs(change)}",
                f"insufficient balance in {account.code}: available {available}, needed {abs(change)}",
                code="insufficient_balance", status=409,
                extra={"account": account.code, "available": str(available)})
    kwargs = {}
    if source is not None:
        kwargs = {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(value_date=value_date, memo=memo[:300],
                                                idempotency_ref=idempotency_ref, posted_by=by,
                                                reversal_of=reversal_of, **kwargs)
    except IntegrityError:
        raise Conflict("该业务事件已过账或已冲销", "this event was already posted or reversed",
                       code="already_posted") from None
    Posting.objects.bulk_create([Posting(entry=entry, account=ln.account, side=ln.side, amount=ln.amount)
                                 for ln in lines])
    for pk, change in delta.items():
        account = locked[pk]
        account.balance += change
        account.save(update_fields=["balance"])
        ln_acc = [ln.account for ln in lines if ln.account.pk == pk]
        for a in ln_acc:  # keep callers' instances current
            a.balance = account.balance
    return entry


@transaction.atomic
def entry_reverse(*, entry: JournalEntry, reason: str, by=None,
                  value_date: dt.date | None = None) -> JournalEntry:
    """Correct a posted entry by posting its mirror image; the original stays untouched."""
    if entry.reversal_of_id is not None:
        raise DomainError("冲销分录不能再被冲销", "a reversing entry cannot itself be reversed",
                          code="reverse_reversal")
    if JournalEntry.objects.filter(reversal_of=entry).exists():
        raise Conflict(f"分录 #{entry.pk} 已被冲销", f"entry #{entry.pk} has already been reversed",
                       code="already_reversed")
    lines = [Line(p.account, Side.CREDIT if p.side == Side.DEBIT else Side.DEBIT, p.amount)
             for p in entry.postings.all()]
    return entry_post(lines=lines, value_date=value_date or entry.value_date,
                      memo=f"冲销 Reversal of #{entry.pk}: {reason}", source=entry.source, by=by,
                      reversal_of=entry)

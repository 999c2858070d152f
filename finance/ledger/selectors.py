"""Balances are derived from postings; the cached ``Account.balance`` must always equal them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, Value, When

from .models import Account, Posting, Side

_SIGNED = Case(When(side=Side.DEBIT, then=F("amount")), default=-F("amount"),
               output_field=DecimalField(max_digits=18, decimal_places=2))


def account_balance(account: Account, *, as_of: dt.date | None = None) -> Decimal:
    """Debits − credits from the postings (optionally up to a value date)."""
    qs = Posting.objects.filter(account=account)
    if as_of is not None:
        qs = qs.filter(entry__value_date__lte=as_of)
    return qs.aggregate(b=Sum(_SIGNED, default=Value(Decimal(0))))["b"]


def balances_by_account(account_ids=None) -> dict[int, Decimal]:
    qs = Posting.objects.all()
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    return {r["account_id"]: r["b"] for r in qs.values("account_id").annotate(b=Sum(_SIGNED))}


def trial_balance() -> dict[str, dict[str, Decimal]]:
    """Total debits and credits per currency over the whole ledger (they must be equal)."""
    out: dict[str, dict[str, Decimal]] = {}
    for row in Posting.objects.values("amount_currency", "side").annotate(total=Sum("amount")):
        sides = out.setdefault(row["amount_currency"], {Side.DEBIT: Decimal(0), Side.CREDIT: Decimal(0)})
        sides[row["side"]] = row["total"]
    return out

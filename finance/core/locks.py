"""The one place that takes row locks, and the global order they are taken in.

Two transactions that lock the same rows in different orders can deadlock; two that lock in one global order
cannot. Every service locks through these functions (no bare ``select_for_update`` elsewhere: a test
scans the tree), and a transaction that needs rows of several models locks them in ``ORDER``: a model
earlier in the list before one later in it, rows of one model in primary-key order.
"""
from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)
ModelOrQuerySet = type[M] | models.QuerySet[M]

# Earlier first. Why this order: decisions start from the item (deal, policy change, file), then the
# enterprise row that serialises per-enterprise caps, then the money container (fund, pool, loan), then
# its parts, then the approval records, and the ledger accounts last (``entry_post`` locks them itself).
ORDER: tuple[str, ...] = (
    "policy.Parameter",
    "policy.ParameterChange",
    "funds.Deal",
    "funds.ChecklistItem",
    "funds.Condition",
    "parties.Organisation",
    "loans.SubsidyApplication",
    "funds.SubFund",
    "funds.Commitment",
    "funds.CapitalCallLine",
    "funds.Holding",
    "funds.IndexSeries",
    "loans.LoanFile",
    "loans.IPAsset",
    "loans.Loan",
    "guarantees.RiskPool",
    "guarantees.Enrolment",
    "guarantees.Claim",
    "guarantees.Guarantee",
    "guarantees.GuaranteePayout",
    "guarantees.PremiumSubsidy",
    "approvals.ApprovalRequest",
    "approvals.Meeting",
    "ledger.Account",
)


def rank(model: type[models.Model]) -> int:
    """Position of ``model`` in the global order; a model missing from ORDER is a programming error."""
    label = model._meta.label
    try:
        return ORDER.index(label)
    except ValueError:
        raise LookupError(f"{label} is not in finance.core.locks.ORDER; add it where it belongs") from None


def _queryset(model_or_qs: ModelOrQuerySet[M]) -> models.QuerySet[M]:
    qs: models.QuerySet[M] = (model_or_qs if isinstance(model_or_qs, models.QuerySet)
                              else model_or_qs._default_manager.all())
    rank(qs.model)
    return qs


def lock(model_or_qs: ModelOrQuerySet[M], pk: Any, *, related: tuple[str, ...] = ()) -> M:
    """Lock one row by primary key and return it fresh (``DoesNotExist`` if it is gone)."""
    qs = _queryset(model_or_qs).select_for_update()
    if related:
        qs = qs.select_related(*related)
    return qs.get(pk=pk)


def lock_first(model_or_qs: ModelOrQuerySet[M], *, related: tuple[str, ...] = (), **filters: Any) -> M | None:
    """Lock the first row matching ``filters`` (lowest pk), or None."""
    qs = _queryset(model_or_qs).select_for_update().filter(**filters).order_by("pk")
    if related:
        qs = qs.select_related(*related)
    return qs.first()


def lock_all(model_or_qs: ModelOrQuerySet[M], *, related: tuple[str, ...] = (), **filters: Any) -> list[M]:
    """Lock every row matching ``filters`` in primary-key order and return them."""
    qs = _queryset(model_or_qs).select_for_update().filter(**filters).order_by("pk")
    if related:
        qs = qs.select_related(*related)
    return list(qs)

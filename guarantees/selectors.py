"""Reads for pools, claims and guarantees, scoped to the caller.

Pools are public within the platform (banks need them to enrol); claims and enrolments belong to their bank,
guarantees to their guarantor; oversight roles (department reviewers, auditors, administrators) see all.
"""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from finance.core.errors import NotFound
from finance.parties.rules import can_see_everything
from finance.parties.selectors import scope_to_caller
from finance.policy.services import PolicyParameterMissing, policy_value

from .models import Claim, ClaimStatus, Enrolment, Guarantee, GuaranteePayout, Recovery, RiskPool
from .services import _today, bank_npl, pool_exposure

ZERO = Decimal("0.00")


def pool_list(*, user) -> QuerySet[RiskPool]:
    return RiskPool.objects.all().order_by("pk")


def pool_get(*, user, pk: int) -> RiskPool:
    pool = pool_list(user=user).filter(pk=pk).first()
    if pool is None:
        raise NotFound("资金池", "pool")
    return pool


def pool_figures(pool: RiskPool) -> dict:
    """Balance, reserved, exposure and leverage used (exposure ÷ (leverage × available))."""
    exposure = pool_exposure(pool)
    try:
        leverage = policy_value("pool.leverage_multiple", on=_today(), scope=pool.scope)
    except PolicyParameterMissing:
        leverage = None
    limit = (leverage * pool.available).quantize(Decimal("0.01")) if leverage is not None else None
    used = (exposure / limit * 100).quantize(Decimal("0.01")) if limit else None
    return {"funded": pool.funded, "withdrawn": pool.withdrawn, "available": pool.available,
            "reserved": pool.reserved, "paid": pool.paid, "returned": pool.returned, "balance": pool.balance,
            "exposure": exposure, "leverage_multiple": leverage, "leverage_limit": limit, "leverage_used_pct": used}


def claims_pipeline(pool: RiskPool) -> list[dict]:
    rows = {r["status"]: r for r in Claim.objects.filter(pool=pool).values("status").annotate(
        n=Count("id"), loss=Sum("claimed_loss"), gov=Sum("government_amount"))}
    return [{"status": s, "label": label, "count": rows.get(s, {}).get("n", 0),
             "loss": rows.get(s, {}).get("loss") or ZERO, "government": rows.get(s, {}).get("gov") or ZERO}
            for s, label in ClaimStatus.choices]


def npl_by_bank(pool: RiskPool) -> list[dict]:
    out = []
    banks = (Enrolment.objects.filter(pool=pool).values("bank_id", "bank__name").annotate(n=Count("id"))
             .order_by("bank__name"))
    for b in banks:
        npl, total, ratio = bank_npl(pool, b["bank_id"])
        out.append({"bank_id": b["bank_id"], "bank": b["bank__name"], "enrolments": b["n"], "npl": npl,
                    "total": total, "ratio": ratio})
    return out


def recoveries_summary(pool: RiskPool) -> dict:
    agg = Recovery.objects.filter(claim__pool=pool).aggregate(
        n=Count("id"), recovered=Sum("recovered"), costs=Sum("costs"), returned=Sum("returned_to_pool"))
    return {k: (v if v is not None else (0 if k == "n" else ZERO)) for k, v in agg.items()}


def claim_list(*, user, pool=None, status=None) -> QuerySet[Claim]:
    qs = scope_to_caller(Claim.objects.select_related("pool", "bank", "loan", "loan__borrower"), user, "bank")
    if pool is not None:
        qs = qs.filter(pool=pool)
    if status:
        qs = qs.filter(status=status)
    return qs


def claim_get(*, user, pk: int) -> Claim:
    claim = claim_list(user=user).filter(pk=pk).first()
    if claim is None:
        raise NotFound("补偿申请", "claim")
    return claim


def enrolment_list(*, user, pool=None) -> QuerySet[Enrolment]:
    qs = scope_to_caller(Enrolment.objects.select_related("pool", "loan", "loan__borrower", "bank"), user, "bank")
    return qs.filter(pool=pool) if pool is not None else qs


def guarantee_list(*, user) -> QuerySet[Guarantee]:
    qs = Guarantee.objects.select_related("loan", "loan__borrower", "guarantor", "bank")
    if can_see_everything(user):
        return qs
    if not user.organisation_id:
        return qs.none()
    # The guarantor sees its guarantees; the bank sees the guarantees on its loans.
    return qs.filter(Q(guarantor_id=user.organisation_id) | Q(bank_id=user.organisation_id))


def guarantee_get(*, user, pk: int) -> Guarantee:
    g = guarantee_list(user=user).filter(pk=pk).first()
    if g is None:
        raise NotFound("担保", "guarantee")
    return g


def payout_list(*, user) -> QuerySet[GuaranteePayout]:
    return GuaranteePayout.objects.filter(guarantee__in=guarantee_list(user=user)).select_related("guarantee")


def stress_inputs(pool: RiskPool) -> dict:
    """Per enrolled (not yet compensated) loan: exposure, class and the pool's share, for guarantees.stress."""
    import numpy as np

    from .models import EnrolmentStatus, LoanCategory

    on = _today()

    def pct(key, default=None):
        try:
            return float(policy_value(key, on=on, scope=pool.scope)) / 100
        except PolicyParameterMissing:
            return default

    standard = (pct("pool.share.province", 0.35) or 0) + (pct("pool.share.city", 0.35) or 0)
    rd_p, rd_c = pct("pool.rd_credit.province_share"), pct("pool.rd_credit.city_share")
    rd = (rd_p + rd_c) if rd_p is not None and rd_c is not None else pct("pool.rd_credit.government_share_max", 0.9)
    try:
        cap = float(policy_value("pool.cap_per_loan", on=on, scope=pool.scope))
    except PolicyParameterMissing:
        cap = None
    rows = list(Enrolment.objects.filter(pool=pool, status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.CLAIMED])
                .values_list("loan__principal_outstanding", "loan__loan_class", "category"))
    return {"exposure": np.array([float(r[0]) for r in rows], dtype=np.float64),
            "classes": [r[1] for r in rows],
            "gov_share": np.array([rd if r[2] == LoanCategory.RD_CREDIT else standard for r in rows]),
            "cap_per_loan": cap, "balance": float(pool.available)}

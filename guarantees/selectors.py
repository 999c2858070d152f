"""Reads for pools, claims and guarantees, scoped to the caller through ``scope_to_caller`` only.

Pools are public within the platform (banks need them to enrol); claims and enrolments belong to their bank,
guarantees to their guarantor and to the lending bank; oversight roles (department reviewers, auditors,
administrators) see all. Selectors never import services: the services import the figures from here.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from finance.core.errors import NotFound
from finance.core.inputs import today
from finance.core.money import (
    fen,
    fraction_to_percent,
    percent_to_fraction,
    same_currency,
    totals_by_currency,
)
from finance.parties.selectors import scope_to_caller
from finance.policy.selectors import PolicyParameterMissing, policy_value

from .loan_reads import DEFAULT_STATUSES, NPL_CLASSES
from .models import (
    Claim,
    ClaimStatus,
    Enrolment,
    EnrolmentStatus,
    Guarantee,
    GuaranteePayout,
    GuarantorNetAssets,
    PremiumSubsidy,
    Recovery,
    RiskPool,
)

ZERO = Decimal("0.00")
LIVE_ENROLMENT = (EnrolmentStatus.ENROLLED, EnrolmentStatus.CLAIMED)


def pool_list(*, user) -> QuerySet[RiskPool]:
    return RiskPool.objects.all().order_by("pk")


def pool_get(*, user, pk: int) -> RiskPool:
    pool = pool_list(user=user).filter(pk=pk).first()
    if pool is None:
        raise NotFound("资金池", "pool")
    return pool


def pool_exposure(pool: RiskPool) -> Decimal:
    """Outstanding principal of the pool's enrolled loans not yet compensated, in the pool's currency.

    Summed per currency, never across: a loan in another currency (which enrolment refuses) makes this
    refuse too instead of adding yuan to dollars.
    """
    rows = (
        Enrolment.objects.filter(pool=pool, status__in=LIVE_ENROLMENT)
        .order_by()
        .values_list("loan__principal_currency")
        .annotate(s=Sum("loan__principal_outstanding"))
    )
    totals = totals_by_currency(rows)
    same_currency(pool.currency, *totals, field="pool")
    return totals.get(pool.currency, ZERO)


def leverage_limit(leverage: Decimal, available: Decimal) -> Decimal:
    """How much the pool may cover: leverage × available, rounded once, half-up to the fen.

    The one figure the pool page shows and the enrolment decides on.
    """
    return fen(leverage * available)


def bank_npl(pool: RiskPool, bank_id: int) -> tuple[Decimal, Decimal, Decimal]:
    """(non-performing outstanding, total outstanding, ratio %) of a bank's loans enrolled in the pool.

    Non-performing: classified substandard, doubtful or loss, or defaulted / written off. Compensated loans
    count at their claimed loss (their outstanding may have been written down). Pool currency only.
    """
    live = Enrolment.objects.filter(
        pool=pool, bank_id=bank_id, loan__principal_currency=pool.currency
    ).exclude(status=EnrolmentStatus.COMPENSATED)
    agg = live.aggregate(
        total=Sum("loan__principal_outstanding", default=Decimal(0)),
        npl=Sum(
            "loan__principal_outstanding",
            default=Decimal(0),
            filter=Q(loan__loan_class__in=NPL_CLASSES) | Q(loan__status__in=DEFAULT_STATUSES),
        ),
    )
    comp_total = Claim.objects.filter(pool=pool, bank_id=bank_id, status=ClaimStatus.PAID).aggregate(
        s=Sum("claimed_loss", default=Decimal(0))
    )["s"]
    total = agg["total"] + comp_total
    npl = agg["npl"] + comp_total
    ratio = fen(fraction_to_percent(npl / total)) if total else ZERO
    return npl, total, ratio


def pool_figures(pool: RiskPool) -> dict:
    """Balance, reserved, exposure and leverage used (exposure ÷ (leverage × available))."""
    exposure = pool_exposure(pool)
    try:
        leverage = policy_value("pool.leverage_multiple", on=today(), scope=pool.scope)
    except PolicyParameterMissing:
        leverage = None
    limit = leverage_limit(leverage, pool.available) if leverage is not None else None
    used = fen(fraction_to_percent(exposure / limit)) if limit else None
    return {
        "funded": pool.funded,
        "withdrawn": pool.withdrawn,
        "available": pool.available,
        "reserved": pool.reserved,
        "paid": pool.paid,
        "returned": pool.returned,
        "balance": pool.balance,
        "exposure": exposure,
        "leverage_multiple": leverage,
        "leverage_limit": limit,
        "leverage_used_pct": used,
        "currency": pool.currency,
    }


def claims_pipeline(pool: RiskPool) -> list[dict]:
    rows = {
        r["status"]: r
        for r in Claim.objects.filter(pool=pool)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), loss=Sum("claimed_loss"), gov=Sum("government_amount"))
    }
    return [
        {
            "status": s,
            "label": label,
            "count": rows.get(s, {}).get("n", 0),
            "loss": rows.get(s, {}).get("loss") or ZERO,
            "government": rows.get(s, {}).get("gov") or ZERO,
        }
        for s, label in ClaimStatus.choices
    ]


def npl_by_bank(pool: RiskPool, *, user) -> list[dict]:
    """NPL per bank in the pool; a bank sees its own row only (scope_to_caller on the enrolments)."""
    out = []
    enrolments = scope_to_caller(Enrolment.objects.filter(pool=pool), user, "bank")
    banks = (
        enrolments.order_by().values("bank_id", "bank__name").annotate(n=Count("id")).order_by("bank__name")
    )
    for b in banks:
        npl, total, ratio = bank_npl(pool, b["bank_id"])
        out.append(
            {
                "bank_id": b["bank_id"],
                "bank": b["bank__name"],
                "enrolments": b["n"],
                "npl": npl,
                "total": total,
                "ratio": ratio,
            }
        )
    return out


def recoveries_summary(pool: RiskPool) -> dict:
    agg = Recovery.objects.filter(claim__pool=pool).aggregate(
        n=Count("id"), recovered=Sum("recovered"), costs=Sum("costs"), returned=Sum("returned_to_pool")
    )
    return {k: (v if v is not None else (0 if k == "n" else ZERO)) for k, v in agg.items()}


def claim_list(*, user, pool=None, status=None) -> QuerySet[Claim]:
    qs = scope_to_caller(Claim.objects.select_related("pool", "bank", "loan", "loan__borrower"), user, "bank")
    if pool is not None:
        qs = qs.filter(pool=pool)
    if status:
        # Only a known status filters; anything else (a typo, a NUL byte) lists nothing rather than failing.
        qs = qs.filter(status=status) if status in ClaimStatus.values else qs.none()
    return qs


def claim_get(*, user, pk: int) -> Claim:
    claim = claim_list(user=user).filter(pk=pk).first()
    if claim is None:
        raise NotFound("补偿申请", "claim")
    return claim


def enrolment_list(*, user, pool=None) -> QuerySet[Enrolment]:
    qs = scope_to_caller(
        Enrolment.objects.select_related("pool", "loan", "loan__borrower", "bank"), user, "bank"
    )
    return qs.filter(pool=pool) if pool is not None else qs


def enrolment_count(*, user) -> int:
    return scope_to_caller(Enrolment.objects.all(), user, "bank").count()


def guarantee_list(*, user) -> QuerySet[Guarantee]:
    """The guarantor sees its guarantees; the bank sees the guarantees on its loans; oversight sees all."""
    qs = Guarantee.objects.select_related("loan", "loan__borrower", "guarantor", "bank")
    return scope_to_caller(qs, user, "guarantor") | scope_to_caller(qs, user, "bank")


def guarantee_get(*, user, pk: int) -> Guarantee:
    g = guarantee_list(user=user).filter(pk=pk).first()
    if g is None:
        raise NotFound("担保", "guarantee")
    return g


def payout_list(*, user) -> QuerySet[GuaranteePayout]:
    qs = GuaranteePayout.objects.select_related("guarantee")
    return scope_to_caller(qs, user, "guarantee__guarantor") | scope_to_caller(qs, user, "guarantee__bank")


def payout_get(*, user, pk: int) -> GuaranteePayout:
    payout = payout_list(user=user).filter(pk=pk).first()
    if payout is None:
        raise NotFound("代偿", "payout")
    return payout


def premium_subsidy_list(*, user) -> QuerySet[PremiumSubsidy]:
    return scope_to_caller(PremiumSubsidy.objects.select_related("guarantee"), user, "guarantee__guarantor")


def premium_subsidy_get(*, user, pk: int) -> PremiumSubsidy:
    row = premium_subsidy_list(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound("担保费补贴", "premium subsidy")
    return row


def guarantor_net_assets(guarantor_id: int, *, on) -> GuarantorNetAssets | None:
    """The guarantor's latest net assets dated on or before ``on``."""
    return (
        GuarantorNetAssets.objects.filter(guarantor_id=guarantor_id, as_of__lte=on)
        .order_by("-as_of", "-id")
        .first()
    )


def guarantor_outstanding(guarantor_id: int, currency: str) -> Decimal:
    """What the guarantor has at risk: its active guarantees in ``currency``."""
    return Guarantee.objects.filter(guarantor_id=guarantor_id, status="active", currency=currency).aggregate(
        s=Sum("amount", default=Decimal(0))
    )["s"]


def stress_inputs(pool: RiskPool) -> dict:
    """Per enrolled (not yet compensated) loan: exposure, class and the pool's share, for guarantees.stress.

    The shares are policy: a parameter without a value blocks the stress test naming it (no fallback
    figures). The R&D credit share is read only when the pool holds R&D credit loans.
    """
    import numpy as np

    from .models import LoanCategory

    on = today()

    def pct(key):
        return float(percent_to_fraction(policy_value(key, on=on, scope=pool.scope)))

    rows = list(
        Enrolment.objects.filter(pool=pool, status__in=LIVE_ENROLMENT).values_list(
            "loan__principal_outstanding", "loan__loan_class", "category"
        )
    )
    standard = pct("pool.share.province") + pct("pool.share.city")
    rd = None
    if any(r[2] == LoanCategory.RD_CREDIT for r in rows):
        rd = pct("pool.rd_credit.province_share") + pct("pool.rd_credit.city_share")
    cap = float(policy_value("pool.cap_per_loan", on=on, scope=pool.scope))
    return {
        "exposure": np.array([float(r[0]) for r in rows], dtype=np.float64),
        "classes": [r[1] for r in rows],
        "gov_share": np.array([rd if r[2] == LoanCategory.RD_CREDIT else standard for r in rows]),
        "cap_per_loan": cap,
        "balance": float(pool.available),
    }


def approval_progress(item) -> dict:
    """Where the item's current maker-checker stands: levels required and done, who approved (read-only)."""
    from django.contrib.contenttypes.models import ContentType

    from finance.approvals.models import ApprovalRequest

    request = (
        ApprovalRequest.objects.filter(item_type=ContentType.objects.get_for_model(item), item_id=item.pk)
        .order_by("-id")
        .first()
    )
    if request is None:
        return {"status": None, "levels_required": 0, "levels_done": 0, "approvers": [], "hands": set()}
    decisions = list(request.decisions.filter(approve=True).order_by("level").select_related("approver"))
    return {
        "status": request.status,
        "levels_required": request.levels_required,
        "levels_done": len(decisions),
        "approvers": [
            {"level": d.level, "name": d.approver.get_full_name() or d.approver.username, "at": d.at}
            for d in decisions
        ],
        # Who may not pay it (the maker and every approver): pages hide the pay button from them.
        "hands": {request.maker_id, *(d.approver_id for d in decisions)},
    }

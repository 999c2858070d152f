"""The rules a claim is decided by: loss shares by category, the caps' headroom, the per-sponsor parts and the
claim trigger (policy values read through one ``PolicyUse`` so the claim stores what it used)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from finance.calc import allocate, split_loss
from finance.core.errors import DomainError
from finance.core.money import fen, percent_to_fraction
from finance.policy.selectors import PolicyUse

from ..models import Claim, ClaimStatus, LoanCategory, RiskPool, SponsorLevel
from ._common import HUNDRED, ZERO, claim_triggered


def loss_ratios(use: PolicyUse, category: str) -> dict[str, Decimal]:
    if category == LoanCategory.RD_CREDIT:
        p, c = use("pool.rd_credit.province_share"), use("pool.rd_credit.city_share")
        cap = use("pool.rd_credit.government_share_max")
        if p + c > cap:
            raise DomainError(
                f"研发信用贷款政府分担 {p + c}% 超过上限 {cap}%",
                f"R&D credit government share {p + c}% is above the cap {cap}%",
                code="policy_inconsistent",
                status=422,
            )
        ratios = {"province": p, "city": c, "bank": HUNDRED - p - c}
    else:
        ratios = {
            "province": use("pool.share.province"),
            "city": use("pool.share.city"),
            "bank": use("pool.share.bank"),
        }
    if sum(ratios.values()) != HUNDRED or any(v < 0 for v in ratios.values()):
        raise DomainError(
            f"分担比例合计应为 100%：{ratios}",
            f"loss shares must sum to 100%: {ratios}",
            code="policy_inconsistent",
            status=422,
        )
    return ratios


def _committed(pool: RiskPool, *, bank_id=None, year=None, exclude=None) -> Decimal:
    qs = Claim.objects.filter(pool=pool, status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID])
    if bank_id is not None:
        qs = qs.filter(bank_id=bank_id)
    if year is not None:
        qs = qs.filter(filed_on__year=year)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(s=Sum("government_amount"))["s"] or ZERO


def _cap_headroom(
    use: PolicyUse, pool: RiskPool, bank_id: int, year: int, exclude=None
) -> list[tuple[str, Decimal]]:
    per_loan = use("pool.cap_per_loan")
    per_bank = use("pool.cap_per_bank") - _committed(pool, bank_id=bank_id, exclude=exclude)
    per_year = use("pool.cap_per_year") - _committed(pool, year=year, exclude=exclude)
    return [
        ("pool.cap_per_loan", fen(per_loan)),
        ("pool.cap_per_bank", fen(per_bank)),
        ("pool.cap_per_year", fen(per_year)),
    ]


def _sponsor_parts(pool: RiskPool, pay_province: Decimal, pay_city: Decimal) -> dict[str, str]:
    parts: dict[str, str] = {}
    for level, amount in ((SponsorLevel.PROVINCE, pay_province), (SponsorLevel.CITY, pay_city)):
        sponsors = list(pool.sponsors.filter(level=level).order_by("pk"))
        if amount <= 0:
            for s in sponsors:
                parts[str(s.pk)] = "0.00"
            continue
        for s, a in zip(sponsors, allocate(amount, [s.funding_share for s in sponsors]), strict=True):
            parts[str(s.pk)] = str(a)
    return parts


def _require_trigger(use: PolicyUse, loan) -> None:
    trigger = use("pool.claim_trigger_dpd")
    if not claim_triggered(loan, trigger):
        raise DomainError(
            f"贷款逾期 {loan.dpd} 天，未达到补偿触发条件（逾期超过 {trigger} 天）",
            f"the loan is {loan.dpd} days past due; a claim needs more than {trigger} days past due",
            code="claim_not_triggered",
            field="loan_id",
            status=409,
            extra={"dpd": loan.dpd, "trigger": str(trigger)},
        )


def _pool_pays(use: PolicyUse, pool: RiskPool, loan, loss: Decimal, category: str, on: dt.date):
    ratios = loss_ratios(use, category)
    split = split_loss(loss, {k: percent_to_fraction(v) for k, v in ratios.items()})
    government = split["province"] + split["city"]
    pay = government
    capped_by = []
    for key, headroom in _cap_headroom(use, pool, loan.bank_id, on.year):
        if headroom < pay:
            pay = max(headroom, ZERO)
            capped_by.append(key)
    if pay <= 0:
        raise DomainError(
            f"补偿上限已用尽（{', '.join(capped_by)}）",
            f"compensation cap exhausted ({', '.join(capped_by)})",
            code="cap_exhausted",
            status=409,
            extra={"caps": capped_by},
        )
    if pay < government:
        pay_province, pay_city = allocate(pay, [split["province"], split["city"]])
    else:
        pay_province, pay_city = split["province"], split["city"]
    return ratios, split, pay_province, pay_city, capped_by

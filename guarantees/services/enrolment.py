"""备案: a bank covers one of its loans by a pool, within the deadline, in the pool's currency, under the
leverage and NPL limits. Enrolment status changes go through ``state_change`` (audit row each)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from finance.approvals.services import state_change_record
from finance.core.errors import Conflict, DomainError
from finance.core.inputs import parse_date, today
from finance.core.money import same_currency

from .. import loan_reads
from ..models import Enrolment, EnrolmentStatus, LoanCategory, PoolStatus, RiskPool
from ..selectors import bank_npl, leverage_limit, pool_exposure
from ._common import add_months, lock_pool, own_loan, pool_policy
from .claim_rules import loss_ratios


def _eligible(loan, category: str) -> None:
    """The loan's own conditions come from the loans app (one rule, ``enrolment_eligibility``); the first
    failed one is refused (a loan that is not running answers 409)."""
    if category not in LoanCategory.values:
        raise DomainError(
            f"贷款类别无效：{category}",
            f"invalid loan category: {category}",
            code="invalid_category",
            field="category",
        )
    for code, zh, en in loan_reads.enrolment_reasons(loan):
        raise DomainError(
            zh, en, code=code, field="loan_id", status=409 if code == "loan_not_eligible" else None
        )
    if Enrolment.objects.filter(loan=loan).exists():
        raise Conflict(
            "该贷款已备案", "this loan is already enrolled", code="already_enrolled", field="loan_id"
        )


def _within_deadline(use, loan, on: dt.date) -> dt.date:
    months = int(use("pool.enrolment_deadline_months"))
    deadline = add_months(loan.disbursed_on, months)
    if on > deadline:
        raise DomainError(
            f"已超过备案期限：放款日 {loan.disbursed_on}，须在 {deadline} 前（{months} 个月）备案",
            f"enrolment deadline passed: disbursed {loan.disbursed_on}, enrol by {deadline} "
            f"({months} months)",
            code="enrolment_deadline_passed",
            field="loan_id",
            extra={"deadline": str(deadline)},
        )
    if on < loan.disbursed_on:
        raise DomainError(
            "备案日期早于放款日",
            "enrolment date is before disbursement",
            code="invalid_date",
            field="enrolled_on",
        )
    return deadline


def _npl_below_threshold(use, pool: RiskPool, bank_id: int):
    threshold = use("pool.npl_suspension_ratio")
    npl, total, ratio = bank_npl(pool, bank_id)
    if ratio > threshold:
        raise DomainError(
            f"银行在该资金池的不良率 {ratio}%（不良 {npl} / 合计 {total}）超过 {threshold}%，暂停新备案",
            f"the bank's NPL ratio in this pool is {ratio}% ({npl} of {total}), above {threshold}%: new "
            "enrolments are suspended",
            code="bank_suspended_npl",
            status=409,
            extra={
                "npl_ratio": str(ratio),
                "threshold": str(threshold),
                "npl": str(npl),
                "total": str(total),
            },
        )
    return ratio


def _within_leverage(use, pool: RiskPool, loan):
    leverage = use("pool.leverage_multiple")
    exposure = pool_exposure(pool)
    limit = leverage_limit(leverage, pool.available)
    after = exposure + loan.principal_outstanding
    if after > limit:
        raise DomainError(
            f"超过资金池放大倍数：在保余额 {exposure} + 本笔 {loan.principal_outstanding} = {after} > "
            f"{leverage} × 可用余额 {pool.available} = {limit}",
            f"pool leverage exceeded: exposure {exposure} + this loan {loan.principal_outstanding} "
            f"= {after} > "
            f"{leverage} × available {pool.available} = {limit}",
            code="pool_leverage_exceeded",
            status=409,
            extra={"exposure": str(exposure), "limit": str(limit), "leverage": str(leverage)},
        )
    return exposure, limit


@transaction.atomic
def enrolment_create(
    *, pool: RiskPool, loan, by, category: str = LoanCategory.STANDARD, on: dt.date | None = None
) -> Enrolment:
    """备案: a bank covers one of its loans by a pool, within the deadline, under leverage and NPL limits."""
    on = today() if on is None else parse_date(on, "enrolled_on", not_future=True)
    loan = own_loan(loan, by)
    _eligible(loan, category)
    pool = lock_pool(pool.pk)
    if pool.status != PoolStatus.ACTIVE:
        raise DomainError("资金池已关闭", "the pool is closed", code="pool_closed", status=409)
    same_currency(str(loan.principal.currency), pool.currency, field="loan_id")
    use = pool_policy(on=on, scope=pool.scope)
    loss_ratios(use, category)  # a category whose loss shares are not set cannot be covered yet
    deadline = _within_deadline(use, loan, on)
    ratio = _npl_below_threshold(use, pool, loan.bank_id)
    exposure, limit = _within_leverage(use, pool, loan)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                pool=pool,
                loan=loan,
                bank_id=loan.bank_id,
                category=category,
                enrolled_on=on,
                principal=loan.principal_outstanding,
                policy_snapshot=use.snapshot,
                enrolled_by=by,
                figures={
                    "exposure_before": str(exposure),
                    "limit": str(limit),
                    "npl_ratio": str(ratio),
                    "deadline": str(deadline),
                },
            )
    except IntegrityError:
        raise Conflict(
            "该贷款已备案", "this loan is already enrolled", code="already_enrolled", field="loan_id"
        ) from None
    state_change_record(enrolment, from_state="", to_state=EnrolmentStatus.ENROLLED, by=by, reason="enrolled")
    return enrolment

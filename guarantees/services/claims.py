"""Compensation claims: file (the bank), approve level by level (department reviewers), pay (a third person).

Four eyes: the bank's officer files; one department reviewer approves, a second, different one too when the
pool pays ``approval.claim.second_level_from`` (1,000,000) or more (the first approval leaves the claim under
review with one level done); the last level reserves the money; paying is a separate step by someone who
neither filed nor approved it (``approval_check_payer``). A claim stands only on a loan past the pool's
claim trigger (see ``_common.claim_triggered``), checked when filed, at every approval and at payment.

Caps (pool.cap_per_loan, pool.cap_per_bank, pool.cap_per_year) ship without a value (domain: "(none)"): a
claim cannot be filed on a pool until its administrator sets them (PolicyParameterMissing names the
parameter). They bound what the pool pays (province + city): per loan, per bank over the pool's life, per
calendar year of filing. When the ratio split is above a cap, the pool pays up to the cap (province/city keep
their proportion) and the bank bears the rest; a claim with no headroom left is refused. Cumulative caps
count claims approved or paid and are checked again under the pool lock at approval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from finance.approvals.services import (
    approval_check_payer,
    approval_current,
    approval_decide,
    approval_is_valid,
    approval_submit,
    state_change,
    state_change_record,
)
from finance.core.errors import Conflict, DomainError, InvalidTransition
from finance.core.inputs import parse_amount, parse_date, parse_text, today
from finance.core.locks import lock, lock_first
from finance.core.money import money_of
from finance.ledger.models import Account
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Role

from ..models import (
    Claim,
    ClaimDocument,
    ClaimStatus,
    Enrolment,
    EnrolmentStatus,
    PoolSponsor,
    RiskPool,
)
from ._common import lock_pool, own_loan, pool_policy, require_role
from .claim_rules import _cap_headroom, _pool_pays, _require_trigger, _sponsor_parts, loss_ratios  # noqa: F401
from .pools import insufficient

CLAIM_KIND = "claim"  # the maker-checker kind: approval.claim.second_level_from decides the second level


def _store_documents(claim: Claim, documents, by) -> None:
    for doc in documents or ():
        size = getattr(doc, "size", 0) or 0
        if size > settings.KEJIN_MAX_UPLOAD_BYTES:
            raise DomainError(
                f"文件 {doc.name} 过大",
                f"file {doc.name} is too large",
                code="file_too_large",
                field="documents",
            )
        digest = hashlib.sha256()
        for chunk in doc.chunks():
            digest.update(chunk)
        doc.seek(0)
        ClaimDocument.objects.create(
            claim=claim, file=doc, name=doc.name[:200], sha256=digest.hexdigest(), size=size, uploaded_by=by
        )


@transaction.atomic
def claim_file(*, loan, claimed_loss, by, documents=(), on: dt.date | None = None) -> Claim:
    """A bank claims compensation for its enrolled loan past the trigger; opens the maker-checker review."""
    on = today() if on is None else parse_date(on, "filed_on", not_future=True)
    loan = own_loan(loan, by)
    loss = parse_amount(claimed_loss, "claimed_loss")
    enrolment = lock_first(Enrolment, loan=loan)
    if enrolment is None:
        raise DomainError(
            "该贷款未在资金池备案，不能申请补偿",
            "the loan is not enrolled in a pool; no claim is possible",
            code="loan_not_enrolled",
            field="loan_id",
            status=409,
        )
    live = Claim.objects.filter(loan=loan).exclude(status=ClaimStatus.REJECTED).first()
    if live is not None:
        raise Conflict(
            f"该贷款已有补偿申请 #{live.pk}（{live.get_status_display()}），一笔贷款只补偿一次",
            f"the loan already has claim #{live.pk} ({live.status}); a loan is compensated once",
            code="already_claimed",
            field="loan_id",
        )
    pool = enrolment.pool
    use = pool_policy(on=on, scope=pool.scope)
    _require_trigger(use, loan)
    if loss > loan.principal_outstanding:
        raise DomainError(
            f"申报本金损失 {loss} 超过未偿本金 {loan.principal_outstanding}",
            f"claimed loss {loss} is above the outstanding principal {loan.principal_outstanding}",
            code="loss_above_outstanding",
            field="claimed_loss",
        )
    ratios, split, pay_province, pay_city, capped_by = _pool_pays(
        use, pool, loan, loss, enrolment.category, on
    )
    claim = Claim.objects.create(
        pool=pool,
        enrolment=enrolment,
        loan=loan,
        bank_id=loan.bank_id,
        category=enrolment.category,
        filed_on=on,
        claimed_loss=loss,
        ratio_province=ratios["province"],
        ratio_city=ratios["city"],
        ratio_bank=ratios["bank"],
        split_province=split["province"],
        split_city=split["city"],
        split_bank=split["bank"],
        pay_province=pay_province,
        pay_city=pay_city,
        government_amount=pay_province + pay_city,
        capped_by=capped_by,
        sponsor_parts=_sponsor_parts(pool, pay_province, pay_city),
        policy_snapshot=use.snapshot,
        filed_by=by,
    )
    _store_documents(claim, documents, by)
    approval_submit(
        item=claim,
        kind=CLAIM_KIND,
        amount=claim.government_amount,
        maker=by,
        default_role=Role.DEPARTMENT_REVIEWER,
    )
    state_change(enrolment, to=EnrolmentStatus.CLAIMED, by=by, reason=f"claim #{claim.pk} filed")
    state_change_record(claim, from_state="", to_state=ClaimStatus.SUBMITTED, by=by, reason="claim filed")
    return claim


def lock_claim(claim) -> tuple[RiskPool, Enrolment, Claim]:
    """Pool first, then the enrolment, then the claim: the global lock order (finance.core.locks.ORDER)."""
    claim_id = getattr(claim, "pk", claim)
    pool_id, enrolment_id = Claim.objects.values_list("pool_id", "enrolment_id").get(pk=claim_id)
    pool = lock_pool(pool_id)
    enrolment = lock(Enrolment, enrolment_id)
    return pool, enrolment, lock(Claim, claim_id, related=("loan",))


def sponsor_parts_of(pool: RiskPool, claim: Claim) -> list[tuple[PoolSponsor, Decimal]]:
    """The claim's per-sponsor amounts (sponsor pk order), positive ones only."""
    sponsors = {
        s.pk: s for s in pool.sponsors.select_related("organisation", "available_account", "reserved_account")
    }
    return [
        (sponsors[int(k)], Decimal(v))
        for k, v in sorted(claim.sponsor_parts.items(), key=lambda kv: int(kv[0]))
        if Decimal(v) > 0
    ]


def _reserve(pool: RiskPool, claim: Claim, by, comment: str) -> None:
    """The last approval level: caps again under the pool lock, then the money moves avail → reserved."""
    use = pool_policy(on=claim.filed_on, scope=pool.scope)
    for key, headroom in _cap_headroom(use, pool, claim.bank_id, claim.filed_on.year, exclude=claim.pk):
        if headroom < claim.government_amount:
            raise DomainError(
                f"补偿上限 {key} 余量 {headroom} 不足以支付 {claim.government_amount}",
                f"cap {key} has {headroom} left, less than {claim.government_amount}",
                code="cap_exhausted",
                status=409,
                extra={"cap": key, "headroom": str(headroom)},
            )
    parts = sponsor_parts_of(pool, claim)
    balances = dict(
        Account.objects.filter(pk__in=[s.available_account_id for s, _ in parts]).values_list("pk", "balance")
    )
    if pool.available < claim.government_amount:
        raise insufficient(pool, claim.government_amount)
    for sponsor, amount in parts:
        have = -balances[sponsor.available_account_id]
        if have < amount:
            raise insufficient(pool, amount, sponsor, have)
    lines = []
    for sponsor, amount in parts:
        lines += [
            debit(sponsor.available_account, money_of(pool, amount)),
            credit(sponsor.reserved_account, money_of(pool, amount)),
        ]
    entry_post(
        lines=lines,
        value_date=today(),
        memo=f"补偿预留 reserve · claim #{claim.pk}",
        source=claim,
        idempotency_ref=f"claim:{claim.pk}:reserve",
        by=by,
    )
    pool.available -= claim.government_amount
    pool.reserved += claim.government_amount
    pool.save(update_fields=["available", "reserved"])
    state_change(claim, to=ClaimStatus.APPROVED, by=by, reason=comment or "approved")


@transaction.atomic
def claim_approve(*, claim: Claim, by, comment: str = "") -> Claim:
    """One review level; the last level reserves the pool's money (refused if the pool can't cover it)."""
    comment = parse_text(comment, "comment", max_length=2000, required=False)
    pool, _enrolment, claim = lock_claim(claim)
    if claim.status != ClaimStatus.SUBMITTED:
        raise InvalidTransition(
            f"申请状态为「{claim.get_status_display()}」，不能审批",
            f"the claim is {claim.status}; it cannot be approved",
            field="status",
        )
    _require_trigger(pool_policy(on=today(), scope=pool.scope), claim.loan)
    request = approval_current(claim)
    if request is None or request.status != "pending":
        raise DomainError(
            "该申请没有待审批的流程", "the claim has no pending approval", code="approval_closed", status=409
        )
    request = approval_decide(
        request=request, approver=by, approve=True, comment=comment, default_role=Role.DEPARTMENT_REVIEWER
    )
    level = request.decisions.count()
    if request.status != "approved":
        state_change_record(
            claim,
            from_state=f"level {level - 1}",
            to_state=f"level {level}",
            by=by,
            reason=comment or f"approved at level {level} of {request.levels_required}",
            field="approval",
        )
        return claim
    _reserve(pool, claim, by, comment)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, by, reason: str) -> Claim:
    """Refuse a claim under review, or cancel an approved one (its reservation goes back to available)."""
    reason = parse_text(reason, "reason", max_length=2000, required=False)
    if not reason:
        raise DomainError(
            "请说明驳回理由", "give a reason for the rejection", code="required", field="reason"
        )
    pool, enrolment, claim = lock_claim(claim)
    require_role(by, Role.DEPARTMENT_REVIEWER)
    if claim.status == ClaimStatus.SUBMITTED:
        request = approval_current(claim)
        if request is not None and request.status == "pending":
            approval_decide(
                request=request,
                approver=by,
                approve=False,
                comment=reason,
                default_role=Role.DEPARTMENT_REVIEWER,
            )
    elif claim.status == ClaimStatus.APPROVED:
        lines = []
        for sponsor, amount in sponsor_parts_of(pool, claim):
            lines += [
                debit(sponsor.reserved_account, money_of(pool, amount)),
                credit(sponsor.available_account, money_of(pool, amount)),
            ]
        entry_post(
            lines=lines,
            value_date=today(),
            memo=f"释放预留 release · claim #{claim.pk}",
            source=claim,
            idempotency_ref=f"claim:{claim.pk}:release",
            by=by,
        )
        pool.available += claim.government_amount
        pool.reserved -= claim.government_amount
        pool.save(update_fields=["available", "reserved"])
    state_change(claim, to=ClaimStatus.REJECTED, by=by, reason=reason)
    state_change(enrolment, to=EnrolmentStatus.ENROLLED, by=by, reason=f"claim #{claim.pk} rejected")
    return claim


@transaction.atomic
def claim_pay(*, claim: Claim, by, on: dt.date | None = None) -> Claim:
    """Pay an approved claim out of its reservation: by a reviewer who neither filed nor approved it."""
    on = today() if on is None else parse_date(on, "paid_on", not_future=True)
    pool, enrolment, claim = lock_claim(claim)
    require_role(by, Role.DEPARTMENT_REVIEWER)
    if claim.status != ClaimStatus.APPROVED:
        raise InvalidTransition(
            f"申请状态为「{claim.get_status_display()}」，不能支付",
            f"the claim is {claim.status}; only approved claims are paid",
            field="status",
        )
    approval_check_payer(claim, by)
    if not approval_is_valid(claim):
        raise DomainError(
            "审批已失效（申请在审批后被修改）",
            "the approval is no longer valid (the claim changed)",
            code="approval_stale",
            status=409,
        )
    _require_trigger(pool_policy(on=on, scope=pool.scope), claim.loan)
    lines = [
        debit(sponsor.reserved_account, money_of(pool, amount))
        for sponsor, amount in sponsor_parts_of(pool, claim)
    ]
    lines.append(credit(pool.cash_account, money_of(pool, claim.government_amount)))
    entry_post(
        lines=lines,
        value_date=on,
        memo=f"补偿支付 payment · claim #{claim.pk} · loan {claim.loan_id}",
        source=claim,
        idempotency_ref=f"claim:{claim.pk}:pay",
        by=by,
    )
    pool.reserved -= claim.government_amount
    pool.paid += claim.government_amount
    pool.save(update_fields=["reserved", "paid"])
    claim.paid_amount = claim.government_amount
    claim.paid_on = on
    state_change(claim, to=ClaimStatus.PAID, by=by, reason="paid", also=("paid_amount", "paid_on"))
    state_change(enrolment, to=EnrolmentStatus.COMPENSATED, by=by, reason=f"claim #{claim.pk} paid")
    from .. import tasks

    transaction.on_commit(lambda: tasks.claim_paid_notify.delay(claim.pk))
    return claim

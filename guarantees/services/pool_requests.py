"""Contributions and withdrawals with maker-checker: request → approve (another person) → post.

A department reviewer of the sponsoring department asks (the maker); a department reviewer of a department
sponsoring the same pool, never the maker, approves (``finance.approvals``, kind ``pool_movement``; a second
level from the ``ApprovalRule`` rows if a programme sets them). The approval posts the movement through the
existing ``pool_contribute`` / ``pool_withdraw`` (one journal entry each), inside the same transaction: the
pool's row lock is taken first, so a withdrawal approved against money another approval has just taken is
refused and nothing is written. A refusal needs a note. Every step leaves an audit row.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from finance.approvals.models import ApprovalStatus
from finance.approvals.services import (
    approval_current,
    approval_decide,
    approval_submit,
    state_change,
    state_change_record,
)
from finance.core.errors import Conflict, DomainError, PermissionDenied
from finance.core.inputs import parse_amount, parse_date, parse_text, today
from finance.ledger.models import Account
from finance.parties.models import Role

from ..models import MovementKind, PoolRequest, PoolRequestStatus, PoolStatus, RiskPool
from ._common import lock_pool
from .pools import insufficient, pool_contribute, pool_withdraw, sponsor_of

KIND = "pool_movement"


def _check_reviewer_of_sponsor(pool: RiskPool, user, *, own_org_id: int | None = None) -> None:
    """A department reviewer whose department sponsors the pool (or, for the maker, is the sponsor)."""
    sponsoring = set(pool.sponsors.values_list("organisation_id", flat=True))
    org_id = user.organisation_id if user is not None else None
    allowed = {own_org_id} if own_org_id is not None else sponsoring
    if user is None or not user.has_role(Role.DEPARTMENT_REVIEWER) or org_id not in allowed:
        raise PermissionDenied(
            "只有出资部门的审核人员可以办理资金池出资或撤资",
            "only a reviewer of a sponsoring department handles the pool's contributions and withdrawals",
            code="not_sponsor_reviewer",
        )


@transaction.atomic
def pool_request_create(
    *, pool: RiskPool, sponsor, kind: str, amount, by, value_date=None, note: str = ""
) -> PoolRequest:
    """The maker asks: a contribution to or a withdrawal from the pool, for the maker's own department."""
    if kind not in MovementKind.values:
        raise DomainError(
            f"未知的类型 {str(kind)[:30]!r}",
            f"unknown kind {str(kind)[:30]!r}",
            code="invalid_kind",
            field="kind",
        )
    amount = parse_amount(amount, "amount")
    value_date = (
        today() if value_date in (None, "") else parse_date(value_date, "value_date", not_future=True)
    )
    note = parse_text(note, "note", max_length=500, required=False)
    pool = lock_pool(pool.pk)
    if pool.status != PoolStatus.ACTIVE:
        raise DomainError("资金池已关闭", "the pool is closed", code="pool_closed", status=409)
    sp = sponsor_of(pool, sponsor)
    _check_reviewer_of_sponsor(pool, by, own_org_id=sp.organisation_id)
    if kind == MovementKind.WITHDRAWAL:
        have = Account.objects.get(pk=sp.available_account_id).normal_balance
        if have < amount:
            raise insufficient(pool, amount, sp, have)
    request = PoolRequest.objects.create(
        pool=pool, sponsor=sp, kind=kind, amount=amount, value_date=value_date, note=note, maker=by
    )
    approval_submit(item=request, kind=KIND, amount=amount, maker=by, default_role=Role.DEPARTMENT_REVIEWER)
    state_change_record(
        request,
        from_state="",
        to_state=PoolRequestStatus.PENDING,
        by=by,
        reason=note or request.get_kind_display(),
    )
    return request


@transaction.atomic
def pool_request_decide(*, request: PoolRequest, by, approve: bool, note: str = "") -> PoolRequest:
    """Another reviewer approves (the movement is posted now, by the approver) or refuses (with a note)."""
    note = parse_text(note, "note", max_length=500, required=not approve)
    pool = lock_pool(request.pool_id)
    request = PoolRequest.objects.select_related("sponsor").get(pk=request.pk)
    if request.status != PoolRequestStatus.PENDING:
        raise Conflict("该申请已有决定", "this request is already decided", code="approval_closed")
    _check_reviewer_of_sponsor(pool, by)
    approval = approval_decide(
        request=approval_current(request),
        approver=by,
        approve=approve,
        comment=note,
        default_role=Role.DEPARTMENT_REVIEWER,
    )
    if approval.status == ApprovalStatus.PENDING:
        return request  # a further level is needed
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note
    if approval.status == ApprovalStatus.REJECTED:
        return state_change(
            request,
            to=PoolRequestStatus.REJECTED,
            by=by,
            reason=note,
            also=("decided_by", "decided_at", "decision_note"),
        )
    post = pool_contribute if request.kind == MovementKind.CONTRIBUTION else pool_withdraw
    request.movement = post(
        pool=pool, sponsor=request.sponsor, amount=request.amount, value_date=request.value_date, by=by
    )
    return state_change(
        request,
        to=PoolRequestStatus.POSTED,
        by=by,
        reason=note or "approved",
        also=("decided_by", "decided_at", "decision_note", "movement"),
    )

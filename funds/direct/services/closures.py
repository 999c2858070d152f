"""Overdue 先投后股 agreements and their closure (grant, repaid, swapped), each a different entry."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.core.errors import InvalidTransition
from finance.core.inputs import (
    parse_amount,
    parse_date,
    parse_text,
    today,
)
from finance.ledger.services import credit, debit, entry_post

from .. import accounts
from ..models import (
    Closure,
    ClosureWay,
    DecisionStatus,
    InvestFirstAgreement,
)
from ._common import (
    IFS,
    ROLE,
    _decide,
    _err,
    _locked,
    _m,
    _manager_of,
)

# ---------------------------------------------------------------- overdue and closure


def invest_first_overdue_sweep(*, on: dt.date | None = None, by=None) -> int:
    """Nightly: agreements whose deadline has passed without a qualifying round move to "conversion
    overdue"."""
    on = on or today()
    total = 0
    for status in (IFS.CONTRACTED, IFS.DISBURSED):
        with transaction.atomic():
            ids = list(
                InvestFirstAgreement.objects.filter(status=status, deadline__lt=on).values_list(
                    "pk", flat=True
                )
            )
            if not ids:
                continue
            moved = InvestFirstAgreement.objects.filter(pk__in=ids, status=status).update(status=IFS.OVERDUE)
            approvals.state_change_bulk(
                InvestFirstAgreement,
                ids,
                from_state=status,
                to_state=IFS.OVERDUE,
                by=by,
                reason=f"conversion deadline passed ({on})",
            )
            total += moved
    return total


@transaction.atomic
def closure_propose(*, agreement: InvestFirstAgreement, way: str, reason: str, by, agreed_amount=None,
                    target_project: str = "") -> Closure:
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    _manager_of(a.programme, by)
    if a.status != IFS.OVERDUE:
        raise InvalidTransition(
            "只有转股逾期的协议可以关闭", "only an overdue agreement can be closed", field="status"
        )
    if way not in ClosureWay.values:
        raise _err(f"way：未知的关闭方式 {way!r}", f"way: unknown closure {way!r}", "invalid_way", "way")
    reason = parse_text(reason, "reason", max_length=2000)
    amount = None
    if way == ClosureWay.REPAID:
        amount = parse_amount(agreed_amount, "agreed_amount", allow_zero=False)
    target = parse_text(target_project, "target_project", max_length=200, required=way == ClosureWay.SWAPPED)
    c = Closure.objects.create(
        agreement=a, way=way, agreed_amount=amount, target_project=target, reason=reason, maker=by
    )
    approvals.state_change_record(c, from_state="", to_state=c.status, by=by, reason=reason)
    approvals.approval_submit(
        item=c, kind="invest_first_closure", amount=a.disbursed, maker=by, default_role=ROLE
    )
    approvals.state_change(a, to=IFS.CLOSING, by=by, reason=f"closure proposed: {way}")
    return c


CLOSED = {
    ClosureWay.GRANT: IFS.CLOSED_GRANT,
    ClosureWay.REPAID: IFS.CLOSED_REPAID,
    ClosureWay.SWAPPED: IFS.CLOSED_SWAPPED,
}


@transaction.atomic
def closure_decide(
    *, closure: Closure, by, approve: bool, comment: str = "", on: dt.date | None = None
) -> Closure:
    """Approved: one entry per way. Grant: grant expense ← project funding. Repaid: cash (the agreed amount) ←
    project funding, the difference a gain or loss. Swapped: other projects ← project funding. The closure
    keeps the decision and the approvers."""
    a = _locked(InvestFirstAgreement, closure.agreement, closure.agreement.enterprise_id)
    c = Closure.objects.get(pk=closure.pk)
    if c.status != DecisionStatus.PENDING or a.status != IFS.CLOSING:
        raise InvalidTransition(
            "该关闭不在待决定状态", "the closure is not awaiting a decision", field="status"
        )
    on = parse_date(on or today(), "on", not_future=True)
    request = _decide(c, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        approvals.state_change(c, to=DecisionStatus.REJECTED, by=by, reason=comment or "rejected")
        approvals.state_change(a, to=IFS.OVERDUE, by=by, reason="closure rejected")
        return c
    if request.status != ApprovalStatus.APPROVED:
        return c
    p, amount = a.programme, a.disbursed
    ref = f"direct:if:{a.pk}:closure:{c.pk}:{c.way}"
    if amount > 0:
        pf = credit(accounts.project_funding(p), _m(p, amount))
        if c.way == ClosureWay.GRANT:
            lines, memo = (
                [debit(accounts.grant_expense(p), _m(p, amount)), pf],
                "先投后股转为项目拨款 closed as a grant",
            )
        elif c.way == ClosureWay.SWAPPED:
            lines, memo = (
                [debit(accounts.other_projects(p), _m(p, amount)), pf],
                f"先投后股转入其他项目 swapped into {c.target_project}",
            )
        else:
            lines, memo = (
                [debit(accounts.cash(p), _m(p, c.agreed_amount)), pf],
                "先投后股由企业补偿 repaid by the enterprise",
            )
            diff = c.agreed_amount - amount
            if diff > 0:
                lines.append(credit(accounts.gains(p), _m(p, diff)))
            elif diff < 0:
                lines.append(debit(accounts.gains(p), _m(p, -diff)))
        c.entry = entry_post(
            lines=lines, value_date=on, memo=f"{memo}: {a.title}", source=c, idempotency_ref=ref, by=by
        )
    c.decided_on = on
    c.approvers = [{"id": d.approver_id, "name": str(d.approver), "level": d.level}
                   for d in request.decisions.select_related("approver").order_by("level")]
    approvals.state_change(c, to=DecisionStatus.APPROVED, by=by, reason=comment or "approved",
                           also=("entry", "decided_on", "approvers"))
    approvals.state_change(a, to=CLOSED[c.way], by=by, reason=f"closure #{c.pk} decided by {request.pk}")
    return c

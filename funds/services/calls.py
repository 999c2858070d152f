"""Capital calls: the pro-rata split, the four-eyes approval of large calls, and the LPs' payments.

A call below ``approval.capital_call.second_level_from`` is issued by the manager at once (as before: the
money comes in from the LPs to the fund's own account). A call at or above it is drafted by the manager and
only issued (notices out, payable) once approved through ``finance.approvals`` (kind ``capital_call``) by
other fund managers of the same GP, never by its maker. The LPs' unfunded commitments are reserved from the
draft on, so two drafts can never over-call an LP; a rejected draft releases them.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.calc import allocate
from finance.core.errors import Conflict, InvalidTransition, PermissionDenied
from finance.core.inputs import parse_amount, parse_date, parse_text, today
from finance.core.locks import lock, lock_all
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Role
from finance.policy.selectors import policy_value

from ..models import CallPurpose, CallStatus, CapitalCall, CapitalCallLine, Commitment, SubFund
from ._common import _err, cash_account, check_fund_open, fund_money, lp_capital_account, open_fund_locked

APPROVAL_KIND = "capital_call"


def call_split(*, sub_fund: SubFund, amount: Decimal, commitments=None) -> list[tuple[Commitment, Decimal]]:
    """Pro rata to commitment, to the fen (largest remainder); refuses a share above an LP's unfunded
    commitment."""
    commitments = list(commitments if commitments is not None else sub_fund.commitments.order_by("pk"))
    if not commitments:
        raise _err("该子基金没有出资人", "the sub-fund has no LP commitments", "no_commitments", "sub_fund")
    parts = allocate(amount, [c.amount for c in commitments])
    for c, part in zip(commitments, parts, strict=True):
        if part > c.unfunded:
            raise _err(f"缴款超过出资人「{c.lp_name}」的未缴出资：应缴 {part}，未缴 {c.unfunded}",
                       f"the call exceeds the unfunded commitment of LP '{c.lp_name}': share {part}, "
                       f"unfunded {c.unfunded}",
                       "over_call", "amount", status=409, lp=c.lp_name, share=str(part),
                       unfunded=str(c.unfunded))
    return list(zip(commitments, parts, strict=True))


def call_preview(*, sub_fund: SubFund, amount) -> list[tuple[Commitment, Decimal]]:
    """The split a call would make, without writing (the wizard and the API preview show it)."""
    check_fund_open(sub_fund)
    return call_split(sub_fund=sub_fund, amount=parse_amount(amount, "amount"))


def call_needs_approval(amount: Decimal, on: dt.date | None = None) -> bool:
    """At or above the policy threshold a call needs approval by others than its maker before it is issued."""
    return amount >= policy_value(f"approval.{APPROVAL_KIND}.second_level_from", on=on or today())


@transaction.atomic
def call_create(*, sub_fund: SubFund, amount, call_date: dt.date, due_date: dt.date | None = None,
                purpose: str = CallPurpose.INVESTMENT, note: str = "", by=None) -> CapitalCall:
    """Draft (large) or issue (small) a capital call: split across LPs and reserved against each LP's unfunded
    commitment.

    The sub-fund row is locked first, then its commitments in pk order, so two simultaneous calls are
    serialised and can never over-call an LP together.
    """
    amount = parse_amount(amount, "amount")
    call_date = parse_date(call_date, "call_date")
    due_date = parse_date(due_date, "due_date") if due_date not in (None, "") else None
    if purpose not in CallPurpose.values:
        raise _err(f"未知的缴款用途 {str(purpose)[:30]!r}", f"unknown call purpose {str(purpose)[:30]!r}",
                   "invalid_purpose", "purpose")
    note = parse_text(note, "note", max_length=300, required=False)
    fund = open_fund_locked(sub_fund)
    if call_date < fund.vintage:
        raise _err(f"缴款日 {call_date} 早于基金成立日 {fund.vintage}",
                   f"call date {call_date} is before the fund's vintage {fund.vintage}", "before_fund",
                   "call_date")
    if due_date is None:
        due_date = parse_date(call_date + dt.timedelta(days=10), "due_date")
    if due_date < call_date:
        raise _err("缴款截止日不能早于通知日", "the due date cannot precede the call date", "invalid_date",
                   "due_date")
    needs_approval = call_needs_approval(amount)
    if needs_approval and by is None:
        raise _err("大额缴款须由经办人提交审批", "a large call needs a maker who submits it for approval",
                   "required", "by")
    commitments = lock_all(Commitment, sub_fund=fund)
    split = call_split(sub_fund=fund, amount=amount, commitments=commitments)
    number = (fund.calls.aggregate(n=Max("number"))["n"] or 0) + 1
    call = CapitalCall.objects.create(sub_fund=fund, number=number, call_date=call_date, due_date=due_date,
                                      purpose=purpose, amount=amount, note=note, created_by=by,
                                      status=(CallStatus.PENDING_APPROVAL if needs_approval
                                              else CallStatus.ISSUED))
    CapitalCallLine.objects.bulk_create([CapitalCallLine(call=call, commitment=c, amount=part)
                                         for c, part in split])
    for c, part in split:
        c.called += part
        c.save(update_fields=["called"])
    approvals.state_change_record(call, from_state="", to_state=call.status, by=by,
                                  reason="drafted for approval" if needs_approval else "issued")
    if needs_approval:
        approvals.approval_submit(item=call, kind=APPROVAL_KIND, amount=amount, maker=by,
                                  default_role=Role.FUND_MANAGER)
    return call


@transaction.atomic
def call_approve(*, call: CapitalCall, by, approve: bool, comment: str = "") -> CapitalCall:
    """One approval level of a drafted call. The last approval issues it; a refusal releases the reservations.

    Approvers are fund managers of the fund's own GP, each a different person and never the maker
    (``finance.approvals`` checks maker, role and one level per person)."""
    fund = open_fund_locked(call.sub_fund)
    commitments = {c.pk: c for c in lock_all(Commitment, sub_fund=fund)}
    call = CapitalCall.objects.get(pk=call.pk)
    if call.status != CallStatus.PENDING_APPROVAL:
        raise InvalidTransition("该缴款不在待审批状态", "this call is not awaiting approval",
                                code="call_not_pending")
    if by.organisation_id != fund.manager_id:
        raise PermissionDenied("只有该子基金管理人的基金经理可以审批缴款",
                               "only fund managers of the sub-fund's GP can approve its calls",
                               code="approver_not_in_manager")
    request = approvals.approval_current(call)
    if request is None or request.status != ApprovalStatus.PENDING:
        raise InvalidTransition("没有待审批的申请", "there is no pending approval",
                                code="no_pending_approval")
    comment = parse_text(comment, "comment", max_length=2000, required=False)
    request = approvals.approval_decide(request=request, approver=by, approve=approve, comment=comment,
                                        default_role=Role.FUND_MANAGER)
    if request.status == ApprovalStatus.APPROVED:
        approvals.state_change(call, to=CallStatus.ISSUED, by=by, reason=comment or "approved")
    elif request.status == ApprovalStatus.REJECTED:
        for line in call.lines.order_by("commitment_id"):
            c = commitments[line.commitment_id]
            c.called -= line.amount
            c.save(update_fields=["called"])
        approvals.state_change(call, to=CallStatus.REJECTED, by=by, reason=comment or "rejected")
    return call


@transaction.atomic
def call_line_pay(*, line: CapitalCallLine, paid_on: dt.date, by=None) -> CapitalCallLine:
    """An LP paid its share: money into the fund's cash, credited to the LP's capital account."""
    line = lock(CapitalCallLine, line.pk)
    call, commitment = line.call, line.commitment
    fund = call.sub_fund
    paid_on = parse_date(paid_on, "paid_on", not_future=True)
    if call.status != CallStatus.ISSUED:
        raise Conflict("该缴款尚未审批通过，不能缴付",
                       "this call is not approved and issued: it cannot be paid",
                       code="call_not_issued")
    if line.paid_on is not None:
        raise Conflict("该出资人已缴付本次缴款", "this LP has already paid this call", code="already_paid")
    if paid_on < call.call_date:
        raise _err("缴付日不能早于缴款通知日", "payment cannot precede the call", "invalid_date", "paid_on")
    if line.amount > 0:
        amount = fund_money(fund, line.amount)
        line.entry = entry_post(lines=[debit(cash_account(fund), amount),
                                       credit(lp_capital_account(commitment), amount)],
                                value_date=paid_on,
                                memo=f"实缴出资 capital paid: {fund.name} call #{call.number} "
                                     f"{commitment.lp_name}",
                                source=call, idempotency_ref=f"funds:call-line:{line.pk}:paid", by=by)
    line.paid_on = paid_on
    line.save(update_fields=["paid_on", "entry"])
    return line


@transaction.atomic
def call_pay_all(*, call: CapitalCall, paid_on: dt.date, by=None) -> CapitalCall:
    for line in call.lines.filter(paid_on__isnull=True).order_by("pk"):
        call_line_pay(line=line, paid_on=paid_on, by=by)
    return call

"""Paying an accrued management fee from the fund's cash to its manager, with maker-checker.

The accrual (``fee_accrue``) posted Dr fee expense / Cr fee payable; the payment settles the payable:
Dr fee payable / Cr cash, the accrual's exact amount, once. The GP pays itself here, so four eyes at least:
one fund manager of the GP asks (maker), another approves (``finance.approvals``, kind ``fee_payment``), and
a third, neither of them, pays (``approval_check_payer``). The ledger's idempotency reference
``funds:fee:<accrual>:paid`` means a repeated pay never moves money twice; the fund's row lock serialises
the decision. Each step leaves an audit row on the accrual (field ``payment``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.core.errors import Conflict, PermissionDenied
from finance.core.inputs import parse_date, parse_text, today
from finance.ledger.models import JournalEntry
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Role

from ..models import FeeAccrual
from ._common import _err, cash_account, fee_payable_account, fund_money, open_fund_locked

KIND = "fee_payment"

#: The payment's states as the page shows them (derived from the approval and the ledger, never stored twice).
UNPAID, PENDING, APPROVED, REJECTED, PAID = "unpaid", "pending", "approved", "rejected", "paid"


def payment_ref(accrual: FeeAccrual) -> str:
    return f"funds:fee:{accrual.pk}:paid"


def fee_payment_entry(accrual: FeeAccrual) -> JournalEntry | None:
    return JournalEntry.objects.filter(idempotency_ref=payment_ref(accrual)).first()


def fee_payment_state(accrual: FeeAccrual) -> str:
    """Paid when the ledger holds the payment; otherwise where its approval stands."""
    if fee_payment_entry(accrual) is not None:
        return PAID
    request = approvals.approval_current(accrual)
    if request is None or request.status == ApprovalStatus.VOIDED:
        return UNPAID
    return {
        ApprovalStatus.PENDING: PENDING,
        ApprovalStatus.APPROVED: APPROVED,
        ApprovalStatus.REJECTED: REJECTED,
    }[request.status]


def _check_gp(accrual: FeeAccrual, by) -> None:
    fund = accrual.sub_fund
    if by is None or not by.has_role(Role.FUND_MANAGER) or by.organisation_id != fund.manager_id:
        raise PermissionDenied(
            "只有该子基金管理人的基金经理可以办理管理费支付",
            "only a fund manager of the sub-fund's manager handles its fee payments",
            code="not_fund_manager",
        )


def _locked(accrual: FeeAccrual) -> FeeAccrual:
    """The fund's row lock serialises every money decision on the fund, fee payments included."""
    open_fund_locked(accrual.sub_fund)
    return FeeAccrual.objects.select_related("sub_fund").get(pk=accrual.pk)


@transaction.atomic
def fee_payment_request(*, accrual: FeeAccrual, by, comment: str = "") -> FeeAccrual:
    """The maker asks to pay the accrued fee; another fund manager of the GP approves it."""
    accrual = _locked(accrual)
    _check_gp(accrual, by)
    comment = parse_text(comment, "comment", max_length=500, required=False)
    if accrual.amount <= 0:
        raise _err(
            "该期管理费为零，无需支付",
            "this period's fee is zero: nothing to pay",
            "nothing_to_pay",
            "accrual",
        )
    state = fee_payment_state(accrual)
    if state in (PENDING, APPROVED, PAID):
        raise Conflict(
            "该期管理费已申请支付或已支付",
            "this fee's payment is already requested or paid",
            code="already_requested",
        )
    approvals.approval_submit(
        item=accrual, kind=KIND, amount=accrual.amount, maker=by, default_role=Role.FUND_MANAGER
    )
    approvals.state_change_record(
        accrual,
        from_state=state,
        to_state=PENDING,
        by=by,
        reason=comment or "fee payment requested",
        field="payment",
    )
    return accrual


@transaction.atomic
def fee_payment_decide(*, accrual: FeeAccrual, by, approve: bool, comment: str = "") -> FeeAccrual:
    """Another fund manager of the GP (never the maker) approves or refuses the payment."""
    accrual = _locked(accrual)
    _check_gp(accrual, by)
    request = approvals.approval_current(accrual)
    if request is None or request.status != ApprovalStatus.PENDING:
        raise Conflict(
            "该期管理费没有待审批的支付申请",
            "this fee has no payment awaiting approval",
            code="approval_closed",
        )
    comment = parse_text(comment, "comment", max_length=500, required=False)
    approvals.approval_decide(
        request=request, approver=by, approve=approve, comment=comment, default_role=Role.FUND_MANAGER
    )
    return accrual


@transaction.atomic
def fee_pay(*, accrual: FeeAccrual, by, paid_on: dt.date | None = None) -> JournalEntry:
    """Pay the approved fee from the fund's cash: Dr fee payable / Cr cash, exactly the accrued amount, once.

    The payer is neither the maker nor an approver; the date is not after today nor before the period's end;
    the fund's cash may not go below zero (the ledger refuses the whole entry)."""
    accrual = _locked(accrual)
    _check_gp(accrual, by)
    paid_on = parse_date(paid_on or today(), "paid_on", not_future=True)
    if paid_on < accrual.period_end:
        raise _err(
            f"支付日 {paid_on} 早于计费期间结束日 {accrual.period_end}",
            f"the payment date {paid_on} is before the period's end {accrual.period_end}",
            "before_period_end",
            "paid_on",
        )
    if fee_payment_entry(accrual) is not None:
        raise Conflict("该期管理费已支付", "this fee is already paid", code="already_paid")
    if not approvals.approval_is_valid(accrual):
        raise Conflict(
            "该期管理费的支付尚未获批（或计提在审批后已变化）",
            "this fee's payment is not approved (or the accrual changed after approval)",
            code="not_approved",
        )
    approvals.approval_check_payer(accrual, by)
    fund = accrual.sub_fund
    amount = fund_money(fund, accrual.amount)
    entry = entry_post(
        lines=[debit(fee_payable_account(fund), amount), credit(cash_account(fund), amount)],
        value_date=paid_on,
        memo=f"支付管理费 fee payment: {fund.name} {accrual.period_start}–{accrual.period_end}",
        source=accrual,
        idempotency_ref=payment_ref(accrual),
        by=by,
    )
    approvals.state_change_record(
        accrual,
        from_state=APPROVED,
        to_state=PAID,
        by=by,
        reason=f"paid on {paid_on.isoformat()}",
        field="payment",
    )
    return entry

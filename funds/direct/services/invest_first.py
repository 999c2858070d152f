"""先投后股 from application to contract and disbursement (project funding, not equity)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.calc.schedules import add_months
from finance.core.errors import Conflict, InvalidTransition
from finance.core.inputs import (
    parse_amount,
    parse_date,
    parse_rate,
    parse_text,
    today,
)
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Organisation
from finance.policy.selectors import PolicyUse

from .. import accounts
from ..caps import cap_check
from ..models import (
    DirectKind,
    InvestFirstAgreement,
    Programme,
    Tranche,
)
from ._common import (
    IFS,
    D,
    _applicant_for,
    _decide,
    _enterprise_ok,
    _err,
    _locked,
    _m,
    _manager_of,
    _programme_ok,
    _submit_application,
)

# ---------------------------------------------------------------- 先投后股: application to contract


def _tranches_input(tranches, amount: Decimal) -> list[tuple[Decimal, dt.date]]:
    if not tranches:
        raise _err(
            "tranches：至少需要一期拨付",
            "tranches: at least one disbursement tranche is needed",
            "required",
            "tranches",
        )
    out = []
    for i, t in enumerate(tranches):
        out.append(
            (
                parse_amount(t.get("amount"), f"tranches.{i}.amount"),
                parse_date(t.get("due_on"), f"tranches.{i}.due_on"),
            )
        )
    total = sum((a for a, _ in out), D("0.00"))
    if total != amount:
        raise _err(
            f"tranches：各期合计 {total:,} 不等于协议金额 {amount:,}",
            f"tranches: tranches total {total:,}, not the agreement amount {amount:,}",
            "tranches_mismatch",
            "tranches",
        )
    return out


def _discount_input(discount) -> Decimal | None:
    if discount in (None, ""):
        return None
    return parse_rate(discount, "discount", percent=True, max_value=D("0.99"))


@transaction.atomic
def invest_first_apply(
    *,
    programme: Programme,
    enterprise: Organisation,
    title: str,
    amount,
    tranches: list[dict],
    by,
    discount=None,
    valuation_cap=None,
    applied_on: dt.date | None = None,
) -> InvestFirstAgreement:
    """An application for 先投后股 (the startup portal or the manager): terms checked, the cap headroom shown
    (``agreement.cap``); it counts against the cap only once approved."""
    _enterprise_ok(enterprise)
    _programme_ok(programme, DirectKind.INVEST_FIRST)
    _applicant_for(enterprise, programme, by)
    title = parse_text(title, "title", max_length=200)
    amount = parse_amount(amount, "amount")
    rows = _tranches_input(tranches, amount)
    discount = _discount_input(discount)
    cap = None if valuation_cap in (None, "") else parse_amount(valuation_cap, "valuation_cap")
    applied_on = parse_date(applied_on or today(), "applied_on", not_future=True)
    state = cap_check(enterprise_id=enterprise.pk, amount=amount, on=applied_on)
    a = InvestFirstAgreement.objects.create(
        programme=programme,
        enterprise=enterprise,
        title=title,
        amount=amount,
        discount=discount,
        valuation_cap=cap,
        applicant=by,
        applied_on=applied_on,
        policy={"application": state.policy},
    )
    Tranche.objects.bulk_create([Tranche(agreement=a, number=i + 1, amount=amt, due_on=due)
                                 for i, (amt, due) in enumerate(rows)])
    approvals.state_change_record(a, from_state="", to_state=a.status, by=by, reason="applied")
    a.cap = state
    return a


@transaction.atomic
def invest_first_submit(*, agreement: InvestFirstAgreement, by, reason: str = "") -> InvestFirstAgreement:
    """The manager takes an application to approval (maker): the cap is checked again first."""
    return _submit_application(InvestFirstAgreement, agreement, applied=IFS.APPLIED, to=IFS.SUBMITTED,
                               kind="invest_first", by=by, reason=reason or "submitted for approval",
                               what_zh="协议")


@transaction.atomic
def invest_first_decide(
    *, agreement: InvestFirstAgreement, by, approve: bool, comment: str = ""
) -> InvestFirstAgreement:
    """The checker approves or rejects; an approval holds the cap (enterprise row locked)."""
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    if a.status != IFS.SUBMITTED:
        raise InvalidTransition("该协议不在审批中", "the agreement is not awaiting approval", field="status")
    if approve:
        state = cap_check(enterprise_id=a.enterprise_id, amount=a.amount, on=today(), exclude=a, locked=False)
    request = _decide(a, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        return approvals.state_change(a, to=IFS.REJECTED, by=by, reason=comment or "rejected")
    if request.status == ApprovalStatus.APPROVED:
        a.policy = {**a.policy, "approval": state.policy}
        return approvals.state_change(
            a, to=IFS.APPROVED, by=by, reason=comment or "approved", also=("policy",)
        )
    return a


@transaction.atomic
def invest_first_sign(*, agreement: InvestFirstAgreement, signed_on: dt.date, by) -> InvestFirstAgreement:
    """The contract: the deadline (``investfirst.conversion_deadline_months``), the qualifying round size
    (``investfirst.min_round_size``) and the share cap (``investfirst.max_share``) are fixed from the
    policy."""
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    _manager_of(a.programme, by)
    if a.status != IFS.APPROVED:
        raise InvalidTransition(
            "只有已批准的协议可以签约", "only an approved agreement can be signed", field="status"
        )
    if not approvals.approval_is_valid(a):
        raise _err(
            "审批已失效，请重新提交",
            "the approval is no longer valid; submit again",
            "approval_void",
            "status",
            status=409,
        )
    signed_on = parse_date(
        signed_on,
        "signed_on",
        not_future=True,
        not_before=a.applied_on,
        not_before_label="申请日 application date",
    )
    use = PolicyUse(on=signed_on)
    months = int(use("investfirst.conversion_deadline_months"))
    a.min_round_size = use("investfirst.min_round_size")
    a.max_share = use("investfirst.max_share")
    a.signed_on = signed_on
    a.deadline = add_months(signed_on, months, signed_on.day)
    a.policy = {**a.policy, "contract": use.snapshot}
    return approvals.state_change(a, to=IFS.CONTRACTED, by=by, reason=f"signed on {signed_on}",
                                  also=("min_round_size", "max_share", "signed_on", "deadline", "policy"))


@transaction.atomic
def tranche_pay(*, tranche: Tranche, paid_on: dt.date, by) -> Tranche:
    """Pay a tranche as project funding (not equity): project funding ← programme cash. The cap is checked
    again at funding; the payer is neither the maker nor an approver."""
    a = _locked(InvestFirstAgreement, tranche.agreement, tranche.agreement.enterprise_id)
    t = Tranche.objects.get(pk=tranche.pk)
    _manager_of(a.programme, by)
    if t.paid_on is not None:
        raise Conflict(f"第 {t.number} 期已拨付", f"tranche {t.number} is already paid", code="already_paid")
    if a.status not in (IFS.CONTRACTED, IFS.DISBURSED):
        raise InvalidTransition(
            "只有已签约、未转股的协议可以拨付",
            "only a contracted, unconverted agreement can be paid",
            field="status",
        )
    paid_on = parse_date(
        paid_on, "paid_on", not_future=True, not_before=a.signed_on, not_before_label="签约日 signing date"
    )
    if paid_on > a.deadline:
        raise _err(
            f"paid_on：拨付日晚于转股期限 {a.deadline}",
            f"paid_on: after the conversion deadline {a.deadline}",
            "after_deadline",
            "paid_on",
        )
    approvals.approval_check_payer(a, by)
    cap_check(enterprise_id=a.enterprise_id, amount=a.amount, on=paid_on, exclude=a, locked=False)
    p = a.programme
    t.entry = entry_post(
        lines=[
            debit(accounts.project_funding(p), _m(p, t.amount)),
            credit(accounts.cash(p), _m(p, t.amount)),
        ],
        value_date=paid_on,
        memo=f"先投后股拨付 invest-first tranche {t.number}: {a.title}",
        source=a,
        idempotency_ref=f"direct:if:{a.pk}:tranche:{t.number}",
        by=by,
    )
    t.paid_on = paid_on
    t.save(update_fields=["paid_on", "entry"])
    a.disbursed += t.amount
    if a.status == IFS.CONTRACTED:
        approvals.state_change(
            a, to=IFS.DISBURSED, by=by, reason=f"tranche {t.number} paid", also=("disbursed",)
        )
    else:
        a.save(update_fields=["disbursed"])
    return t

"""拨投贷: one project with up to three legs (grant, equity, loan), one lifecycle, total fiscal exposure."""
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
from finance.parties.models import Organisation, OrgKind
from finance.policy.selectors import PolicyUse

from .. import accounts
from ..caps import cap_check, cap_state
from ..models import (
    DirectKind,
    EquityLegKind,
    GILStatus,
    GrantInvestLoan,
    InvestFirstAgreement,
    PositionStatus,
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
    _submit,
)
from .exits import _direct_equity
from .invest_first import tranche_pay

# ---------------------------------------------------------------- 拨投贷

GS = GILStatus


def grant_cap_check(amount: Decimal, use: PolicyUse) -> None:
    """The grant cap rule, public so the application precheck refuses what the grant step would refuse."""
    if amount > 0:
        cap = use("grantinvestloan.grant_cap")
        if amount > cap:
            raise _err(
                f"grant_amount：拨款 {amount:,} 超过拨投贷拨款上限（grantinvestloan.grant_cap）{cap:,}",
                f"grant_amount: {amount:,} is above the grant cap (grantinvestloan.grant_cap) {cap:,}",
                "grant_cap_exceeded",
                "grant_amount",
            )


@transaction.atomic
def grant_invest_loan_apply(
    *,
    programme: Programme,
    enterprise: Organisation,
    title: str,
    by,
    grant_amount="0",
    equity_kind: str = "",
    equity_amount="0",
    equity_price_per_share=None,
    loan_bank: Organisation | None = None,
    loan_reference: str = "",
    applied_on: dt.date | None = None,
) -> GrantInvestLoan:
    """One linked project with up to three legs (grant, equity, loan)."""
    _enterprise_ok(enterprise)
    _programme_ok(programme, DirectKind.GRANT_INVEST_LOAN)
    _applicant_for(enterprise, programme, by)
    applied_on = parse_date(applied_on or today(), "applied_on", not_future=True)
    grant = parse_amount(grant_amount or "0", "grant_amount", allow_zero=True)
    if equity_kind not in EquityLegKind.values:
        raise _err(
            f"equity_kind：未知的股权方式 {equity_kind!r}",
            f"equity_kind: unknown {equity_kind!r}",
            "invalid_kind",
            "equity_kind",
        )
    equity = parse_amount(equity_amount or "0", "equity_amount", allow_zero=True)
    if bool(equity_kind) != (equity > 0):
        raise _err(
            "equity_amount：请同时填写股权方式和金额",
            "equity_amount: give both the equity kind and its amount",
            "required",
            "equity_amount",
        )
    price = None
    if equity_kind == EquityLegKind.DIRECT:
        price = parse_rate(
            equity_price_per_share, "equity_price_per_share", allow_zero=False, max_value=D("1000000")
        )
    ref = parse_text(loan_reference, "loan_reference", max_length=64, required=False)
    if bool(ref) != (loan_bank is not None):
        raise _err(
            "loan_reference：贷款须同时填写银行和银行贷款编号",
            "loan_reference: a loan leg needs the bank and its reference",
            "required",
            "loan_reference",
        )
    if loan_bank is not None and loan_bank.kind != OrgKind.BANK:
        raise _err("loan_bank：必须是银行", "loan_bank: must be a bank", "invalid_bank", "loan_bank")
    if not grant and not equity and not ref:
        raise _err(
            "grant_amount：至少需要一项（拨款、股权或贷款）",
            "grant_amount: at least one leg is needed",
            "required",
            "grant_amount",
        )
    use = PolicyUse(on=applied_on)
    grant_cap_check(grant, use)
    policy = {"application": use.snapshot}
    if equity:
        state = cap_check(enterprise_id=enterprise.pk, amount=equity, on=applied_on, field="equity_amount")
        policy["application"].update(state.policy)
    g = GrantInvestLoan.objects.create(
        programme=programme,
        enterprise=enterprise,
        title=parse_text(title, "title", max_length=200),
        applicant=by,
        applied_on=applied_on,
        grant_amount=grant,
        equity_kind=equity_kind,
        equity_amount=equity,
        equity_price_per_share=price,
        loan_bank=loan_bank,
        loan_reference=ref,
        policy=policy,
    )
    approvals.state_change_record(g, from_state="", to_state=g.status, by=by, reason="applied")
    g.cap = cap_state(enterprise.pk, on=applied_on)
    return g


@transaction.atomic
def grant_invest_loan_review(*, project: GrantInvestLoan, by, reason: str = "") -> GrantInvestLoan:
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    return approvals.state_change(g, to=GS.REVIEWED, by=by, reason=reason or "reviewed")


@transaction.atomic
def grant_invest_loan_submit(*, project: GrantInvestLoan, by, reason: str = "") -> GrantInvestLoan:
    """To the committee: grant cap and the equity leg's talent cap are checked before anyone votes."""
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    if g.status != GS.REVIEWED:
        raise InvalidTransition(
            "只有已初审的项目可以上会", "only a reviewed project can go to committee", field="status"
        )
    grant_cap_check(g.grant_amount, PolicyUse(on=today()))
    if g.equity_amount:
        cap_check(enterprise_id=g.enterprise_id, amount=g.equity_amount, on=today(), exclude=g, locked=False,
                  field="equity_amount")
    _submit(g, kind="grant_invest_loan", amount=g.grant_amount + g.equity_amount, by=by)
    return approvals.state_change(g, to=GS.COMMITTEE, by=by, reason=reason or "to committee", also=("maker",))


@transaction.atomic
def grant_invest_loan_decide(
    *, project: GrantInvestLoan, by, approve: bool, comment: str = ""
) -> GrantInvestLoan:
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    if g.status != GS.COMMITTEE:
        raise InvalidTransition("该项目不在审批中", "the project is not awaiting a decision", field="status")
    if approve:
        use = PolicyUse(on=today())
        grant_cap_check(g.grant_amount, use)
        if g.equity_amount:
            cap_check(
                enterprise_id=g.enterprise_id,
                amount=g.equity_amount,
                on=today(),
                exclude=g,
                locked=False,
                field="equity_amount",
            )
    request = _decide(g, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        return approvals.state_change(g, to=GS.REJECTED, by=by, reason=comment or "rejected")
    if request.status == ApprovalStatus.APPROVED:
        g.policy = {**g.policy, "approval": use.snapshot}
        return approvals.state_change(
            g, to=GS.APPROVED, by=by, reason=comment or "approved", also=("policy",)
        )
    return g


@transaction.atomic
def grant_invest_loan_sign(*, project: GrantInvestLoan, signed_on: dt.date, by) -> GrantInvestLoan:
    """The contract. An equity leg made as 先投后股 becomes its own agreement (approved by this decision),
    signed now with one tranche of the equity amount; the agreement then counts against the cap instead of the
    project."""
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    if g.status != GS.APPROVED or not approvals.approval_is_valid(g):
        raise InvalidTransition(
            "只有已批准的项目可以签约", "only an approved project can be signed", field="status"
        )
    signed_on = parse_date(
        signed_on,
        "signed_on",
        not_future=True,
        not_before=g.applied_on,
        not_before_label="申请日 application date",
    )
    if g.equity_kind == EquityLegKind.INVEST_FIRST:
        use = PolicyUse(on=signed_on)
        months = int(use("investfirst.conversion_deadline_months"))
        a = InvestFirstAgreement.objects.create(
            programme=g.programme,
            enterprise=g.enterprise,
            title=f"{g.title}（投）",
            amount=g.equity_amount,
            applicant=g.applicant,
            maker=g.maker,
            applied_on=g.applied_on,
            signed_on=signed_on,
            deadline=add_months(signed_on, months, signed_on.day),
            min_round_size=use("investfirst.min_round_size"),
            max_share=use("investfirst.max_share"),
            status=IFS.CONTRACTED,
            policy={"contract": use.snapshot, "grant_invest_loan": g.pk},
        )
        Tranche.objects.create(agreement=a, number=1, amount=g.equity_amount, due_on=signed_on)
        approvals.state_change_record(a, from_state="", to_state=IFS.CONTRACTED, by=by,
                                      reason=f"equity leg of 拨投贷 #{g.pk}, approved with it")
        g.invest_first = a
    return approvals.state_change(
        g, to=GS.CONTRACTED, by=by, reason=f"signed on {signed_on}", also=("invest_first",)
    )


def _gil_maybe_disbursed(g: GrantInvestLoan, by) -> None:
    done = ((not g.grant_amount or g.grant_paid_on) and (not g.equity_amount or g.position_id
            or (g.invest_first_id and g.invest_first.disbursed == g.invest_first.amount)))
    if done and g.status == GS.CONTRACTED:
        approvals.state_change(g, to=GS.DISBURSED, by=by, reason="all legs disbursed")


@transaction.atomic
def grant_invest_loan_pay_grant(*, project: GrantInvestLoan, paid_on: dt.date, by) -> GrantInvestLoan:
    """The grant leg, expensed when paid: grant expense ← programme cash."""
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    if g.status != GS.CONTRACTED or not g.grant_amount:
        raise InvalidTransition("没有待拨付的拨款", "there is no grant to pay", field="status")
    if g.grant_paid_on:
        raise Conflict("拨款已拨付", "the grant is already paid", code="already_paid")
    paid_on = parse_date(
        paid_on,
        "paid_on",
        not_future=True,
        not_before=g.applied_on,
        not_before_label="申请日 application date",
    )
    approvals.approval_check_payer(g, by)
    grant_cap_check(g.grant_amount, PolicyUse(on=paid_on))
    p = g.programme
    g.grant_entry = entry_post(lines=[debit(accounts.grant_expense(p), _m(p, g.grant_amount)),
                                      credit(accounts.cash(p), _m(p, g.grant_amount))],
                               value_date=paid_on, memo=f"拨投贷拨款 grant (expensed): {g.title}", source=g,
                               idempotency_ref=f"direct:gil:{g.pk}:grant", by=by)
    g.grant_paid_on = paid_on
    g.save(update_fields=["grant_entry", "grant_paid_on"])
    _gil_maybe_disbursed(g, by)
    return g


@transaction.atomic
def grant_invest_loan_fund_equity(*, project: GrantInvestLoan, funded_on: dt.date, by) -> GrantInvestLoan:
    """The equity leg: direct equity at cost, or the 先投后股 agreement's tranche as project funding."""
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    if g.status != GS.CONTRACTED or not g.equity_amount or g.position_id:
        raise InvalidTransition("没有待出资的股权", "there is no equity leg to fund", field="status")
    funded_on = parse_date(
        funded_on,
        "funded_on",
        not_future=True,
        not_before=g.applied_on,
        not_before_label="申请日 application date",
    )
    approvals.approval_check_payer(g, by)
    if g.equity_kind == EquityLegKind.INVEST_FIRST:
        tranche_pay(tranche=g.invest_first.tranches.get(number=1), paid_on=funded_on, by=by)
        g.invest_first.refresh_from_db()
    else:
        cap_check(
            enterprise_id=g.enterprise_id,
            amount=g.equity_amount,
            on=funded_on,
            exclude=g,
            locked=False,
            field="equity_amount",
        )
        g.position = _direct_equity(
            programme=g.programme,
            enterprise=g.enterprise,
            kind=DirectKind.GRANT_INVEST_LOAN,
            amount=g.equity_amount,
            price=g.equity_price_per_share,
            on=funded_on,
            ref=f"direct:gil:{g.pk}:equity",
            source=g,
            by=by,
        )
        g.save(update_fields=["position"])
    _gil_maybe_disbursed(g, by)
    return g


@transaction.atomic
def grant_invest_loan_move(*, project: GrantInvestLoan, to: str, by, reason: str = "") -> GrantInvestLoan:
    """Disbursed → monitoring → exited (the equity leg has exited) or closed."""
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    if to == GS.EXITED and not (g.position_id and g.position.status == PositionStatus.EXITED
                                or g.invest_first_id and g.invest_first.status == IFS.EXITED):
        raise InvalidTransition("股权尚未退出", "the equity leg has not exited", field="status")
    if to not in (GS.MONITORING, GS.EXITED, GS.CLOSED):
        raise InvalidTransition(
            "该状态需通过专门的流程完成", "that state is reached through its own step", field="status"
        )
    return approvals.state_change(g, to=to, by=by, reason=reason or to)

"""Set-up of funds: the guidance fund, sub-funds and their LP commitments, the fund's life cycle, its fees."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum

from finance.approvals import services as approvals
from finance.calc import CalcError, european_waterfall
from finance.core.errors import Conflict, DomainError
from finance.core.inputs import check_currency, parse_amount, parse_date, parse_rate, parse_text
from finance.core.locks import lock, lock_all
from finance.core.money import fen, fraction_to_percent, percent_to_fraction
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Organisation, OrgKind
from finance.policy.selectors import PolicyUse

from ..models import (
    ALLOWED_FEE_BASES,
    GOVERNMENT_KINDS,
    PROVINCIAL_KINDS,
    Commitment,
    FeeAccrual,
    FeeBasis,
    GuidanceFund,
    LPKind,
    SubFund,
)
from ._common import (
    HUNDRED,
    D,
    _calc,
    _err,
    fee_expense_account,
    fee_payable_account,
    fund_money,
    open_fund_locked,
    paid_in_by_lp,
)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return fraction_to_percent(part / whole).quantize(D("0.0001"), ROUND_HALF_UP)


def _check_guidance(rows, size: Decimal, figures: dict, use: PolicyUse) -> None:
    guidance = sum((a for k, a in rows if k == LPKind.GUIDANCE), D(0))
    figures["guidance_share"] = _percent(guidance, size)
    if not guidance:
        return
    lo, hi = use("fund.guidance_share_min"), use("fund.guidance_share_max")
    share = figures["guidance_share"]
    if share > hi:
        raise _err(f"引导基金出资比例 {share}% 超过上限 {hi}%",
                   f"guidance share {share}% is above the {hi}% cap",
                   "guidance_share_above_max", "amount")
    if share < lo:
        raise _err(f"引导基金出资比例 {share}% 低于下限 {lo}%",
                   f"guidance share {share}% is below the {lo}% minimum",
                   "guidance_share_below_min", "amount")
    others = [a for k, a in rows if k != LPKind.GUIDANCE]
    if not others or guidance >= max(others):
        biggest = max(others) if others else D(0)
        raise _err(f"引导基金不得成为第一大出资人（引导基金 {guidance}，其他最大出资人 {biggest}）",
                   f"the guidance fund must never be the largest LP (guidance {guidance}, largest other LP "
                   f"{biggest})",
                   "guidance_largest_lp", "amount")


def check_commitments(*, size: Decimal, rows: list[tuple[str, Decimal]], use: PolicyUse) -> dict:
    """The set-up rules on a sub-fund's LP list ``[(lp_kind, amount), ...]``; raises on the first breach.

    Guidance share within [min, max] of the fund size; the guidance fund strictly smaller than the largest
    other LP (a tie counts as "largest"); provincial money (the guidance fund is provincial) and all
    government money within their caps; commitments never above the fund size.
    """
    total = sum((a for _, a in rows), D(0))
    if total > size:
        raise _err(f"认缴合计 {total} 超过基金规模 {size}",
                   f"commitments {total} exceed the fund size {size}",
                   "commitments_exceed_size", "amount")
    figures: dict = {}
    _check_guidance(rows, size, figures, use)
    provincial = sum((a for k, a in rows if k in PROVINCIAL_KINDS), D(0))
    government = sum((a for k, a in rows if k in GOVERNMENT_KINDS), D(0))
    figures["provincial_share"] = _percent(provincial, size)
    figures["government_share"] = _percent(government, size)
    cap = use("fund.provincial_share_max")
    if figures["provincial_share"] > cap:
        raise _err(f"省级财政出资比例 {figures['provincial_share']}% 超过上限 {cap}%",
                   f"provincial money share {figures['provincial_share']}% is above the {cap}% cap",
                   "provincial_share_above_max", "amount")
    cap = use("fund.government_share_max")
    if figures["government_share"] > cap:
        raise _err(f"政府出资合计比例 {figures['government_share']}% 超过上限 {cap}%",
                   f"government money share {figures['government_share']}% is above the {cap}% cap",
                   "government_share_above_max", "amount")
    return {k: str(v) for k, v in figures.items()}


@transaction.atomic
def guidance_fund_create(*, name: str, manager: Organisation, size, vintage: dt.date,
                         currency="CNY") -> GuidanceFund:
    if manager.kind != OrgKind.FUND_MANAGER:
        raise _err("管理人必须是基金管理机构", "the manager must be a fund-manager organisation",
                   "invalid_manager",
                   "manager")
    return GuidanceFund.objects.create(name=parse_text(name, "name", max_length=200), manager=manager,
                                       size=parse_amount(size, "size"),
                                       vintage=parse_date(vintage, "vintage"),
                                       currency=check_currency(currency))


def _commitment_input(row: dict, i: int) -> dict:
    kind = row.get("lp_kind")
    if kind not in LPKind.values:
        raise _err(f"第 {i + 1} 个出资人：未知出资人类型 {kind!r}", f"LP {i + 1}: unknown LP kind {kind!r}",
                   "invalid_lp_kind", f"commitments.{i}.lp_kind")
    org = row.get("organisation")
    name = parse_text(row.get("investor_name"), f"commitments.{i}.investor_name", max_length=200,
                      required=False)
    if org is None and not name:
        raise _err(f"第 {i + 1} 个出资人：请选择机构或填写出资人名称",
                   f"LP {i + 1}: choose an organisation or name the investor",
                   "required", f"commitments.{i}.investor_name")
    amount = parse_amount(row.get("amount"), f"commitments.{i}.amount")
    return {"lp_kind": kind, "organisation": org, "investor_name": "" if org else name, "amount": amount}


def _fund_terms(*, vintage: dt.date, fee_rate, fee_basis, hurdle_rate, hurdle_compounding, catch_up_share,
                carry_share, use: PolicyUse) -> dict:
    """Rates through the one parser (no floats, no NaN, at most the columns' four places); the fee on
    paid-in or invested capital only (domain.md), within the policy cap."""
    fee_rate = parse_rate(fee_rate, "fee_rate", max_value=HUNDRED, places=4)
    if fee_basis not in ALLOWED_FEE_BASES:
        raise _err("管理费只能按实缴出资或实际投资计提，不能按认缴出资",
                   "the management fee is based on paid-in or invested capital only, never on commitments",
                   "invalid_fee_basis", "fee_basis")
    fee_max = use("fund.management_fee_max")
    if fee_rate > fee_max:
        raise _err(f"管理费年费率 {fee_rate}% 超过上限 {fee_max}%",
                   f"management fee {fee_rate}% is above the {fee_max}% cap", "fee_rate_above_max",
                   "fee_rate")
    terms = {"fee_rate": fee_rate, "fee_basis": fee_basis,
             "hurdle_rate": parse_rate(hurdle_rate, "hurdle_rate", max_value=D(1), places=4),
             "catch_up_share": parse_rate(catch_up_share, "catch_up_share", max_value=D(1), places=4),
             "carry_share": parse_rate(carry_share, "carry_share", max_value=D(1), places=4),
             "hurdle_compounding": hurdle_compounding}
    try:
        european_waterfall(D("1.00"), D("1.00"), hurdle_rate=terms["hurdle_rate"], hurdle_years=1,
                           compounding=hurdle_compounding, catch_up_share=terms["catch_up_share"],
                           carry_share=terms["carry_share"])
    except CalcError as exc:
        raise _calc(exc) from None
    return terms


@transaction.atomic
def sub_fund_create(*, guidance_fund: GuidanceFund, name: str, manager: Organisation, size, vintage: dt.date,
                    commitments: list[dict], term_years: int = 10, investment_period_years: int = 5,
                    strategy: str = "", region: str = "", hurdle_rate="0.08", hurdle_compounding="simple",
                    catch_up_share="1", carry_share="0.2", profit_concession=False, fee_rate="2",
                    fee_basis=FeeBasis.PAID_IN, currency="CNY", by=None) -> SubFund:
    """First close: the fund and its LP commitments, checked together against the set-up rules."""
    if manager.kind != OrgKind.FUND_MANAGER:
        raise _err("管理人（GP）必须是基金管理机构", "the manager (GP) must be a fund-manager organisation",
                   "invalid_manager", "manager")
    size = parse_amount(size, "size")
    vintage = parse_date(vintage, "vintage")
    name = parse_text(name, "name", max_length=200)
    if SubFund.objects.filter(guidance_fund=guidance_fund, name=name).exists():
        raise _err(f"子基金 {name} 已存在", f"sub-fund {name} already exists", "duplicate", "name",
                   status=409)
    if not commitments:
        raise _err("至少需要一个出资人", "at least one LP commitment is needed", "required", "commitments")
    rows = [_commitment_input(r, i) for i, r in enumerate(commitments)]
    use = PolicyUse(on=vintage)
    terms = _fund_terms(vintage=vintage, fee_rate=fee_rate, fee_basis=fee_basis, hurdle_rate=hurdle_rate,
                        hurdle_compounding=hurdle_compounding, catch_up_share=catch_up_share,
                        carry_share=carry_share, use=use)
    figures = check_commitments(size=size, rows=[(r["lp_kind"], r["amount"]) for r in rows], use=use)
    if profit_concession:
        use("fund.profit_concession")  # a fund with a concession needs the rate set before it can be set up
    fund = SubFund.objects.create(
        guidance_fund=guidance_fund, name=name, manager=manager, size=size, vintage=vintage,
        term_years=term_years,
        investment_period_years=investment_period_years,
        strategy=parse_text(strategy, "strategy", max_length=200,
                                                                             required=False),
        region=parse_text(region, "region", max_length=50, required=False),
        profit_concession=profit_concession,
        currency=check_currency(currency), policy={**use.snapshot, **figures}, **terms)
    Commitment.objects.bulk_create([Commitment(sub_fund=fund, committed_on=vintage, **r) for r in rows])
    approvals.state_change_record(fund, from_state="", to_state=fund.status, by=by, reason="first close")
    return fund


@transaction.atomic
def commitment_add(*, sub_fund: SubFund, lp_kind: str, amount, committed_on: dt.date, organisation=None,
                   investor_name: str = "", by=None) -> Commitment:
    """A later close: the whole LP list is checked again with the new commitment."""
    fund = open_fund_locked(sub_fund)
    try:
        row = _commitment_input({"lp_kind": lp_kind, "amount": amount, "organisation": organisation,
                                 "investor_name": investor_name}, 0)
    except DomainError as exc:
        exc.field = {"commitments.0.amount": "amount", "commitments.0.lp_kind": "lp_kind",
                     "commitments.0.investor_name": "investor_name"}.get(exc.field, exc.field)
        raise
    committed_on = parse_date(committed_on, "committed_on")
    if lp_kind == LPKind.GUIDANCE and fund.commitments.filter(lp_kind=LPKind.GUIDANCE).exists():
        raise _err("引导基金已在该子基金出资", "the guidance fund already has a commitment here", "duplicate",
                   "lp_kind", status=409)
    existing = lock_all(Commitment, sub_fund=fund)
    use = PolicyUse(on=committed_on)
    try:
        figures = check_commitments(size=fund.size, rows=[(c.lp_kind, c.amount) for c in existing]
                                    + [(row["lp_kind"], row["amount"])], use=use)
    except DomainError as exc:
        exc.field = "amount" if exc.field == "commitments.0.amount" else exc.field
        raise
    fund.policy = {**fund.policy, **use.snapshot, **figures}
    fund.save(update_fields=["policy"])
    return Commitment.objects.create(sub_fund=fund, committed_on=committed_on, **row)


@transaction.atomic
def sub_fund_move(*, sub_fund: SubFund, to: str, by=None, reason: str = "") -> SubFund:
    fund = lock(SubFund, sub_fund.pk)
    return approvals.state_change(fund, to=to, by=by, reason=reason)


# ---------------------------------------------------------------- management fees


def fee_basis_amount(fund: SubFund, on: dt.date) -> Decimal:
    """Paid-in capital (calls paid by ``on``) or invested capital (live holdings at cost on ``on``)."""
    if fund.fee_basis == FeeBasis.PAID_IN:
        return sum(paid_in_by_lp(fund, on).values(), D(0))
    if fund.fee_basis == FeeBasis.INVESTED:
        return (fund.holdings.filter(invested_on__lte=on).exclude(exited_on__lte=on)
                .aggregate(s=Sum("amount"))["s"] or D(0))
    raise _err("管理费只能按实缴出资或实际投资计提",
               "the management fee is based on paid-in or invested capital only",
               "invalid_fee_basis", "fee_basis")


@transaction.atomic
def fee_accrue(*, sub_fund: SubFund, period_start: dt.date, period_end: dt.date, by=None) -> FeeAccrual:
    """Management fee for a period on the fund's basis (paid-in or invested), ACT/365, half-up."""
    fund = open_fund_locked(sub_fund)
    period_start = parse_date(period_start, "period_start")
    period_end = parse_date(period_end, "period_end")
    if period_end <= period_start:
        raise _err("计费期间结束日必须晚于开始日", "the period must end after it starts", "invalid_period",
                   "period_end")
    if period_start < fund.vintage:
        raise _err("计费期间早于基金成立日", "the period starts before the fund's vintage", "before_fund",
                   "period_start")
    if fund.fee_accruals.filter(period_start=period_start).exists():
        raise Conflict(f"{period_start} 起的管理费已计提", f"the fee from {period_start} is already accrued",
                       code="duplicate")
    use = PolicyUse(on=period_start)
    cap = use("fund.management_fee_max")
    if fund.fee_rate > cap:
        raise _err(f"管理费率 {fund.fee_rate}% 超过上限 {cap}%",
                   f"fee rate {fund.fee_rate}% is above the {cap}% cap",
                   "fee_rate_above_max", "fee_rate")
    basis = fee_basis_amount(fund, period_start)
    days = (period_end - period_start).days
    amount = fen(basis * percent_to_fraction(fund.fee_rate) * days / D(365))
    accrual = FeeAccrual.objects.create(sub_fund=fund, period_start=period_start, period_end=period_end,
                                        basis=fund.fee_basis, basis_amount=basis, rate=fund.fee_rate,
                                        amount=amount,
                                        policy=use.snapshot)
    if amount > 0:
        accrual.entry = entry_post(
            lines=[debit(fee_expense_account(fund), fund_money(fund, amount)),
                   credit(fee_payable_account(fund), fund_money(fund, amount))],
            value_date=period_end, memo=f"管理费计提 fee accrual: {fund.name} {period_start}–{period_end}",
            source=accrual, idempotency_ref=f"funds:fee:{accrual.pk}", by=by)
        accrual.save(update_fields=["entry"])
    return accrual

"""Every write of the funds app: set-up, commitments, calls, distributions, NAV, fees, holdings and deals.

Keyword-only ``<entity>_<action>`` functions, each atomic: validate, lock what the decision reads (the sub-fund
row first, then commitments in pk order), post money to the ledger, record the policy values used.
A ``DomainError`` means nothing was written.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max, Sum
from djmoney.money import Money

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus, MeetingStatus
from finance.calc import CalcError, allocate, early_exit_price, european_waterfall
from finance.core.errors import Conflict, DomainError, InvalidTransition
from finance.core.inputs import check_currency, parse_amount
from finance.core.money import fen
from finance.ledger.models import AccountKind
from finance.ledger.selectors import account_balance
from finance.ledger.services import account_get_or_create, credit, debit, entry_post
from finance.parties.models import Organisation, OrgKind
from finance.policy.services import PolicyUse

from .models import (
    FISCAL_EQUITY,
    GOVERNMENT_KINDS,
    LIVE_DEAL_STATUSES,
    PROVINCIAL_KINDS,
    CallPurpose,
    CapitalCall,
    CapitalCallLine,
    ChecklistItem,
    Commitment,
    Condition,
    Deal,
    DealDocument,
    DealStatus,
    Distribution,
    DistributionLine,
    FeeAccrual,
    FeeBasis,
    FundStatus,
    GuidanceFund,
    Holding,
    Instrument,
    LPKind,
    NavReport,
    Stage,
    SubFund,
    Valuation,
)

D = Decimal
HUNDRED = D(100)


def _err(zh, en, code, field=None, status=None, **extra):
    return DomainError(zh, en, code=code, field=field, status=status, extra=extra or None)


def _calc(exc: CalcError) -> DomainError:
    return DomainError(exc.message_zh, exc.message_en, code=exc.code, field=exc.field)


def _date(value, field):
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _err(f"{field} 必须是日期", f"{field} must be a date", "invalid_date", field)
    return value


def _money(x) -> Money:
    return Money(x, "CNY") if not isinstance(x, Money) else x


# ---------------------------------------------------------------- accounts


def _acc(fund: SubFund, suffix: str, name: str, kind: str, *, floor=False):
    return account_get_or_create(code=f"funds:sf{fund.pk}:{suffix}", name=f"{fund.name} {name}", kind=kind,
                                 currency=fund.currency, owner=fund.manager, programme=fund, may_go_negative=not floor)


def cash_account(fund: SubFund):
    return _acc(fund, "cash", "银行存款 cash", AccountKind.ASSET, floor=True)


def investments_account(fund: SubFund):
    return _acc(fund, "investments", "长期股权投资 investments at cost", AccountKind.ASSET, floor=True)


def lp_capital_account(c: Commitment):
    return _acc(c.sub_fund, f"lp{c.pk}:capital", f"{c.lp_name} 合伙人资本 LP capital", AccountKind.EQUITY)


def gp_carry_account(fund: SubFund):
    return _acc(fund, "gp:carry", "GP 业绩报酬 carried interest", AccountKind.EQUITY)


def gains_account(fund: SubFund):
    return _acc(fund, "gains", "投资收益 realised gains", AccountKind.INCOME)


def fee_expense_account(fund: SubFund):
    return _acc(fund, "fees", "管理费 management fee", AccountKind.EXPENSE)


def fee_payable_account(fund: SubFund):
    return _acc(fund, "fees:payable", "应付管理费 fee payable", AccountKind.LIABILITY)


# ---------------------------------------------------------------- set-up


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(D("0.0001"), ROUND_HALF_UP)


def check_commitments(*, size: Decimal, rows: list[tuple[str, Decimal]], use: PolicyUse) -> dict:
    """The set-up rules on a sub-fund's LP list ``[(lp_kind, amount), ...]``; raises on the first breach.

    Guidance share within [min, max] of the fund size; the guidance fund strictly smaller than the largest
    other LP (a tie counts as "largest"); provincial money (the guidance fund is provincial) and all government
    money within their caps; commitments never above the fund size.
    """
    total = sum((a for _, a in rows), D(0))
    if total > size:
        raise _err(f"认缴合计 {total} 超过基金规模 {size}", f"commitments {total} exceed the fund size {size}",
                   "commitments_exceed_size", "amount")
    guidance = sum((a for k, a in rows if k == LPKind.GUIDANCE), D(0))
    figures = {"guidance_share": _percent(guidance, size)}
    if guidance:
        lo, hi = use("fund.guidance_share_min"), use("fund.guidance_share_max")
        share = figures["guidance_share"]
        if share > hi:
            raise _err(f"引导基金出资比例 {share}% 超过上限 {hi}%", f"guidance share {share}% is above the {hi}% cap",
                       "guidance_share_above_max", "amount")
        if share < lo:
            raise _err(f"引导基金出资比例 {share}% 低于下限 {lo}%", f"guidance share {share}% is below the {lo}% minimum",
                       "guidance_share_below_min", "amount")
        others = [a for k, a in rows if k != LPKind.GUIDANCE]
        if not others or guidance >= max(others):
            biggest = max(others) if others else D(0)
            raise _err(f"引导基金不得成为第一大出资人（引导基金 {guidance}，其他最大出资人 {biggest}）",
                       f"the guidance fund must never be the largest LP (guidance {guidance}, largest other LP {biggest})",
                       "guidance_largest_lp", "amount")
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
def guidance_fund_create(*, name: str, manager: Organisation, size, vintage: dt.date, currency="CNY") -> GuidanceFund:
    if manager.kind != OrgKind.FUND_MANAGER:
        raise _err("管理人必须是基金管理机构", "the manager must be a fund-manager organisation", "invalid_manager", "manager")
    return GuidanceFund.objects.create(name=name.strip(), manager=manager, size=parse_amount(size, "size"),
                                       vintage=_date(vintage, "vintage"), currency=check_currency(currency))


def _commitment_input(row: dict, i: int) -> dict:
    kind = row.get("lp_kind")
    if kind not in LPKind.values:
        raise _err(f"第 {i + 1} 个出资人：未知出资人类型 {kind!r}", f"LP {i + 1}: unknown LP kind {kind!r}",
                   "invalid_lp_kind", f"commitments.{i}.lp_kind")
    org = row.get("organisation")
    name = (row.get("investor_name") or "").strip()
    if org is None and not name:
        raise _err(f"第 {i + 1} 个出资人：请选择机构或填写出资人名称", f"LP {i + 1}: choose an organisation or name the investor",
                   "required", f"commitments.{i}.investor_name")
    try:
        amount = parse_amount(row.get("amount"), f"commitments.{i}.amount")
    except DomainError as exc:
        exc.field = f"commitments.{i}.amount"
        raise
    return {"lp_kind": kind, "organisation": org, "investor_name": "" if org else name, "amount": amount}


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
    vintage = _date(vintage, "vintage")
    name = (name or "").strip()
    if not name:
        raise _err("子基金名称不能为空", "the sub-fund name is required", "required", "name")
    if SubFund.objects.filter(guidance_fund=guidance_fund, name=name).exists():
        raise _err(f"子基金 {name} 已存在", f"sub-fund {name} already exists", "duplicate", "name", status=409)
    if not commitments:
        raise _err("至少需要一个出资人", "at least one LP commitment is needed", "required", "commitments")
    rows = [_commitment_input(r, i) for i, r in enumerate(commitments)]
    use = PolicyUse(on=vintage)
    fee_rate = D(str(fee_rate))
    fee_max = use("fund.management_fee_max")
    if fee_rate < 0 or fee_rate > fee_max:
        raise _err(f"管理费年费率 {fee_rate}% 超过上限 {fee_max}%", f"management fee {fee_rate}% is above the {fee_max}% cap",
                   "fee_rate_above_max", "fee_rate")
    figures = check_commitments(size=size, rows=[(r["lp_kind"], r["amount"]) for r in rows], use=use)
    try:
        european_waterfall(D("1.00"), D("1.00"), hurdle_rate=D(str(hurdle_rate)), hurdle_years=1,
                           compounding=hurdle_compounding, catch_up_share=D(str(catch_up_share)),
                           carry_share=D(str(carry_share)))
    except CalcError as exc:
        raise _calc(exc) from None
    if profit_concession:
        use("fund.profit_concession")  # a fund with a concession needs the rate set before it can be set up
    fund = SubFund.objects.create(
        guidance_fund=guidance_fund, name=name, manager=manager, size=size, vintage=vintage, term_years=term_years,
        investment_period_years=investment_period_years, strategy=strategy, region=region,
        hurdle_rate=D(str(hurdle_rate)), hurdle_compounding=hurdle_compounding, catch_up_share=D(str(catch_up_share)),
        carry_share=D(str(carry_share)), profit_concession=profit_concession, fee_rate=fee_rate, fee_basis=fee_basis,
        currency=check_currency(currency), policy={**use.snapshot, **figures})
    Commitment.objects.bulk_create([Commitment(sub_fund=fund, committed_on=vintage, **r) for r in rows])
    approvals.state_change_record(fund, from_state="", to_state=fund.status, by=by, reason="first close")
    return fund


@transaction.atomic
def commitment_add(*, sub_fund: SubFund, lp_kind: str, amount, committed_on: dt.date, organisation=None,
                   investor_name: str = "", by=None) -> Commitment:
    """A later close: the whole LP list is checked again with the new commitment."""
    fund = SubFund.objects.select_for_update().get(pk=sub_fund.pk)
    if fund.status == FundStatus.CLOSED:
        raise _err("基金已关闭", "the fund is closed", "fund_closed", "sub_fund", status=409)
    row = _commitment_input({"lp_kind": lp_kind, "amount": amount, "organisation": organisation,
                             "investor_name": investor_name}, 0)
    row_field_fix = {"commitments.0.amount": "amount"}
    committed_on = _date(committed_on, "committed_on")
    if lp_kind == LPKind.GUIDANCE and fund.commitments.filter(lp_kind=LPKind.GUIDANCE).exists():
        raise _err("引导基金已在该子基金出资", "the guidance fund already has a commitment here", "duplicate", "lp_kind",
                   status=409)
    existing = list(Commitment.objects.select_for_update().filter(sub_fund=fund).order_by("pk"))
    use = PolicyUse(on=committed_on)
    try:
        figures = check_commitments(size=fund.size, rows=[(c.lp_kind, c.amount) for c in existing]
                                    + [(row["lp_kind"], row["amount"])], use=use)
    except DomainError as exc:
        exc.field = row_field_fix.get(exc.field, exc.field)
        raise
    fund.policy = {**fund.policy, **use.snapshot, **figures}
    fund.save(update_fields=["policy"])
    return Commitment.objects.create(sub_fund=fund, committed_on=committed_on, **row)


FUND_MOVES = {FundStatus.FUNDRAISING: {FundStatus.INVESTING, FundStatus.CLOSED},
              FundStatus.INVESTING: {FundStatus.HARVESTING, FundStatus.CLOSED},
              FundStatus.HARVESTING: {FundStatus.CLOSED}}


@transaction.atomic
def sub_fund_move(*, sub_fund: SubFund, to: str, by=None, reason: str = "") -> SubFund:
    fund = SubFund.objects.select_for_update().get(pk=sub_fund.pk)
    return approvals.state_change(fund, to=to, allowed=FUND_MOVES, by=by, reason=reason)


def _open_fund(sub_fund: SubFund) -> SubFund:
    fund = SubFund.objects.select_for_update().get(pk=sub_fund.pk)
    if fund.status == FundStatus.CLOSED:
        raise _err(f"子基金 {fund.name} 已关闭，不能再缴款或分配", f"sub-fund {fund.name} is closed: no more calls or distributions",
                   "fund_closed", "sub_fund", status=409)
    return fund


# ---------------------------------------------------------------- capital calls


def call_split(*, sub_fund: SubFund, amount: Decimal, commitments=None) -> list[tuple[Commitment, Decimal]]:
    """Pro rata to commitment, to the fen (largest remainder); refuses a share above an LP's unfunded commitment."""
    commitments = list(commitments if commitments is not None else sub_fund.commitments.order_by("pk"))
    if not commitments:
        raise _err("该子基金没有出资人", "the sub-fund has no LP commitments", "no_commitments", "sub_fund")
    parts = allocate(amount, [c.amount for c in commitments])
    for c, part in zip(commitments, parts, strict=True):
        if part > c.unfunded:
            raise _err(f"缴款超过出资人「{c.lp_name}」的未缴出资：应缴 {part}，未缴 {c.unfunded}",
                       f"the call exceeds the unfunded commitment of LP '{c.lp_name}': share {part}, unfunded {c.unfunded}",
                       "over_call", "amount", status=409, lp=c.lp_name, share=str(part), unfunded=str(c.unfunded))
    return list(zip(commitments, parts, strict=True))


def call_preview(*, sub_fund: SubFund, amount) -> list[tuple[Commitment, Decimal]]:
    """The split a call would make, without writing (the wizard and the API preview show it)."""
    if sub_fund.status == FundStatus.CLOSED:
        raise _err(f"子基金 {sub_fund.name} 已关闭，不能再缴款或分配", f"sub-fund {sub_fund.name} is closed: no more calls or distributions",
                   "fund_closed", "sub_fund", status=409)
    return call_split(sub_fund=sub_fund, amount=parse_amount(amount, "amount"))


@transaction.atomic
def call_create(*, sub_fund: SubFund, amount, call_date: dt.date, due_date: dt.date | None = None,
                purpose: str = CallPurpose.INVESTMENT, note: str = "", by=None) -> CapitalCall:
    """Issue a capital call: split across LPs and reserve it against each LP's unfunded commitment.

    The sub-fund row is locked first, then its commitments in pk order, so two simultaneous calls are
    serialised and can never over-call an LP together.
    """
    amount = parse_amount(amount, "amount")
    call_date = _date(call_date, "call_date")
    due_date = _date(due_date or call_date + dt.timedelta(days=10), "due_date")
    if purpose not in CallPurpose.values:
        raise _err(f"未知的缴款用途 {purpose!r}", f"unknown call purpose {purpose!r}", "invalid_purpose", "purpose")
    if due_date < call_date:
        raise _err("缴款截止日不能早于通知日", "the due date cannot precede the call date", "invalid_date", "due_date")
    fund = _open_fund(sub_fund)
    if call_date < fund.vintage:
        raise _err(f"缴款日 {call_date} 早于基金成立日 {fund.vintage}", f"call date {call_date} is before the fund's vintage {fund.vintage}",
                   "before_fund", "call_date")
    commitments = list(Commitment.objects.select_for_update().filter(sub_fund=fund).order_by("pk"))
    split = call_split(sub_fund=fund, amount=amount, commitments=commitments)
    number = (fund.calls.aggregate(n=Max("number"))["n"] or 0) + 1
    call = CapitalCall.objects.create(sub_fund=fund, number=number, call_date=call_date, due_date=due_date,
                                      purpose=purpose, amount=amount, note=note, created_by=by)
    CapitalCallLine.objects.bulk_create([CapitalCallLine(call=call, commitment=c, amount=part) for c, part in split])
    for c, part in split:
        c.called += part
        c.save(update_fields=["called"])
    return call


@transaction.atomic
def call_line_pay(*, line: CapitalCallLine, paid_on: dt.date, by=None) -> CapitalCallLine:
    """An LP paid its share: money into the fund's cash, credited to the LP's capital account."""
    line = CapitalCallLine.objects.select_for_update().select_related("call__sub_fund", "commitment").get(pk=line.pk)
    paid_on = _date(paid_on, "paid_on")
    if line.paid_on is not None:
        raise Conflict("该出资人已缴付本次缴款", "this LP has already paid this call", code="already_paid")
    if paid_on < line.call.call_date:
        raise _err("缴付日不能早于缴款通知日", "payment cannot precede the call", "invalid_date", "paid_on")
    if line.amount > 0:
        fund = line.call.sub_fund
        entry = entry_post(lines=[debit(cash_account(fund), _money(line.amount)),
                                  credit(lp_capital_account(line.commitment), _money(line.amount))],
                           value_date=paid_on, memo=f"实缴出资 capital paid: {fund.name} call #{line.call.number} {line.commitment.lp_name}",
                           source=line.call, idempotency_ref=f"funds:call-line:{line.pk}:paid", by=by)
        line.entry = entry
    line.paid_on = paid_on
    line.save(update_fields=["paid_on", "entry"])
    return line


@transaction.atomic
def call_pay_all(*, call: CapitalCall, paid_on: dt.date, by=None) -> CapitalCall:
    for line in call.lines.filter(paid_on__isnull=True).order_by("pk"):
        call_line_pay(line=line, paid_on=paid_on, by=by)
    return call


# ---------------------------------------------------------------- distributions


def years_between(start: dt.date, end: dt.date) -> Decimal:
    """Whole anniversaries plus the remaining days / 365 (2020-01-01 → 2025-01-01 is exactly 5)."""
    if end <= start:
        return D(0)
    years = end.year - start.year
    def anniv(y):
        try:
            return start.replace(year=start.year + y)
        except ValueError:  # 29 Feb
            return start.replace(year=start.year + y, day=28)
    if anniv(years) > end:
        years -= 1
    rest = (end - anniv(years)).days
    return (D(years) + D(rest) / D(365)).quantize(D("0.000001"), ROUND_HALF_UP)


def _paid_in(fund: SubFund, on: dt.date) -> dict[int, Decimal]:
    rows = (CapitalCallLine.objects.filter(call__sub_fund=fund, paid_on__isnull=False, paid_on__lte=on)
            .values("commitment_id").annotate(s=Sum("amount")))
    return {r["commitment_id"]: r["s"] for r in rows}


def distribution_plan(*, sub_fund: SubFund, amount, paid_on: dt.date) -> dict:
    """The waterfall and per-LP split of a distribution, computed without writing (the wizard shows it).

    European whole-fund waterfall on cumulative distributions: this distribution's GP share is the cumulative
    GP entitlement less what the GP already received. LPs share capital and profit pro rata to paid-in; a
    government LP of a fund with a profit concession (让利) passes that share of its profit to the social LPs.
    """
    amount = parse_amount(amount, "amount")
    paid_on = _date(paid_on, "paid_on")
    if sub_fund.status == FundStatus.CLOSED:
        raise _err(f"子基金 {sub_fund.name} 已关闭，不能再缴款或分配", f"sub-fund {sub_fund.name} is closed: no more calls or distributions",
                   "fund_closed", "sub_fund", status=409)
    if paid_on < sub_fund.vintage:
        raise _err(f"分配日 {paid_on} 早于基金成立日 {sub_fund.vintage}", f"distribution date {paid_on} is before the fund's vintage",
                   "before_fund", "paid_on")
    paid = _paid_in(sub_fund, paid_on)
    contributed = sum(paid.values(), D(0))
    if contributed <= 0:
        raise _err("尚无实缴出资，不能分配", "nothing has been paid in yet: there is nothing to distribute against",
                   "no_contributions", "amount")
    first = (CapitalCallLine.objects.filter(call__sub_fund=sub_fund, paid_on__isnull=False)
             .order_by("paid_on").values_list("paid_on", flat=True).first())
    prior = sub_fund.distributions.aggregate(a=Sum("amount"), lp=Sum("lp_amount"))
    prior_amount, prior_lp = prior["a"] or D(0), prior["lp"] or D(0)
    prior_capital = (DistributionLine.objects.filter(distribution__sub_fund=sub_fund)
                     .aggregate(s=Sum("capital"))["s"] or D(0))
    use = PolicyUse(on=paid_on)
    years = years_between(first, paid_on)
    try:
        wf = european_waterfall(contributed, prior_amount + amount, hurdle_rate=sub_fund.hurdle_rate,
                                hurdle_years=years, compounding=sub_fund.hurdle_compounding,
                                catch_up_share=sub_fund.catch_up_share, carry_share=sub_fund.carry_share)
    except CalcError as exc:
        raise _calc(exc) from None
    lp_inc = min(amount, max(D(0), wf.lp - prior_lp))
    gp_inc = amount - lp_inc
    roc_inc = min(lp_inc, max(D(0), wf.tier("return_of_capital").lp - prior_capital))
    profit_inc = lp_inc - roc_inc
    commitments = [c for c in sub_fund.commitments.order_by("pk") if paid.get(c.pk)]
    weights = [paid[c.pk] for c in commitments]
    capital = allocate(roc_inc, weights)
    profit = allocate(profit_inc, weights)
    concession = [D("0.00")] * len(commitments)
    if sub_fund.profit_concession and profit_inc > 0:
        rate = use("fund.profit_concession") / HUNDRED
        social = [i for i, c in enumerate(commitments) if c.lp_kind == LPKind.SOCIAL]
        if social:
            given = D(0)
            for i, c in enumerate(commitments):
                if c.lp_kind in GOVERNMENT_KINDS:
                    g = fen(profit[i] * rate)
                    concession[i] -= g
                    given += g
            for i, part in zip(social, allocate(given, [weights[i] for i in social]), strict=True):
                concession[i] += part
    lines = [{"commitment": c, "capital": capital[i], "profit": profit[i], "concession": concession[i],
              "amount": capital[i] + profit[i] + concession[i]} for i, c in enumerate(commitments)]
    return {"amount": amount, "paid_on": paid_on, "contributed": contributed, "hurdle_years": years,
            "lp_amount": lp_inc, "gp_amount": gp_inc, "lines": lines, "policy": use.snapshot,
            "cumulative": {"distributed": str(prior_amount + amount), "lp": str(wf.lp), "gp": str(wf.gp),
                           "tiers": {t.name: {"lp": str(t.lp), "gp": str(t.gp)} for t in wf.tiers}}}


@transaction.atomic
def distribution_create(*, sub_fund: SubFund, amount, paid_on: dt.date, by=None) -> Distribution:
    fund = _open_fund(sub_fund)
    plan = distribution_plan(sub_fund=fund, amount=amount, paid_on=paid_on)
    number = (fund.distributions.aggregate(n=Max("number"))["n"] or 0) + 1
    dist = Distribution.objects.create(sub_fund=fund, number=number, paid_on=plan["paid_on"], amount=plan["amount"],
                                       lp_amount=plan["lp_amount"], gp_amount=plan["gp_amount"],
                                       tiers=plan["cumulative"], policy=plan["policy"], created_by=by)
    DistributionLine.objects.bulk_create([
        DistributionLine(distribution=dist, commitment=ln["commitment"], capital=ln["capital"], profit=ln["profit"],
                         concession=ln["concession"], amount=ln["amount"]) for ln in plan["lines"]])
    legs = [debit(lp_capital_account(ln["commitment"]), _money(ln["amount"])) for ln in plan["lines"] if ln["amount"] > 0]
    if plan["gp_amount"] > 0:
        legs.append(debit(gp_carry_account(fund), _money(plan["gp_amount"])))
    legs.append(credit(cash_account(fund), _money(plan["amount"])))
    dist.entry = entry_post(lines=legs, value_date=dist.paid_on, memo=f"收益分配 distribution: {fund.name} #{number}",
                            source=dist, idempotency_ref=f"funds:distribution:{dist.pk}", by=by)
    dist.save(update_fields=["entry"])
    return dist


# ---------------------------------------------------------------- holdings, valuations, NAV, fees


def _holding_post(holding: Holding, by=None):
    fund = holding.sub_fund
    holding.entry = entry_post(
        lines=[debit(investments_account(fund), _money(holding.amount)), credit(cash_account(fund), _money(holding.amount))],
        value_date=holding.invested_on, memo=f"项目投资 investment: {fund.name} → {holding.company_name}",
        source=holding, idempotency_ref=f"funds:holding:{holding.pk}:invested", by=by)
    holding.save(update_fields=["entry"])


@transaction.atomic
def holding_create(*, sub_fund: SubFund, company_name: str, invested_on: dt.date, amount, stake="0",
                   stage: str = Stage.EARLY, in_shandong: bool = True, converts_fiscal_result: bool = False,
                   company: Organisation | None = None, deal: Deal | None = None, by=None) -> Holding:
    """Record a portfolio investment and pay it from the fund's cash (which may not go below zero)."""
    fund = _open_fund(sub_fund)
    amount = parse_amount(amount, "amount")
    invested_on = _date(invested_on, "invested_on")
    if invested_on < fund.vintage:
        raise _err("投资日早于基金成立日", "the investment date is before the fund's vintage", "before_fund", "invested_on")
    stake = D(str(stake))
    if not D(0) <= stake <= HUNDRED:
        raise _err("持股比例必须在 0 到 100 之间", "stake must be between 0 and 100", "invalid_stake", "stake")
    if stage not in Stage.values:
        raise _err(f"未知的阶段 {stage!r}", f"unknown stage {stage!r}", "invalid_stage", "stage")
    holding = Holding.objects.create(sub_fund=fund, company=company, company_name=(company_name or "").strip()
                                     or (company.name if company else ""), invested_on=invested_on, amount=amount,
                                     stake=stake, stage=stage, in_shandong=in_shandong,
                                     converts_fiscal_result=converts_fiscal_result, deal=deal)
    _holding_post(holding, by=by)
    return holding


@transaction.atomic
def valuation_record(*, holding: Holding, as_of: dt.date, value, by=None) -> Valuation:
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    as_of = _date(as_of, "as_of")
    value = parse_amount(value, "value", allow_zero=True)
    if as_of < holding.invested_on:
        raise _err("估值日早于投资日", "the valuation date is before the investment date", "before_investment", "as_of")
    val, created = Valuation.objects.get_or_create(holding=holding, as_of=as_of, defaults={"value": value})
    if not created and val.value != value:
        val.value = value
        val.save(update_fields=["value"])
    return val


@transaction.atomic
def holding_exit(*, holding: Holding, exited_on: dt.date, proceeds, by=None) -> Holding:
    """Sell a holding: proceeds into cash, cost out of investments, the difference is a realised gain or loss."""
    holding = Holding.objects.select_for_update().select_related("sub_fund").get(pk=holding.pk)
    if holding.exited_on:
        raise Conflict("该项目已退出", "this holding has already been exited", code="already_exited")
    exited_on = _date(exited_on, "exited_on")
    if exited_on < holding.invested_on:
        raise _err("退出日早于投资日", "the exit date is before the investment date", "invalid_date", "exited_on")
    proceeds = parse_amount(proceeds, "proceeds", allow_zero=True)
    fund = holding.sub_fund
    lines = [credit(investments_account(fund), _money(holding.amount))]
    if proceeds > 0:
        lines.append(debit(cash_account(fund), _money(proceeds)))
    gain = proceeds - holding.amount
    if gain > 0:
        lines.append(credit(gains_account(fund), _money(gain)))
    elif gain < 0:
        lines.append(debit(gains_account(fund), _money(-gain)))
    entry_post(lines=lines, value_date=exited_on, memo=f"项目退出 exit: {fund.name} ← {holding.company_name}",
               source=holding, idempotency_ref=f"funds:holding:{holding.pk}:exit", by=by)
    holding.exited_on = exited_on
    holding.proceeds = proceeds
    holding.save(update_fields=["exited_on", "proceeds"])
    return holding


def holdings_value(fund: SubFund, as_of: dt.date) -> Decimal:
    """Live holdings at their latest valuation on or before ``as_of`` (at cost if never valued)."""
    total = D(0)
    holdings = fund.holdings.filter(invested_on__lte=as_of).exclude(exited_on__lte=as_of).prefetch_related("valuations")
    for h in holdings:
        vals = [v for v in h.valuations.all() if v.as_of <= as_of]
        total += max(vals, key=lambda v: v.as_of).value if vals else h.amount
    return total


@transaction.atomic
def nav_record(*, sub_fund: SubFund, as_of: dt.date, by=None) -> NavReport:
    """Quarterly NAV: holdings at their valuations plus the fund's cash on the ledger at that date."""
    fund = SubFund.objects.select_for_update().get(pk=sub_fund.pk)
    as_of = _date(as_of, "as_of")
    if as_of < fund.vintage:
        raise _err(f"净值日 {as_of} 早于基金成立日 {fund.vintage}", f"NAV date {as_of} is before the fund's vintage {fund.vintage}",
                   "before_fund", "as_of")
    if fund.navs.filter(as_of=as_of).exists():
        raise Conflict(f"{as_of} 的净值已登记", f"the NAV for {as_of} is already recorded", code="duplicate")
    value = holdings_value(fund, as_of)
    cash = account_balance(cash_account(fund), as_of=as_of)
    return NavReport.objects.create(sub_fund=fund, as_of=as_of, holdings_value=value, cash=cash, nav=value + cash,
                                    created_by=by)


@transaction.atomic
def fee_accrue(*, sub_fund: SubFund, period_start: dt.date, period_end: dt.date, by=None) -> FeeAccrual:
    """Management fee for a period on the fund's basis (committed, paid-in or invested), ACT/365, half-up."""
    fund = _open_fund(sub_fund)
    period_start, period_end = _date(period_start, "period_start"), _date(period_end, "period_end")
    if period_end <= period_start:
        raise _err("计费期间结束日必须晚于开始日", "the period must end after it starts", "invalid_period", "period_end")
    if period_start < fund.vintage:
        raise _err("计费期间早于基金成立日", "the period starts before the fund's vintage", "before_fund", "period_start")
    use = PolicyUse(on=period_start)
    cap = use("fund.management_fee_max")
    if fund.fee_rate > cap:
        raise _err(f"管理费率 {fund.fee_rate}% 超过上限 {cap}%", f"fee rate {fund.fee_rate}% is above the {cap}% cap",
                   "fee_rate_above_max", "fee_rate")
    if fund.fee_basis == FeeBasis.COMMITTED:
        basis = fund.commitments.aggregate(s=Sum("amount"))["s"] or D(0)
    elif fund.fee_basis == FeeBasis.PAID_IN:
        basis = sum(_paid_in(fund, period_start).values(), D(0))
    else:
        basis = (fund.holdings.filter(invested_on__lte=period_start).exclude(exited_on__lte=period_start)
                 .aggregate(s=Sum("amount"))["s"] or D(0))
    days = (period_end - period_start).days
    amount = fen(basis * fund.fee_rate / HUNDRED * days / D(365))
    accrual = FeeAccrual.objects.create(sub_fund=fund, period_start=period_start, period_end=period_end,
                                        basis=fund.fee_basis, basis_amount=basis, rate=fund.fee_rate, amount=amount,
                                        policy=use.snapshot)
    if amount > 0:
        accrual.entry = entry_post(
            lines=[debit(fee_expense_account(fund), _money(amount)), credit(fee_payable_account(fund), _money(amount))],
            value_date=period_end, memo=f"管理费计提 fee accrual: {fund.name} {period_start}–{period_end}",
            source=accrual, idempotency_ref=f"funds:fee:{accrual.pk}", by=by)
        accrual.save(update_fields=["entry"])
    return accrual


def guidance_exit_price(*, sub_fund: SubFund, exit_on: dt.date) -> dict:
    """The minimum price at which the guidance fund's share may leave early: cost, plus interest after the free years."""
    exit_on = _date(exit_on, "exit_on")
    guidance = sub_fund.commitments.filter(lp_kind=LPKind.GUIDANCE).first()
    if guidance is None:
        raise _err("该子基金没有引导基金出资", "the guidance fund has no commitment in this sub-fund", "no_guidance", "sub_fund")
    lines = guidance.call_lines.filter(paid_on__isnull=False).order_by("paid_on")
    cost = lines.aggregate(s=Sum("amount"))["s"] or D(0)
    if cost <= 0:
        raise _err("引导基金尚未实缴", "the guidance fund has paid nothing in yet", "no_contributions", "sub_fund")
    invested_on = lines.first().paid_on
    use = PolicyUse(on=exit_on)
    free = int(use("fund.early_exit_free_years"))
    past_free = years_between(invested_on, exit_on) > free
    rate = use("fund.early_exit_reference_rate") if past_free else D(0)
    try:
        price = early_exit_price(cost, invested_on=invested_on, exit_on=exit_on, free_years=free, annual_rate=rate)
    except CalcError as exc:
        raise _calc(exc) from None
    return {"cost": cost, "invested_on": invested_on, "exit_on": exit_on, "min_price": price, "policy": use.snapshot}


# ---------------------------------------------------------------- deals and the committee

DEAL_MOVES: dict[str, set[str]] = {
    DealStatus.SOURCED: {DealStatus.SCREENING, DealStatus.REJECTED},
    DealStatus.SCREENING: {DealStatus.DUE_DILIGENCE, DealStatus.REJECTED},
    DealStatus.DUE_DILIGENCE: {DealStatus.COMMITTEE, DealStatus.REJECTED},
    DealStatus.COMMITTEE: {DealStatus.APPROVED, DealStatus.REJECTED, DealStatus.DUE_DILIGENCE},
    DealStatus.APPROVED: {DealStatus.CONTRACTED, DealStatus.COMMITTEE},
    DealStatus.CONTRACTED: {DealStatus.FUNDED, DealStatus.COMMITTEE},
    DealStatus.FUNDED: {DealStatus.EXITED},
}
#: Moves a person asks for directly; the others happen through their own service (committee, sign-off, funding).
MANUAL_MOVES = {(DealStatus.SOURCED, DealStatus.SCREENING), (DealStatus.SCREENING, DealStatus.DUE_DILIGENCE),
                (DealStatus.SOURCED, DealStatus.REJECTED), (DealStatus.SCREENING, DealStatus.REJECTED),
                (DealStatus.DUE_DILIGENCE, DealStatus.REJECTED), (DealStatus.COMMITTEE, DealStatus.DUE_DILIGENCE),
                (DealStatus.APPROVED, DealStatus.CONTRACTED)}

DEFAULT_CHECKLIST = [
    "营业执照与章程 Business licence and articles",
    "近三年财务报表 Financial statements (3 years)",
    "知识产权与成果权属 IP and result ownership",
    "核心团队背景调查 Team background checks",
    "法律尽调报告 Legal due diligence report",
]
EDITABLE = ("title", "instrument", "amount", "pre_money", "stake", "stage", "in_shandong", "converts_fiscal_result", "terms")


def _deal_input(values: dict) -> dict:
    out = {}
    if "amount" in values:
        out["amount"] = parse_amount(values["amount"], "amount")
    if values.get("pre_money") not in (None, ""):
        out["pre_money"] = parse_amount(values["pre_money"], "pre_money")
    elif "pre_money" in values:
        out["pre_money"] = None
    if "instrument" in values:
        if values["instrument"] not in Instrument.values:
            raise _err(f"未知的投资方式 {values['instrument']!r}", f"unknown instrument {values['instrument']!r}",
                       "invalid_instrument", "instrument")
        out["instrument"] = values["instrument"]
    if "stage" in values:
        if values["stage"] not in Stage.values:
            raise _err(f"未知的阶段 {values['stage']!r}", f"unknown stage {values['stage']!r}", "invalid_stage", "stage")
        out["stage"] = values["stage"]
    if "stake" in values:
        stake = D(str(values["stake"] or 0))
        if not D(0) <= stake <= HUNDRED:
            raise _err("持股比例必须在 0 到 100 之间", "stake must be between 0 and 100", "invalid_stake", "stake")
        out["stake"] = stake.quantize(D("0.0001"), ROUND_HALF_UP)
    if "title" in values:
        title = (values["title"] or "").strip()
        if not title:
            raise _err("项目名称不能为空", "the deal title is required", "required", "title")
        out["title"] = title
    for k in ("in_shandong", "converts_fiscal_result"):
        if k in values:
            out[k] = bool(values[k])
    if "terms" in values:
        out["terms"] = values["terms"] or ""
    return out


@transaction.atomic
def deal_create(*, sub_fund: SubFund, enterprise: Organisation, title: str, instrument: str, amount, by,
                pre_money=None, stake="0", stage: str = Stage.EARLY, in_shandong: bool = True,
                converts_fiscal_result: bool = False, terms: str = "", checklist=None) -> Deal:
    if enterprise.kind not in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        raise _err("投资对象必须是企业", "the investee must be an enterprise", "invalid_enterprise", "enterprise")
    if sub_fund.status == FundStatus.CLOSED:
        raise _err("子基金已关闭", "the sub-fund is closed", "fund_closed", "sub_fund", status=409)
    data = _deal_input({"title": title, "instrument": instrument, "amount": amount, "pre_money": pre_money,
                        "stake": stake, "stage": stage, "in_shandong": in_shandong,
                        "converts_fiscal_result": converts_fiscal_result, "terms": terms})
    deal = Deal.objects.create(sub_fund=sub_fund, enterprise=enterprise, maker=by, **data)
    ChecklistItem.objects.bulk_create([ChecklistItem(deal=deal, label=x) for x in (checklist or DEFAULT_CHECKLIST)])
    approvals.state_change_record(deal, from_state="", to_state=deal.status, by=by, reason="sourced")
    return deal


def _locked_deal(deal: Deal) -> Deal:
    return Deal.objects.select_for_update().select_related("sub_fund", "enterprise").get(pk=deal.pk)


@transaction.atomic
def deal_edit(*, deal: Deal, by, reason: str = "edited", **values) -> Deal:
    """Change the terms. Any change to what the committee saw voids its votes and approvals; an approved or
    contracted deal goes back to the committee."""
    deal = _locked_deal(deal)
    if deal.status in (DealStatus.FUNDED, DealStatus.EXITED, DealStatus.REJECTED):
        raise InvalidTransition(f"「{deal.get_status_display()}」状态的项目不能修改", f"a {deal.status} deal cannot be edited",
                                code="deal_locked")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise _err(f"不能修改字段 {sorted(unknown)}", f"fields {sorted(unknown)} cannot be edited", "invalid_field",
                   sorted(unknown)[0])
    before = approvals.content_hash(deal)
    for k, v in _deal_input(values).items():
        setattr(deal, k, v)
    deal.save()
    if approvals.content_hash(deal) != before:
        approvals.approvals_void_for(deal, by=by, reason=reason)
        if deal.status in (DealStatus.APPROVED, DealStatus.CONTRACTED):
            approvals.state_change(deal, to=DealStatus.COMMITTEE, allowed=DEAL_MOVES, by=by,
                                   reason=f"edited after approval: {reason}")
            _meeting_for(deal, by=by, held_on=dt.date.today())
        elif deal.status == DealStatus.COMMITTEE:
            if deal.meeting and deal.meeting.status == MeetingStatus.OPEN:
                _approval_request(deal, by=by)  # the open meeting's earlier votes no longer count (content hash)
            else:
                _meeting_for(deal, by=by, held_on=dt.date.today())
    return deal


@transaction.atomic
def deal_move(*, deal: Deal, to: str, by, reason: str = "") -> Deal:
    """A manual step along the pipeline (screening, due diligence, rejection, contract)."""
    deal = _locked_deal(deal)
    if (deal.status, to) not in MANUAL_MOVES:
        if to in DEAL_MOVES.get(deal.status, set()):
            raise InvalidTransition(f"「{to}」需通过专门的流程完成（投委会、复核或出资）",
                                    f"'{to}' is reached through its own step (committee, sign-off or funding)",
                                    field="status")
        raise InvalidTransition(f"不允许从「{deal.status}」变更为「{to}」", f"cannot move from '{deal.status}' to '{to}'",
                                field="status")
    if to == DealStatus.REJECTED and not reason.strip():
        raise _err("否决需说明理由", "a rejection needs a reason", "required", "reason")
    return approvals.state_change(deal, to=to, allowed=DEAL_MOVES, by=by, reason=reason)


def _approval_request(deal: Deal, *, by):
    return approvals.approval_submit(item=deal, kind="deal", amount=deal.amount, maker=deal.maker,
                                     default_role="fund_manager")


def _meeting_for(deal: Deal, *, by, held_on):
    meeting = approvals.meeting_open(committee=deal.committee, item=deal, held_on=held_on, by=by)
    deal.meeting = meeting
    deal.save(update_fields=["meeting"])
    _approval_request(deal, by=by)
    return meeting


@transaction.atomic
def deal_submit(*, deal: Deal, committee, by, held_on: dt.date | None = None, reason: str = "") -> Deal:
    """Due diligence done → the committee: every checklist item ticked, a meeting opened, an approval request made."""
    deal = _locked_deal(deal)
    if committee.organisation_id != deal.sub_fund.manager_id:
        raise _err("投委会必须属于该子基金的管理人", "the committee must belong to the sub-fund's manager", "invalid_committee",
                   "committee")
    open_items = [c.label for c in deal.checklist.all() if not c.done]
    if deal.status == DealStatus.DUE_DILIGENCE and open_items:
        raise _err(f"尽调清单未完成：{'; '.join(open_items)}", f"due-diligence checklist incomplete: {'; '.join(open_items)}",
                   "checklist_incomplete", "checklist")
    approvals.state_change(deal, to=DealStatus.COMMITTEE, allowed={DealStatus.DUE_DILIGENCE: {DealStatus.COMMITTEE}},
                           by=by, reason=reason or "submitted to the investment committee")
    deal.committee = committee
    deal.save(update_fields=["committee"])
    _meeting_for(deal, by=by, held_on=held_on or dt.date.today())
    return deal


@transaction.atomic
def deal_meeting_reopen(*, deal: Deal, by, held_on: dt.date | None = None) -> Deal:
    """After a meeting without quorum (or an edit) the deal goes to a new meeting."""
    deal = _locked_deal(deal)
    if deal.status != DealStatus.COMMITTEE or (deal.meeting and deal.meeting.status == MeetingStatus.OPEN):
        raise InvalidTransition("该项目已有进行中的会议或不在投委会阶段", "the deal already has an open meeting or is not at committee",
                                code="meeting_open")
    approvals.approvals_void_for(deal, by=by, reason="new meeting")
    _meeting_for(deal, by=by, held_on=held_on or dt.date.today())
    return deal


@transaction.atomic
def deal_committee_decide(*, deal: Deal, by, memo: str) -> Deal:
    """Close the vote. No quorum: the deal stays at committee. Rejected: the deal is rejected. Approved: it waits
    for the sign-off levels (maker-checker, levels by amount)."""
    deal = _locked_deal(deal)
    if deal.status != DealStatus.COMMITTEE or deal.meeting is None:
        raise InvalidTransition("项目不在投委会阶段", "the deal is not at committee", code="not_at_committee")
    if not memo.strip():
        raise _err("请填写决议纪要", "write the decision memo", "required", "memo")
    meeting = approvals.meeting_decide(meeting=deal.meeting, by=by, memo=memo)
    if meeting.status == MeetingStatus.REJECTED:
        approvals.approvals_void_for(deal, by=by, reason="committee rejected")
        approvals.state_change(deal, to=DealStatus.REJECTED, allowed=DEAL_MOVES, by=by, reason=memo)
    deal.meeting = meeting
    return deal


def _talent_cap_check(deal: Deal, on: dt.date, use: PolicyUse):
    """Fiscal equity into one enterprise (talent equity, 先投后股, 拨投贷) stays within the talent cap wherever talent
    equity is involved. The enterprise row is locked so two approvals cannot both pass the cap."""
    Organisation.objects.select_for_update().get(pk=deal.enterprise_id)
    if deal.instrument not in FISCAL_EQUITY:
        return
    live = Deal.objects.filter(enterprise_id=deal.enterprise_id, instrument__in=FISCAL_EQUITY,
                               status__in=LIVE_DEAL_STATUSES).exclude(pk=deal.pk)
    if deal.instrument != Instrument.TALENT_EQUITY and not live.filter(instrument=Instrument.TALENT_EQUITY).exists():
        return
    cap = use("talent.equity_cap")
    already = live.aggregate(s=Sum("amount"))["s"] or D(0)
    if already + deal.amount > cap:
        raise _err(f"企业「{deal.enterprise.name}」财政股权投资合计 {already + deal.amount} 超过人才股权支持上限 {cap}（已有 {already}）",
                   f"fiscal equity in '{deal.enterprise.name}' would total {already + deal.amount}, above the talent cap {cap} "
                   f"(already {already})", "talent_cap_exceeded", "amount", status=409)


@transaction.atomic
def deal_signoff(*, deal: Deal, by, approve: bool, comment: str = "") -> Deal:
    """A checker signs off the committee's approval at the level the amount needs; the maker never can."""
    deal = _locked_deal(deal)
    if deal.status != DealStatus.COMMITTEE or not deal.meeting or deal.meeting.status != MeetingStatus.APPROVED:
        raise InvalidTransition("投委会尚未通过该项目", "the committee has not approved this deal", code="not_approved_by_committee")
    request = approvals.approval_current(deal)
    if request is None or request.status != ApprovalStatus.PENDING:
        raise InvalidTransition("没有待复核的审批", "there is no pending sign-off", code="no_pending_approval")
    request = approvals.approval_decide(request=request, approver=by, approve=approve, comment=comment,
                                        default_role="fund_manager")
    if request.status == ApprovalStatus.REJECTED:
        approvals.state_change(deal, to=DealStatus.REJECTED, allowed=DEAL_MOVES, by=by, reason=comment or "sign-off refused")
    elif request.status == ApprovalStatus.APPROVED:
        use = PolicyUse(on=dt.date.today())
        _talent_cap_check(deal, dt.date.today(), use)
        deal.policy = {**deal.policy, "approval": use.snapshot}
        approvals.state_change(deal, to=DealStatus.APPROVED, allowed=DEAL_MOVES, by=by, reason=comment or "approved")
    return deal


@transaction.atomic
def checklist_tick(*, item: ChecklistItem, by, done: bool = True, note: str = "") -> ChecklistItem:
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    item.done, item.done_by, item.note = done, by if done else None, note or item.note
    item.save()
    return item


@transaction.atomic
def condition_add(*, deal: Deal, description: str, by=None) -> Condition:
    if not description.strip():
        raise _err("请描述先决条件", "describe the condition", "required", "description")
    if deal.status in (DealStatus.FUNDED, DealStatus.EXITED, DealStatus.REJECTED):
        raise InvalidTransition("该项目不能再添加先决条件", "conditions can no longer be added to this deal", code="deal_locked")
    return Condition.objects.create(deal=deal, description=description.strip())


@transaction.atomic
def condition_satisfy(*, condition: Condition, on: dt.date, by) -> Condition:
    condition = Condition.objects.select_for_update().get(pk=condition.pk)
    condition.satisfied_on, condition.satisfied_by = _date(on, "on"), by
    condition.save()
    return condition


@transaction.atomic
def document_add(*, deal: Deal, title: str, file, by) -> DealDocument:
    if file is None or not getattr(file, "size", 0):
        raise _err("请选择文件", "choose a file", "required", "file")
    return DealDocument.objects.create(deal=deal, title=(title or file.name).strip()[:200], file=file, uploaded_by=by)


@transaction.atomic
def deal_fund(*, deal: Deal, funded_on: dt.date, by) -> Deal:
    """Pay a contracted deal: conditions precedent met, approval still valid, talent cap held; posts the
    investment to the ledger and creates the holding."""
    deal = _locked_deal(deal)
    funded_on = _date(funded_on, "funded_on")
    if deal.status != DealStatus.CONTRACTED:
        raise InvalidTransition("只有已签约的项目可以出资", "only a contracted deal can be funded", field="status")
    open_cps = [c.description for c in deal.conditions.all() if c.satisfied_on is None]
    if open_cps:
        raise _err(f"先决条件未满足：{'; '.join(open_cps)}", f"conditions precedent not met: {'; '.join(open_cps)}",
                   "conditions_open", "conditions")
    if not approvals.approval_is_valid(deal):
        raise _err("审批已失效（项目在审批后被修改），请重新上会", "the approval is no longer valid (the deal changed after it); take it back to committee",
                   "approval_void", "status", status=409)
    use = PolicyUse(on=funded_on)
    _talent_cap_check(deal, funded_on, use)
    holding = holding_create(sub_fund=deal.sub_fund, company=deal.enterprise, company_name=deal.enterprise.name,
                             invested_on=funded_on, amount=deal.amount, stake=deal.stake, stage=deal.stage,
                             in_shandong=deal.in_shandong, converts_fiscal_result=deal.converts_fiscal_result,
                             deal=deal, by=by)
    deal.funded_on, deal.entry = funded_on, holding.entry
    deal.policy = {**deal.policy, "funding": use.snapshot}
    approvals.state_change(deal, to=DealStatus.FUNDED, allowed=DEAL_MOVES, by=by, reason=f"funded on {funded_on}")
    return deal


@transaction.atomic
def deal_exit(*, deal: Deal, exited_on: dt.date, proceeds, by) -> Deal:
    deal = _locked_deal(deal)
    if deal.status != DealStatus.FUNDED:
        raise InvalidTransition("只有已出资的项目可以退出", "only a funded deal can exit", field="status")
    holding_exit(holding=deal.holding, exited_on=exited_on, proceeds=proceeds, by=by)
    return approvals.state_change(deal, to=DealStatus.EXITED, allowed=DEAL_MOVES, by=by, reason=f"exited on {exited_on}")


# ---------------------------------------------------------------- index series for KS-PME


def parse_index_csv(content) -> list[tuple[dt.date, Decimal]]:
    """Rows of ``date,level`` (ISO dates, a header row allowed). Refuses text, blanks, non-positive levels,
    duplicate dates and gaps: a step longer than the series' own rhythm allows (daily: 10 days, for the Spring
    Festival holiday; monthly: 35; quarterly: 95; yearly: 370). Every error names the row."""
    import csv
    import io
    from decimal import InvalidOperation

    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _err("文件不是 UTF-8 文本", "the file is not UTF-8 text", "invalid_file", "file") from None
    rows = list(csv.reader(io.StringIO(content)))
    out: list[tuple[dt.date, Decimal]] = []
    seen: dict[dt.date, int] = {}
    for n, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if n == 1 and cells and cells[0].lower() in ("date", "日期"):
            continue
        if not any(cells):
            raise _err(f"第 {n} 行为空（序列有缺口）", f"row {n} is empty (a gap in the series)", "index_gap", f"row {n}")
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise _err(f"第 {n} 行缺少日期或点位（序列有缺口）", f"row {n}: missing date or level (a gap in the series)",
                       "index_gap", f"row {n}")
        try:
            day = dt.date.fromisoformat(cells[0])
        except ValueError:
            raise _err(f"第 {n} 行日期无效：{cells[0]!r}（应为 YYYY-MM-DD）", f"row {n}: invalid date {cells[0]!r} (expected YYYY-MM-DD)",
                       "index_invalid_date", f"row {n}") from None
        try:
            level = Decimal(cells[1].replace(",", ""))
        except InvalidOperation:
            raise _err(f"第 {n} 行点位不是数字：{cells[1]!r}", f"row {n}: level is not a number: {cells[1]!r}",
                       "index_invalid_level", f"row {n}") from None
        if not level.is_finite() or level <= 0:
            raise _err(f"第 {n} 行点位必须为正数", f"row {n}: the level must be positive", "index_invalid_level", f"row {n}")
        if day in seen:
            raise _err(f"第 {n} 行日期 {day} 与第 {seen[day]} 行重复", f"row {n}: date {day} repeats row {seen[day]}",
                       "index_duplicate_date", f"row {n}")
        seen[day] = n
        out.append((day, level.quantize(D("0.000001"), ROUND_HALF_UP)))
    if len(out) < 2:
        raise _err("指数序列至少需要两行", "an index series needs at least two rows", "index_too_short", "file")
    out.sort()
    steps = sorted((b[0] - a[0]).days for a, b in zip(out, out[1:], strict=False))
    median = steps[len(steps) // 2]
    allowed = 10 if median <= 7 else 35 if median <= 31 else 95 if median <= 92 else 370
    for a, b in zip(out, out[1:], strict=False):
        if (b[0] - a[0]).days > allowed:
            raise _err(f"指数序列在 {a[0]} 与 {b[0]} 之间有缺口（第 {seen[a[0]]}–{seen[b[0]]} 行）",
                       f"the series has a gap between {a[0]} and {b[0]} (rows {seen[a[0]]}–{seen[b[0]]})",
                       "index_gap", f"row {seen[b[0]]}")
    return out


@transaction.atomic
def index_upload(*, owner: Organisation, name: str, content, by=None):
    """Store (or replace) an index series for KS-PME; a bad file changes nothing."""
    from .models import IndexLevel, IndexSeries

    name = (name or "").strip()
    if not name:
        raise _err("请填写指数名称", "name the index", "required", "name")
    rows = parse_index_csv(content)
    series, _ = IndexSeries.objects.select_for_update().get_or_create(owner=owner, name=name,
                                                                      defaults={"uploaded_by": by})
    series.levels.all().delete()
    IndexLevel.objects.bulk_create([IndexLevel(series=series, on=d, level=lv) for d, lv in rows])
    series.uploaded_by = by
    series.save()
    return series

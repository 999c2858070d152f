"""Every write of the direct fiscal instruments: programmes, 先投后股, talent equity, 拨投贷, exits.

Keyword-only ``<entity>_<action>`` functions, each atomic: validate, lock what the decision reads, post money
as one balanced journal entry with its own idempotency reference, record the policy values used. A
``DomainError`` means nothing was written.

Locking: every write to an enterprise's instruments first locks the enterprise row (``parties.Organisation``
through ``finance.core.locks.lock``) and re-reads the instrument under it. That one lock serialises the talent
cap, the cap table and each instrument's state for the enterprise (the direct models are not in
``finance.core.locks.ORDER`` yet: see the report). Ledger accounts are locked last, by ``entry_post``.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import F

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.calc import CalcError, convert_at_round, early_exit_price, xirr
from finance.calc import Instrument as CalcInstrument
from finance.calc.schedules import add_months
from finance.core.errors import Conflict, DomainError, InvalidTransition, PermissionDenied
from finance.core.inputs import (
    check_currency,
    parse_amount,
    parse_date,
    parse_int,
    parse_rate,
    parse_text,
    today,
)
from finance.core.locks import lock
from finance.core.money import money_of
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.selectors import PolicyUse

from . import accounts, captable
from .caps import cap_check, cap_state
from .models import (
    Closure,
    ClosureWay,
    Conversion,
    DecisionStatus,
    DirectKind,
    EquityLegKind,
    EquityPosition,
    ExitKind,
    FinancingRound,
    GILStatus,
    GrantInvestLoan,
    HolderKind,
    InvestFirstAgreement,
    InvestFirstStatus,
    MovementReason,
    PositionStatus,
    Programme,
    ProgrammeStatus,
    TalentEquity,
    TalentStatus,
    Tranche,
)

D = Decimal
ROLE = Role.FUND_MANAGER
IFS = InvestFirstStatus


def _err(zh, en, code, field=None, status=None, **extra):
    return DomainError(zh, en, code=code, field=field, status=status, extra=extra or None)


def _calc(exc: CalcError) -> DomainError:
    return DomainError(exc.message_zh, exc.message_en, code=exc.code, field=exc.field)


def _manager_of(programme: Programme, by) -> None:
    """Managers' steps: a fund-manager user of the programme's manager organisation."""
    if by is None or by.organisation_id != programme.manager_id or not by.has_role(ROLE):
        raise PermissionDenied("只有该专项的管理机构的基金经理可以执行此操作",
                               "only a fund manager of the programme's manager organisation can do this",
                               code="not_programme_manager")


def _applicant_for(enterprise: Organisation, programme: Programme, by) -> None:
    """An application comes from the enterprise itself (the portal) or from the programme's manager."""
    if by is None:
        raise PermissionDenied("需要登录", "authentication required")
    if by.organisation_id == enterprise.pk and by.has_role(Role.APPLICANT):
        return
    _manager_of(programme, by)


def _enterprise_ok(enterprise: Organisation) -> None:
    if enterprise is None or enterprise.kind not in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        raise _err("enterprise：投资对象必须是企业", "enterprise: the investee must be an enterprise", "invalid_enterprise",
                   "enterprise")


def _programme_ok(programme: Programme, kind: str) -> None:
    if programme.status != ProgrammeStatus.ACTIVE:
        raise _err(f"专项「{programme.name}」已关闭", f"programme '{programme.name}' is closed", "programme_closed",
                   "programme", status=409)
    if kind not in (programme.kinds or []):
        raise _err(f"programme：专项「{programme.name}」不支持{DirectKind(kind).label}",
                   f"programme: '{programme.name}' does not allow {kind}", "kind_not_allowed", "programme")


def _m(programme: Programme, amount) -> object:
    return money_of(programme, amount)


# ---------------------------------------------------------------- programmes


@transaction.atomic
def programme_create(*, name: str, owner_department: Organisation, manager: Organisation, budget, kinds: list[str],
                     currency: str = "CNY", by=None) -> Programme:
    """A department's programme of direct instruments, run by a manager; its ledger accounts are opened."""
    name = parse_text(name, "name", max_length=200)
    if owner_department.kind != OrgKind.DEPARTMENT:
        raise _err("owner_department：出资方必须是政府部门", "owner_department: the owner must be a department",
                   "invalid_department", "owner_department")
    if manager.kind != OrgKind.FUND_MANAGER:
        raise _err("manager：管理机构必须是基金管理人或国有平台", "manager: the manager must be a fund-manager organisation",
                   "invalid_manager", "manager")
    budget = parse_amount(budget, "budget")
    kinds = list(dict.fromkeys(kinds or []))
    bad = [k for k in kinds if k not in DirectKind.values]
    if not kinds or bad:
        raise _err(f"kinds：请选择支持的投资方式（无效：{bad}）", f"kinds: choose the instruments allowed (invalid: {bad})",
                   "invalid_kinds", "kinds")
    if Programme.objects.filter(name=name).exists():
        raise _err(f"name：专项「{name}」已存在", f"name: programme '{name}' already exists", "duplicate", "name", status=409)
    p = Programme.objects.create(name=name, owner_department=owner_department, manager=manager, budget=budget,
                                 currency=check_currency(currency), kinds=kinds, created_by=by)
    accounts.all_accounts(p)
    approvals.state_change_record(p, from_state="", to_state=p.status, by=by, reason="programme created")
    return p


@transaction.atomic
def programme_fund(*, programme: Programme, amount, on: dt.date, reference: str, by=None):
    """The owner department pays money into the programme (never beyond its budget): cash ← fiscal capital."""
    amount = parse_amount(amount, "amount")
    on = parse_date(on, "on", not_future=True)
    reference = parse_text(reference, "reference", max_length=60)
    ref = f"direct:p{programme.pk}:funding:{reference}"
    from finance.ledger.models import JournalEntry

    if JournalEntry.objects.filter(idempotency_ref=ref).exists():
        raise Conflict(f"reference：拨款凭证 {reference} 已入账", f"reference: funding {reference} is already posted",
                       code="already_posted", field="reference")
    updated = Programme.objects.filter(pk=programme.pk, funded__lte=F("budget") - amount).update(funded=F("funded") + amount)
    if not updated:
        programme.refresh_from_db()
        raise _err(f"amount：拨入后将超过专项预算 {programme.budget:,}（已拨入 {programme.funded:,}）",
                   f"amount: funding would exceed the programme budget {programme.budget:,} (funded {programme.funded:,})",
                   "budget_exceeded", "amount", status=409)
    entry = entry_post(lines=[debit(accounts.cash(programme), _m(programme, amount)),
                              credit(accounts.fiscal_capital(programme), _m(programme, amount))],
                       value_date=on, memo=f"财政拨入 fiscal funding: {programme.name} {reference}", source=programme,
                       idempotency_ref=ref, by=by)
    programme.refresh_from_db()
    return entry


# ---------------------------------------------------------------- maker-checker helpers


def _submit(item, *, kind: str, amount, by):
    item.maker = by
    approvals.approval_submit(item=item, kind=kind, amount=amount, maker=by, default_role=ROLE)


def _decide(item, *, by, approve: bool, comment: str):
    request = approvals.approval_current(item)
    if request is None or request.status != ApprovalStatus.PENDING:
        raise InvalidTransition("没有待审批的事项", "there is nothing awaiting approval", code="no_pending_approval")
    return approvals.approval_decide(request=request, approver=by, approve=approve, comment=comment,
                                     default_role=ROLE)


def _locked(model, obj, enterprise_id: int):
    """Lock the enterprise (the serialising row) and read the instrument fresh under it."""
    lock(Organisation, enterprise_id)
    return model.objects.select_related("programme", "enterprise").get(pk=obj.pk)


# ---------------------------------------------------------------- 先投后股: application to contract


def _tranches_input(tranches, amount: Decimal) -> list[tuple[Decimal, dt.date]]:
    if not tranches:
        raise _err("tranches：至少需要一期拨付", "tranches: at least one disbursement tranche is needed", "required",
                   "tranches")
    out = []
    for i, t in enumerate(tranches):
        out.append((parse_amount(t.get("amount"), f"tranches.{i}.amount"), parse_date(t.get("due_on"), f"tranches.{i}.due_on")))
    total = sum((a for a, _ in out), D("0.00"))
    if total != amount:
        raise _err(f"tranches：各期合计 {total:,} 不等于协议金额 {amount:,}", f"tranches: tranches total {total:,}, "
                   f"not the agreement amount {amount:,}", "tranches_mismatch", "tranches")
    return out


def _discount_input(discount) -> Decimal | None:
    if discount in (None, ""):
        return None
    return parse_rate(discount, "discount", percent=True, max_value=D("0.99"))


@transaction.atomic
def invest_first_apply(*, programme: Programme, enterprise: Organisation, title: str, amount, tranches: list[dict],
                       by, discount=None, valuation_cap=None, applied_on: dt.date | None = None) -> InvestFirstAgreement:
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
    a = InvestFirstAgreement.objects.create(programme=programme, enterprise=enterprise, title=title, amount=amount,
                                            discount=discount, valuation_cap=cap, applicant=by, applied_on=applied_on,
                                            policy={"application": state.policy})
    Tranche.objects.bulk_create([Tranche(agreement=a, number=i + 1, amount=amt, due_on=due)
                                 for i, (amt, due) in enumerate(rows)])
    approvals.state_change_record(a, from_state="", to_state=a.status, by=by, reason="applied")
    a.cap = state
    return a


@transaction.atomic
def invest_first_submit(*, agreement: InvestFirstAgreement, by, reason: str = "") -> InvestFirstAgreement:
    """The manager takes an application to approval (maker): the cap is checked again first."""
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    _manager_of(a.programme, by)
    if a.status != IFS.APPLIED:
        raise InvalidTransition("只有申请中的协议可以提交审批", "only an application can be submitted", field="status")
    cap_check(enterprise_id=a.enterprise_id, amount=a.amount, on=today(), exclude=a, locked=False)
    _submit(a, kind="invest_first", amount=a.amount, by=by)
    return approvals.state_change(a, to=IFS.SUBMITTED, by=by, reason=reason or "submitted for approval", also=("maker",))


@transaction.atomic
def invest_first_decide(*, agreement: InvestFirstAgreement, by, approve: bool, comment: str = "") -> InvestFirstAgreement:
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
        return approvals.state_change(a, to=IFS.APPROVED, by=by, reason=comment or "approved", also=("policy",))
    return a


@transaction.atomic
def invest_first_sign(*, agreement: InvestFirstAgreement, signed_on: dt.date, by) -> InvestFirstAgreement:
    """The contract: the deadline (``investfirst.conversion_deadline_months``), the qualifying round size
    (``investfirst.min_round_size``) and the share cap (``investfirst.max_share``) are fixed from the policy."""
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    _manager_of(a.programme, by)
    if a.status != IFS.APPROVED:
        raise InvalidTransition("只有已批准的协议可以签约", "only an approved agreement can be signed", field="status")
    if not approvals.approval_is_valid(a):
        raise _err("审批已失效，请重新提交", "the approval is no longer valid; submit again", "approval_void", "status", status=409)
    signed_on = parse_date(signed_on, "signed_on", not_future=True, not_before=a.applied_on, not_before_label="申请日 application date")
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
    """Pay a tranche as project funding (not equity): project funding ← programme cash. The cap is checked again
    at funding; the payer is neither the maker nor an approver."""
    a = _locked(InvestFirstAgreement, tranche.agreement, tranche.agreement.enterprise_id)
    t = Tranche.objects.get(pk=tranche.pk)
    _manager_of(a.programme, by)
    if t.paid_on is not None:
        raise Conflict(f"第 {t.number} 期已拨付", f"tranche {t.number} is already paid", code="already_paid")
    if a.status not in (IFS.CONTRACTED, IFS.DISBURSED):
        raise InvalidTransition("只有已签约、未转股的协议可以拨付", "only a contracted, unconverted agreement can be paid",
                                field="status")
    paid_on = parse_date(paid_on, "paid_on", not_future=True, not_before=a.signed_on, not_before_label="签约日 signing date")
    if paid_on > a.deadline:
        raise _err(f"paid_on：拨付日晚于转股期限 {a.deadline}", f"paid_on: after the conversion deadline {a.deadline}",
                   "after_deadline", "paid_on")
    approvals.approval_check_payer(a, by)
    cap_check(enterprise_id=a.enterprise_id, amount=a.amount, on=paid_on, exclude=a, locked=False)
    p = a.programme
    t.entry = entry_post(lines=[debit(accounts.project_funding(p), _m(p, t.amount)), credit(accounts.cash(p), _m(p, t.amount))],
                         value_date=paid_on, memo=f"先投后股拨付 invest-first tranche {t.number}: {a.title}", source=a,
                         idempotency_ref=f"direct:if:{a.pk}:tranche:{t.number}", by=by)
    t.paid_on = paid_on
    t.save(update_fields=["paid_on", "entry"])
    a.disbursed += t.amount
    if a.status == IFS.CONTRACTED:
        approvals.state_change(a, to=IFS.DISBURSED, by=by, reason=f"tranche {t.number} paid", also=("disbursed",))
    else:
        a.save(update_fields=["disbursed"])
    return t


# ---------------------------------------------------------------- rounds and conversion

SHARE_TOLERANCE = 1  # one share


def _other_converting_input(rows) -> list[CalcInstrument]:
    out = []
    for i, r in enumerate(rows or []):
        amount = parse_amount(r.get("amount"), f"other_converting.{i}.amount")
        disc = None if r.get("discount") in (None, "") else parse_rate(r["discount"], f"other_converting.{i}.discount",
                                                                        percent=True, max_value=D("0.99"))
        cap = None if r.get("valuation_cap") in (None, "") else parse_amount(r["valuation_cap"],
                                                                             f"other_converting.{i}.valuation_cap")
        out.append(CalcInstrument(amount, disc, cap))
    return out


def _instrument(a: InvestFirstAgreement) -> CalcInstrument:
    return CalcInstrument(a.disbursed, a.discount, a.valuation_cap)


def _terms(i: CalcInstrument) -> dict:
    return {"amount": str(i.amount), "discount": "" if i.discount is None else str(i.discount),
            "valuation_cap": "" if i.valuation_cap is None else str(i.valuation_cap)}


def _from_terms(t: dict) -> CalcInstrument:
    return CalcInstrument(D(t["amount"]), D(t["discount"]) if t["discount"] else None,
                          D(t["valuation_cap"]) if t["valuation_cap"] else None)


def round_check(*, pre_money: Decimal, price_per_share: Decimal, fd_shares_before: int,
                instruments: list[CalcInstrument]) -> Fraction:
    """The round's figures must agree (post-money SAFE): pre-money ÷ price is the fully diluted capitalization
    including the capped/discounted conversions, ``fd_shares_before ÷ (1 − Σ aᵢ/mᵢ)``. Beyond one share of
    difference the figures are refused, naming them. Returns the exact derived price."""
    pre = Fraction(pre_money)
    f = Fraction(0)
    for it in instruments:
        if it.discount is None and it.valuation_cap is None:
            continue
        m = min(Fraction(it.valuation_cap) if it.valuation_cap is not None else pre,
                pre * (1 - Fraction(it.discount or 0)))
        f += Fraction(it.amount) / m
    if f >= 1:
        raise _err("pre_money：按估值上限/折扣计算的转股将超过公司全部股份", "pre_money: the capped or discounted "
                   "conversions would own the whole company", "conversion_exceeds_company", "pre_money")
    capitalization = Fraction(fd_shares_before) / (1 - f)
    reported = pre / Fraction(price_per_share)
    if abs(reported - capitalization) > SHARE_TOLERANCE:
        implied = Decimal(float(pre / capitalization)).quantize(D("0.000001"))
        raise _err(
            f"融资轮数据不一致：投前估值 pre_money {pre_money:,} ÷ 每股价格 price_per_share {price_per_share} = "
            f"{int(reported):,} 股，而融资前完全稀释股数 fd_shares_before {fd_shares_before:,}（含转股）对应 "
            f"{int(capitalization):,} 股，相差超过 1 股；按这些股数每股价格应为 {implied}",
            f"inconsistent round: pre_money {pre_money:,} / price_per_share {price_per_share} = {int(reported):,} shares, "
            f"but fd_shares_before {fd_shares_before:,} (with conversions) gives {int(capitalization):,}, more than one "
            f"share apart; with that share count the price would be {implied}",
            "inconsistent_round", "price_per_share",
            fields=["pre_money", "price_per_share", "fd_shares_before"], implied_price=str(implied))
    return pre / capitalization


@transaction.atomic
def round_report(*, enterprise: Organisation, round_date: dt.date, price_per_share, pre_money, new_money,
                 fd_shares_before, by, other_converting: list[dict] | None = None) -> FinancingRound:
    """A priced round reported by the enterprise (portal) or a manager of a programme with money converting
    there. Figures are checked against each other and against the cap table; the round's new shares (and the
    other converting instruments' shares) join the cap table; conversions are then proposed per agreement."""
    lock(Organisation, enterprise.pk)
    converting = list(InvestFirstAgreement.objects.filter(enterprise=enterprise, status=IFS.DISBURSED)
                      .select_related("programme").order_by("pk"))
    if by is None or not (by.organisation_id == enterprise.pk
                          or any(by.organisation_id == a.programme.manager_id for a in converting)):
        raise PermissionDenied("只有该企业或其先投后股管理机构可以报告融资轮",
                               "only the enterprise or the manager of its invest-first money can report a round")
    price = parse_rate(price_per_share, "price_per_share", allow_zero=False, max_value=D("1000000"))
    pre = parse_amount(pre_money, "pre_money")
    new = parse_amount(new_money, "new_money", allow_zero=True)
    shares = parse_int(fd_shares_before, "fd_shares_before", min_value=1)
    earliest = min((a.signed_on for a in converting), default=None)
    round_date = parse_date(round_date, "round_date", not_future=True, not_before=earliest, not_before_label="协议签约日 agreement signing date")
    others = _other_converting_input(other_converting)
    on_table = captable.total_shares(enterprise.pk)
    if on_table and on_table != shares:
        raise _err(f"fd_shares_before：融资前完全稀释股数 {shares:,} 与股权登记表的 {on_table:,} 股不一致",
                   f"fd_shares_before: {shares:,} differs from the cap table's {on_table:,} shares",
                   "inconsistent_round", "fd_shares_before")
    derived = round_check(pre_money=pre, price_per_share=price, fd_shares_before=shares,
                          instruments=[_instrument(a) for a in converting] + others)
    r = FinancingRound.objects.create(enterprise=enterprise, round_date=round_date, price_per_share=price,
                                      pre_money=pre, new_money=new, fd_shares_before=shares,
                                      other_converting=[_terms(i) for i in others],
                                      converting=[{"agreement": a.pk, **_terms(_instrument(a))} for a in converting],
                                      derived_price=(Decimal(derived.numerator) / Decimal(derived.denominator)).quantize(
                                          D("0.000001"), ROUND_HALF_UP),
                                      reported_by=by)
    if not on_table:
        holder = captable.holder_get(enterprise, name="现有股东（未登记明细）", kind=HolderKind.OTHER)
        captable.shares_record(enterprise=enterprise, holder=holder, shares=shares, on=round_date,
                               reason=MovementReason.ISSUE, note="registered from a round report")
    new_shares = int(Fraction(new) / derived) if new else 0
    if new_shares:
        holder = captable.holder_get(enterprise, name=f"{round_date} 轮新投资人", kind=HolderKind.ROUND_INVESTOR)
        captable.shares_record(enterprise=enterprise, holder=holder, shares=new_shares, on=round_date,
                               reason=MovementReason.ROUND, round=r, price=r.derived_price)
    if others:
        result = _convert(r, [_instrument(a) for a in converting] + others)
        n = sum(c.shares for c in result.conversions[len(converting):])
        if n:
            holder = captable.holder_get(enterprise, name=f"{round_date} 轮其他可转换工具持有人", kind=HolderKind.OTHER)
            captable.shares_record(enterprise=enterprise, holder=holder, shares=n, on=round_date,
                                   reason=MovementReason.CONVERSION, round=r)
    return r


def _convert(r: FinancingRound, instruments: list[CalcInstrument]):
    try:
        return convert_at_round(instruments, pre_money=r.pre_money, new_money=r.new_money,
                                existing_shares=r.fd_shares_before)
    except CalcError as exc:
        raise _calc(exc) from None


def conversion_preview(*, agreement: InvestFirstAgreement, round: FinancingRound) -> dict:
    """Shares, price and ownership this agreement gets at the round (all converting money solved together) and
    the share-cap figures; refuses a round that does not qualify or would break a share cap."""
    a = agreement
    if round.enterprise_id != a.enterprise_id:
        raise _err("round：融资轮不属于该企业", "round: the round is not this enterprise's", "invalid_round", "round")
    if round.round_date < a.signed_on:
        raise _err(f"round_date：融资日早于协议签约日 {a.signed_on}", f"round_date: before the agreement was signed ({a.signed_on})",
                   "invalid_date", "round_date")
    if round.round_date > a.deadline:
        raise _err(f"round_date：融资日晚于转股期限 {a.deadline}", f"round_date: after the conversion deadline {a.deadline}",
                   "after_deadline", "round_date")
    if round.new_money < a.min_round_size:
        raise _err(f"new_money：本轮新增资金 {round.new_money:,} 低于合格融资轮下限（investfirst.min_round_size）{a.min_round_size:,}",
                   f"new_money: {round.new_money:,} is below the qualifying round size (investfirst.min_round_size) "
                   f"{a.min_round_size:,}", "round_not_qualified", "new_money")
    mine_at = [i for i, t in enumerate(round.converting) if t["agreement"] == a.pk]
    if not mine_at:
        raise _err("round：报告该融资轮时本协议尚未拨付，请重新报告融资轮", "round: this agreement was not funded when the round "
                   "was reported; report the round again", "round_without_agreement", "round")
    if D(round.converting[mine_at[0]]["amount"]) != a.disbursed:
        raise _err("round：融资轮报告后本协议又有拨付，请重新报告融资轮", "round: more was disbursed after the round was "
                   "reported; report the round again", "round_stale", "round")
    instruments = [_from_terms(t) for t in round.converting] + [_from_terms(t) for t in round.other_converting]
    result = _convert(round, instruments)
    mine = result.conversions[mine_at[0]]
    holder = captable.Shareholder.objects.filter(enterprise_id=a.enterprise_id, programme=a.programme).first()
    figures = captable.share_caps_check(
        enterprise_id=a.enterprise_id, holder_id=holder.pk if holder else None, holder_name=a.programme.name,
        extra={(holder.pk if holder else a.programme.name): mine.shares}, max_share_percent=a.max_share)
    return {"price": mine.price, "shares": mine.shares, "ownership": mine.ownership, "round_price": result.round_price,
            "figures": figures}


@transaction.atomic
def conversion_propose(*, agreement: InvestFirstAgreement, round: FinancingRound, by) -> Conversion:
    """The manager proposes the conversion at a reported round (maker); a second person decides it."""
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    _manager_of(a.programme, by)
    if a.status != IFS.DISBURSED:
        raise InvalidTransition("只有已拨付、未转股的协议可以转股", "only a disbursed, unconverted agreement can convert",
                                field="status")
    pv = conversion_preview(agreement=a, round=round)
    c = Conversion.objects.create(agreement=a, round=round, amount=a.disbursed, price=pv["price"], shares=pv["shares"],
                                  ownership=pv["ownership"].quantize(D("0.00000001"), ROUND_HALF_UP),
                                  programme_share=(D(pv["figures"]["programme_percent"]) / 100).quantize(D("0.00000001")),
                                  figures={**pv["figures"], "round_price": str(pv["round_price"])}, maker=by)
    approvals.state_change_record(c, from_state="", to_state=c.status, by=by, reason="conversion proposed")
    approvals.approval_submit(item=c, kind="invest_first_conversion", amount=a.disbursed, maker=by, default_role=ROLE)
    a.round = round
    approvals.state_change(a, to=IFS.CONVERTING, by=by, reason=f"round {round.round_date} reported", also=("round",))
    return c


@transaction.atomic
def conversion_decide(*, conversion: Conversion, by, approve: bool, comment: str = "") -> Conversion:
    """Approved: the share caps are checked again on today's cap table, project funding moves to equity at
    cost, the programme gains the shares and an equity position. Rejected: the agreement waits for another round."""
    a = _locked(InvestFirstAgreement, conversion.agreement, conversion.agreement.enterprise_id)
    c = Conversion.objects.select_related("round").get(pk=conversion.pk)
    if c.status != DecisionStatus.PENDING or a.status != IFS.CONVERTING:
        raise InvalidTransition("该转股不在待决定状态", "the conversion is not awaiting a decision", field="status")
    if approve:
        pv = conversion_preview(agreement=a, round=c.round)
        if pv["shares"] != c.shares:
            raise _err("股权登记表在提议后已变化，请重新提议转股", "the cap table changed since the proposal; propose again",
                       "conversion_stale", "round", status=409)
    request = _decide(c, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        approvals.state_change(c, to=DecisionStatus.REJECTED, by=by, reason=comment or "rejected")
        a.round = None
        approvals.state_change(a, to=IFS.DISBURSED, by=by, reason="conversion rejected", also=("round",))
        return c
    if request.status != ApprovalStatus.APPROVED:
        return c
    p, on = a.programme, c.round.round_date
    c.entry = entry_post(lines=[debit(accounts.equity(p), _m(p, c.amount)), credit(accounts.project_funding(p), _m(p, c.amount))],
                         value_date=on, memo=f"先投后股转股 conversion to equity at cost: {a.title}", source=c,
                         idempotency_ref=f"direct:if:{a.pk}:conversion:{c.pk}", by=by)
    approvals.state_change(c, to=DecisionStatus.APPROVED, by=by, reason=comment or "approved", also=("entry",))
    holder = captable.programme_holder(a.enterprise, p)
    captable.shares_record(enterprise=a.enterprise, holder=holder, shares=c.shares, on=on,
                           reason=MovementReason.CONVERSION, round=c.round, price=c.price, note=f"先投后股 #{a.pk}")
    a.position = EquityPosition.objects.create(programme=p, enterprise=a.enterprise, kind=DirectKind.INVEST_FIRST,
                                               cost=c.amount, shares=c.shares, invested_on=on, entry=c.entry)
    approvals.state_change(a, to=IFS.CONVERTED, by=by, reason=f"converted: {c.shares} shares", also=("position",))
    return c


# ---------------------------------------------------------------- overdue and closure


def invest_first_overdue_sweep(*, on: dt.date | None = None, by=None) -> int:
    """Nightly: agreements whose deadline has passed without a qualifying round move to "conversion overdue"."""
    on = on or today()
    total = 0
    for status in (IFS.CONTRACTED, IFS.DISBURSED):
        with transaction.atomic():
            ids = list(InvestFirstAgreement.objects.filter(status=status, deadline__lt=on).values_list("pk", flat=True))
            if not ids:
                continue
            moved = InvestFirstAgreement.objects.filter(pk__in=ids, status=status).update(status=IFS.OVERDUE)
            approvals.state_change_bulk(InvestFirstAgreement, ids, from_state=status, to_state=IFS.OVERDUE, by=by,
                                        reason=f"conversion deadline passed ({on})")
            total += moved
    return total


@transaction.atomic
def closure_propose(*, agreement: InvestFirstAgreement, way: str, reason: str, by, agreed_amount=None,
                    target_project: str = "") -> Closure:
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    _manager_of(a.programme, by)
    if a.status != IFS.OVERDUE:
        raise InvalidTransition("只有转股逾期的协议可以关闭", "only an overdue agreement can be closed", field="status")
    if way not in ClosureWay.values:
        raise _err(f"way：未知的关闭方式 {way!r}", f"way: unknown closure {way!r}", "invalid_way", "way")
    reason = parse_text(reason, "reason", max_length=2000)
    amount = None
    if way == ClosureWay.REPAID:
        amount = parse_amount(agreed_amount, "agreed_amount", allow_zero=False)
    target = parse_text(target_project, "target_project", max_length=200, required=way == ClosureWay.SWAPPED)
    c = Closure.objects.create(agreement=a, way=way, agreed_amount=amount, target_project=target, reason=reason, maker=by)
    approvals.state_change_record(c, from_state="", to_state=c.status, by=by, reason=reason)
    approvals.approval_submit(item=c, kind="invest_first_closure", amount=a.disbursed, maker=by, default_role=ROLE)
    approvals.state_change(a, to=IFS.CLOSING, by=by, reason=f"closure proposed: {way}")
    return c


CLOSED = {ClosureWay.GRANT: IFS.CLOSED_GRANT, ClosureWay.REPAID: IFS.CLOSED_REPAID, ClosureWay.SWAPPED: IFS.CLOSED_SWAPPED}


@transaction.atomic
def closure_decide(*, closure: Closure, by, approve: bool, comment: str = "", on: dt.date | None = None) -> Closure:
    """Approved: one entry per way. Grant: grant expense ← project funding. Repaid: cash (the agreed amount) ←
    project funding, the difference a gain or loss. Swapped: other projects ← project funding. The closure keeps
    the decision and the approvers."""
    a = _locked(InvestFirstAgreement, closure.agreement, closure.agreement.enterprise_id)
    c = Closure.objects.get(pk=closure.pk)
    if c.status != DecisionStatus.PENDING or a.status != IFS.CLOSING:
        raise InvalidTransition("该关闭不在待决定状态", "the closure is not awaiting a decision", field="status")
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
            lines, memo = [debit(accounts.grant_expense(p), _m(p, amount)), pf], "先投后股转为项目拨款 closed as a grant"
        elif c.way == ClosureWay.SWAPPED:
            lines, memo = [debit(accounts.other_projects(p), _m(p, amount)), pf], f"先投后股转入其他项目 swapped into {c.target_project}"
        else:
            lines, memo = [debit(accounts.cash(p), _m(p, c.agreed_amount)), pf], "先投后股由企业补偿 repaid by the enterprise"
            diff = c.agreed_amount - amount
            if diff > 0:
                lines.append(credit(accounts.gains(p), _m(p, diff)))
            elif diff < 0:
                lines.append(debit(accounts.gains(p), _m(p, -diff)))
        c.entry = entry_post(lines=lines, value_date=on, memo=f"{memo}: {a.title}", source=c, idempotency_ref=ref, by=by)
    c.decided_on = on
    c.approvers = [{"id": d.approver_id, "name": str(d.approver), "level": d.level}
                   for d in request.decisions.select_related("approver").order_by("level")]
    approvals.state_change(c, to=DecisionStatus.APPROVED, by=by, reason=comment or "approved",
                           also=("entry", "decided_on", "approvers"))
    approvals.state_change(a, to=CLOSED[c.way], by=by, reason=f"closure #{c.pk} decided by {request.pk}")
    return c


# ---------------------------------------------------------------- exits


def exit_minimum(position: EquityPosition, exit_on: dt.date, use: PolicyUse) -> Decimal:
    """At least the early-exit price (cost within ``fund.early_exit_free_years``, then cost + reference-rate
    interest); a 拨投贷 equity leg also at least cost + ``grantinvestloan.exit_return`` (simple, ACT/365)."""
    free = int(use("fund.early_exit_free_years"))
    past = exit_on > add_months(position.invested_on, 12 * free, position.invested_on.day)
    rate = use("fund.early_exit_reference_rate") if past else D(0)
    try:
        price = early_exit_price(position.cost, invested_on=position.invested_on, exit_on=exit_on, free_years=free,
                                 annual_rate=rate)
    except CalcError as exc:
        raise _calc(exc) from None
    if position.kind == DirectKind.GRANT_INVEST_LOAN:
        ret = use("grantinvestloan.exit_return")
        days = (exit_on - position.invested_on).days
        price = max(price, (position.cost * (1 + ret / 100 * days / 365)).quantize(D("0.01"), ROUND_HALF_UP))
    return price


@transaction.atomic
def position_exit(*, position: EquityPosition, exited_on: dt.date, proceeds, kind: str, buyer: str, by) -> EquityPosition:
    """Sale or founders' buy-back at ≥ the minimum exit price: cash ← equity at cost, the difference a gain;
    the shares move to the buyer on the cap table; realised multiple and IRR are kept."""
    lock(Organisation, position.enterprise_id)
    pos = EquityPosition.objects.select_related("programme", "enterprise").get(pk=position.pk)
    p = pos.programme
    _manager_of(p, by)
    if pos.status != PositionStatus.HELD:
        raise Conflict("该股权已退出", "this position has already exited", code="already_exited")
    if kind not in ExitKind.values:
        raise _err(f"kind：未知的退出方式 {kind!r}", f"kind: unknown exit {kind!r}", "invalid_kind", "kind")
    exited_on = parse_date(exited_on, "exited_on", not_future=True, not_before=pos.invested_on, not_before_label="投资日 investment date")
    proceeds = parse_amount(proceeds, "proceeds")
    buyer = parse_text(buyer, "buyer", max_length=200)
    use = PolicyUse(on=exited_on)
    minimum = exit_minimum(pos, exited_on, use)
    if proceeds < minimum:
        raise _err(f"proceeds：退出价款 {proceeds:,} 低于最低退出价格 {minimum:,}", f"proceeds: {proceeds:,} is below the "
                   f"minimum exit price {minimum:,}", "below_exit_price", "proceeds", min_price=str(minimum))
    lines = [debit(accounts.cash(p), _m(p, proceeds)), credit(accounts.equity(p), _m(p, pos.cost))]
    gain = proceeds - pos.cost
    if gain > 0:
        lines.append(credit(accounts.gains(p), _m(p, gain)))
    elif gain < 0:
        lines.append(debit(accounts.gains(p), _m(p, -gain)))
    pos.exit_entry = entry_post(lines=lines, value_date=exited_on, memo=f"股权退出 exit ({kind}): {p.name} ← {pos.enterprise.name}",
                                source=pos, idempotency_ref=f"direct:position:{pos.pk}:exit", by=by)
    holder = captable.programme_holder(pos.enterprise, p)
    reason = MovementReason.BUYBACK if kind == ExitKind.BUYBACK else MovementReason.SALE
    price = (proceeds / pos.shares).quantize(D("0.000001"))
    captable.shares_record(enterprise=pos.enterprise, holder=holder, shares=-pos.shares, on=exited_on, reason=reason,
                           price=price, note=f"to {buyer}")
    to = captable.holder_get(pos.enterprise, name=buyer, kind=HolderKind.FOUNDER if kind == ExitKind.BUYBACK else HolderKind.OTHER)
    captable.shares_record(enterprise=pos.enterprise, holder=to, shares=pos.shares, on=exited_on, reason=reason,
                           price=price, note=f"from {p.name}")
    pos.exit_kind, pos.exited_on, pos.proceeds, pos.min_exit_price = kind, exited_on, proceeds, minimum
    pos.multiple = (proceeds / pos.cost).quantize(D("0.0001"), ROUND_HALF_UP)
    rate = xirr([(pos.invested_on, -pos.cost), (exited_on, proceeds)]) if exited_on > pos.invested_on else None
    pos.irr = None if rate is None else D(str(rate)).quantize(D("0.000001"), ROUND_HALF_UP)
    pos.policy = {**pos.policy, "exit": use.snapshot}
    approvals.state_change(pos, to=PositionStatus.EXITED, by=by, reason=f"{kind} to {buyer}",
                           also=("exit_entry", "exit_kind", "exited_on", "proceeds", "min_exit_price", "multiple", "irr",
                                 "policy"))
    for model, status in ((InvestFirstAgreement, IFS.CONVERTED), (TalentEquity, TalentStatus.FUNDED)):
        owner = model.objects.filter(position=pos, status=status).first()
        if owner is not None:
            approvals.state_change(owner, to="exited", by=by, reason=f"position exited ({kind})")
    return pos


# ---------------------------------------------------------------- talent equity

ELIGIBILITY = ("talent.eligibility.team_leads", "talent.eligibility.in_shandong", "talent.eligibility.own_ip_min",
               "talent.eligibility.company_age_max_years", "talent.eligibility.founders_cash_min")


def talent_eligibility(t: TalentEquity, *, on: dt.date) -> dict:
    """Each criterion against its parameter (an unset parameter blocks, naming it); refuses naming the first
    criterion failed. Returns the results and the values used."""
    use = PolicyUse(on=on)
    values = {k: use(k) for k in ELIGIBILITY}
    age = (on - t.founded_on).days / D("365")
    results = [
        ("talent_team_leads", "人才团队主导企业", "a talent team leads the company",
         t.talent_team_leads or values["talent.eligibility.team_leads"] == 0),
        ("registered_in_shandong", "企业在山东注册", "registered in Shandong",
         t.registered_in_shandong or values["talent.eligibility.in_shandong"] == 0),
        ("own_ip_count", f"自有知识产权不少于 {values['talent.eligibility.own_ip_min']} 件",
         f"at least {values['talent.eligibility.own_ip_min']} own IP items", t.own_ip_count >= values["talent.eligibility.own_ip_min"]),
        ("founded_on", f"成立不超过 {values['talent.eligibility.company_age_max_years']} 年",
         f"founded at most {values['talent.eligibility.company_age_max_years']} years ago",
         age <= values["talent.eligibility.company_age_max_years"]),
        ("founders_cash", f"创始团队现金出资不少于 {values['talent.eligibility.founders_cash_min']:,} 元",
         f"founders' cash at least {values['talent.eligibility.founders_cash_min']:,}",
         t.founders_cash >= values["talent.eligibility.founders_cash_min"]),
    ]
    for fld, zh, en, ok in results:
        if not ok:
            raise _err(f"{fld}：不符合人才股权投资条件：{zh}", f"{fld}: not eligible for talent equity: {en}",
                       "not_eligible", fld)
    return {"results": {fld: {"label": zh, "ok": ok} for fld, zh, _en, ok in results}, "policy": use.snapshot}


@transaction.atomic
def talent_equity_apply(*, programme: Programme, enterprise: Organisation, title: str, amount, price_per_share,
                        founded_on: dt.date, by, talent_team_leads: bool = False, registered_in_shandong: bool = False,
                        own_ip_count=0, founders_cash="0", applied_on: dt.date | None = None) -> TalentEquity:
    """A talent-equity application: eligibility checked (each parameter named), cap headroom shown (``t.cap``)."""
    _enterprise_ok(enterprise)
    _programme_ok(programme, DirectKind.TALENT_EQUITY)
    _applicant_for(enterprise, programme, by)
    applied_on = parse_date(applied_on or today(), "applied_on", not_future=True)
    t = TalentEquity(programme=programme, enterprise=enterprise, title=parse_text(title, "title", max_length=200),
                     amount=parse_amount(amount, "amount"),
                     price_per_share=parse_rate(price_per_share, "price_per_share", allow_zero=False, max_value=D("1000000")),
                     talent_team_leads=bool(talent_team_leads), registered_in_shandong=bool(registered_in_shandong),
                     own_ip_count=parse_int(own_ip_count, "own_ip_count"),
                     founded_on=parse_date(founded_on, "founded_on", not_future=True),
                     founders_cash=parse_amount(founders_cash, "founders_cash", allow_zero=True),
                     applicant=by, applied_on=applied_on)
    t.eligibility = talent_eligibility(t, on=applied_on)
    state = cap_check(enterprise_id=enterprise.pk, amount=t.amount, on=applied_on)
    t.policy = {"application": state.policy}
    t.save()
    approvals.state_change_record(t, from_state="", to_state=t.status, by=by, reason="applied")
    t.cap = state
    return t


@transaction.atomic
def talent_equity_submit(*, talent: TalentEquity, by, reason: str = "") -> TalentEquity:
    t = _locked(TalentEquity, talent, talent.enterprise_id)
    _manager_of(t.programme, by)
    if t.status != TalentStatus.APPLIED:
        raise InvalidTransition("只有申请中的项目可以提交审批", "only an application can be submitted", field="status")
    cap_check(enterprise_id=t.enterprise_id, amount=t.amount, on=today(), exclude=t, locked=False)
    _submit(t, kind="talent_equity", amount=t.amount, by=by)
    return approvals.state_change(t, to=TalentStatus.SUBMITTED, by=by, reason=reason or "submitted", also=("maker",))


@transaction.atomic
def talent_equity_decide(*, talent: TalentEquity, by, approve: bool, comment: str = "") -> TalentEquity:
    """Approval re-checks eligibility and the cap under the enterprise lock."""
    t = _locked(TalentEquity, talent, talent.enterprise_id)
    if t.status != TalentStatus.SUBMITTED:
        raise InvalidTransition("该项目不在审批中", "the investment is not awaiting approval", field="status")
    if approve:
        t.eligibility = talent_eligibility(t, on=today())
        state = cap_check(enterprise_id=t.enterprise_id, amount=t.amount, on=today(), exclude=t, locked=False)
    request = _decide(t, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        return approvals.state_change(t, to=TalentStatus.REJECTED, by=by, reason=comment or "rejected")
    if request.status == ApprovalStatus.APPROVED:
        t.policy = {**t.policy, "approval": state.policy}
        return approvals.state_change(t, to=TalentStatus.APPROVED, by=by, reason=comment or "approved",
                                      also=("policy", "eligibility"))
    return t


@transaction.atomic
def talent_equity_sign(*, talent: TalentEquity, by) -> TalentEquity:
    t = _locked(TalentEquity, talent, talent.enterprise_id)
    _manager_of(t.programme, by)
    if not approvals.approval_is_valid(t):
        raise _err("审批已失效，请重新提交", "the approval is no longer valid; submit again", "approval_void", "status", status=409)
    return approvals.state_change(t, to=TalentStatus.CONTRACTED, by=by, reason="contract signed")


def _direct_equity(*, programme: Programme, enterprise: Organisation, kind: str, amount: Decimal, price: Decimal,
                   on: dt.date, ref: str, source, by, exit_due_on=None) -> EquityPosition:
    shares = int((amount / price).to_integral_value(ROUND_DOWN))
    if shares < 1:
        raise _err("price_per_share：按该价格投资不足一股", "price_per_share: the amount buys less than one share",
                   "invalid_price", "price_per_share")
    entry = entry_post(lines=[debit(accounts.equity(programme), _m(programme, amount)),
                              credit(accounts.cash(programme), _m(programme, amount))],
                       value_date=on, memo=f"直接股权投资 direct equity: {programme.name} → {enterprise.name}",
                       source=source, idempotency_ref=ref, by=by)
    holder = captable.programme_holder(enterprise, programme)
    captable.shares_record(enterprise=enterprise, holder=holder, shares=shares, on=on, reason=MovementReason.DIRECT,
                           price=price)
    return EquityPosition.objects.create(programme=programme, enterprise=enterprise, kind=kind, cost=amount,
                                         shares=shares, invested_on=on, exit_due_on=exit_due_on, entry=entry)


@transaction.atomic
def talent_equity_fund(*, talent: TalentEquity, funded_on: dt.date, by) -> TalentEquity:
    """Pay the investment: equity at cost ← programme cash; shares on the cap table; the holding period
    (``talent.holding_years``) sets the end of the holding."""
    t = _locked(TalentEquity, talent, talent.enterprise_id)
    _manager_of(t.programme, by)
    if t.status != TalentStatus.CONTRACTED:
        raise InvalidTransition("只有已签约的项目可以出资", "only a contracted investment can be funded", field="status")
    funded_on = parse_date(funded_on, "funded_on", not_future=True, not_before=t.applied_on, not_before_label="申请日 application date")
    approvals.approval_check_payer(t, by)
    cap_check(enterprise_id=t.enterprise_id, amount=t.amount, on=funded_on, exclude=t, locked=False)
    use = PolicyUse(on=funded_on)
    years = int(use("talent.holding_years"))
    t.position = _direct_equity(programme=t.programme, enterprise=t.enterprise, kind=DirectKind.TALENT_EQUITY,
                                amount=t.amount, price=t.price_per_share, on=funded_on,
                                ref=f"direct:talent:{t.pk}:funded", source=t, by=by,
                                exit_due_on=add_months(funded_on, 12 * years, funded_on.day))
    t.position.policy = use.snapshot
    t.position.save(update_fields=["policy"])
    t.policy = {**t.policy, "funding": use.snapshot}
    return approvals.state_change(t, to=TalentStatus.FUNDED, by=by, reason=f"funded on {funded_on}",
                                  also=("position", "policy"))


# ---------------------------------------------------------------- 拨投贷

GS = GILStatus


def _grant_cap(amount: Decimal, use: PolicyUse) -> None:
    if amount > 0:
        cap = use("grantinvestloan.grant_cap")
        if amount > cap:
            raise _err(f"grant_amount：拨款 {amount:,} 超过拨投贷拨款上限（grantinvestloan.grant_cap）{cap:,}",
                       f"grant_amount: {amount:,} is above the grant cap (grantinvestloan.grant_cap) {cap:,}",
                       "grant_cap_exceeded", "grant_amount")


@transaction.atomic
def grant_invest_loan_apply(*, programme: Programme, enterprise: Organisation, title: str, by, grant_amount="0",
                            equity_kind: str = "", equity_amount="0", equity_price_per_share=None,
                            loan_bank: Organisation | None = None, loan_reference: str = "",
                            applied_on: dt.date | None = None) -> GrantInvestLoan:
    """One linked project with up to three legs (grant, equity, loan)."""
    _enterprise_ok(enterprise)
    _programme_ok(programme, DirectKind.GRANT_INVEST_LOAN)
    _applicant_for(enterprise, programme, by)
    applied_on = parse_date(applied_on or today(), "applied_on", not_future=True)
    grant = parse_amount(grant_amount or "0", "grant_amount", allow_zero=True)
    if equity_kind not in EquityLegKind.values:
        raise _err(f"equity_kind：未知的股权方式 {equity_kind!r}", f"equity_kind: unknown {equity_kind!r}", "invalid_kind",
                   "equity_kind")
    equity = parse_amount(equity_amount or "0", "equity_amount", allow_zero=True)
    if bool(equity_kind) != (equity > 0):
        raise _err("equity_amount：请同时填写股权方式和金额", "equity_amount: give both the equity kind and its amount",
                   "required", "equity_amount")
    price = None
    if equity_kind == EquityLegKind.DIRECT:
        price = parse_rate(equity_price_per_share, "equity_price_per_share", allow_zero=False, max_value=D("1000000"))
    ref = parse_text(loan_reference, "loan_reference", max_length=64, required=False)
    if bool(ref) != (loan_bank is not None):
        raise _err("loan_reference：贷款须同时填写银行和银行贷款编号", "loan_reference: a loan leg needs the bank and its reference",
                   "required", "loan_reference")
    if loan_bank is not None and loan_bank.kind != OrgKind.BANK:
        raise _err("loan_bank：必须是银行", "loan_bank: must be a bank", "invalid_bank", "loan_bank")
    if not grant and not equity and not ref:
        raise _err("grant_amount：至少需要一项（拨款、股权或贷款）", "grant_amount: at least one leg is needed", "required",
                   "grant_amount")
    use = PolicyUse(on=applied_on)
    _grant_cap(grant, use)
    policy = {"application": use.snapshot}
    if equity:
        state = cap_check(enterprise_id=enterprise.pk, amount=equity, on=applied_on, field="equity_amount")
        policy["application"].update(state.policy)
    g = GrantInvestLoan.objects.create(programme=programme, enterprise=enterprise,
                                       title=parse_text(title, "title", max_length=200), applicant=by,
                                       applied_on=applied_on, grant_amount=grant, equity_kind=equity_kind,
                                       equity_amount=equity, equity_price_per_share=price, loan_bank=loan_bank,
                                       loan_reference=ref, policy=policy)
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
        raise InvalidTransition("只有已初审的项目可以上会", "only a reviewed project can go to committee", field="status")
    _grant_cap(g.grant_amount, PolicyUse(on=today()))
    if g.equity_amount:
        cap_check(enterprise_id=g.enterprise_id, amount=g.equity_amount, on=today(), exclude=g, locked=False,
                  field="equity_amount")
    _submit(g, kind="grant_invest_loan", amount=g.grant_amount + g.equity_amount, by=by)
    return approvals.state_change(g, to=GS.COMMITTEE, by=by, reason=reason or "to committee", also=("maker",))


@transaction.atomic
def grant_invest_loan_decide(*, project: GrantInvestLoan, by, approve: bool, comment: str = "") -> GrantInvestLoan:
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    if g.status != GS.COMMITTEE:
        raise InvalidTransition("该项目不在审批中", "the project is not awaiting a decision", field="status")
    if approve:
        use = PolicyUse(on=today())
        _grant_cap(g.grant_amount, use)
        if g.equity_amount:
            cap_check(enterprise_id=g.enterprise_id, amount=g.equity_amount, on=today(), exclude=g, locked=False,
                      field="equity_amount")
    request = _decide(g, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        return approvals.state_change(g, to=GS.REJECTED, by=by, reason=comment or "rejected")
    if request.status == ApprovalStatus.APPROVED:
        g.policy = {**g.policy, "approval": use.snapshot}
        return approvals.state_change(g, to=GS.APPROVED, by=by, reason=comment or "approved", also=("policy",))
    return g


@transaction.atomic
def grant_invest_loan_sign(*, project: GrantInvestLoan, signed_on: dt.date, by) -> GrantInvestLoan:
    """The contract. An equity leg made as 先投后股 becomes its own agreement (approved by this decision), signed
    now with one tranche of the equity amount; the agreement then counts against the cap instead of the project."""
    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    if g.status != GS.APPROVED or not approvals.approval_is_valid(g):
        raise InvalidTransition("只有已批准的项目可以签约", "only an approved project can be signed", field="status")
    signed_on = parse_date(signed_on, "signed_on", not_future=True, not_before=g.applied_on, not_before_label="申请日 application date")
    if g.equity_kind == EquityLegKind.INVEST_FIRST:
        use = PolicyUse(on=signed_on)
        months = int(use("investfirst.conversion_deadline_months"))
        a = InvestFirstAgreement.objects.create(
            programme=g.programme, enterprise=g.enterprise, title=f"{g.title}（投）", amount=g.equity_amount,
            applicant=g.applicant, maker=g.maker, applied_on=g.applied_on, signed_on=signed_on,
            deadline=add_months(signed_on, months, signed_on.day), min_round_size=use("investfirst.min_round_size"),
            max_share=use("investfirst.max_share"), status=IFS.CONTRACTED,
            policy={"contract": use.snapshot, "grant_invest_loan": g.pk})
        Tranche.objects.create(agreement=a, number=1, amount=g.equity_amount, due_on=signed_on)
        approvals.state_change_record(a, from_state="", to_state=IFS.CONTRACTED, by=by,
                                      reason=f"equity leg of 拨投贷 #{g.pk}, approved with it")
        g.invest_first = a
    return approvals.state_change(g, to=GS.CONTRACTED, by=by, reason=f"signed on {signed_on}", also=("invest_first",))


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
    paid_on = parse_date(paid_on, "paid_on", not_future=True, not_before=g.applied_on, not_before_label="申请日 application date")
    approvals.approval_check_payer(g, by)
    _grant_cap(g.grant_amount, PolicyUse(on=paid_on))
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
    funded_on = parse_date(funded_on, "funded_on", not_future=True, not_before=g.applied_on, not_before_label="申请日 application date")
    approvals.approval_check_payer(g, by)
    if g.equity_kind == EquityLegKind.INVEST_FIRST:
        tranche_pay(tranche=g.invest_first.tranches.get(number=1), paid_on=funded_on, by=by)
        g.invest_first.refresh_from_db()
    else:
        cap_check(enterprise_id=g.enterprise_id, amount=g.equity_amount, on=funded_on, exclude=g, locked=False,
                  field="equity_amount")
        g.position = _direct_equity(programme=g.programme, enterprise=g.enterprise, kind=DirectKind.GRANT_INVEST_LOAN,
                                    amount=g.equity_amount, price=g.equity_price_per_share, on=funded_on,
                                    ref=f"direct:gil:{g.pk}:equity", source=g, by=by)
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
        raise InvalidTransition("该状态需通过专门的流程完成", "that state is reached through its own step", field="status")
    return approvals.state_change(g, to=to, by=by, reason=reason or to)


def grant_invest_loan_exposure(g: GrantInvestLoan, *, on: dt.date | None = None) -> dict:
    """Total fiscal exposure: grant paid + equity at cost + interest subsidy paid + pool share at risk."""
    from .loanlink import loan_facts

    grant = g.grant_amount if g.grant_paid_on else D("0.00")
    if g.position_id:
        equity = g.position.cost if g.position.status == PositionStatus.HELD else D("0.00")
    elif g.invest_first_id:
        a = g.invest_first
        equity = (a.position.cost if a.position_id and a.position.status == PositionStatus.HELD
                  else a.disbursed if a.status in (IFS.DISBURSED, IFS.CONVERTING, IFS.OVERDUE, IFS.CLOSING) else D("0.00"))
    else:
        equity = D("0.00")
    facts = loan_facts(bank_id=g.loan_bank_id, reference=g.loan_reference) if g.loan_reference else None
    subsidy = facts["subsidy_paid"] if facts else D("0.00")
    pool = D("0.00")
    if facts and g.loan_pool_enrolled:
        use = PolicyUse(on=on or today())
        share = use("pool.share.province") + use("pool.share.city")
        pool = (facts["outstanding"] * share / 100).quantize(D("0.01"), ROUND_HALF_UP)
    return {"grant_paid": grant, "equity_at_cost": equity, "subsidy_paid": subsidy, "pool_share_at_risk": pool,
            "total": grant + equity + subsidy + pool, "loan": facts}


@transaction.atomic
def grant_invest_loan_link_loan(*, project: GrantInvestLoan, bank: Organisation, reference: str, by,
                                pool_enrolled: bool = False) -> GrantInvestLoan:
    """Link (or correct) the loan leg: the bank's own loan reference, which must name a loan registered through
    the loans API by that bank to this enterprise."""
    from .loanlink import loan_facts

    g = _locked(GrantInvestLoan, project, project.enterprise_id)
    _manager_of(g.programme, by)
    reference = parse_text(reference, "loan_reference", max_length=64)
    facts = loan_facts(bank_id=bank.pk, reference=reference)
    if facts is None or facts["borrower_id"] != g.enterprise_id:
        raise _err(f"loan_reference：银行「{bank.name}」没有向该企业发放编号为 {reference} 的贷款",
                   f"loan_reference: bank '{bank.name}' has no loan {reference} to this enterprise", "loan_not_found",
                   "loan_reference", status=404)
    g.loan_bank, g.loan_reference, g.loan_pool_enrolled = bank, reference, bool(pool_enrolled)
    g.save(update_fields=["loan_bank", "loan_reference", "loan_pool_enrolled"])
    approvals.state_change_record(g, from_state=g.status, to_state=g.status, by=by, reason=f"loan linked: {reference}",
                                  field="loan_reference")
    return g

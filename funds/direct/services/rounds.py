"""Rounds and conversion of 先投后股: the consistency check, the joint conversion, maker-checker, share
caps."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.calc import CalcError, convert_at_round
from finance.calc import Instrument as CalcInstrument
from finance.core.errors import InvalidTransition, PermissionDenied
from finance.core.inputs import (
    parse_amount,
    parse_date,
    parse_int,
    parse_rate,
)
from finance.core.locks import lock
from finance.core.money import percent_to_fraction
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Organisation

from .. import accounts, captable
from ..models import (
    Conversion,
    DecisionStatus,
    DirectKind,
    EquityPosition,
    FinancingRound,
    HolderKind,
    InvestFirstAgreement,
    MovementReason,
)
from ._common import (
    IFS,
    ROLE,
    D,
    _calc,
    _decide,
    _err,
    _locked,
    _m,
    _manager_of,
)

# ---------------------------------------------------------------- rounds and conversion

SHARE_TOLERANCE = 1  # one share


def _other_converting_input(rows) -> list[CalcInstrument]:
    out = []
    for i, r in enumerate(rows or []):
        amount = parse_amount(r.get("amount"), f"other_converting.{i}.amount")
        disc = (
            None
            if r.get("discount") in (None, "")
            else parse_rate(
                r["discount"], f"other_converting.{i}.discount", percent=True, max_value=D("0.99")
            )
        )
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


def price_of(exact: Fraction) -> Decimal:
    """An exact price per share as stored and shown: 6 decimals (the price fields' scale), rounded half-up.

    Prices of early-stage shares are often fractions of a yuan (0.012345), so 6 decimals keep them to a
    millionth of a yuan; the division is done in Decimal from the exact fraction (never through float, whose
    binary value can fall either side of a half). Share counts are computed from the exact fraction, not
    from this rounded figure."""
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(D("0.000001"), ROUND_HALF_UP)


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
        raise _err(
            "pre_money：按估值上限/折扣计算的转股将超过公司全部股份",
            "pre_money: the capped or discounted conversions would own the whole company",
            "conversion_exceeds_company",
            "pre_money",
        )
    capitalization = Fraction(fd_shares_before) / (1 - f)
    reported = pre / Fraction(price_per_share)
    if abs(reported - capitalization) > SHARE_TOLERANCE:
        implied = price_of(pre / capitalization)
        raise _err(
            f"融资轮数据不一致：投前估值 pre_money {pre_money:,} ÷ "
            f"每股价格 price_per_share {price_per_share} = "
            f"{int(reported):,} 股，而融资前完全稀释股数 fd_shares_before {fd_shares_before:,}（含转股）对应 "
            f"{int(capitalization):,} 股，相差超过 1 股；按这些股数每股价格应为 {implied}",
            f"inconsistent round: pre_money {pre_money:,} / price_per_share {price_per_share} = "
            f"{int(reported):,} shares, "
            f"but fd_shares_before {fd_shares_before:,} (with conversions) gives {int(capitalization):,}, "
            f"more than one "
            f"share apart; with that share count the price would be {implied}",
            "inconsistent_round",
            "price_per_share",
            fields=["pre_money", "price_per_share", "fd_shares_before"],
            implied_price=str(implied),
        )
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
        raise PermissionDenied(
            "只有该企业或其先投后股管理机构可以报告融资轮",
            "only the enterprise or the manager of its invest-first money can report a round",
        )
    price = parse_rate(price_per_share, "price_per_share", allow_zero=False, max_value=D("1000000"))
    pre = parse_amount(pre_money, "pre_money")
    new = parse_amount(new_money, "new_money", allow_zero=True)
    shares = parse_int(fd_shares_before, "fd_shares_before", min_value=1)
    earliest = min((a.signed_on for a in converting), default=None)
    round_date = parse_date(
        round_date,
        "round_date",
        not_future=True,
        not_before=earliest,
        not_before_label="协议签约日 agreement signing date",
    )
    others = _other_converting_input(other_converting)
    on_table = captable.total_shares(enterprise.pk)
    if on_table and on_table != shares:
        raise _err(f"fd_shares_before：融资前完全稀释股数 {shares:,} 与股权登记表的 {on_table:,} 股不一致",
                   f"fd_shares_before: {shares:,} differs from the cap table's {on_table:,} shares",
                   "inconsistent_round", "fd_shares_before")
    derived = round_check(pre_money=pre, price_per_share=price, fd_shares_before=shares,
                          instruments=[_instrument(a) for a in converting] + others)
    r = FinancingRound.objects.create(
        enterprise=enterprise,
        round_date=round_date,
        price_per_share=price,
        pre_money=pre,
        new_money=new,
        fd_shares_before=shares,
        other_converting=[_terms(i) for i in others],
        converting=[{"agreement": a.pk, **_terms(_instrument(a))} for a in converting],
        derived_price=price_of(derived),
        reported_by=by,
    )
    if not on_table:
        holder = captable.holder_get(enterprise, name="现有股东（未登记明细）", kind=HolderKind.OTHER)
        captable.shares_record(enterprise=enterprise, holder=holder, shares=shares, on=round_date,
                               reason=MovementReason.ISSUE, note="registered from a round report")
    new_shares = int(Fraction(new) / derived) if new else 0
    if new_shares:
        holder = captable.holder_get(
            enterprise, name=f"{round_date} 轮新投资人", kind=HolderKind.ROUND_INVESTOR
        )
        captable.shares_record(enterprise=enterprise, holder=holder, shares=new_shares, on=round_date,
                               reason=MovementReason.ROUND, round=r, price=r.derived_price)
    if others:
        result = _convert(r, [_instrument(a) for a in converting] + others)
        n = sum(c.shares for c in result.conversions[len(converting):])
        if n:
            holder = captable.holder_get(
                enterprise, name=f"{round_date} 轮其他可转换工具持有人", kind=HolderKind.OTHER
            )
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
        raise _err(
            "round：融资轮不属于该企业", "round: the round is not this enterprise's", "invalid_round", "round"
        )
    if round.round_date < a.signed_on:
        raise _err(
            f"round_date：融资日早于协议签约日 {a.signed_on}",
            f"round_date: before the agreement was signed ({a.signed_on})",
            "invalid_date",
            "round_date",
        )
    if round.round_date > a.deadline:
        raise _err(
            f"round_date：融资日晚于转股期限 {a.deadline}",
            f"round_date: after the conversion deadline {a.deadline}",
            "after_deadline",
            "round_date",
        )
    if round.new_money < a.min_round_size:
        raise _err(
            f"new_money：本轮新增资金 {round.new_money:,} 低于合格融资轮下限"
            f"（investfirst.min_round_size）{a.min_round_size:,}",
            f"new_money: {round.new_money:,} is below the qualifying round size (investfirst.min_round_size) "
            f"{a.min_round_size:,}",
            "round_not_qualified",
            "new_money",
        )
    mine_at = [i for i, t in enumerate(round.converting) if t["agreement"] == a.pk]
    if not mine_at:
        raise _err(
            "round：报告该融资轮时本协议尚未拨付，请重新报告融资轮",
            "round: this agreement was not funded when the round was reported; report the round again",
            "round_without_agreement",
            "round",
        )
    if D(round.converting[mine_at[0]]["amount"]) != a.disbursed:
        raise _err(
            "round：融资轮报告后本协议又有拨付，请重新报告融资轮",
            "round: more was disbursed after the round was reported; report the round again",
            "round_stale",
            "round",
        )
    instruments = [_from_terms(t) for t in round.converting] + [
        _from_terms(t) for t in round.other_converting
    ]
    result = _convert(round, instruments)
    mine = result.conversions[mine_at[0]]
    holder = captable.Shareholder.objects.filter(enterprise_id=a.enterprise_id, programme=a.programme).first()
    figures = captable.share_caps_check(
        enterprise_id=a.enterprise_id, holder_id=holder.pk if holder else None, holder_name=a.programme.name,
        extra={(holder.pk if holder else a.programme.name): mine.shares}, max_share_percent=a.max_share)
    return {
        "price": mine.price,
        "shares": mine.shares,
        "ownership": mine.ownership,
        "round_price": result.round_price,
        "figures": figures,
    }


@transaction.atomic
def conversion_propose(*, agreement: InvestFirstAgreement, round: FinancingRound, by) -> Conversion:
    """The manager proposes the conversion at a reported round (maker); a second person decides it."""
    a = _locked(InvestFirstAgreement, agreement, agreement.enterprise_id)
    _manager_of(a.programme, by)
    if a.status != IFS.DISBURSED:
        raise InvalidTransition(
            "只有已拨付、未转股的协议可以转股",
            "only a disbursed, unconverted agreement can convert",
            field="status",
        )
    pv = conversion_preview(agreement=a, round=round)
    c = Conversion.objects.create(
        agreement=a,
        round=round,
        amount=a.disbursed,
        price=pv["price"],
        shares=pv["shares"],
        ownership=pv["ownership"].quantize(D("0.00000001"), ROUND_HALF_UP),
        programme_share=percent_to_fraction(pv["figures"]["programme_percent"]).quantize(D("0.00000001")),
        figures={**pv["figures"], "round_price": str(pv["round_price"])},
        maker=by,
    )
    approvals.state_change_record(c, from_state="", to_state=c.status, by=by, reason="conversion proposed")
    approvals.approval_submit(
        item=c, kind="invest_first_conversion", amount=a.disbursed, maker=by, default_role=ROLE
    )
    a.round = round
    approvals.state_change(
        a, to=IFS.CONVERTING, by=by, reason=f"round {round.round_date} reported", also=("round",)
    )
    return c


@transaction.atomic
def conversion_decide(*, conversion: Conversion, by, approve: bool, comment: str = "") -> Conversion:
    """Approved: the share caps are checked again on today's cap table, project funding moves to equity at
    cost, the programme gains the shares and an equity position. Rejected: the agreement waits for another
    round."""
    a = _locked(InvestFirstAgreement, conversion.agreement, conversion.agreement.enterprise_id)
    c = Conversion.objects.select_related("round").get(pk=conversion.pk)
    if c.status != DecisionStatus.PENDING or a.status != IFS.CONVERTING:
        raise InvalidTransition(
            "该转股不在待决定状态", "the conversion is not awaiting a decision", field="status"
        )
    if approve:
        pv = conversion_preview(agreement=a, round=c.round)
        if pv["shares"] != c.shares:
            raise _err(
                "股权登记表在提议后已变化，请重新提议转股",
                "the cap table changed since the proposal; propose again",
                "conversion_stale",
                "round",
                status=409,
            )
    request = _decide(c, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        approvals.state_change(c, to=DecisionStatus.REJECTED, by=by, reason=comment or "rejected")
        a.round = None
        approvals.state_change(a, to=IFS.DISBURSED, by=by, reason="conversion rejected", also=("round",))
        return c
    if request.status != ApprovalStatus.APPROVED:
        return c
    p, on = a.programme, c.round.round_date
    c.entry = entry_post(
        lines=[
            debit(accounts.equity(p), _m(p, c.amount)),
            credit(accounts.project_funding(p), _m(p, c.amount)),
        ],
        value_date=on,
        memo=f"先投后股转股 conversion to equity at cost: {a.title}",
        source=c,
        idempotency_ref=f"direct:if:{a.pk}:conversion:{c.pk}",
        by=by,
    )
    approvals.state_change(
        c, to=DecisionStatus.APPROVED, by=by, reason=comment or "approved", also=("entry",)
    )
    holder = captable.programme_holder(a.enterprise, p)
    captable.shares_record(
        enterprise=a.enterprise,
        holder=holder,
        shares=c.shares,
        on=on,
        reason=MovementReason.CONVERSION,
        round=c.round,
        price=c.price,
        note=f"先投后股 #{a.pk}",
    )
    a.position = EquityPosition.objects.create(
        programme=p,
        enterprise=a.enterprise,
        kind=DirectKind.INVEST_FIRST,
        cost=c.amount,
        shares=c.shares,
        invested_on=on,
        entry=c.entry,
    )
    approvals.state_change(
        a, to=IFS.CONVERTED, by=by, reason=f"converted: {c.shares} shares", also=("position",)
    )
    return c

"""The programme's equity positions: direct equity at cost, and exits at ≥ the minimum exit price."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction

from finance.approvals import services as approvals
from finance.calc import CalcError, early_exit_price, xirr
from finance.calc.schedules import add_months
from finance.core.errors import Conflict
from finance.core.inputs import (
    parse_amount,
    parse_date,
    parse_text,
)
from finance.core.locks import lock
from finance.core.money import percent_to_fraction
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Organisation
from finance.policy.selectors import PolicyUse

from .. import accounts, captable
from ..models import (
    DirectKind,
    EquityPosition,
    ExitKind,
    HolderKind,
    InvestFirstAgreement,
    MovementReason,
    PositionStatus,
    Programme,
    TalentEquity,
    TalentStatus,
)
from ._common import (
    IFS,
    D,
    _calc,
    _err,
    _m,
    _manager_of,
)

# ---------------------------------------------------------------- exits


def exit_minimum(position: EquityPosition, exit_on: dt.date, use: PolicyUse) -> Decimal:
    """At least the early-exit price (cost within ``fund.early_exit_free_years``, then cost + reference-rate
    interest); a 拨投贷 equity leg also at least cost + ``grantinvestloan.exit_return`` (simple, ACT/365)."""
    free = int(use("fund.early_exit_free_years"))
    past = exit_on > add_months(position.invested_on, 12 * free, position.invested_on.day)
    rate = use("fund.early_exit_reference_rate") if past else D(0)
    try:
        price = early_exit_price(
            position.cost,
            invested_on=position.invested_on,
            exit_on=exit_on,
            free_years=free,
            annual_rate=rate,
        )
    except CalcError as exc:
        raise _calc(exc) from None
    gil_leg = (
        position.kind == DirectKind.GRANT_INVEST_LOAN
        or InvestFirstAgreement.objects.filter(position=position, grant_invest_loan__isnull=False).exists()
    )  # the leg made as 先投后股, once converted
    if gil_leg:
        ret = use("grantinvestloan.exit_return")
        days = (exit_on - position.invested_on).days
        grown = position.cost * (1 + percent_to_fraction(ret) * days / 365)
        price = max(price, grown.quantize(D("0.01"), ROUND_HALF_UP))
    return price


@transaction.atomic
def position_exit(
    *, position: EquityPosition, exited_on: dt.date, proceeds, kind: str, buyer: str, by
) -> EquityPosition:
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
    exited_on = parse_date(
        exited_on,
        "exited_on",
        not_future=True,
        not_before=pos.invested_on,
        not_before_label="投资日 investment date",
    )
    proceeds = parse_amount(proceeds, "proceeds")
    buyer = parse_text(buyer, "buyer", max_length=200)
    use = PolicyUse(on=exited_on)
    minimum = exit_minimum(pos, exited_on, use)
    if proceeds < minimum:
        raise _err(
            f"proceeds：退出价款 {proceeds:,} 低于最低退出价格 {minimum:,}",
            f"proceeds: {proceeds:,} is below the minimum exit price {minimum:,}",
            "below_exit_price",
            "proceeds",
            min_price=str(minimum),
        )
    lines = [debit(accounts.cash(p), _m(p, proceeds)), credit(accounts.equity(p), _m(p, pos.cost))]
    gain = proceeds - pos.cost
    if gain > 0:
        lines.append(credit(accounts.gains(p), _m(p, gain)))
    elif gain < 0:
        lines.append(debit(accounts.gains(p), _m(p, -gain)))
    pos.exit_entry = entry_post(
        lines=lines,
        value_date=exited_on,
        memo=f"股权退出 exit ({kind}): {p.name} ← {pos.enterprise.name}",
        source=pos,
        idempotency_ref=f"direct:position:{pos.pk}:exit",
        by=by,
    )
    holder = captable.programme_holder(pos.enterprise, p)
    reason = MovementReason.BUYBACK if kind == ExitKind.BUYBACK else MovementReason.SALE
    price = (proceeds / pos.shares).quantize(D("0.000001"))
    captable.shares_record(
        enterprise=pos.enterprise,
        holder=holder,
        shares=-pos.shares,
        on=exited_on,
        reason=reason,
        price=price,
        note=f"to {buyer}",
    )
    to = captable.holder_get(
        pos.enterprise, name=buyer, kind=HolderKind.FOUNDER if kind == ExitKind.BUYBACK else HolderKind.OTHER
    )
    captable.shares_record(
        enterprise=pos.enterprise,
        holder=to,
        shares=pos.shares,
        on=exited_on,
        reason=reason,
        price=price,
        note=f"from {p.name}",
    )
    pos.exit_kind, pos.exited_on, pos.proceeds, pos.min_exit_price = kind, exited_on, proceeds, minimum
    pos.multiple = (proceeds / pos.cost).quantize(D("0.0001"), ROUND_HALF_UP)
    rate = (
        xirr([(pos.invested_on, -pos.cost), (exited_on, proceeds)]) if exited_on > pos.invested_on else None
    )
    pos.irr = None if rate is None else D(str(rate)).quantize(D("0.000001"), ROUND_HALF_UP)
    pos.policy = {**pos.policy, "exit": use.snapshot}
    approvals.state_change(
        pos,
        to=PositionStatus.EXITED,
        by=by,
        reason=f"{kind} to {buyer}",
        also=(
            "exit_entry",
            "exit_kind",
            "exited_on",
            "proceeds",
            "min_exit_price",
            "multiple",
            "irr",
            "policy",
        ),
    )
    for model, status in ((InvestFirstAgreement, IFS.CONVERTED), (TalentEquity, TalentStatus.FUNDED)):
        owner = model.objects.filter(position=pos, status=status).first()
        if owner is not None:
            approvals.state_change(owner, to="exited", by=by, reason=f"position exited ({kind})")
    return pos



def _direct_equity(
    *,
    programme: Programme,
    enterprise: Organisation,
    kind: str,
    amount: Decimal,
    price: Decimal,
    on: dt.date,
    ref: str,
    source,
    by,
    exit_due_on=None,
) -> EquityPosition:
    shares = int((amount / price).to_integral_value(ROUND_DOWN))
    if shares < 1:
        raise _err(
            "price_per_share：按该价格投资不足一股",
            "price_per_share: the amount buys less than one share",
            "invalid_price",
            "price_per_share",
        )
    entry = entry_post(
        lines=[
            debit(accounts.equity(programme), _m(programme, amount)),
            credit(accounts.cash(programme), _m(programme, amount)),
        ],
        value_date=on,
        memo=f"直接股权投资 direct equity: {programme.name} → {enterprise.name}",
        source=source,
        idempotency_ref=ref,
        by=by,
    )
    holder = captable.programme_holder(enterprise, programme)
    captable.shares_record(
        enterprise=enterprise, holder=holder, shares=shares, on=on, reason=MovementReason.DIRECT, price=price
    )
    return EquityPosition.objects.create(programme=programme, enterprise=enterprise, kind=kind, cost=amount,
                                         shares=shares, invested_on=on, exit_due_on=exit_due_on, entry=entry)

"""Pools: creation with sponsors, contributions and withdrawals (one journal entry each).

Ledger layout per pool (codes ``pool:<id>:...``), every amount in the pool's own currency:
  cash (asset)               = Σ available + Σ reserved
  avail:<sponsor org> (liab) sponsor's unreserved money, floor 0
  reserved:<sponsor org>     money held for approved claims, floor 0
contribution: Dr cash / Cr avail · withdrawal: Dr avail / Cr cash · approval: Dr avail / Cr reserved
payment: Dr reserved / Cr cash · rejection after approval: Dr reserved / Cr avail
recovery: Dr cash / Cr avail
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from finance.approvals.services import state_change_record
from finance.core.errors import Conflict, DomainError
from finance.core.inputs import check_currency, parse_amount, parse_date, parse_rate, parse_text, today
from finance.core.money import money_of
from finance.ledger.models import Account, AccountKind
from finance.ledger.services import account_get_or_create, credit, debit, entry_post
from finance.parties.models import Organisation, OrgKind

from ..models import MovementKind, PoolMovement, PoolSponsor, PoolStatus, RiskPool, SponsorLevel
from ._common import HUNDRED, lock_pool


def _check_sponsors(sponsors) -> list[tuple[Organisation, str, Decimal]]:
    if not sponsors:
        raise DomainError(
            "资金池至少需要一个出资方", "a pool needs sponsors", code="required", field="sponsors"
        )
    out, seen = [], set()
    for org, level, share in sponsors:
        if org.kind != OrgKind.DEPARTMENT:
            raise DomainError(
                f"出资方 {org} 不是政府部门",
                f"sponsor {org} is not a department",
                code="invalid_sponsor",
                field="sponsors",
            )
        if level not in SponsorLevel.values:
            raise DomainError(
                f"出资方层级无效：{level}",
                f"invalid sponsor level: {level}",
                code="invalid_sponsor",
                field="sponsors",
            )
        if org.pk in seen:
            raise DomainError(
                f"出资方 {org} 重复", f"sponsor {org} appears twice", code="invalid_sponsor", field="sponsors"
            )
        seen.add(org.pk)
        share = parse_rate(share, "sponsors", max_value=HUNDRED, allow_zero=False, places=4)
        out.append((org, level, share))
    if {level for _, level, _ in out} != {SponsorLevel.PROVINCE, SponsorLevel.CITY}:
        raise DomainError(
            "资金池需要省级和市级出资方",
            "a pool needs a province and a city sponsor",
            code="invalid_sponsor",
            field="sponsors",
        )
    total = sum((share for _, _, share in out), Decimal(0))
    if total != HUNDRED:
        raise DomainError(
            f"出资比例合计应为 100%，现为 {total}%",
            f"funding shares must sum to 100%, not {total}%",
            code="invalid_sponsor",
            field="sponsors",
        )
    return out


@transaction.atomic
def pool_create(
    *,
    name: str,
    sponsors: list[tuple[Organisation, str, Decimal]],
    region: str = "",
    currency: str = "CNY",
    by=None,
) -> RiskPool:
    """A pool with its sponsors (department, level, funding share %): shares sum to 100, both levels."""
    name = parse_text(name, "name", max_length=200)
    region = parse_text(region, "region", max_length=50, required=False)
    currency = check_currency(currency)
    if RiskPool.objects.filter(name=name).exists():
        raise Conflict(
            f"资金池「{name}」已存在", f"a pool named '{name}' already exists", code="duplicate", field="name"
        )
    sponsors = _check_sponsors(sponsors)
    pool = RiskPool.objects.create(name=name, region=region, currency=currency, created_by=by)
    pool.cash_account = account_get_or_create(
        code=f"pool:{pool.pk}:cash",
        name=f"{name} 资金池存款",
        kind=AccountKind.ASSET,
        currency=currency,
        programme=pool,
        may_go_negative=False,
    )
    pool.save(update_fields=["cash_account"])
    for org, level, share in sponsors:
        avail = account_get_or_create(
            code=f"pool:{pool.pk}:avail:{org.pk}",
            name=f"{name} · {org.name} 可用",
            kind=AccountKind.LIABILITY,
            currency=currency,
            owner=org,
            programme=pool,
            may_go_negative=False,
        )
        reserved = account_get_or_create(
            code=f"pool:{pool.pk}:reserved:{org.pk}",
            name=f"{name} · {org.name} 预留",
            kind=AccountKind.LIABILITY,
            currency=currency,
            owner=org,
            programme=pool,
            may_go_negative=False,
        )
        PoolSponsor.objects.create(
            pool=pool,
            organisation=org,
            level=level,
            funding_share=share,
            available_account=avail,
            reserved_account=reserved,
        )
    state_change_record(pool, from_state="", to_state=PoolStatus.ACTIVE, by=by, reason="pool created")
    return pool


def sponsor_of(pool: RiskPool, sponsor) -> PoolSponsor:
    org_id = sponsor.organisation_id if isinstance(sponsor, PoolSponsor) else getattr(sponsor, "pk", sponsor)
    row = (
        PoolSponsor.objects.select_related("organisation", "available_account", "reserved_account")
        .filter(pool=pool, organisation_id=org_id)
        .first()
    )
    if row is None:
        raise DomainError(
            "该机构不是此资金池的出资方",
            "this organisation does not sponsor the pool",
            code="not_a_sponsor",
            field="sponsor",
        )
    return row


def _value_date(value_date) -> dt.date:
    return today() if value_date is None else parse_date(value_date, "value_date", not_future=True)


@transaction.atomic
def pool_contribute(
    *, pool: RiskPool, sponsor, amount, value_date: dt.date | None = None, by=None
) -> PoolMovement:
    amount = parse_amount(amount, "amount")
    value_date = _value_date(value_date)
    pool = lock_pool(pool.pk)
    if pool.status != PoolStatus.ACTIVE:
        raise DomainError("资金池已关闭", "the pool is closed", code="pool_closed", status=409)
    sp = sponsor_of(pool, sponsor)
    mv = PoolMovement.objects.create(
        pool=pool, sponsor=sp, kind=MovementKind.CONTRIBUTION, amount=amount, value_date=value_date, by=by
    )
    mv.entry = entry_post(
        lines=[
            debit(pool.cash_account, money_of(pool, amount)),
            credit(sp.available_account, money_of(pool, amount)),
        ],
        value_date=value_date,
        memo=f"资金池出资 contribution · {pool.name} · {sp.organisation.name}",
        source=mv,
        idempotency_ref=f"pool-movement:{mv.pk}",
        by=by,
    )
    mv.save(update_fields=["entry"])
    pool.funded += amount
    pool.available += amount
    pool.save(update_fields=["funded", "available"])
    return mv


def insufficient(
    pool: RiskPool, needed: Decimal, sponsor: PoolSponsor | None = None, have: Decimal | None = None
) -> DomainError:
    extra = {"pool": pool.pk, "available": str(pool.available), "needed": str(needed)}
    if sponsor is not None:
        extra.update(sponsor=sponsor.organisation.name, sponsor_available=str(have))
        zh = (
            f"资金池余额不足：{pool.name} 中 {sponsor.organisation.name} 可用 {have}，需要 {needed}"
            f"（资金池可用合计 {pool.available}）"
        )
        en = (
            f"insufficient pool balance: {sponsor.organisation.name} has {have} available in {pool.name}, "
            f"needed {needed} (pool available {pool.available})"
        )
    else:
        zh = f"资金池余额不足：{pool.name} 可用 {pool.available}，需要 {needed}"
        en = f"insufficient pool balance: {pool.name} has {pool.available} available, needed {needed}"
    return DomainError(zh, en, code="insufficient_pool_balance", status=409, extra=extra)


@transaction.atomic
def pool_withdraw(
    *, pool: RiskPool, sponsor, amount, value_date: dt.date | None = None, by=None
) -> PoolMovement:
    amount = parse_amount(amount, "amount")
    value_date = _value_date(value_date)
    pool = lock_pool(pool.pk)
    sp = sponsor_of(pool, sponsor)
    have = Account.objects.get(pk=sp.available_account_id).normal_balance
    if have < amount:
        raise insufficient(pool, amount, sp, have)
    mv = PoolMovement.objects.create(
        pool=pool, sponsor=sp, kind=MovementKind.WITHDRAWAL, amount=amount, value_date=value_date, by=by
    )
    mv.entry = entry_post(
        lines=[
            debit(sp.available_account, money_of(pool, amount)),
            credit(pool.cash_account, money_of(pool, amount)),
        ],
        value_date=value_date,
        memo=f"资金池撤资 withdrawal · {pool.name} · {sp.organisation.name}",
        source=mv,
        idempotency_ref=f"pool-movement:{mv.pk}",
        by=by,
    )
    mv.save(update_fields=["entry"])
    pool.withdrawn += amount
    pool.available -= amount
    pool.save(update_fields=["withdrawn", "available"])
    return mv

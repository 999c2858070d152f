"""The talent cap: fiscal equity support per enterprise, cumulative across every fiscal equity instrument.

The rule, written down once:

* **What counts.** Every fiscal equity instrument into the enterprise: sub-fund deals whose instrument is
  talent equity, 先投后股 or 拨投贷 (``funds.models.FISCAL_EQUITY``), the programme's 先投后股 agreements, its
  talent-equity investments and the direct-equity leg of its 拨投贷 projects (an equity leg made as a 先投后股
  agreement counts once, as that agreement).
* **From when.** From approval on (a deal at ``approved``; an agreement, investment or project approved by its
  maker-checker decision). Applications and items still at committee do not count yet; rejected ones never do.
* **Never freed.** The cap limits support given, not exposure: an exit, a buy-back, a conversion, or a closure
  of an invest-first agreement (grant, repayment or swap) leaves the amount counted.
* **Where it is checked.** At application (the headroom is shown), at committee submission, at approval and at
  funding. Each check that decides locks the enterprise row (``finance.core.locks.lock`` on
  ``parties.Organisation``), so two approvals racing for one enterprise are serialised and never exceed it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from finance.core.errors import DomainError
from finance.core.locks import lock
from finance.parties.models import Organisation
from finance.policy.selectors import PolicyUse

from .models import (
    GIL_COUNTED,
    IF_COUNTED,
    TALENT_COUNTED,
    EquityLegKind,
    GrantInvestLoan,
    InvestFirstAgreement,
    TalentEquity,
)

CAP_KEY = "talent.equity_cap"


@dataclass
class CapState:
    enterprise_id: int
    cap: Decimal
    used: Decimal
    items: list[dict] = field(default_factory=list)
    policy: dict = field(default_factory=dict)

    @property
    def headroom(self) -> Decimal:
        return max(Decimal("0.00"), self.cap - self.used)


def _skip(obj, exclude) -> bool:
    return exclude is not None and type(obj) is type(exclude) and obj.pk == exclude.pk


def _deal_rows(enterprise_id: int) -> list:
    from funds.models import FISCAL_EQUITY, Deal, DealStatus

    counted = (DealStatus.APPROVED, DealStatus.CONTRACTED, DealStatus.FUNDED, DealStatus.EXITED)
    return list(
        Deal.objects.filter(
            enterprise_id=enterprise_id, instrument__in=FISCAL_EQUITY, status__in=counted
        ).order_by("pk")
    )


def cap_used(enterprise_id: int, *, exclude=None) -> tuple[Decimal, list[dict]]:
    """Fiscal equity counted against the cap for one enterprise, and the items that make it up."""
    items = []
    for d in _deal_rows(enterprise_id):
        if not _skip(d, exclude):
            items.append(
                {"kind": "deal", "id": d.pk, "title": d.title, "instrument": d.instrument, "amount": d.amount}
            )
    for a in InvestFirstAgreement.objects.filter(enterprise_id=enterprise_id, status__in=IF_COUNTED).order_by(
        "pk"
    ):
        if not _skip(a, exclude):
            items.append({"kind": "invest_first", "id": a.pk, "title": a.title, "instrument": "invest_first",
                          "amount": a.amount})
    for t in TalentEquity.objects.filter(enterprise_id=enterprise_id, status__in=TALENT_COUNTED).order_by(
        "pk"
    ):
        if not _skip(t, exclude):
            items.append(
                {
                    "kind": "talent_equity",
                    "id": t.pk,
                    "title": t.title,
                    "instrument": "talent_equity",
                    "amount": t.amount,
                }
            )
    for g in GrantInvestLoan.objects.filter(
        enterprise_id=enterprise_id,
        status__in=GIL_COUNTED,
        equity_kind__in=[EquityLegKind.DIRECT, EquityLegKind.INVEST_FIRST],
        invest_first__isnull=True,
        equity_amount__gt=0,
    ).order_by("pk"):
        if not _skip(g, exclude):
            items.append(
                {
                    "kind": "grant_invest_loan",
                    "id": g.pk,
                    "title": g.title,
                    "instrument": "grant_invest_loan",
                    "amount": g.equity_amount,
                }
            )
    return sum((i["amount"] for i in items), Decimal("0.00")), items


def cap_state(enterprise_id: int, *, on: dt.date, exclude=None) -> CapState:
    """Used and headroom, read without locking (what an application page shows)."""
    use = PolicyUse(on=on)
    cap = use(CAP_KEY)
    used, items = cap_used(enterprise_id, exclude=exclude)
    return CapState(enterprise_id=enterprise_id, cap=cap, used=used, items=items, policy=use.snapshot)


def cap_check(*, enterprise_id: int, amount: Decimal, on: dt.date, exclude=None, locked: bool = True,
              field: str = "amount") -> CapState:
    """Refuse ``amount`` more fiscal equity into the enterprise if it would pass the cap.

    ``exclude`` is the item being decided (its own amount is the ``amount`` asked, not already used). With
    ``locked`` (every deciding check) the enterprise row is locked first and stays locked until the caller's
    transaction ends, so a concurrent decision for the same enterprise waits and then sees this one.
    """
    if locked:
        lock(Organisation, enterprise_id)
    state = cap_state(enterprise_id, on=on, exclude=exclude)
    if state.used + amount > state.cap:
        name = (
            Organisation.objects.filter(pk=enterprise_id).values_list("name", flat=True).first()
            or enterprise_id
        )
        raise DomainError(
            f"人才创业股权投资支持上限（talent.equity_cap）{state.cap:,} 元："
            f"企业「{name}」已计入 {state.used:,} 元，"
            f"剩余额度 {state.headroom:,} 元，本次 {amount:,} 元超过上限",
            f"talent equity cap (talent.equity_cap) {state.cap:,}: '{name}' already counts {state.used:,}, "
            f"headroom "
            f"{state.headroom:,}; {amount:,} more would exceed the cap",
            code="talent_cap_exceeded",
            field=field,
            status=409,
            extra={"cap": str(state.cap), "used": str(state.used), "headroom": str(state.headroom)},
        )
    return state


def deal_cap_check(deal, *, on: dt.date) -> CapState | None:
    """For the deal path (funds.services): call at committee submission, sign-off approval and funding of a
    deal whose instrument is a fiscal equity instrument. Locks the enterprise row (after the deal row:
    ORDER)."""
    from funds.models import FISCAL_EQUITY

    if deal.instrument not in FISCAL_EQUITY:
        return None
    return cap_check(enterprise_id=deal.enterprise_id, amount=deal.amount, on=on, exclude=deal)


def enterprise_total_used(enterprise_id: int) -> Decimal:
    """Shortcut used by the pages (no policy read)."""
    return cap_used(enterprise_id)[0]


__all__ = ["CAP_KEY", "CapState", "cap_check", "cap_state", "cap_used", "deal_cap_check"]

"""Per-enterprise caps on deals: the talent cap on fiscal equity and the single-deal cap per company.

The caller holds the enterprise row's lock (``finance.core.locks``), so two approvals of deals in the same
company are serialised and cannot both pass a cap.
"""
from __future__ import annotations

from django.db.models import Sum

from finance.core.money import fen, percent_to_fraction
from finance.policy.selectors import PolicyUse

from ..models import FISCAL_EQUITY, LIVE_DEAL_STATUSES, Deal, DealStatus, Holding, Instrument
from ._common import D, _err


def talent_cap_check(deal: Deal, use: PolicyUse):
    """Fiscal equity into one enterprise (talent equity, 先投后股, 拨投贷) stays within the talent cap
    wherever talent equity is involved. The caller holds the enterprise row's lock, so two approvals cannot
    both pass the cap."""
    if deal.instrument not in FISCAL_EQUITY:
        return
    live = Deal.objects.filter(enterprise_id=deal.enterprise_id, instrument__in=FISCAL_EQUITY,
                               status__in=LIVE_DEAL_STATUSES).exclude(pk=deal.pk)
    talent_involved = (deal.instrument == Instrument.TALENT_EQUITY
                       or live.filter(instrument=Instrument.TALENT_EQUITY).exists())
    if not talent_involved:
        return
    cap = use("talent.equity_cap")
    already = live.aggregate(s=Sum("amount"))["s"] or D(0)
    if already + deal.amount > cap:
        name = deal.enterprise.name
        total = already + deal.amount
        raise _err(f"企业「{name}」财政股权投资合计 {total} 超过人才股权支持上限 {cap}（已有 {already}）",
                   f"fiscal equity in '{name}' would total {total}, above the talent cap {cap} "
                   f"(already {already})", "talent_cap_exceeded", "amount", status=409)


def single_deal_cap_check(deal: Deal, use: PolicyUse):
    """One company's total in the sub-fund (every holding at cost, approved and contracted deals, this deal)
    stays within ``fund.single_deal_max`` % of the fund size: a follow-on counts with the first round."""
    fund = deal.sub_fund
    cap_pct = use("fund.single_deal_max")
    cap = fen(fund.size * percent_to_fraction(cap_pct))
    held = (Holding.objects.filter(sub_fund=fund, company_id=deal.enterprise_id)
            .aggregate(s=Sum("amount"))["s"] or D(0))
    pending = (Deal.objects.filter(sub_fund=fund, enterprise_id=deal.enterprise_id,
                                   status__in=(DealStatus.APPROVED,
                                               DealStatus.CONTRACTED)).exclude(pk=deal.pk)
               .aggregate(s=Sum("amount"))["s"] or D(0))
    total = held + pending + deal.amount
    if total > cap:
        name = deal.enterprise.name
        raise _err(f"对企业「{name}」的投资合计 {total} 超过单个项目上限 {cap}"
                   f"（基金规模的 {cap_pct}%；已投及已批 {held + pending}）",
                   f"investment in '{name}' would total {total}, above the single-deal cap {cap} "
                   f"({cap_pct}% of the fund size; already invested or approved {held + pending})",
                   "single_deal_cap_exceeded", "amount",
                   status=409)

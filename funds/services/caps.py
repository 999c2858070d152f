"""Per-enterprise caps on deals: the talent cap on fiscal equity and the single-deal cap per company.

The caller holds the enterprise row's lock (``finance.core.locks``), so two approvals of deals in the same
company are serialised and cannot both pass a cap.
"""
from __future__ import annotations

from django.db.models import Sum

from finance.core.money import fen, percent_to_fraction
from finance.policy.selectors import PolicyUse
from funds.direct.caps import deal_cap_check

from ..models import FISCAL_EQUITY, Deal, DealStatus, Holding
from ._common import D, _err


def talent_cap_check(deal: Deal, use: PolicyUse):
    """The talent cap on fiscal equity: one rule, in ``funds.direct.caps`` (cumulative per enterprise across
    every fiscal equity instrument, counted from approval, not freed by an exit). The caller holds the
    enterprise row's lock."""
    if deal.instrument not in FISCAL_EQUITY:
        return
    use("talent.equity_cap")  # recorded on the decision
    deal_cap_check(deal, on=use.on)


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

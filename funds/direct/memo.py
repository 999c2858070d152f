"""What an investment committee votes on, as a memo (not a dump of field names): enterprise, instrument,
amount, terms, talent-cap headroom, share-cap check, eligibility, due-diligence checklist, documents.

``deal_memo(deal)`` is for the funds vote page (funds/templates/funds/meeting_vote.html renders its sections);
``instrument_memo(item)`` does the same for the programme's own instruments.
"""
from __future__ import annotations

from decimal import Decimal

from finance.core.errors import DomainError
from finance.core.inputs import today
from finance.core.money import fraction_to_percent
from finance.policy.selectors import policy_value

from .caps import cap_state


def _money(x) -> str:
    return "—" if x is None else f"¥{Decimal(x):,.2f}"


def _cap_lines(enterprise_id: int, amount: Decimal, exclude) -> list[tuple[str, str]]:
    try:
        s = cap_state(enterprise_id, on=today(), exclude=exclude)
    except DomainError as exc:
        return [("人才股权投资支持上限", exc.detail_zh)]
    ok = s.used + amount <= s.cap
    return [
        ("人才股权投资支持上限", f"{_money(s.cap)}，已计入 {_money(s.used)}，剩余额度 {_money(s.headroom)}"),
        (
            "本项目计入后",
            ("在上限内" if ok else "超过上限，不能签约") + f"（合计 {_money(s.used + amount)}）",
        ),
    ]


def deal_memo(deal) -> list[dict]:
    """Sections of a sub-fund deal's committee memo."""
    from funds.models import FISCAL_EQUITY, Instrument

    ent = deal.enterprise
    sections = [
        {
            "title": "企业",
            "lines": [
                ("名称", ent.name),
                ("统一社会信用代码", ent.uscc or "—"),
                ("所在地区", ent.region or "—"),
                ("在山东", "是" if deal.in_shandong else "否"),
                ("转化财政资助成果", "是" if deal.converts_fiscal_result else "否"),
            ],
        },
        {
            "title": "投资方案",
            "lines": [
                ("投资方式", deal.get_instrument_display()),
                ("子基金", deal.sub_fund.name),
                ("金额", _money(deal.amount)),
                ("投前估值", _money(deal.pre_money)),
                ("持股比例", f"{deal.stake}%"),
                ("企业阶段", deal.get_stage_display()),
                ("条款", deal.terms or "—"),
            ],
        },
    ]
    checks = []
    if deal.instrument in FISCAL_EQUITY:
        checks += _cap_lines(deal.enterprise_id, deal.amount, deal)
    if deal.instrument == Instrument.INVEST_FIRST:
        try:
            cap = policy_value("investfirst.max_share", on=today())
            checks.append(("持股上限", f"{cap}% 且不得成为第一大股东；本项目 {deal.stake}%："
                                       + ("符合" if deal.stake <= cap else "超过上限")))
        except DomainError as exc:
            checks.append(("持股上限", exc.detail_zh))
    if checks:
        sections.append({"title": "合规检查", "lines": checks})
    sections.append(
        {
            "title": "尽职调查",
            "lines": [
                (("✓ " if c.done else "○ ") + c.label, str(c.done_by or "")) for c in deal.checklist.all()
            ],
        }
    )
    sections.append({"title": "文件", "lines": [(d.title, d.uploaded_at.date().isoformat())
                                              for d in deal.documents.all()] or [("—", "无")]})
    return sections


def instrument_memo(item) -> list[dict]:
    """The same memo for a 先投后股 agreement, talent investment or 拨投贷 project of a programme."""
    from .models import GrantInvestLoan, InvestFirstAgreement, TalentEquity

    ent = item.enterprise
    lines = [("名称", ent.name), ("统一社会信用代码", ent.uscc or "—")]
    sections = [{"title": "企业", "lines": lines}]
    if isinstance(item, InvestFirstAgreement):
        terms = [("投资方式", "先投后股"), ("金额", _money(item.amount)),
                 ("折扣", "无" if item.discount is None else f"{fraction_to_percent(item.discount):.2f}%"),
                 ("估值上限", _money(item.valuation_cap)), ("拨付期次", str(item.tranches.count()))]
        amount = item.amount
    elif isinstance(item, TalentEquity):
        terms = [
            ("投资方式", "人才创业股权投资"),
            ("金额", _money(item.amount)),
            ("每股价格", str(item.price_per_share)),
        ]
        amount = item.amount
        results = (item.eligibility or {}).get("results", {})
        sections.append(
            {
                "title": "资格审查",
                "lines": [(r["label"], "符合" if r["ok"] else "不符合") for r in results.values()],
            }
        )
    elif isinstance(item, GrantInvestLoan):
        terms = [
            ("投资方式", "拨投贷"),
            ("拨款", _money(item.grant_amount)),
            ("股权", _money(item.equity_amount)),
            ("贷款", item.loan_reference or "无"),
        ]
        amount = item.equity_amount
    else:
        raise TypeError(type(item).__name__)
    sections.append({"title": "投资方案", "lines": [("专项", item.programme.name), *terms]})
    sections.append({"title": "合规检查", "lines": _cap_lines(item.enterprise_id, amount, item)})
    return sections

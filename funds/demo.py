"""Demo data: the guidance fund, five sub-funds with eight years of calls, distributions and quarterly NAVs, a
portfolio, a committee and deals in every stage. Idempotent: if the guidance fund exists, nothing is added."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D

from finance.approvals.models import Committee
from finance.approvals.services import vote_cast
from finance.core.inputs import today as real_today
from finance.core.money import percent_to_fraction
from finance.parties.models import Role, User
from finance.parties.services import user_create

from . import services
from .models import CallStatus, DealStatus, GuidanceFund, Stage, Valuation

GUIDANCE_NAME = "山东省科技成果转化引导基金"
SUB_FUNDS = [
    ("山东新一代信息技术子基金", "信息技术", "济南"), ("山东生物医药子基金", "生物医药", "青岛"),
    ("山东高端装备子基金", "高端装备", "烟台"), ("山东新材料子基金", "新材料", "淄博"),
    ("山东现代农业科技子基金", "现代农业", "潍坊"),
]
SOCIAL = ["鲁信创投", "浪潮集团", "海尔资本", "万华化学投资", "齐鲁股权投资合伙企业", "潍柴动力投资"]


def _quarter_ends(start: dt.date, end: dt.date):
    y, q = start.year, 1
    while True:
        d = dt.date(y, 3 * q, 31 if q in (1, 4) else 30)
        if d > end:
            return
        if d >= start:
            yield d
        q += 1
        if q == 5:
            y, q = y + 1, 1


def _checker(world, username: str, display: str):
    """A second and third fund manager: they approve large calls and sign off deals (never the maker)."""
    from finance.web.management.commands.seed_demo import DEMO_PASSWORD

    user = User.objects.filter(username=username).first()
    if user is None:
        user, _ = user_create(organisation=world.fund_manager, username=username, roles=[Role.FUND_MANAGER],
                              password=DEMO_PASSWORD, display_name=display)
    world.users[username] = user
    return user


def _issue(call, checkers):
    """A call from the four-eyes threshold on is issued only once the other managers approve it."""
    for checker in checkers:
        if call.status != CallStatus.PENDING_APPROVAL:
            break
        call = services.call_approve(call=call, by=checker, approve=True, comment="同意发出缴款通知")
    return call


DEMO_TODAY = dt.date(2025, 12, 31)  # the demo's history ends here (never after the real today)


def _sub_funds(world, guidance, manager) -> list:
    funds = []
    for i, (name, strategy, region) in enumerate(SUB_FUNDS):
        size = D(400_000_000 + 100_000_000 * i)
        g = (size * D("0.20")).quantize(D("0.01"))
        city = (size * D("0.10")).quantize(D("0.01"))
        rest = size - g - city
        a = (rest * D("0.55")).quantize(D("0.01"))
        lps = [{"lp_kind": "guidance", "amount": g, "investor_name": GUIDANCE_NAME},
               {"lp_kind": "city", "amount": city, "organisation": world.city},
               {"lp_kind": "social", "amount": a, "investor_name": SOCIAL[i]},
               {"lp_kind": "social", "amount": rest - a, "investor_name": SOCIAL[(i + 1) % len(SOCIAL)]}]
        fv = dt.date(2018, 1 + i * 2, 1)
        funds.append(services.sub_fund_create(
            guidance_fund=guidance, name=name, manager=world.fund_manager, size=size, vintage=fv,
            commitments=lps, strategy=strategy, region=region, fee_rate="2", by=manager))
    return funds


def _call_and_invest(fund, n, year, on, holdings, ctx):
    """An investment call (approved by the checkers when large), paid nine days later, and two investments."""
    rng, manager, companies = ctx["rng"], ctx["manager"], ctx["companies"]
    call = services.call_create(sub_fund=fund, amount=(fund.size * D("0.18")).quantize(D("0.01")),
                                call_date=on, purpose="investment", by=manager)
    call = _issue(call, ctx["checkers"])
    services.call_pay_all(call=call, paid_on=on + dt.timedelta(days=9), by=manager)
    for k in range(2):
        comp = companies[(n * 3 + year * 2 + k) % len(companies)]
        amount = (fund.size * D(rng.choice(["0.03", "0.04", "0.05", "0.06"]))).quantize(D("0.01"))
        holdings.append(services.holding_create(
            sub_fund=fund, company=comp, company_name=comp.name, invested_on=on + dt.timedelta(days=30 + k),
            amount=amount, stake=str(rng.randint(5, 20)), stage=rng.choice(Stage.values),
            in_shandong=rng.random() < 0.85, converts_fiscal_result=rng.random() < 0.7, by=manager))


def _exit_and_distribute(fund, on, holdings, ctx):
    rng, manager = ctx["rng"], ctx["manager"]
    h = holdings.pop(0)
    exit_on = on + dt.timedelta(days=120)
    if exit_on > DEMO_TODAY:
        return
    multiple = D(rng.choice(["0.6", "1.4", "2.1", "3.0"]))
    services.holding_exit(holding=h, exited_on=exit_on, proceeds=(h.amount * multiple).quantize(D("0.01")),
                          by=manager)
    cash = services.cash_account(fund)
    cash.refresh_from_db()
    amount = min(cash.balance, (h.proceeds or h.amount)).quantize(D("0.01"))
    if amount > 0:
        services.distribution_create(sub_fund=fund, amount=amount, paid_on=exit_on + dt.timedelta(days=15),
                                     by=manager)


def _valuations_and_navs(fund, ctx):
    rng = ctx["rng"]
    quarters = list(_quarter_ends(fund.vintage, DEMO_TODAY))
    vals = []
    for h in fund.holdings.all():
        rate = percent_to_fraction(rng.randint(-15, 35))
        for q in quarters:
            if h.invested_on <= q and (h.exited_on is None or h.exited_on > q):
                years = D((q - h.invested_on).days) / D(365)
                value = max(D(0), (h.amount * (1 + rate * years / 2)).quantize(D("0.01")))
                vals.append(Valuation(holding=h, as_of=q, value=value))
    # demo shortcut: valuations are plain rows (valuation_record adds nothing else)
    Valuation.objects.bulk_create(vals)
    for q in quarters:
        services.nav_record(sub_fund=fund, as_of=q, by=ctx["manager"])


def _fund_history(fund, n, ctx):
    """Eight years: calls and investments for five, fees every year, an exit a year from the fifth."""
    holdings = []
    for year in range(8):
        on = fund.vintage.replace(year=fund.vintage.year + year)
        if on > DEMO_TODAY:
            break
        if year < 5:
            _call_and_invest(fund, n, year, on, holdings, ctx)
        services.fee_accrue(sub_fund=fund, period_start=on, period_end=on.replace(year=on.year + 1),
                            by=ctx["manager"])
        if year >= 4 and holdings:
            _exit_and_distribute(fund, on, holdings, ctx)
    _valuations_and_navs(fund, ctx)


def _index(world, rng, manager):
    """An index for KS-PME (quarterly levels)."""
    level, rows = D(3000), []
    for q in _quarter_ends(dt.date(2017, 12, 31), DEMO_TODAY):
        rows.append(f"{q.isoformat()},{level}")
        level = (level * (D(1) + percent_to_fraction(rng.randint(-6, 8)))).quantize(D("0.01"))
    services.index_upload(owner=world.fund_manager, name="沪深300（季度）",
                          content="date,level\n2017-12-31,3000\n" + "\n".join(rows[1:]), by=manager)


def seed(world) -> None:
    """Sub-funds with their history and the deal pipeline, then the direct instruments (both idempotent)."""
    from funds.direct import demo as direct_demo

    _seed_sub_funds(world)
    direct_demo.seed(world)


def _seed_sub_funds(world) -> None:
    checkers = [_checker(world, "manager2", "风控复核"), _checker(world, "manager3", "合规复核")]
    if GuidanceFund.objects.filter(name=GUIDANCE_NAME, manager=world.fund_manager).exists():
        return
    rng = random.Random(2018)
    manager = world.users["manager"]
    guidance = services.guidance_fund_create(name=GUIDANCE_NAME, manager=world.fund_manager,
                                             size=D("5000000000.00"), vintage=dt.date(2018, 1, 1))
    funds = _sub_funds(world, guidance, manager)
    ctx = {"rng": rng, "manager": manager, "checkers": checkers, "companies": world.startups}
    for n, fund in enumerate(funds):
        _fund_history(fund, n, ctx)
    _index(world, rng, manager)
    _deals(world, funds[0], manager)


INSTRUMENT_ZH = {"equity": "股权投资", "invest_first": "先投后股", "grant_invest_loan": "拨投贷",
                 "talent_equity": "人才股权"}
ORDER = ["sourced", "screening", "due_diligence", "committee", "approved", "contracted", "funded", "exited"]


def _to_committee(deal, reached, committee, manager, today):
    if reached >= 1:
        services.deal_move(deal=deal, to=DealStatus.SCREENING, by=manager, reason="初步筛选通过")
    if reached >= 2:
        services.deal_move(deal=deal, to=DealStatus.DUE_DILIGENCE, by=manager, reason="进入尽调")
    if reached >= 3:
        for item in deal.checklist.all():
            services.checklist_tick(item=item, by=manager)
        deal = services.deal_submit(deal=deal, committee=committee, by=manager, held_on=today)
    return deal


def _decide(deal, target, members, manager, checker):
    """The committee votes (all for, or all against for the rejected one); the checker signs off."""
    choice = "against" if target == "rejected" else "for"
    for m in members:
        vote_cast(meeting=deal.meeting, member=m, choice=choice,
                  comment="同意" if choice == "for" else "估值偏高")
    memo = "投委会表决" + ("通过" if choice == "for" else "否决")
    deal = services.deal_committee_decide(deal=deal, by=manager, memo=memo)
    if target == "rejected":
        return deal
    return services.deal_signoff(deal=deal, by=checker, approve=True, comment="复核同意")


def _after_approval(deal, reached, manager, today):
    if reached >= 5:
        services.deal_move(deal=deal, to=DealStatus.CONTRACTED, by=manager, reason="签署投资协议")
        cp = services.condition_add(deal=deal, description="完成工商变更登记")
        if reached >= 6:
            services.condition_satisfy(condition=cp, on=today, by=manager)
            deal = services.deal_fund(deal=deal, funded_on=today, by=manager)
    if reached >= 7:
        services.deal_exit(deal=deal, exited_on=today, proceeds="6000000.00", by=manager)


def _deals(world, fund, manager):
    members = [world.users[f"committee{i}"] for i in range(1, 4)]
    committee, _ = Committee.objects.get_or_create(organisation=world.fund_manager,
                                                   name="引导基金投资决策委员会")
    committee.members.set(members)
    checker = world.users["manager2"]
    today = real_today()
    s = world.startups
    plan = [("sourced", s[6], "equity", "2000000.00"), ("screening", s[7], "invest_first", "3000000.00"),
            ("due_diligence", s[8], "grant_invest_loan", "2500000.00"),
            ("committee", s[9], "talent_equity", "1500000.00"),
            ("approved", s[10], "equity", "8000000.00"), ("rejected", s[11], "equity", "6000000.00"),
            ("contracted", s[0], "talent_equity", "3000000.00"), ("funded", s[1], "equity", "5000000.00"),
            ("exited", s[2], "equity", "4000000.00")]
    for target, ent, instrument, amount in plan:
        deal = services.deal_create(sub_fund=fund, enterprise=ent,
                                    title=f"{ent.name[:6]} {INSTRUMENT_ZH[instrument]}",
                                    instrument=instrument, amount=amount, stake="8", by=manager,
                                    terms="按投后估值入股；董事会观察员席位；回购条款。",
                                    converts_fiscal_result=True)
        reached = ORDER.index(target) if target in ORDER else 3
        deal = _to_committee(deal, reached, committee, manager, today)
        if target == "committee":
            vote_cast(meeting=deal.meeting, member=members[0], choice="for", comment="团队扎实")
            continue
        if reached >= 3:
            deal = _decide(deal, target, members, manager, checker)
            if target == "rejected":
                continue
        _after_approval(deal, reached, manager, today)

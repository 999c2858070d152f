"""Demo data of the direct instruments: every instrument in every state, built through the services.

``seed(world)`` takes the world of ``seed_demo`` (``funds.demo.seed`` calls it last). Idempotent: if the demo
programme exists nothing is added. Dates are relative to today so every "not after today" rule holds.

What it leaves: a programme of the province run by the guidance-fund manager; 先投后股 agreements applied,
awaiting approval, contracted, disbursed, converting (conversion awaiting decision), converted, overdue,
closing (closure awaiting decision), closed as a grant, repaid and swapped, and one converted then exited;
talent equity near the cap (4,800,000 funded) with a second application over it (refused at submission, left
applied), one bought back; a 拨投贷 project with three legs (the loan leg linked when the loans demo made a
loan to the firm).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from finance.calc.schedules import add_months
from finance.core.errors import DomainError
from finance.core.inputs import today
from finance.parties.models import Organisation, OrgKind, Role, User
from finance.parties.services import user_create
from finance.policy.catalogue import POLICY_EPOCH
from finance.policy.models import Parameter, ParameterValue
from finance.policy.selectors import PolicyHistory

from . import captable, loanlink, services
from .caps import CAP_KEY
from .models import Programme

PROGRAMME = "山东省科技成果转化财政直投专项"
DEMO_POLICY = {  # the (none) parameters the demo needs, set only where no value is in force
    "investfirst.conversion_deadline_months": "24",
    "investfirst.min_round_size": "5000000",
    "grantinvestloan.grant_cap": "3000000",
    "grantinvestloan.exit_return": "5",
    "talent.holding_years": "5",
    "talent.eligibility.team_leads": "1",
    "talent.eligibility.in_shandong": "1",
    "talent.eligibility.own_ip_min": "1",
    "talent.eligibility.company_age_max_years": "10",
    "talent.eligibility.founders_cash_min": "500000",
    "fund.early_exit_reference_rate": "3.5",
}


def _policy(on: dt.date, earliest: dt.date) -> None:
    history = PolicyHistory()
    for key, value in DEMO_POLICY.items():
        try:
            history.value(key, on)
        except DomainError:
            ParameterValue.objects.create(parameter=Parameter.objects.get(key=key), value=D(value),
                                          effective_from=POLICY_EPOCH, source_note="演示数据 demo value")
    # The talent cap (148号, 2024-11-21) and the invest-first share cap (2025-01-01) are seeded from their
    # sources on; the demo's history reaches further back, so it sets the same figures for the earlier
    # decisions (demo values, ended the day the published ones start).
    for key in (CAP_KEY, "investfirst.max_share"):
        try:
            history.value(key, earliest)
        except DomainError:
            first = (ParameterValue.objects.filter(parameter__key=key, scope="", effective_from__gt=earliest)
                     .order_by("effective_from").first())
            if first is not None:
                ParameterValue.objects.create(parameter=first.parameter, value=first.value,
                                              effective_from=POLICY_EPOCH, effective_to=first.effective_from,
                                              source_note="演示数据 demo value (before the source)")


def _user(world, username: str, org: Organisation, role: str, display: str) -> User:
    user = (
        User.objects.filter(username=username).first()
        or user_create(
            organisation=org,
            username=username,
            roles=[role],
            display_name=display,
            password="Kejin-demo-2026",
        )[0]
    )
    world.users[username] = user
    return user


FIRMS = [
    "济南量子芯片中试科技有限公司",
    "青岛海洋药物研究有限公司",
    "烟台先进材料科技有限公司",
    "潍坊智能农机装备有限公司",
    "淄博催化新材料有限公司",
    "威海海洋装备科技有限公司",
    "济宁光电芯片有限公司",
    "临沂储能电池科技有限公司",
    "泰安人才创业科技有限公司",
    "日照数字港航科技有限公司",
]


def _firm(i: int) -> Organisation:
    from finance.parties.demo_codes import demo_uscc

    org, _ = Organisation.objects.get_or_create(uscc=demo_uscc(OrgKind.ENTERPRISE, 700 + i),
                                                defaults={"kind": OrgKind.ENTERPRISE, "name": FIRMS[i],
                                                          "region": FIRMS[i][:2]})
    return org


def _headroom(org: Organisation) -> D:
    from .caps import cap_state

    return cap_state(org.pk, on=today()).headroom


def seed(world) -> None:
    if Programme.objects.filter(name=PROGRAMME).exists():
        return
    t0 = today()
    long_ago = add_months(t0, -40, 1)
    _policy(t0, add_months(long_ago, -12, 1))
    maker = world.users["manager"]
    checker = _user(world, "direct_checker", world.fund_manager, Role.FUND_MANAGER, "直投复核员")
    payer = _user(world, "direct_payer", world.fund_manager, Role.FUND_MANAGER, "直投出纳")
    p = services.programme_create(
        name=PROGRAMME,
        owner_department=world.province,
        manager=world.fund_manager,
        budget="200000000.00",
        kinds=["invest_first", "talent_equity", "grant_invest_loan"],
        by=maker,
    )
    services.programme_fund(
        programme=p, amount="120000000.00", on=add_months(long_ago, -2, 1), reference="鲁财教-直投-1"
    )

    def agreement(firm, title, amount, *, applied, stop="disbursed", discount=None, cap=None):
        a = services.invest_first_apply(
            programme=p,
            enterprise=firm,
            title=title,
            amount=amount,
            tranches=[{"amount": amount, "due_on": applied + dt.timedelta(days=40)}],
            discount=discount,
            valuation_cap=cap,
            by=maker,
            applied_on=applied,
        )
        if stop == "applied":
            return a
        services.invest_first_submit(agreement=a, by=maker)
        if stop == "submitted":
            return a
        services.invest_first_decide(agreement=a, by=checker, approve=True, comment="同意")
        services.invest_first_sign(agreement=a, signed_on=applied + dt.timedelta(days=20), by=maker)
        if stop == "contracted":
            return a
        services.tranche_pay(tranche=a.tranches.get(), paid_on=applied + dt.timedelta(days=40), by=payer)
        a.refresh_from_db()
        return a

    # The demo startup gets the converted agreement when the sub-fund deals leave it the headroom; the other
    # instruments go to firms of their own, so the funds demo's deals never push them over the talent cap.
    firms = [_firm(i) for i in range(10)]
    if world.startups and _headroom(world.startups[0]) >= D("1000000.00") \
            and not captable.total_shares(world.startups[0].pk):
        firms[0] = world.startups[0]
    recent = add_months(t0, -6, 1)
    for firm in firms[:6]:
        captable.founders_register(enterprise=firm, founders=[("创始人甲", 5000000), ("创始人乙", 4000000)],
                                   on=add_months(long_ago, -12, 1))

    # converted, then a second one converting (awaiting the decision), one exited after conversion
    a = agreement(
        firms[0], "量子芯片中试线（先投后股）", "1000000.00", applied=recent, discount="20", cap="10000000.00"
    )
    r = services.round_report(
        enterprise=firms[0],
        round_date=t0 - dt.timedelta(days=30),
        price_per_share="1.10",
        pre_money="11150000.00",
        new_money="5000000.00",
        fd_shares_before=9000000,
        by=maker,
    )
    c = services.conversion_propose(agreement=a, round=r, by=maker)
    services.conversion_decide(conversion=c, by=checker, approve=True, comment="同意按折扣价转股")
    b = agreement(firms[1], "海洋药物临床前研究（先投后股）", "2000000.00", applied=recent)
    r = services.round_report(
        enterprise=firms[1],
        round_date=t0 - dt.timedelta(days=10),
        price_per_share="1",
        pre_money="9000000.00",
        new_money="6000000.00",
        fd_shares_before=9000000,
        by=maker,
    )
    services.conversion_propose(agreement=b, round=r, by=maker)
    e = agreement(firms[2], "新材料中试（先投后股，已退出）", "1000000.00", applied=add_months(t0, -30, 1))
    r = services.round_report(
        enterprise=firms[2],
        round_date=add_months(t0, -24, 1),
        price_per_share="1",
        pre_money="9000000.00",
        new_money="5000000.00",
        fd_shares_before=9000000,
        by=maker,
    )
    c = services.conversion_propose(agreement=e, round=r, by=maker)
    services.conversion_decide(conversion=c, by=checker, approve=True)
    e.refresh_from_db()
    services.position_exit(position=e.position, exited_on=t0 - dt.timedelta(days=5), proceeds="1500000.00",
                           kind="buyback", buyer="创始人甲", by=maker)

    # waiting: applied, awaiting approval, contracted, disbursed
    agreement(
        firms[3], "智能农机样机（先投后股）", "800000.00", applied=t0 - dt.timedelta(days=3), stop="applied"
    )
    agreement(
        firms[3],
        "农机导航系统（先投后股）",
        "600000.00",
        applied=t0 - dt.timedelta(days=60),
        stop="submitted",
    )
    agreement(
        firms[4],
        "精细化工工艺包（先投后股）",
        "900000.00",
        applied=t0 - dt.timedelta(days=90),
        stop="contracted",
    )
    agreement(firms[4], "催化剂放大试验（先投后股）", "700000.00", applied=add_months(t0, -22, 1))

    # overdue: one left overdue, one closing, three closed (grant, repaid, swapped)
    old = [agreement(firms[5 + (k % 3)], f"逾期项目{k + 1}（先投后股）", "1000000.00", applied=long_ago)
           for k in range(5)]
    services.invest_first_overdue_sweep(on=t0)
    services.closure_propose(
        agreement=old[1], way="grant", reason="企业未完成融资，拟按项目拨款处理", by=maker
    )
    for ag, way, extra in ((old[2], "grant", {}), (old[3], "repaid", {"agreed_amount": "800000.00"}),
                           (old[4], "swapped", {"target_project": "省级中试平台建设项目"})):
        cl = services.closure_propose(
            agreement=ag, way=way, reason="逾期未转股，按决定关闭", by=maker, **extra
        )
        services.closure_decide(closure=cl, by=checker, approve=True, comment="同意")

    _seed_talent(p, firms, t0, maker, checker, payer)
    _seed_grant_invest_loan(p, firms, t0, maker, checker, payer)


def _seed_talent(
    p: Programme, firms: list[Organisation], t0: dt.date, maker: User, checker: User, payer: User
) -> None:
    # talent equity: near the cap, an application over it, one bought back
    def talent(firm, title, amount, *, funded=None, stop="funded"):
        t = services.talent_equity_apply(
            programme=p,
            enterprise=firm,
            title=title,
            amount=amount,
            price_per_share="2.00",
            founded_on=add_months(t0, -48, 1),
            by=maker,
            talent_team_leads=True,
            registered_in_shandong=True,
            own_ip_count=3,
            founders_cash="800000.00",
            applied_on=(funded or t0) - dt.timedelta(days=30),
        )
        if stop == "applied":
            return t
        services.talent_equity_submit(talent=t, by=maker)
        services.talent_equity_decide(talent=t, by=checker, approve=True, comment="符合条件")
        services.talent_equity_sign(talent=t, by=maker)
        services.talent_equity_fund(talent=t, funded_on=funded or t0, by=payer)
        t.refresh_from_db()
        return t

    over = talent(firms[8], "人才团队二期（超出上限，待处理）", "1000000.00", stop="applied")
    talent(firms[8], "人才团队一期（接近上限）", "4800000.00", funded=t0 - dt.timedelta(days=10))
    try:
        services.talent_equity_submit(talent=over, by=maker)
    except DomainError:
        pass  # refused: the cap headroom is 200,000
    sold = talent(firms[9], "人才创业项目（已回购）", "1000000.00", funded=add_months(t0, -14, 1))
    services.position_exit(position=sold.position, exited_on=t0 - dt.timedelta(days=2), proceeds="1000000.00",
                           kind="buyback", buyer="创始团队", by=maker)


def _seed_grant_invest_loan(
    p: Programme, firms: list[Organisation], t0: dt.date, maker: User, checker: User, payer: User
) -> None:
    # 拨投贷 with three legs
    firm = firms[6]
    rows = loanlink.loans_to_enterprises(limit=200)
    orgs = Organisation.objects.in_bulk({r["borrower_id"] for r in rows} | {r["bank_id"] for r in rows})
    loan = next((r for r in rows if _headroom(orgs[r["borrower_id"]]) >= D("1500000.00")), None)
    if loan is not None:
        firm = orgs[loan["borrower_id"]]
    g = services.grant_invest_loan_apply(
        programme=p,
        enterprise=firm,
        title="光电芯片产业化（拨投贷）",
        by=maker,
        grant_amount="1000000.00",
        equity_kind="direct",
        equity_amount="1500000.00",
        equity_price_per_share="1.50",
        applied_on=t0 - dt.timedelta(days=60),
    )
    services.grant_invest_loan_review(project=g, by=maker)
    services.grant_invest_loan_submit(project=g, by=maker)
    services.grant_invest_loan_decide(project=g, by=checker, approve=True, comment="同意三位一体支持")
    services.grant_invest_loan_sign(project=g, signed_on=t0 - dt.timedelta(days=40), by=maker)
    if loan is not None:
        services.grant_invest_loan_link_loan(project=g, bank=orgs[loan["bank_id"]],
                                             reference=loan["reference"], by=maker, pool_enrolled=True)
    services.grant_invest_loan_pay_grant(project=g, paid_on=t0 - dt.timedelta(days=35), by=payer)
    services.grant_invest_loan_fund_equity(project=g, funded_on=t0 - dt.timedelta(days=35), by=payer)
    services.grant_invest_loan_move(project=g, to="monitoring", by=maker, reason="进入投后管理")
    h = services.grant_invest_loan_apply(
        programme=p,
        enterprise=firms[7],
        title="储能电池（拨投贷，先投后股）",
        by=maker,
        grant_amount="500000.00",
        equity_kind="invest_first",
        equity_amount="1000000.00",
        applied_on=t0 - dt.timedelta(days=20),
    )
    services.grant_invest_loan_review(project=h, by=maker)

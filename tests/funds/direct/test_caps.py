"""The talent cap: cumulative per enterprise across every fiscal equity instrument, counted from approval, never
freed by an exit, checked at application, submission, approval and funding; a race on PostgreSQL."""
import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from finance.approvals.services import vote_cast
from finance.core.errors import DomainError
from finance.parties.demo_codes import demo_uscc
from finance.parties.models import Organisation, OrgKind, Role
from finance.parties.services import user_create
from finance.policy.selectors import PolicyParameterMissing
from funds.direct import services
from funds.direct.caps import cap_state, deal_cap_check
from funds.direct.models import InvestFirstAgreement, TalentEquity
from funds.models import DealStatus
from funds.services import (
    checklist_tick,
    deal_committee_decide,
    deal_create,
    deal_move,
    deal_signoff,
    deal_submit,
)
from tests.conftest import postgres_only
from tests.funds.direct.conftest import set_policy

APPLIED = dt.date(2025, 1, 10)
TODAY = dt.date(2025, 3, 1)


def talent(programme, enterprise, by, amount, title="人才项目"):
    return services.talent_equity_apply(programme=programme, enterprise=enterprise, title=title, amount=amount,
                                        price_per_share="1.00", founded_on=dt.date(2022, 1, 1), by=by,
                                        talent_team_leads=True, registered_in_shandong=True, own_ip_count=2,
                                        founders_cash="1000000.00", applied_on=APPLIED)


def approved_talent(programme, enterprise, maker, checker, amount, title="人才项目"):
    t = talent(programme, enterprise, maker, amount, title)
    services.talent_equity_submit(talent=t, by=maker)
    return services.talent_equity_decide(talent=t, by=checker, approve=True)


def sub_fund_talent_deal(fund, enterprise, manager, checker, committee, amount):
    deal = deal_create(sub_fund=fund, enterprise=enterprise, title="人才股权", instrument="talent_equity", amount=amount,
                       by=manager)
    deal_move(deal=deal, to=DealStatus.SCREENING, by=manager)
    deal_move(deal=deal, to=DealStatus.DUE_DILIGENCE, by=manager)
    for item in deal.checklist.all():
        checklist_tick(item=item, by=manager)
    deal = deal_submit(deal=deal, committee=committee, by=manager, held_on=TODAY)
    for m in committee.members.order_by("pk"):
        vote_cast(meeting=deal.meeting, member=m, choice="for", comment="ok")
    deal = deal_committee_decide(deal=deal, by=manager, memo="通过")
    return deal_signoff(deal=deal, by=checker, approve=True)


def test_cap_counts_deals_talent_invest_first_and_the_equity_leg(programme, enterprise, maker, checker, make_fund,
                                                                 manager, gp, make_user, committee):
    deal_checker = make_user(gp, Role.FUND_MANAGER)
    # sign-off also checks the single-deal cap (fund.single_deal_max, 20 % of the fund size): a fund of 20,000,000
    fund = make_fund(size="20000000.00", lps=(("guidance", "4000000.00"), ("social", "8000000.00"),
                                              ("social", "8000000.00")))
    deal = sub_fund_talent_deal(fund, enterprise, manager, deal_checker, committee, "2000000.00")
    assert deal.status == DealStatus.APPROVED
    approved_talent(programme, enterprise, maker, checker, "1500000.00")
    g = services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷", by=maker,
                                         equity_kind="direct", equity_amount="1000000.00", equity_price_per_share="2",
                                         applied_on=APPLIED)
    assert cap_state(enterprise.pk, on=TODAY).used == D("3500000.00")  # the project is not approved yet
    services.grant_invest_loan_review(project=g, by=maker)
    services.grant_invest_loan_submit(project=g, by=maker)
    services.grant_invest_loan_decide(project=g, by=checker, approve=True)
    state = cap_state(enterprise.pk, on=TODAY)
    assert (state.cap, state.used, state.headroom) == (D("5000000"), D("4500000.00"), D("500000.00"))
    assert [i["kind"] for i in state.items] == ["deal", "talent_equity", "grant_invest_loan"]
    with pytest.raises(DomainError) as exc:
        services.invest_first_apply(programme=programme, enterprise=enterprise, title="先投后股", amount="500000.01",
                                    tranches=[{"amount": "500000.01", "due_on": TODAY}], by=maker, applied_on=APPLIED)
    assert exc.value.code == "talent_cap_exceeded"
    assert "talent.equity_cap" in exc.value.detail_zh and "500,000.00" in exc.value.detail_zh  # the headroom
    a = services.invest_first_apply(programme=programme, enterprise=enterprise, title="先投后股", amount="500000.00",
                                    tranches=[{"amount": "500000.00", "due_on": TODAY}], by=maker, applied_on=APPLIED)
    assert a.cap.headroom == D("500000.00")


def test_the_cap_applies_from_148_and_a_decision_before_it_is_refused_naming_it(programme, enterprise, maker):
    """talent.equity_cap is in force from 2024-11-21 (148号 十一): an earlier decision has no cap in force and is
    refused, naming the parameter, until an administrator sets one; from that day the cap counts."""
    def apply(on):
        return services.invest_first_apply(programme=programme, enterprise=enterprise, title="先投后股",
                                           amount="100000.00", tranches=[{"amount": "100000.00", "due_on": TODAY}],
                                           by=maker, applied_on=on)

    with pytest.raises(PolicyParameterMissing) as exc:
        apply(dt.date(2024, 11, 20))
    assert "talent.equity_cap" in exc.value.detail_en and "2024-11-20" in exc.value.detail_en
    assert not InvestFirstAgreement.objects.exists()
    assert apply(dt.date(2024, 11, 21)).cap.headroom == D("5000000")


def test_the_issue_example_a_six_million_talent_deal_is_stopped_before_the_committee(fund, enterprise, manager,
                                                                                      policy):
    deal = deal_create(sub_fund=fund, enterprise=enterprise, title="人才股权", instrument="talent_equity",
                       amount="6000000.00", by=manager)
    with pytest.raises(DomainError) as exc:
        deal_cap_check(deal, on=TODAY)
    assert exc.value.code == "talent_cap_exceeded" and exc.value.extra["headroom"] == "5000000.00"
    equity = deal_create(sub_fund=fund, enterprise=enterprise, title="普通股权", instrument="equity",
                         amount="6000000.00", by=manager)
    assert deal_cap_check(equity, on=TODAY) is None  # not a fiscal equity instrument


def test_an_exit_does_not_free_the_cap(programme, enterprise, maker, checker, payer):
    t = approved_talent(programme, enterprise, maker, checker, "5000000.00")
    services.talent_equity_sign(talent=t, by=maker)
    services.talent_equity_fund(talent=t, funded_on=TODAY, by=payer)
    t.refresh_from_db()
    services.position_exit(position=t.position, exited_on=dt.date(2025, 6, 1), proceeds="5000000.00", kind="buyback",
                           buyer="创始人", by=maker)
    t.refresh_from_db()
    assert t.status == "exited"
    assert cap_state(enterprise.pk, on=TODAY).used == D("5000000.00")
    with pytest.raises(DomainError) as exc:
        talent(programme, enterprise, maker, "0.01")
    assert exc.value.code == "talent_cap_exceeded"


def test_submission_is_refused_once_another_approval_took_the_headroom(programme, enterprise, maker, checker):
    first = talent(programme, enterprise, maker, "3000000.00", "甲")
    second = talent(programme, enterprise, maker, "3000000.00", "乙")  # both fine as applications
    services.talent_equity_submit(talent=first, by=maker)
    services.talent_equity_decide(talent=first, by=checker, approve=True)
    with pytest.raises(DomainError) as exc:
        services.talent_equity_submit(talent=second, by=maker)
    assert exc.value.code == "talent_cap_exceeded"
    second.refresh_from_db()
    assert second.status == "applied"


def test_rejected_items_never_count(programme, enterprise, maker, checker):
    t = talent(programme, enterprise, maker, "4000000.00")
    services.talent_equity_submit(talent=t, by=maker)
    services.talent_equity_decide(talent=t, by=checker, approve=False, comment="不符合")
    assert cap_state(enterprise.pk, on=TODAY).used == D("0.00")


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_one_enterprise_never_exceed_the_cap():
    set_policy()
    dept = Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="财政厅", dept_level="province")
    mgr = Organisation.objects.create(kind=OrgKind.FUND_MANAGER, name="平台", uscc=demo_uscc(OrgKind.FUND_MANAGER, 8811))
    ent = Organisation.objects.create(kind=OrgKind.ENTERPRISE, name="企业", uscc=demo_uscc(OrgKind.ENTERPRISE, 8812))
    users = [user_create(organisation=mgr, username=f"m{i}", roles=[Role.FUND_MANAGER], password="Test-password-123")[0]
             for i in range(3)]
    maker, checkers = users[0], users[1:]
    p = services.programme_create(name="专项", owner_department=dept, manager=mgr, budget="10000000.00",
                                  kinds=["talent_equity"])
    items = [talent(p, ent, maker, "3000000.00", f"项目{i}") for i in range(2)]
    for t in items:
        services.talent_equity_submit(talent=t, by=maker)
    barrier = threading.Barrier(2)
    results = []

    def decide(t, checker):
        try:
            barrier.wait()
            services.talent_equity_decide(talent=t, by=checker, approve=True)
            results.append("approved")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(t, c)) for t, c in zip(items, checkers, strict=True)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["approved", "talent_cap_exceeded"]
    assert TalentEquity.objects.filter(status="approved").count() == 1
    assert cap_state(ent.pk, on=TODAY).used == D("3000000.00")



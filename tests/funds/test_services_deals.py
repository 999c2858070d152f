"""Deals through the pipeline and the investment committee: maker-checker, recusal, quorum, voided votes, talent cap."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.approvals.models import Meeting, MeetingStatus, StateChange
from finance.approvals.services import conflict_declare, history, meeting_tally, vote_cast
from finance.core.errors import DomainError
from finance.ledger.selectors import trial_balance
from finance.parties.models import OrgKind, Role
from funds.models import DealStatus, Holding
from funds.services import (
    call_create,
    call_pay_all,
    checklist_tick,
    condition_add,
    condition_satisfy,
    deal_committee_decide,
    deal_create,
    deal_edit,
    deal_fund,
    deal_move,
    deal_signoff,
    deal_submit,
)

DAY = dt.date(2020, 2, 1)


@pytest.fixture
def startup(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="济南量子芯科技有限公司")


@pytest.fixture
def checker(gp, make_user):
    return make_user(gp, Role.FUND_MANAGER)


def _at_committee(fund, startup, manager, committee, amount="10.00", instrument="equity", held_on=DAY):
    deal = deal_create(sub_fund=fund, enterprise=startup, title="A 轮", instrument=instrument, amount=amount, by=manager)
    deal_move(deal=deal, to=DealStatus.SCREENING, by=manager)
    deal_move(deal=deal, to=DealStatus.DUE_DILIGENCE, by=manager)
    for item in deal.checklist.all():
        checklist_tick(item=item, by=manager)
    return deal_submit(deal=deal, committee=committee, by=manager, held_on=held_on)


def _vote_all(deal, committee, choice="for"):
    for m in committee.members.order_by("pk"):
        vote_cast(meeting=deal.meeting, member=m, choice=choice, comment="ok")


def test_full_pipeline_funds_the_deal_posts_the_ledger_and_creates_the_holding(fund, startup, manager, checker,
                                                                              committee):
    call_pay_all(call=call_create(sub_fund=fund, amount="50.00", call_date=DAY), paid_on=DAY)
    deal = _at_committee(fund, startup, manager, committee)
    _vote_all(deal, committee)
    deal = deal_committee_decide(deal=deal, by=manager, memo="一致通过")
    assert deal.meeting.status == MeetingStatus.APPROVED and deal.status == DealStatus.COMMITTEE
    deal = deal_signoff(deal=deal, by=checker, approve=True, comment="复核通过")
    assert deal.status == DealStatus.APPROVED
    deal_move(deal=deal, to=DealStatus.CONTRACTED, by=manager, reason="签署投资协议")
    cp = condition_add(deal=deal, description="完成工商变更")
    with pytest.raises(DomainError) as err:
        deal_fund(deal=deal, funded_on=DAY, by=manager)
    assert err.value.code == "conditions_open"
    condition_satisfy(condition=cp, on=DAY, by=manager)
    deal = deal_fund(deal=deal, funded_on=DAY, by=manager)
    assert deal.status == DealStatus.FUNDED
    holding = Holding.objects.get(deal=deal)
    assert (holding.amount, holding.company_name) == (D("10.00"), "济南量子芯科技有限公司")
    steps = [(c.from_state, c.to_state) for c in history(deal)]
    assert steps == [("", "sourced"), ("sourced", "screening"), ("screening", "due_diligence"),
                     ("due_diligence", "committee"), ("committee", "approved"), ("approved", "contracted"),
                     ("contracted", "funded")]
    assert all(c.by_id for c in history(deal))
    tb = trial_balance()["CNY"]
    assert tb["D"] == tb["C"]


def test_maker_cannot_approve_or_vote_on_own_deal(fund, startup, manager, committee):
    committee.members.add(manager)
    deal = _at_committee(fund, startup, manager, committee)
    with pytest.raises(DomainError) as err:
        vote_cast(meeting=deal.meeting, member=manager, choice="for")
    assert err.value.code == "maker_cannot_approve"
    for m in committee.members.exclude(pk=manager.pk):
        vote_cast(meeting=deal.meeting, member=m, choice="for")
    deal_committee_decide(deal=deal, by=manager, memo="通过")
    with pytest.raises(DomainError) as err:
        deal_signoff(deal=deal, by=manager, approve=True)
    assert err.value.code == "maker_cannot_approve"
    deal.refresh_from_db()
    assert deal.status == DealStatus.COMMITTEE


def test_recused_member_cannot_vote(fund, startup, manager, committee):
    deal = _at_committee(fund, startup, manager, committee)
    member = committee.members.order_by("pk").first()
    conflict_declare(meeting=deal.meeting, member=member, reason="持有该企业股份")
    with pytest.raises(DomainError) as err:
        vote_cast(meeting=deal.meeting, member=member, choice="for")
    assert err.value.code == "recused"
    assert meeting_tally(deal.meeting)["eligible"] == 2


def test_quorum_not_met_gives_no_decision(fund, startup, manager, committee):
    deal = _at_committee(fund, startup, manager, committee)
    vote_cast(meeting=deal.meeting, member=committee.members.order_by("pk").first(), choice="for")
    deal = deal_committee_decide(deal=deal, by=manager, memo="人数不足")
    assert deal.meeting.status == MeetingStatus.NO_QUORUM
    assert deal.meeting.tally["valid_votes"] == 1 and deal.meeting.tally["quorum_met"] is False
    deal.refresh_from_db()
    assert deal.status == DealStatus.COMMITTEE


def test_majority_against_rejects_the_deal(fund, startup, manager, committee):
    deal = _at_committee(fund, startup, manager, committee)
    _vote_all(deal, committee, choice="against")
    deal = deal_committee_decide(deal=deal, by=manager, memo="风险过高")
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED


def test_an_edit_voids_earlier_votes(fund, startup, manager, committee):
    deal = _at_committee(fund, startup, manager, committee)
    _vote_all(deal, committee)
    assert meeting_tally(deal.meeting)["valid_votes"] == 3
    deal_edit(deal=deal, by=manager, amount="12.00", reason="估值调整")
    tally = meeting_tally(Meeting.objects.get(pk=deal.meeting_id))  # a fresh read: the meeting's item is cached
    assert (tally["valid_votes"], tally["voided_votes"], tally["quorum_met"]) == (0, 3, False)
    deal = deal_committee_decide(deal=deal, by=manager, memo="需重新表决")
    assert deal.meeting.status == MeetingStatus.NO_QUORUM


def test_edit_after_approval_sends_the_deal_back_and_blocks_funding(fund, startup, manager, checker, committee):
    deal = _at_committee(fund, startup, manager, committee)
    _vote_all(deal, committee)
    deal_committee_decide(deal=deal, by=manager, memo="通过")
    deal = deal_signoff(deal=deal, by=checker, approve=True)
    deal_move(deal=deal, to=DealStatus.CONTRACTED, by=manager)
    deal = deal_edit(deal=deal, by=manager, terms="增加回购条款")
    assert deal.status == DealStatus.COMMITTEE
    assert deal.meeting.status == MeetingStatus.OPEN  # a fresh meeting
    assert StateChange.objects.filter(to_state="voided").count() == 1


def test_talent_cap_across_fiscal_equity_instruments(fund, startup, manager, checker, committee):
    """The cap (措施 十一, in force from 2024-11-21) is checked at committee submission and again at sign-off."""
    fund.size = D("100000000.00")
    fund.save()
    held_on = dt.date(2025, 3, 3)
    first = _at_committee(fund, startup, manager, committee, amount="3000000.00", instrument="talent_equity",
                          held_on=held_on)
    _vote_all(first, committee)
    deal_committee_decide(deal=first, by=manager, memo="通过")
    assert deal_signoff(deal=first, by=checker, approve=True).status == DealStatus.APPROVED
    # Submission already refuses what sign-off would refuse: the committee never votes on it.
    with pytest.raises(DomainError) as err:
        _at_committee(fund, startup, manager, committee, amount="2000000.01", instrument="invest_first",
                      held_on=held_on)
    assert err.value.code == "talent_cap_exceeded"
    # A deal that fitted when it was submitted but no longer does at sign-off is refused there.
    second = _at_committee(fund, startup, manager, committee, amount="2000000.00", instrument="invest_first",
                           held_on=held_on)
    third = _at_committee(fund, startup, manager, committee, amount="0.01", instrument="talent_equity",
                          held_on=held_on)
    for deal in (second, third):
        _vote_all(deal, committee)
        deal_committee_decide(deal=deal, by=manager, memo="通过")
    assert deal_signoff(deal=second, by=checker, approve=True).status == DealStatus.APPROVED
    second = third
    with pytest.raises(DomainError) as err:
        deal_signoff(deal=second, by=checker, approve=True)
    assert err.value.code == "talent_cap_exceeded"
    assert "cap (talent.equity_cap) 5,000,000" in err.value.detail_en and "headroom 0.00" in err.value.detail_en
    second.refresh_from_db()
    assert second.status == DealStatus.COMMITTEE


def test_unknown_or_skipping_moves_are_refused(fund, startup, manager):
    deal = deal_create(sub_fund=fund, enterprise=startup, title="x", instrument="equity", amount="1.00", by=manager)
    with pytest.raises(DomainError) as err:
        deal_move(deal=deal, to=DealStatus.FUNDED, by=manager)
    assert err.value.code == "invalid_transition"
    with pytest.raises(DomainError) as err:
        deal_move(deal=deal, to=DealStatus.REJECTED, by=manager)
    assert err.value.field == "reason"


def test_submitting_with_open_checklist_is_refused(fund, startup, manager, committee):
    deal = deal_create(sub_fund=fund, enterprise=startup, title="x", instrument="equity", amount="1.00", by=manager)
    deal_move(deal=deal, to=DealStatus.SCREENING, by=manager)
    deal_move(deal=deal, to=DealStatus.DUE_DILIGENCE, by=manager)
    with pytest.raises(DomainError) as err:
        deal_submit(deal=deal, committee=committee, by=manager)
    assert err.value.code == "checklist_incomplete"
    deal.refresh_from_db()
    assert deal.status == DealStatus.DUE_DILIGENCE

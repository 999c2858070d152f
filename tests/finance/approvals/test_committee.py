"""Committee decisions: quorum, majority, recusal, and votes voided by an edit."""
import datetime as dt
from decimal import Decimal

import pytest

from finance.approvals.models import Committee, MeetingStatus, VoteChoice
from finance.approvals.services import (
    conflict_declare,
    meeting_decide,
    meeting_open,
    meeting_tally,
    vote_cast,
)
from finance.core.errors import PermissionDenied
from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_change_propose

DAY = dt.date(2026, 12, 1)


@pytest.fixture
def setup(orgs, make_user, province):
    manager_org = orgs.make(OrgKind.FUND_MANAGER)
    members = [make_user(manager_org, Role.COMMITTEE_MEMBER) for _ in range(3)]
    committee = Committee.objects.create(organisation=manager_org, name="投资决策委员会")
    committee.members.set(members)
    maker = make_user(province, Role.ADMINISTRATOR)
    item = parameter_change_propose(key="pool.leverage_multiple", value=Decimal("12"), effective_from=DAY, by=maker)
    meeting = meeting_open(committee=committee, item=item, held_on=DAY, by=maker)
    return meeting, members, item, maker


def test_majority_of_a_quorate_meeting_approves(setup):
    meeting, (a, b, c), _, maker = setup
    vote_cast(meeting=meeting, member=a, choice=VoteChoice.FOR, comment="good team")
    vote_cast(meeting=meeting, member=b, choice=VoteChoice.FOR)
    vote_cast(meeting=meeting, member=c, choice=VoteChoice.AGAINST, comment="valuation high")
    meeting = meeting_decide(meeting=meeting, by=maker, memo="approved 2:1")
    assert meeting.status == MeetingStatus.APPROVED
    assert meeting.tally["for"] == 2 and meeting.tally["against"] == 1
    assert meeting.tally["policy"] == {"committee.quorum_ratio": "0.6666", "committee.majority_ratio": "0.5"}


def test_quorum_not_met_means_no_decision(setup):
    meeting, (a, _, _), _, maker = setup
    vote_cast(meeting=meeting, member=a, choice=VoteChoice.FOR)
    meeting = meeting_decide(meeting=meeting, by=maker, memo="only one vote")
    assert meeting.status == MeetingStatus.NO_QUORUM
    assert meeting.tally["passed"] is False


def test_tie_is_not_a_majority(setup):
    meeting, (a, b, _), _, maker = setup
    vote_cast(meeting=meeting, member=a, choice=VoteChoice.FOR)
    vote_cast(meeting=meeting, member=b, choice=VoteChoice.AGAINST)
    assert meeting_decide(meeting=meeting, by=maker, memo="").status == MeetingStatus.REJECTED


def test_recused_member_cannot_vote_and_quorum_counts_eligible_members(setup):
    meeting, (a, b, c), _, maker = setup
    conflict_declare(meeting=meeting, member=c, reason="持有申请企业股份 / holds shares in the applicant")
    with pytest.raises(PermissionDenied) as err:
        vote_cast(meeting=meeting, member=c, choice=VoteChoice.FOR)
    assert err.value.code == "recused"
    vote_cast(meeting=meeting, member=a, choice=VoteChoice.FOR)
    vote_cast(meeting=meeting, member=b, choice=VoteChoice.FOR)
    tally = meeting_tally(meeting)
    assert (tally["eligible"], tally["recused"], tally["valid_votes"]) == (2, 1, 2)
    assert meeting_decide(meeting=meeting, by=maker, memo="").status == MeetingStatus.APPROVED


def test_recusal_after_voting_removes_the_vote(setup):
    meeting, (a, b, c), _, maker = setup
    for m in (a, b):
        vote_cast(meeting=meeting, member=m, choice=VoteChoice.AGAINST)
    vote_cast(meeting=meeting, member=c, choice=VoteChoice.FOR)
    conflict_declare(meeting=meeting, member=a, reason="related party")
    tally = meeting_tally(meeting)
    assert (tally["for"], tally["against"]) == (1, 1)


def test_edit_after_votes_voids_them(setup):
    meeting, (a, b, c), item, maker = setup
    vote_cast(meeting=meeting, member=a, choice=VoteChoice.FOR)
    vote_cast(meeting=meeting, member=b, choice=VoteChoice.FOR)
    type(item).objects.filter(pk=item.pk).update(value=Decimal("20"))  # the terms changed after the votes
    tally = meeting_tally(meeting)
    assert tally["valid_votes"] == 0 and tally["voided_votes"] == 2
    assert meeting_decide(meeting=meeting, by=maker, memo="").status == MeetingStatus.NO_QUORUM


def test_non_member_and_maker_cannot_vote(setup, orgs, make_user):
    meeting, members, item, maker = setup
    outsider = make_user(orgs.make(OrgKind.FUND_MANAGER), Role.COMMITTEE_MEMBER)
    with pytest.raises(PermissionDenied):
        vote_cast(meeting=meeting, member=outsider, choice=VoteChoice.FOR)
    meeting.committee.members.add(maker)
    with pytest.raises(PermissionDenied) as err:
        vote_cast(meeting=meeting, member=maker, choice=VoteChoice.FOR)
    assert err.value.code == "maker_cannot_approve"

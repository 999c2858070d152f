"""The tally reads the item fresh: a meeting object held across an edit must not count voided votes."""
import datetime as dt
from decimal import Decimal

from finance.approvals.models import Committee, VoteChoice
from finance.approvals.services import meeting_open, meeting_tally, vote_cast
from finance.parties.models import OrgKind, Role
from finance.policy.services import parameter_change_edit, parameter_change_propose


def test_tally_after_an_edit_through_the_service_with_a_held_meeting(orgs, make_user, province):
    manager_org = orgs.make(OrgKind.FUND_MANAGER)
    members = [make_user(manager_org, Role.COMMITTEE_MEMBER) for _ in range(3)]
    committee = Committee.objects.create(organisation=manager_org, name="IC")
    committee.members.set(members)
    maker = make_user(province, Role.ADMINISTRATOR)
    item = parameter_change_propose(key="pool.leverage_multiple", value=Decimal("12"),
                                    effective_from=dt.date(2026, 12, 1), by=maker)
    meeting = meeting_open(committee=committee, item=item, held_on=dt.date(2026, 12, 1), by=maker)
    assert meeting.item.value == Decimal("12")  # the meeting now caches the item
    for m in members:
        vote_cast(meeting=meeting, member=m, choice=VoteChoice.FOR)
    parameter_change_edit(change=item, value=Decimal("13"), by=maker)
    tally = meeting_tally(meeting)
    assert tally["valid_votes"] == 0 and tally["voided_votes"] == 3

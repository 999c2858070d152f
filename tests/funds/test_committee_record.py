"""Issue 9 #4: a transition that needs the committee's decision reads the decision record (the meeting's
decided tally and the votes, counted again), never a status field an administrator could edit."""
import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from finance.approvals.models import Meeting, MeetingStatus
from finance.approvals.services import vote_cast
from finance.core.errors import DomainError
from finance.parties.models import OrgKind, Role
from funds.models import DealStatus
from funds.services import (
    checklist_tick,
    committee_approved,
    deal_committee_decide,
    deal_create,
    deal_move,
    deal_signoff,
    deal_submit,
)

DAY = dt.date(2020, 2, 1)


@pytest.fixture
def checker(gp, make_user):
    return make_user(gp, Role.FUND_MANAGER)


@pytest.fixture
def deal(fund, manager, committee, orgs):
    deal = deal_create(sub_fund=fund, enterprise=orgs.make(OrgKind.ENTERPRISE), title="A 轮", instrument="equity",
                       amount="10.00", by=manager)
    deal_move(deal=deal, to=DealStatus.SCREENING, by=manager)
    deal_move(deal=deal, to=DealStatus.DUE_DILIGENCE, by=manager)
    for item in deal.checklist.all():
        checklist_tick(item=item, by=manager)
    return deal_submit(deal=deal, committee=committee, by=manager, held_on=DAY)


def test_an_admin_setting_the_meeting_to_approved_does_not_approve_the_deal(deal, checker):
    Meeting.objects.filter(pk=deal.meeting_id).update(status=MeetingStatus.APPROVED)  # the admin, no votes
    deal.refresh_from_db()
    assert not committee_approved(deal)
    with pytest.raises(DomainError) as err:
        deal_signoff(deal=deal, by=checker, approve=True)
    assert err.value.code == "not_approved_by_committee"
    deal.refresh_from_db()
    assert deal.status == DealStatus.COMMITTEE


def test_nor_does_a_forged_tally_without_the_votes(deal, checker):
    Meeting.objects.filter(pk=deal.meeting_id).update(
        status=MeetingStatus.APPROVED, decided_at=timezone.now(),
        tally={"quorum_met": True, "passed": True, "for": 3, "valid_votes": 3})
    deal.refresh_from_db()
    with pytest.raises(DomainError) as err:
        deal_signoff(deal=deal, by=checker, approve=True)
    assert err.value.code == "not_approved_by_committee"
    api = APIClient()
    api.force_authenticate(checker)
    r = api.post(f"/api/v1/funds/deals/{deal.pk}/transition/", {"to": "approved"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "not_approved_by_committee"
    deal.refresh_from_db()
    assert deal.status == DealStatus.COMMITTEE


def test_a_real_decision_still_approves(deal, committee, manager, checker):
    for m in committee.members.order_by("pk"):
        vote_cast(meeting=deal.meeting, member=m, choice="for")
    deal = deal_committee_decide(deal=deal, by=manager, memo="一致通过")
    assert committee_approved(deal)
    assert deal_signoff(deal=deal, by=checker, approve=True).status == DealStatus.APPROVED


def test_an_admin_setting_a_rejected_meeting_to_approved_does_not_help(deal, committee, manager, checker):
    for m in committee.members.order_by("pk"):
        vote_cast(meeting=deal.meeting, member=m, choice="against")
    deal_committee_decide(deal=deal, by=manager, memo="否决")
    deal.refresh_from_db()
    assert deal.status == DealStatus.REJECTED
    Meeting.objects.filter(pk=deal.meeting_id).update(status=MeetingStatus.APPROVED)
    with pytest.raises(DomainError):
        deal_signoff(deal=deal, by=checker, approve=True)

"""Issue 9, four eyes: a capital call at or above ``approval.capital_call.second_level_from`` (10,000,000) is
drafted by the manager and issued (notices out, payable) only once approved through finance.approvals by
other fund managers of the GP, never by its maker. Smaller calls are issued at once (the existing tests)."""
import datetime as dt
from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from finance.approvals.models import ApprovalRequest, ApprovalStatus
from finance.core.errors import DomainError
from finance.ledger.models import JournalEntry
from finance.ledger.selectors import trial_balance
from finance.parties.models import Role
from funds.models import CallStatus
from funds.services import call_approve, call_create, call_line_pay, call_pay_all

DAY = dt.date(2020, 3, 1)
BIG = "10000000.00"  # exactly the threshold: needs approval


@pytest.fixture
def big_fund(make_fund):
    return make_fund(size="100000000.00", lps=(("guidance", "20000000.00"), ("social", "40000000.00"),
                                               ("social", "40000000.00")))


@pytest.fixture
def checkers(gp, make_user):
    return make_user(gp, Role.FUND_MANAGER), make_user(gp, Role.FUND_MANAGER)


def test_a_call_at_the_threshold_is_not_payable_until_approved(big_fund, manager, checkers):
    call = call_create(sub_fund=big_fund, amount=BIG, call_date=DAY, by=manager)
    assert call.status == CallStatus.PENDING_APPROVAL
    request = ApprovalRequest.objects.get(kind="capital_call", item_id=call.pk)
    assert request.amount == D(BIG) and request.maker_id == manager.pk and request.levels_required == 2
    # reserved against the LPs' unfunded commitments from the draft on
    assert [c.called for c in big_fund.commitments.order_by("pk")] == [D("2000000.00"), D("4000000.00"),
                                                                        D("4000000.00")]
    with pytest.raises(DomainError) as err:
        call_pay_all(call=call, paid_on=DAY)
    assert err.value.code == "call_not_issued"
    assert not JournalEntry.objects.filter(idempotency_ref__startswith="funds:call-line:").exists()
    with pytest.raises(DomainError) as err:
        call_approve(call=call, by=manager, approve=True)
    assert err.value.code == "maker_cannot_approve"
    first, second = checkers
    call = call_approve(call=call, by=first, approve=True, comment="同意")
    assert call.status == CallStatus.PENDING_APPROVAL  # one approval is not enough at this amount
    with pytest.raises(DomainError) as err:
        call_approve(call=call, by=first, approve=True)
    assert err.value.code == "same_approver"
    call = call_approve(call=call, by=second, approve=True)
    assert call.status == CallStatus.ISSUED
    call_pay_all(call=call, paid_on=DAY)
    tb = trial_balance()["CNY"]
    assert tb["D"] == tb["C"] == D(BIG)


def test_just_below_the_threshold_the_call_is_issued_at_once(big_fund, manager):
    call = call_create(sub_fund=big_fund, amount="9999999.99", call_date=DAY, by=manager)
    assert call.status == CallStatus.ISSUED
    assert not ApprovalRequest.objects.exists()
    call_line_pay(line=call.lines.first(), paid_on=DAY)


def test_a_refused_call_releases_the_reservation_and_is_never_payable(big_fund, manager, checkers):
    call = call_create(sub_fund=big_fund, amount=BIG, call_date=DAY, by=manager)
    call = call_approve(call=call, by=checkers[0], approve=False, comment="时点不对")
    assert call.status == CallStatus.REJECTED
    assert ApprovalRequest.objects.get(item_id=call.pk, kind="capital_call").status == ApprovalStatus.REJECTED
    assert all(c.called == 0 for c in big_fund.commitments.all())
    with pytest.raises(DomainError) as err:
        call_line_pay(line=call.lines.first(), paid_on=DAY)
    assert err.value.code == "call_not_issued"
    with pytest.raises(DomainError):
        call_approve(call=call, by=checkers[1], approve=True)


def test_another_gps_manager_cannot_approve(big_fund, manager, other_gp, make_user):
    call = call_create(sub_fund=big_fund, amount=BIG, call_date=DAY, by=manager)
    with pytest.raises(DomainError) as err:
        call_approve(call=call, by=make_user(other_gp, Role.FUND_MANAGER), approve=True)
    assert err.value.code == "approver_not_in_manager"
    call.refresh_from_db()
    assert call.status == CallStatus.PENDING_APPROVAL


def test_notices_of_a_drafted_call_are_404_until_it_is_issued(client, big_fund, manager, checkers):
    call = call_create(sub_fund=big_fund, amount=BIG, call_date=DAY, by=manager)
    line = call.lines.first()
    client.force_login(manager)
    assert client.get(f"/funds/calls/{call.pk}/notice/{line.pk}.pdf").status_code == 404
    page = client.get(f"/funds/sub-funds/{big_fund.pk}/").content.decode()
    assert "待审批" in page
    client.force_login(checkers[0])
    r = client.post(f"/funds/sub-funds/{big_fund.pk}/approve-call/", {"call": str(call.pk), "approve": "1"})
    assert r.status_code == 302
    api = APIClient()
    api.force_authenticate(checkers[1])
    r = api.post(f"/api/v1/funds/sub-funds/{big_fund.pk}/calls/{call.pk}/approve/", {"approve": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "issued"
    client.force_login(manager)
    assert client.get(f"/funds/calls/{call.pk}/notice/{line.pk}.pdf").status_code == 200


def test_the_api_says_a_large_call_awaits_approval(big_fund, manager):
    api = APIClient()
    api.force_authenticate(manager)
    r = api.post(f"/api/v1/funds/sub-funds/{big_fund.pk}/calls/", {"amount": BIG, "call_date": "2020-03-01"},
                 format="json")
    assert r.status_code == 201 and r.json()["status"] == "pending_approval"

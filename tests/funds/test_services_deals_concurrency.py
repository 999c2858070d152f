"""Two sign-offs of deals in the same company at the same moment cannot both pass the single-deal cap: the
enterprise row is locked (finance.core.locks, in its global order) before either decides (PostgreSQL, real
threads)."""
import datetime as dt
import threading

import pytest
from django.db import connection

from finance.approvals.models import Committee
from finance.approvals.services import vote_cast
from finance.core.errors import DomainError
from finance.parties.demo_codes import demo_uscc
from finance.parties.models import OrgKind, Role
from finance.parties.services import organisation_create, user_create
from funds.models import Deal, DealStatus
from funds.services import (
    checklist_tick,
    deal_committee_decide,
    deal_create,
    deal_move,
    deal_signoff,
    deal_submit,
    guidance_fund_create,
    sub_fund_create,
)
from tests.conftest import postgres_only

DAY = dt.date(2020, 2, 1)


def _user(org, name, role):
    return user_create(organisation=org, username=name, roles=[role], password="Test-password-123")[0]


def _at_signoff(fund, company, maker, committee, amount):
    deal = deal_create(sub_fund=fund, enterprise=company, title=f"轮次 {amount}", instrument="equity", amount=amount,
                       by=maker)
    deal_move(deal=deal, to=DealStatus.SCREENING, by=maker)
    deal_move(deal=deal, to=DealStatus.DUE_DILIGENCE, by=maker)
    for item in deal.checklist.all():
        checklist_tick(item=item, by=maker)
    deal = deal_submit(deal=deal, committee=committee, by=maker, held_on=DAY)
    for m in committee.members.order_by("pk"):
        vote_cast(meeting=deal.meeting, member=m, choice="for")
    return deal_committee_decide(deal=deal, by=maker, memo="通过")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_signoffs_in_one_company_cannot_both_pass_the_cap():
    gm = organisation_create(kind=OrgKind.FUND_MANAGER, name="GM", uscc=demo_uscc(OrgKind.FUND_MANAGER, 8811))
    gp = organisation_create(kind=OrgKind.FUND_MANAGER, name="GP", uscc=demo_uscc(OrgKind.FUND_MANAGER, 8812))
    company = organisation_create(kind=OrgKind.ENTERPRISE, name="同一家企业", uscc=demo_uscc(OrgKind.ENTERPRISE, 8813))
    guidance = guidance_fund_create(name="G", manager=gm, size="1000.00", vintage=dt.date(2020, 1, 1))
    fund = sub_fund_create(guidance_fund=guidance, name="S", manager=gp, size="100.00", vintage=dt.date(2020, 1, 1),
                           commitments=[{"lp_kind": "guidance", "amount": "20.00", "investor_name": "G"},
                                        {"lp_kind": "social", "amount": "80.00", "investor_name": "S"}])
    maker = _user(gp, "maker", Role.FUND_MANAGER)
    checkers = [_user(gp, f"checker{i}", Role.FUND_MANAGER) for i in range(2)]
    committee = Committee.objects.create(organisation=gp, name="投委会")
    committee.members.set([_user(gp, f"member{i}", Role.COMMITTEE_MEMBER) for i in range(3)])
    # size 100.00, cap 20 %: 12.00 + 12.00 in one company is 24.00, above the 20.00 cap
    deals = [_at_signoff(fund, company, maker, committee, "12.00") for _ in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def signoff(deal, checker):
        try:
            barrier.wait()
            deal_signoff(deal=deal, by=checker, approve=True)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=signoff, args=(d, c)) for d, c in zip(deals, checkers, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "single_deal_cap_exceeded"]
    assert Deal.objects.filter(status=DealStatus.APPROVED).count() == 1

"""Two capital calls at the same moment cannot together over-call an LP (PostgreSQL row locks, real threads)."""
import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from finance.core.errors import DomainError
from finance.parties.demo_codes import demo_uscc
from finance.parties.models import Organisation, OrgKind
from funds.models import CapitalCall, Commitment
from funds.services import call_create, guidance_fund_create, sub_fund_create
from tests.conftest import postgres_only


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_calls_cannot_over_call():
    gm = Organisation.objects.create(kind=OrgKind.FUND_MANAGER, name="GM", uscc=demo_uscc(OrgKind.FUND_MANAGER, 8801))
    gp = Organisation.objects.create(kind=OrgKind.FUND_MANAGER, name="GP", uscc=demo_uscc(OrgKind.FUND_MANAGER, 8802))
    guidance = guidance_fund_create(name="G", manager=gm, size=D("1000.00"), vintage=dt.date(2020, 1, 1))
    fund = sub_fund_create(guidance_fund=guidance, name="S", manager=gp, size=D("100.00"), vintage=dt.date(2020, 1, 1),
                           commitments=[{"lp_kind": "guidance", "amount": "20.00", "investor_name": "G"},
                                        {"lp_kind": "social", "amount": "80.00", "investor_name": "S"}])
    barrier = threading.Barrier(2)
    results = []

    def call():
        try:
            barrier.wait()
            call_create(sub_fund=fund, amount="60.00", call_date=dt.date(2020, 2, 1))
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "over_call"]
    assert CapitalCall.objects.count() == 1
    assert [c.called for c in Commitment.objects.order_by("pk")] == [D("12.00"), D("48.00")]

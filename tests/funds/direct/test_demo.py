"""The demo seed leaves every direct instrument in every state, the ledger balanced, and runs once."""
from collections import Counter

from finance.web.management.commands.seed_demo import build_world
from funds.direct import demo
from funds.direct.models import (
    Closure,
    Conversion,
    EquityPosition,
    GrantInvestLoan,
    InvestFirstAgreement,
    TalentEquity,
)
from tests.funds.direct.conftest import balanced


def test_demo_has_every_instrument_in_every_state(db):
    world = build_world()
    demo.seed(world)
    states = Counter(InvestFirstAgreement.objects.values_list("status", flat=True))
    assert set(states) == {"applied", "submitted", "contracted", "disbursed", "converting", "converted", "overdue",
                           "closing", "closed_grant", "closed_repaid", "closed_swapped", "exited"}
    assert set(TalentEquity.objects.values_list("status", flat=True)) == {"applied", "funded", "exited"}
    assert set(GrantInvestLoan.objects.values_list("status", flat=True)) == {"monitoring", "reviewed"}
    assert Conversion.objects.filter(status="pending").exists() and Closure.objects.filter(status="pending").exists()
    assert EquityPosition.objects.filter(status="exited").count() == 2
    assert balanced()
    demo.seed(world)  # idempotent
    assert InvestFirstAgreement.objects.count() == sum(states.values())

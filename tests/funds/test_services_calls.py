"""Capital calls: exact pro-rata split to the fen, over-calls refused, payments on the ledger."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.core.errors import DomainError
from finance.ledger.models import JournalEntry
from finance.ledger.selectors import trial_balance
from funds.models import CapitalCall, CapitalCallLine, FundStatus
from funds.services import (
    call_create,
    call_line_pay,
    call_pay_all,
    call_preview,
    cash_account,
    lp_capital_account,
    sub_fund_move,
)

DAY = dt.date(2020, 3, 1)
EQUAL = (("guidance", "20.00"), ("social", "40.00"), ("social", "40.00"))


@pytest.fixture
def equal_fund(make_fund):
    """Three equal LPs is impossible with a guidance LP (it would be joint largest): use three social LPs."""
    return make_fund(size="300.00", lps=(("social", "100.00"), ("social", "100.00"), ("social", "100.00")))


def test_100_over_three_equal_lps_is_33_34_33_33_33_33(equal_fund):
    call = call_create(sub_fund=equal_fund, amount="100.00", call_date=DAY)
    assert [ln.amount for ln in call.lines.order_by("commitment_id")] == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(ln.amount for ln in call.lines.all()) == D("100.00")
    assert [c.called for c in equal_fund.commitments.order_by("pk")] == [D("33.34"), D("33.33"), D("33.33")]


def test_preview_shows_the_split_and_writes_nothing(fund):
    split = call_preview(sub_fund=fund, amount="10.01")
    assert [part for _, part in split] == [D("2.00"), D("4.01"), D("4.00")]
    assert CapitalCall.objects.count() == 0


def test_over_call_is_refused_naming_the_lp_and_nothing_written(fund):
    call_create(sub_fund=fund, amount="90.00", call_date=DAY)
    with pytest.raises(DomainError) as err:
        call_create(sub_fund=fund, amount="10.01", call_date=DAY)
    assert err.value.code == "over_call" and err.value.field == "amount"
    assert err.value.detail_zh == "缴款超过出资人「LP2」的未缴出资：应缴 4.01，未缴 4.00"
    assert err.value.detail_en == "the call exceeds the unfunded commitment of LP 'LP2': share 4.01, unfunded 4.00"
    assert CapitalCall.objects.count() == 1 and CapitalCallLine.objects.count() == 3
    assert sum(c.called for c in fund.commitments.all()) == D("90.00")
    call_create(sub_fund=fund, amount="10.00", call_date=DAY)  # exactly the rest is fine
    assert all(c.unfunded == 0 for c in fund.commitments.all())


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "1.234", "NaN"])
def test_zero_negative_or_sub_fen_calls_are_refused(fund, amount):
    with pytest.raises(DomainError) as err:
        call_create(sub_fund=fund, amount=amount, call_date=DAY)
    assert err.value.code == "invalid_amount" and err.value.field == "amount"
    assert CapitalCall.objects.count() == 0


def test_call_on_a_closed_fund_is_refused(fund):
    sub_fund_move(sub_fund=fund, to=FundStatus.CLOSED, reason="liquidated")
    with pytest.raises(DomainError) as err:
        call_create(sub_fund=fund, amount="10.00", call_date=DAY)
    assert err.value.code == "fund_closed"
    fund.refresh_from_db()
    with pytest.raises(DomainError):
        call_preview(sub_fund=fund, amount="10.00")
    assert CapitalCall.objects.count() == 0


def test_call_before_the_fund_is_refused(fund):
    with pytest.raises(DomainError) as err:
        call_create(sub_fund=fund, amount="10.00", call_date=dt.date(2019, 12, 31))
    assert err.value.code == "before_fund" and err.value.field == "call_date"
    assert CapitalCall.objects.count() == 0


def test_each_payment_is_one_balanced_ledger_entry(fund):
    call = call_create(sub_fund=fund, amount="50.00", call_date=DAY)
    call_pay_all(call=call, paid_on=DAY + dt.timedelta(days=5))
    assert JournalEntry.objects.filter(idempotency_ref__startswith="funds:call-line:").count() == 3
    cash = cash_account(fund)
    cash.refresh_from_db()
    assert cash.balance == D("50.00")
    first = fund.commitments.order_by("pk").first()
    assert lp_capital_account(first).normal_balance == D("10.00")
    tb = trial_balance()["CNY"]
    assert tb["D"] == tb["C"] == D("50.00")
    with pytest.raises(DomainError) as err:
        call_line_pay(line=call.lines.first(), paid_on=DAY + dt.timedelta(days=6))
    assert err.value.code == "already_paid"

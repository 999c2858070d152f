"""Property: for any sequence of valid entries, debits equal credits and cached balances equal derived ones."""
import datetime as dt
import itertools
from decimal import Decimal

from djmoney.money import Money
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.core.errors import DomainError
from finance.ledger.models import AccountKind, Side
from finance.ledger.selectors import account_balance, balances_by_account, trial_balance
from finance.ledger.services import Line, account_get_or_create, entry_post

_run = itertools.count()

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000.00"), places=2)
# An entry: several (account index, side, amount) lines, then one balancing line on another account.
entries = st.lists(
    st.tuples(st.lists(st.tuples(st.integers(0, 4), st.sampled_from([Side.DEBIT, Side.CREDIT]), amounts),
                       min_size=1, max_size=4), st.integers(0, 4)),
    min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=entries)
def test_ledger_stays_balanced_and_cached_balances_match_postings(db, entries):
    run = next(_run)
    kinds = [AccountKind.ASSET, AccountKind.LIABILITY, AccountKind.EQUITY, AccountKind.INCOME, AccountKind.EXPENSE]
    accounts = [account_get_or_create(code=f"prop:{run}:{i}", name=f"A{i}", kind=kinds[i],
                                      may_go_negative=i != 1) for i in range(5)]
    for lines, balancing in entries:
        built = [Line(accounts[i], side, Money(amount, "CNY")) for i, side, amount in lines]
        net = sum((ln.amount.amount if ln.side == Side.DEBIT else -ln.amount.amount) for ln in built)
        if net != 0:
            built.append(Line(accounts[balancing], Side.CREDIT if net > 0 else Side.DEBIT, Money(abs(net), "CNY")))
        try:
            entry_post(lines=built, value_date=dt.date(2026, 1, 1), memo="property")
        except DomainError as exc:  # a single-line entry or a breached floor is refused whole
            assert exc.code in {"entry_too_short", "insufficient_balance"}
    totals = trial_balance()["CNY"] if trial_balance() else {Side.DEBIT: 0, Side.CREDIT: 0}
    assert totals[Side.DEBIT] == totals[Side.CREDIT]
    derived = balances_by_account([a.pk for a in accounts])
    for account in accounts:
        account.refresh_from_db()
        assert account.balance == derived.get(account.pk, Decimal(0)) == account_balance(account)
    assert accounts[1].normal_balance >= 0  # the floor account never went below zero

"""Fee payments: maker → another fund manager approves → a third pays, once, the exact accrued amount."""

import datetime as dt
from decimal import Decimal as D

import pytest

from finance.approvals.models import StateChange
from finance.core.errors import Conflict, DomainError, PermissionDenied
from finance.ledger.selectors import account_balance
from finance.parties.models import Role
from funds import services
from funds.services import fees

PAID_ON = dt.date(2021, 1, 10)


@pytest.fixture
def gp_team(gp, make_user):
    """Three fund managers of the GP: maker, approver, payer."""
    return [make_user(gp, Role.FUND_MANAGER) for _ in range(3)]


@pytest.fixture
def accrual(make_fund, gp_team):
    """Paid-in 9,000,000.00 (below the call four-eyes threshold) on 2020-01-02, 2 % a year for 366 days: 180,493.15."""
    fund = make_fund(size="100000000.00", lps=(("guidance", "20000000.00"), ("social", "80000000.00")))
    call = services.call_create(
        sub_fund=fund, amount="9000000.00", call_date=dt.date(2020, 1, 2), by=gp_team[0]
    )
    services.call_pay_all(call=call, paid_on=dt.date(2020, 1, 2))
    return services.fee_accrue(
        sub_fund=fund, period_start=dt.date(2020, 1, 2), period_end=dt.date(2021, 1, 2)
    )


def _approved(accrual, gp_team):
    maker, approver, _ = gp_team
    services.fee_payment_request(accrual=accrual, by=maker)
    services.fee_payment_decide(accrual=accrual, by=approver, approve=True)


def test_the_exact_accrued_amount_moves_from_cash_to_the_payable_once(accrual, gp_team):
    fund = accrual.sub_fund
    assert accrual.amount == D("180493.15")  # 9,000,000 × 2 % × 366 / 365, half-up
    cash_before = account_balance(services.cash_account(fund))
    _approved(accrual, gp_team)
    assert fees.fee_payment_state(accrual) == fees.APPROVED
    entry = services.fee_pay(accrual=accrual, by=gp_team[2], paid_on=PAID_ON)
    assert entry.value_date == PAID_ON
    assert account_balance(services.cash_account(fund)) == cash_before - D("180493.15")
    assert account_balance(services.fee_payable_account(fund)) == D("0.00")
    assert fees.fee_payment_state(accrual) == fees.PAID
    with pytest.raises(Conflict) as exc:
        services.fee_pay(accrual=accrual, by=gp_team[2], paid_on=PAID_ON)
    assert exc.value.code == "already_paid"
    assert account_balance(services.cash_account(fund)) == cash_before - D("180493.15")
    trail = list(
        StateChange.objects.filter(item_id=accrual.pk, field="payment").values_list(
            "from_state", "to_state", "by"
        )
    )
    assert trail == [("unpaid", "pending", gp_team[0].pk), ("approved", "paid", gp_team[2].pk)]


def test_the_maker_cannot_approve_and_nobody_pays_before_approval(accrual, gp_team):
    maker, approver, payer = gp_team
    services.fee_payment_request(accrual=accrual, by=maker)
    with pytest.raises(Conflict) as exc:
        services.fee_pay(accrual=accrual, by=payer, paid_on=PAID_ON)
    assert exc.value.code == "not_approved"
    with pytest.raises(PermissionDenied) as exc:
        services.fee_payment_decide(accrual=accrual, by=maker, approve=True)
    assert exc.value.code == "maker_cannot_approve"
    with pytest.raises(Conflict):
        services.fee_payment_request(accrual=accrual, by=approver)  # one live request at a time
    assert fees.fee_payment_entry(accrual) is None


@pytest.mark.parametrize("who", [0, 1])
def test_neither_the_maker_nor_the_approver_pays(accrual, gp_team, who):
    _approved(accrual, gp_team)
    with pytest.raises(PermissionDenied) as exc:
        services.fee_pay(accrual=accrual, by=gp_team[who], paid_on=PAID_ON)
    assert exc.value.code == "payer_is_approver"
    assert fees.fee_payment_entry(accrual) is None


def test_a_refused_payment_can_be_asked_again(accrual, gp_team):
    maker, approver, payer = gp_team
    services.fee_payment_request(accrual=accrual, by=maker)
    services.fee_payment_decide(accrual=accrual, by=approver, approve=False, comment="核对期间")
    assert fees.fee_payment_state(accrual) == fees.REJECTED
    services.fee_payment_request(accrual=accrual, by=maker)
    assert fees.fee_payment_state(accrual) == fees.PENDING


def test_another_gp_cannot_ask_or_pay(accrual, gp_team, other_gp, make_user):
    stranger = make_user(other_gp, Role.FUND_MANAGER)
    with pytest.raises(PermissionDenied):
        services.fee_payment_request(accrual=accrual, by=stranger)
    _approved(accrual, gp_team)
    with pytest.raises(PermissionDenied):
        services.fee_pay(accrual=accrual, by=stranger, paid_on=PAID_ON)


@pytest.mark.parametrize(
    "paid_on,field", [(dt.date(2020, 12, 31), "paid_on"), ("2999-01-01", "paid_on"), ("abc", "paid_on")]
)
def test_bad_dates_name_the_field_and_pay_nothing(accrual, gp_team, paid_on, field):
    _approved(accrual, gp_team)
    with pytest.raises(DomainError) as exc:
        services.fee_pay(accrual=accrual, by=gp_team[2], paid_on=paid_on)
    assert exc.value.field == field
    assert exc.value.detail_zh and exc.value.detail_en
    assert fees.fee_payment_entry(accrual) is None


def test_a_fund_without_the_cash_pays_nothing(make_fund, gp_team):
    """Fee on invested capital, the cash spent on the holding: the ledger's floor refuses the payment."""
    fund = make_fund(
        size="100000000.00",
        lps=(("guidance", "20000000.00"), ("social", "80000000.00")),
        fee_basis="invested",
    )
    call = services.call_create(
        sub_fund=fund, amount="1000000.00", call_date=dt.date(2020, 1, 2), by=gp_team[0]
    )
    services.call_pay_all(call=call, paid_on=dt.date(2020, 1, 2))
    services.holding_create(
        sub_fund=fund, company_name="甲公司", invested_on=dt.date(2020, 1, 3), amount="1000000.00"
    )
    accrual = services.fee_accrue(
        sub_fund=fund, period_start=dt.date(2020, 1, 3), period_end=dt.date(2021, 1, 3)
    )
    assert accrual.amount == D("20054.79")  # 1,000,000 × 2 % × 366 / 365, half-up
    _approved(accrual, gp_team)
    with pytest.raises(DomainError):
        services.fee_pay(accrual=accrual, by=gp_team[2], paid_on=PAID_ON)
    assert fees.fee_payment_entry(accrual) is None

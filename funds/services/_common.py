"""What every funds workflow shares: errors, the fund's ledger accounts, money in the fund's own currency, the
one "fund closed" refusal and the paid-in figures the waterfall and the fees read."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from djmoney.money import Money

# The one bilingual-error shorthand (finance.core.errors), under the names these services use.
from finance.core.errors import calc_error as _calc  # noqa: F401
from finance.core.errors import domain_error as _err
from finance.core.locks import lock
from finance.core.money import money_of
from finance.ledger.models import AccountKind
from finance.ledger.services import account_get_or_create

from ..models import CapitalCallLine, Commitment, FundStatus, SubFund

D = Decimal
HUNDRED = D(100)


def fund_money(fund: SubFund, amount) -> Money:
    """An amount of ``fund`` in the fund's own currency (a USD fund's call is USD, never the default)."""
    return money_of(fund, amount)


# ---------------------------------------------------------------- accounts


def _acc(fund: SubFund, suffix: str, name: str, kind: str, *, floor=False):
    return account_get_or_create(code=f"funds:sf{fund.pk}:{suffix}", name=f"{fund.name} {name}", kind=kind,
                                 currency=fund.currency, owner=fund.manager, programme=fund,
                                 may_go_negative=not floor)


def cash_account(fund: SubFund):
    return _acc(fund, "cash", "银行存款 cash", AccountKind.ASSET, floor=True)


def investments_account(fund: SubFund):
    return _acc(fund, "investments", "长期股权投资 investments at cost", AccountKind.ASSET, floor=True)


def lp_capital_account(c: Commitment):
    return _acc(c.sub_fund, f"lp{c.pk}:capital", f"{c.lp_name} 合伙人资本 LP capital", AccountKind.EQUITY)


def gp_carry_account(fund: SubFund):
    return _acc(fund, "gp:carry", "GP 业绩报酬 carried interest", AccountKind.EQUITY)


def gains_account(fund: SubFund):
    return _acc(fund, "gains", "投资收益 realised gains", AccountKind.INCOME)


def fee_expense_account(fund: SubFund):
    return _acc(fund, "fees", "管理费 management fee", AccountKind.EXPENSE)


def fee_payable_account(fund: SubFund):
    return _acc(fund, "fees:payable", "应付管理费 fee payable", AccountKind.LIABILITY)


# ---------------------------------------------------------------- the fund is open


def check_fund_open(fund: SubFund) -> SubFund:
    """The one refusal for every write on a closed fund (commitments, calls, distributions, fees, deals)."""
    if fund.status == FundStatus.CLOSED:
        raise _err(f"子基金「{fund.name}」已关闭，不能再办理出资、缴款、分配、计费或投资",
                   f"sub-fund '{fund.name}' is closed: no more commitments, calls, distributions, fees or "
                   "deals",
                   "fund_closed", "sub_fund", status=409)
    return fund


def open_fund_locked(sub_fund: SubFund) -> SubFund:
    """The sub-fund row, locked (it serialises every money decision on the fund) and open."""
    return check_fund_open(lock(SubFund, sub_fund.pk))


# ---------------------------------------------------------------- paid-in


def years_between(start: dt.date, end: dt.date) -> Decimal:
    """Whole anniversaries plus the remaining days / 365 (2020-01-01 → 2025-01-01 is exactly 5)."""
    if end <= start:
        return D(0)
    years = end.year - start.year

    def anniv(y):
        try:
            return start.replace(year=start.year + y)
        except ValueError:  # 29 Feb
            return start.replace(year=start.year + y, day=28)

    if anniv(years) > end:
        years -= 1
    rest = (end - anniv(years)).days
    return (D(years) + D(rest) / D(365)).quantize(D("0.000001"), ROUND_HALF_UP)


def paid_in_by_lp(fund: SubFund, on: dt.date) -> dict[int, Decimal]:
    rows = (CapitalCallLine.objects.filter(call__sub_fund=fund, paid_on__isnull=False, paid_on__lte=on)
            .values("commitment_id").annotate(s=Sum("amount")))
    return {r["commitment_id"]: r["s"] for r in rows}

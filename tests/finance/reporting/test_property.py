"""Property: for random small books built through the services, the report's totals are the sums of its per-bank,
per-pool and per-fund lines, every LP capital account holds its identity, and each pool's ``available`` is the
ledger's balance at the as-of date."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from finance.ledger.selectors import account_balance
from finance.parties.models import OrgKind, Role
from finance.reporting.sections.funds import capital_account_check
from finance.reporting.services import report_compute
from funds import services as fs
from guarantees import services as gs
from guarantees.models import PoolSponsor, SponsorLevel
from loans import services as ls
from tests.loans.loan_factories import loan_body

pytestmark = pytest.mark.django_db
E = dt.date(2026, 9, 30)
START = dt.date(2025, 1, 1)

loans_st = st.lists(st.tuples(st.integers(0, 2), st.integers(1, 80), st.integers(0, 600), st.integers(12, 36),
                              st.integers(0, 24), st.integers(0, 5)), min_size=0, max_size=6)
funds_st = st.lists(st.tuples(st.integers(2, 20), st.lists(st.tuples(st.integers(1, 30), st.integers(0, 650)),
                                                          max_size=3), st.booleans(), st.integers(0, 650)),
                    max_size=3)
pool_st = st.lists(st.tuples(st.booleans(), st.integers(1, 50), st.integers(0, 700)), max_size=4)


def _sum(values) -> str:
    return str(sum((D(v) for v in values), D("0.00")))


def _check_additive(lines, total, path=""):
    """Every count and amount of the total equals the sum over the lines (ratios are not additive)."""
    for key, value in total.items():
        if key.endswith("ratio") or key in ("dpi", "rvpi", "tvpi", "net_irr", "ks_pme", "leverage_used"):
            continue
        if isinstance(value, dict):
            _check_additive([ln[key] for ln in lines], value, f"{path}{key}.")
        elif isinstance(value, int):
            assert value == sum(ln[key] for ln in lines), f"{path}{key}"
        elif isinstance(value, str):
            assert value == _sum(ln[key] for ln in lines), f"{path}{key}"


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # a failing book is reported as drawn (shrinking a DB book is slow)
@given(loans=loans_st, funds=funds_st, pool_moves=pool_st)
def test_totals_are_the_sums_of_the_lines(orgs, make_user, province, loans, funds, pool_moves):
    with transaction.atomic():
        banks = [orgs.make(OrgKind.BANK) for _ in range(3)]
        officers = [make_user(b, Role.BANK_OFFICER) for b in banks]
        city = orgs.make(OrgKind.DEPARTMENT, dept_level="city")
        for i, (bank, thousand, day, term, paid_months, prepay) in enumerate(loans):
            disbursed = START + dt.timedelta(days=day)
            body = loan_body(orgs.serial * 10 + i, principal=f"{thousand * 10000}.00", term_months=term,
                             repayment_method="interest_only", disbursed_on=disbursed.isoformat())
            loan = ls.loan_submit(bank=banks[bank], by=officers[bank], data=body, as_of=disbursed)
            for inst in list(loan.installments.order_by("number"))[:paid_months]:
                if inst.due_date > dt.date(2026, 11, 1):
                    break
                extra = D(min(prepay, thousand - 1) * 10000) if inst.number == 2 else D(0)
                ls.repayment_record(loan=loan, paid_on=inst.due_date, amount=inst.interest + extra,
                                    by=officers[bank])
        pool = gs.pool_create(name=f"池 {orgs.serial}", sponsors=[(province, SponsorLevel.PROVINCE, D("60")),
                                                                 (city, SponsorLevel.CITY, D("40"))])
        gs.pool_contribute(pool=pool, sponsor=province, amount="1000000.00", value_date=START)
        for withdraw, amount, day in pool_moves:
            on = START + dt.timedelta(days=day)
            if withdraw:
                try:
                    gs.pool_withdraw(pool=pool, sponsor=province, amount=f"{amount * 1000}.00", value_date=on)
                except Exception:  # more than the sponsor has: refused, nothing written
                    pass
            else:
                gs.pool_contribute(pool=pool, sponsor=city, amount=f"{amount * 1000}.00", value_date=on)
        gm = orgs.make(OrgKind.FUND_MANAGER)
        guidance = fs.guidance_fund_create(name="引导基金", manager=gm, size=D("1000000000"), vintage=START)
        for j, (size, calls, nav, nav_day) in enumerate(funds):
            fund = fs.sub_fund_create(guidance_fund=guidance, name=f"子基金{j}", manager=gm, size=f"{size * 1000000}.00",
                                      vintage=START, commitments=[
                                          {"lp_kind": "guidance", "amount": f"{size * 200000}.00", "investor_name": "G"},
                                          {"lp_kind": "social", "amount": f"{size * 800000}.00", "investor_name": "S"}])
            for pct, day in calls:
                try:
                    call = fs.call_create(sub_fund=fund, amount=f"{size * 10000 * pct}.00",
                                          call_date=START + dt.timedelta(days=day))
                except Exception:  # over the commitments: refused
                    continue
                fs.call_pay_all(call=call, paid_on=START + dt.timedelta(days=day))
            if nav:
                fs.nav_record(sub_fund=fund, as_of=START + dt.timedelta(days=nav_day))

        report = report_compute("2026Q3")["sections"]
        _check_additive(report["loans"]["banks"], report["loans"]["total"])
        _check_additive(report["guarantees"]["guarantors"], report["guarantees"]["total"])
        pool_total = {k: v for k, v in report["pool"]["total"].items() if k != "npl_by_bank"}
        _check_additive(report["pool"]["pools"], pool_total)
        fund_total = {k: report["funds"]["total"][k] for k in ("committed", "paid_in", "unfunded", "distributed", "nav")}
        _check_additive(report["funds"]["sub_funds"], fund_total)
        for line in report["funds"]["sub_funds"]:
            assert capital_account_check(line["capital_accounts"]) == []
        (p,) = [x for x in report["pool"]["pools"] if x["pool_id"] == pool.pk]
        sponsors = PoolSponsor.objects.filter(pool=pool)
        assert p["available"] == str(-sum((account_balance(s.available_account, as_of=E) for s in sponsors), D(0)))
        transaction.set_rollback(True)

"""先投后股 end to end: application, approval, contract, tranches as project funding, a reported round checked
for consistency, conversion by maker-checker (exact figures), share caps, overdue and the three closures, exit."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.approvals.models import StateChange
from finance.core.errors import DomainError
from finance.ledger.models import JournalEntry
from finance.policy.services import parameter_set
from funds.direct import accounts, captable, services
from funds.direct.models import (
    Closure,
    Conversion,
    EquityPosition,
    FinancingRound,
    InvestFirstAgreement,
    ShareMovement,
)
from tests.funds.direct.conftest import balanced, founders, set_policy

APPLIED, SIGNED, PAID, ROUND = dt.date(2025, 1, 10), dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 6, 1)


def agreement(programme, enterprise, applicant, maker, checker, payer, *, amount="1000000.00", tranches=None,
              discount=None, cap=None, applied=APPLIED, signed=SIGNED, paid=PAID):
    tranches = tranches or [{"amount": amount, "due_on": paid}]
    a = services.invest_first_apply(programme=programme, enterprise=enterprise, title="量子芯片中试", amount=amount,
                                    tranches=tranches, discount=discount, valuation_cap=cap, by=applicant,
                                    applied_on=applied)
    services.invest_first_submit(agreement=a, by=maker)
    services.invest_first_decide(agreement=a, by=checker, approve=True, comment="同意")
    services.invest_first_sign(agreement=a, signed_on=signed, by=maker)
    for t in a.tranches.order_by("number"):
        services.tranche_pay(tranche=t, paid_on=paid, by=payer)
        assert balanced()
    a.refresh_from_db()
    return a


def balance(account):
    account.refresh_from_db()
    return account.normal_balance


@pytest.fixture
def people(founder_user, maker, checker, payer):
    return founder_user, maker, checker, payer


def test_issue_vector_converts_at_the_discount_price(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    a = agreement(programme, enterprise, *people, tranches=[{"amount": "600000.00", "due_on": PAID},
                                                           {"amount": "400000.00", "due_on": PAID}],
                  discount="20", cap="10000000.00")
    assert a.status == "disbursed" and a.disbursed == D("1000000.00")
    assert a.deadline == dt.date(2027, 2, 1) and a.min_round_size == D("5000000") and a.max_share == D("25")
    # project funding, not equity
    assert balance(accounts.project_funding(programme)) == D("1000000.00")
    assert balance(accounts.equity(programme)) == D("0.00")

    founder_user, maker, checker, _ = people
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1.10", pre_money="11150000.00",
                              new_money="5000000.00", fd_shares_before=9000000, by=founder_user)
    assert r.derived_price == D("1.100000")
    c = services.conversion_propose(agreement=a, round=r, by=maker)
    assert (c.price, c.shares) == (D("0.880000"), 1136363)
    assert balanced()
    with pytest.raises(DomainError) as exc:
        services.conversion_decide(conversion=c, by=maker, approve=True)
    assert exc.value.code == "maker_cannot_approve"
    services.conversion_decide(conversion=c, by=checker, approve=True, comment="同意转股")
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.status == "converted" and c.status == "approved"
    assert balance(accounts.project_funding(programme)) == D("0.00")
    assert balance(accounts.equity(programme)) == D("1000000.00")
    assert c.entry.idempotency_ref == f"direct:if:{a.pk}:conversion:{c.pk}"
    table = captable.cap_table(enterprise.pk)
    by_name = {row["name"]: row["shares"] for row in table["holders"]}
    assert by_name == {"创始人甲": 5000000, "创始人乙": 4000000, f"{ROUND} 轮新投资人": 4545454,
                       programme.name: 1136363}
    assert table["total_shares"] == 14681817
    mine = next(r for r in table["holders"] if r["name"] == programme.name)
    assert mine["ownership"] == D("0.07739934")  # 1,136,363 / 14,681,817, from share counts
    assert a.position.cost == D("1000000.00") and a.position.shares == 1136363
    assert balanced()


def test_two_million_at_fifty_million_pre_money_owns_two_fifty_seconds(programme, enterprise, people):
    parameter_set(key="investfirst.min_round_size", value=D("0"), effective_from=dt.date(2025, 1, 1))
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 5000000)))
    founder_user, maker, checker, _ = people
    a = agreement(programme, enterprise, *people, amount="2000000.00")
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="5", pre_money="50000000.00",
                              new_money="0", fd_shares_before=10000000, by=maker)
    c = services.conversion_propose(agreement=a, round=r, by=maker)
    assert c.shares == 400000 and c.price == D("5.000000")
    assert c.ownership == D("0.03846154")  # 2 / 52
    assert c.figures["programme_percent"] == "3.846"
    services.conversion_decide(conversion=c, by=checker, approve=True)
    assert captable.total_shares(enterprise.pk) == 10400000


def test_inconsistent_round_is_refused_naming_the_figures(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    founder_user = people[0]
    agreement(programme, enterprise, *people, discount="20", cap="10000000.00")
    before = ShareMovement.objects.count()
    with pytest.raises(DomainError) as exc:
        services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1.10", pre_money="20000000.00",
                              new_money="5000000.00", fd_shares_before=9000000, by=founder_user)
    assert exc.value.code == "inconsistent_round"
    for name in ("pre_money", "price_per_share", "fd_shares_before"):
        assert name in exc.value.detail_zh and name in exc.value.detail_en
    assert "18,181,818" in exc.value.detail_en and "10,000,000" in exc.value.detail_en
    assert exc.value.extra["implied_price"] == "2.000000"  # 20,000,000 / 10,000,000 shares, 6 decimals
    assert FinancingRound.objects.count() == 0 and ShareMovement.objects.count() == before
    # the share count must also match the cap table
    with pytest.raises(DomainError) as exc:
        services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1.10", pre_money="11150000.00",
                              new_money="5000000.00", fd_shares_before=9000001, by=founder_user)
    assert exc.value.field == "fd_shares_before"


def test_a_round_within_one_share_is_accepted(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    agreement(programme, enterprise, *people)
    # exact price 10,000,000 / 9,000,000 = 1.1111…: 1.111110 is nine shares off → refused; 1.111111 → 0.9 share → accepted
    with pytest.raises(DomainError):
        services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1.111110",
                              pre_money="10000000.00", new_money="5000000.00", fd_shares_before=9000000, by=people[0])
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1.111111",
                              pre_money="10000000.00", new_money="5000000.00", fd_shares_before=9000000, by=people[0])
    assert r.derived_price == D("1.111111")


def test_round_that_makes_the_programme_the_largest_shareholder_is_refused(programme, enterprise, people):
    parameter_set(key="investfirst.min_round_size", value=D("0"), effective_from=dt.date(2025, 1, 1))
    founders(enterprise, (("甲", 1000000), ("乙", 1000000), ("丙", 1000000)))
    maker = people[1]
    a = agreement(programme, enterprise, *people, amount="1000000.00")
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1", pre_money="3000000.00",
                              new_money="0", fd_shares_before=3000000, by=maker)
    with pytest.raises(DomainError) as exc:
        services.conversion_propose(agreement=a, round=r, by=maker)
    assert exc.value.code == "largest_shareholder"  # 1,000,000 ties the largest founder: 25 % exactly is allowed
    assert "第一大股东" in exc.value.detail_zh and "largest shareholder" in exc.value.detail_en
    assert Conversion.objects.count() == 0
    a.refresh_from_db()
    assert a.status == "disbursed"


def test_round_above_the_25_percent_cap_is_refused_naming_the_cap(programme, enterprise, people):
    parameter_set(key="investfirst.min_round_size", value=D("0"), effective_from=dt.date(2025, 1, 1))
    founders(enterprise, (("甲", 2000000), ("乙", 1000000)))
    maker = people[1]
    a = agreement(programme, enterprise, *people, amount="1500000.00")
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1", pre_money="3000000.00",
                              new_money="0", fd_shares_before=3000000, by=maker)
    with pytest.raises(DomainError) as exc:
        services.conversion_propose(agreement=a, round=r, by=maker)
    assert exc.value.code == "share_cap_exceeded"
    assert "investfirst.max_share" in exc.value.detail_zh and "25%" in exc.value.detail_en
    assert "33.333%" in exc.value.detail_en


def test_round_below_the_qualifying_size_does_not_convert(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    a = agreement(programme, enterprise, *people)
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1", pre_money="9000000.00",
                              new_money="1000000.00", fd_shares_before=9000000, by=people[0])
    with pytest.raises(DomainError) as exc:
        services.conversion_propose(agreement=a, round=r, by=people[1])
    assert exc.value.code == "round_not_qualified" and "investfirst.min_round_size" in exc.value.detail_zh


def test_rejected_conversion_returns_to_waiting(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    a = agreement(programme, enterprise, *people)
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1", pre_money="9000000.00",
                              new_money="5000000.00", fd_shares_before=9000000, by=people[0])
    c = services.conversion_propose(agreement=a, round=r, by=people[1])
    services.conversion_decide(conversion=c, by=people[2], approve=False, comment="估值存疑")
    a.refresh_from_db()
    assert a.status == "disbursed" and a.round is None
    assert balance(accounts.equity(programme)) == D("0.00")


# ---------------------------------------------------------------- overdue and closures

OLD = dict(applied=dt.date(2023, 11, 1), signed=dt.date(2023, 12, 1), paid=dt.date(2024, 1, 15))


@pytest.fixture
def old_programme(department, platform, policy, rules_before_their_sources):  # decided in 2023
    p = services.programme_create(name="早期直投专项", owner_department=department, manager=platform,
                                  budget="20000000.00", kinds=["invest_first"])
    services.programme_fund(programme=p, amount="10000000.00", on=dt.date(2023, 6, 1), reference="CZ-2023-9")
    return p


def overdue(old_programme, enterprise, people):
    a = agreement(old_programme, enterprise, *people, **OLD)
    assert a.deadline == dt.date(2025, 12, 1)
    assert services.invest_first_overdue_sweep(on=dt.date(2025, 12, 1)) == 0  # the deadline day itself is in time
    assert services.invest_first_overdue_sweep(on=dt.date(2025, 12, 2)) == 1
    a.refresh_from_db()
    assert a.status == "overdue"
    assert StateChange.objects.filter(item_id=a.pk, to_state="overdue").exists()
    return a


def test_closure_as_a_grant_expenses_the_funding(old_programme, enterprise, people):
    _, maker, checker, _ = people
    a = overdue(old_programme, enterprise, people)
    c = services.closure_propose(agreement=a, way="grant", reason="企业未在期限内融资，按项目资助处理", by=maker)
    services.closure_decide(closure=c, by=checker, approve=True, comment="同意")
    c.refresh_from_db()
    a.refresh_from_db()
    assert a.status == "closed_grant"
    assert balance(accounts.grant_expense(old_programme)) == D("1000000.00")
    assert balance(accounts.project_funding(old_programme)) == D("0.00")
    assert c.entry.idempotency_ref == f"direct:if:{a.pk}:closure:{c.pk}:grant"
    assert c.approvers == [{"id": checker.pk, "name": str(checker), "level": 1}]
    assert balanced()


def test_closure_repaid_by_the_enterprise_books_cash_and_the_loss(old_programme, enterprise, people):
    _, maker, checker, _ = people
    a = overdue(old_programme, enterprise, people)
    cash_before = balance(accounts.cash(old_programme))
    with pytest.raises(DomainError) as exc:
        services.closure_propose(agreement=a, way="repaid", reason="补偿", by=maker, agreed_amount="-5")
    assert exc.value.field == "agreed_amount"
    c = services.closure_propose(agreement=a, way="repaid", reason="企业按协议补偿 80 万元", by=maker,
                                 agreed_amount="800000.00")
    services.closure_decide(closure=c, by=checker, approve=True)
    a.refresh_from_db()
    assert a.status == "closed_repaid"
    assert balance(accounts.cash(old_programme)) - cash_before == D("800000.00")
    assert balance(accounts.gains(old_programme)) == D("-200000.00")  # a loss on the income account
    assert balance(accounts.project_funding(old_programme)) == D("0.00")
    assert balanced()


def test_closure_swapped_into_another_project(old_programme, enterprise, people):
    _, maker, checker, _ = people
    a = overdue(old_programme, enterprise, people)
    c = services.closure_propose(agreement=a, way="swapped", reason="转入同一企业的中试平台项目", by=maker,
                                 target_project="中试平台建设项目")
    services.closure_decide(closure=c, by=checker, approve=True)
    a.refresh_from_db()
    assert a.status == "closed_swapped"
    assert balance(accounts.other_projects(old_programme)) == D("1000000.00")
    assert balance(accounts.project_funding(old_programme)) == D("0.00")
    assert Closure.objects.get().entry.memo.startswith("先投后股转入其他项目")
    assert balanced()


def test_three_closures_post_three_different_entries(old_programme, enterprise, orgs, people):
    _, maker, checker, _ = people
    ways = [("grant", {}), ("repaid", {"agreed_amount": "1000000.00"}), ("swapped", {"target_project": "另一项目"})]
    debited = set()
    for way, extra in ways:
        ent = orgs.make(name=f"企业-{way}")
        a = agreement(old_programme, ent, maker, maker, checker, people[3], **OLD)
        services.invest_first_overdue_sweep(on=dt.date(2025, 12, 2))
        a.refresh_from_db()
        c = services.closure_propose(agreement=a, way=way, reason="逾期关闭", by=maker, **extra)
        services.closure_decide(closure=c, by=checker, approve=True)
        c.refresh_from_db()
        debited |= {p.account.code for p in c.entry.postings.all() if p.side == "D"}
    assert debited == {f"direct:p{old_programme.pk}:grants", f"direct:p{old_programme.pk}:cash",
                       f"direct:p{old_programme.pk}:swapped"}


def test_rejected_closure_returns_to_overdue(old_programme, enterprise, people):
    _, maker, checker, _ = people
    a = overdue(old_programme, enterprise, people)
    c = services.closure_propose(agreement=a, way="grant", reason="按拨款处理", by=maker)
    services.closure_decide(closure=c, by=checker, approve=False, comment="应要求企业补偿")
    a.refresh_from_db()
    assert a.status == "overdue" and JournalEntry.objects.filter(idempotency_ref__contains="closure").count() == 0


# ---------------------------------------------------------------- exit


def test_exit_at_the_early_exit_price_after_conversion(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    _, maker, checker, payer = people
    a = agreement(programme, enterprise, *people)
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1", pre_money="9000000.00",
                              new_money="5000000.00", fd_shares_before=9000000, by=maker)
    c = services.conversion_propose(agreement=a, round=r, by=maker)
    services.conversion_decide(conversion=c, by=checker, approve=True)
    pos = EquityPosition.objects.get()
    with pytest.raises(DomainError) as exc:  # within three years the floor is cost
        services.position_exit(position=pos, exited_on=dt.date(2026, 6, 1), proceeds="999999.99", kind="buyback",
                               buyer="创始人甲", by=maker)
    assert exc.value.code == "below_exit_price" and exc.value.extra["min_price"] == "1000000.00"
    services.position_exit(position=pos, exited_on=dt.date(2026, 6, 1), proceeds="1000000.00", kind="buyback",
                           buyer="创始人甲", by=maker)
    pos.refresh_from_db()
    a.refresh_from_db()
    assert a.status == "exited" and pos.status == "exited"
    assert pos.multiple == D("1.0000") and pos.irr == D("0.000000") and pos.min_exit_price == D("1000000.00")
    assert balance(accounts.equity(programme)) == D("0.00")
    held = {row["name"]: row["shares"] for row in captable.cap_table(enterprise.pk)["holders"]}
    assert programme.name not in held and held["创始人甲"] == 5000000 + 1000000
    assert balanced()


# ---------------------------------------------------------------- bad input and policy


@pytest.mark.parametrize("field,kwargs", [
    ("amount", {"amount": "-1000.00", "tranches": [{"amount": "-1000.00", "due_on": PAID}]}),
    ("discount", {"discount": "100"}),
    ("discount", {"discount": "150"}),
    ("valuation_cap", {"valuation_cap": "0"}),
    ("tranches", {"tranches": [{"amount": "500000.00", "due_on": PAID}]}),
    ("tranches.0.due_on", {"tranches": [{"amount": "1000000.00", "due_on": "not a date"}]}),
])
def test_bad_application_is_refused_naming_the_field(programme, enterprise, founder_user, field, kwargs):
    args = dict(programme=programme, enterprise=enterprise, title="项目", amount="1000000.00",
                tranches=[{"amount": "1000000.00", "due_on": PAID}], by=founder_user, applied_on=APPLIED)
    args.update(kwargs)
    with pytest.raises(DomainError) as exc:
        services.invest_first_apply(**args)
    assert exc.value.field == field
    assert InvestFirstAgreement.objects.count() == 0


def test_bad_round_figures_are_refused_naming_the_field(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    agreement(programme, enterprise, *people)
    good = dict(enterprise=enterprise, round_date=ROUND, price_per_share="1", pre_money="9000000.00",
                new_money="5000000.00", fd_shares_before=9000000, by=people[0])
    for field, value in [("fd_shares_before", 0), ("round_date", dt.date(2025, 1, 5)), ("pre_money", "-1"),
                         ("price_per_share", "0"), ("new_money", "-5")]:
        with pytest.raises(DomainError) as exc:
            services.round_report(**{**good, field: value})
        assert exc.value.field == field, field
    assert FinancingRound.objects.count() == 0


def test_unset_deadline_parameter_blocks_signing_naming_it(department, platform, enterprise, people, db):
    set_policy(skip=("investfirst.conversion_deadline_months",))
    p = services.programme_create(name="专项", owner_department=department, manager=platform, budget="1000000.00",
                                  kinds=["invest_first"])
    founder_user, maker, checker, _ = people
    a = services.invest_first_apply(programme=p, enterprise=enterprise, title="项目", amount="100000.00",
                                    tranches=[{"amount": "100000.00", "due_on": PAID}], by=founder_user,
                                    applied_on=APPLIED)
    services.invest_first_submit(agreement=a, by=maker)
    services.invest_first_decide(agreement=a, by=checker, approve=True)
    with pytest.raises(DomainError) as exc:
        services.invest_first_sign(agreement=a, signed_on=SIGNED, by=maker)
    assert exc.value.code == "policy_parameter_missing" and "investfirst.conversion_deadline_months" in exc.value.detail_zh


def test_an_approver_cannot_pay(programme, enterprise, people):
    founder_user, maker, checker, _ = people
    a = services.invest_first_apply(programme=programme, enterprise=enterprise, title="项目", amount="100000.00",
                                    tranches=[{"amount": "100000.00", "due_on": PAID}], by=founder_user,
                                    applied_on=APPLIED)
    services.invest_first_submit(agreement=a, by=maker)
    services.invest_first_decide(agreement=a, by=checker, approve=True)
    services.invest_first_sign(agreement=a, signed_on=SIGNED, by=maker)
    with pytest.raises(DomainError) as exc:
        services.tranche_pay(tranche=a.tranches.get(), paid_on=PAID, by=checker)
    assert exc.value.code == "payer_is_approver"


def test_two_agreements_convert_together_at_one_round(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    _, maker, checker, _ = people
    capped = agreement(programme, enterprise, *people, discount="20", cap="10000000.00")
    plain = agreement(programme, enterprise, *people, amount="500000.00")
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1.10", pre_money="11150000.00",
                              new_money="5000000.00", fd_shares_before=9000000, by=maker)
    assert [t["agreement"] for t in r.converting] == [capped.pk, plain.pk]
    c1 = services.conversion_propose(agreement=capped, round=r, by=maker)
    services.conversion_decide(conversion=c1, by=checker, approve=True)
    c2 = services.conversion_propose(agreement=plain, round=r, by=maker)  # solved with the first, as reported
    assert (c1.shares, c2.shares, c2.price) == (1136363, 454545, D("1.100000"))
    services.conversion_decide(conversion=c2, by=checker, approve=True)
    held = {row["name"]: row["shares"] for row in captable.cap_table(enterprise.pk)["holders"]}
    assert held[programme.name] == 1136363 + 454545
    assert balance(accounts.equity(programme)) == D("1500000.00")
    assert balanced()


def test_a_disbursement_after_the_round_report_asks_for_a_new_report(programme, enterprise, people):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    founder_user, maker, checker, payer = people
    a = services.invest_first_apply(programme=programme, enterprise=enterprise, title="项目", amount="1000000.00",
                                    tranches=[{"amount": "600000.00", "due_on": PAID},
                                              {"amount": "400000.00", "due_on": ROUND}], by=founder_user,
                                    applied_on=APPLIED)
    services.invest_first_submit(agreement=a, by=maker)
    services.invest_first_decide(agreement=a, by=checker, approve=True)
    services.invest_first_sign(agreement=a, signed_on=SIGNED, by=maker)
    services.tranche_pay(tranche=a.tranches.get(number=1), paid_on=PAID, by=payer)
    r = services.round_report(enterprise=enterprise, round_date=ROUND, price_per_share="1", pre_money="9000000.00",
                              new_money="5000000.00", fd_shares_before=9000000, by=founder_user)
    services.tranche_pay(tranche=a.tranches.get(number=2), paid_on=ROUND, by=payer)
    a.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.conversion_propose(agreement=a, round=r, by=maker)
    assert exc.value.code == "round_stale"


def test_implied_price_is_decimal_half_up_to_six_places():
    """A price exactly on a half millionth rounds up; through float (1.0000015 is stored as 1.00000149999…)
    it rounded down to 1.000001."""
    from fractions import Fraction

    from funds.direct.services.rounds import price_of

    assert price_of(Fraction(10000015, 10000000)) == D("1.000002")
    assert price_of(Fraction(20000000, 3)) == D("6666666.666667")
    assert price_of(Fraction(1, 3)) == D("0.333333")

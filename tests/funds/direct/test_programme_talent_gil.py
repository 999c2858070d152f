"""Programmes (budget, accounts), talent equity (eligibility, holding period, buy-back at the early-exit price),
拨投贷 (three legs, grant expensed and capped, loan linked by the bank's reference, exposure), cap-table export."""
import datetime as dt
import json
from decimal import Decimal as D

import pytest

from finance.core.errors import DomainError
from finance.ledger.models import Account
from finance.parties.models import Role
from finance.policy.models import Parameter, ParameterValue
from funds.direct import accounts, captable, services
from funds.direct.models import GrantInvestLoan, Programme, TalentEquity
from funds.direct.services import ELIGIBILITY
from loans.models import SubsidyKind, SubsidyScheme
from loans.services import loan_submit, repayment_record, subsidy_apply, subsidy_approve, subsidy_pay
from tests.funds.direct.conftest import balanced, founders, set_policy
from tests.loans.loan_factories import loan_body, pledge

APPLIED = dt.date(2021, 12, 1)
# The scenarios here start in 2021 (a buy-back after the free years must lie before today): before their sources
# the talent cap and the invest-first share cap are not in force, so an administrator has set them for those
# years (conftest.rules_before_their_sources).
pytestmark = pytest.mark.usefixtures("rules_before_their_sources")


def balance(account):
    account.refresh_from_db()
    return account.normal_balance


# ---------------------------------------------------------------- programmes


def test_programme_opens_its_accounts_and_never_exceeds_its_budget(programme):
    codes = set(Account.objects.filter(code__startswith=f"direct:p{programme.pk}:").values_list("code", flat=True))
    assert codes == {f"direct:p{programme.pk}:{s}" for s in
                     ("capital", "cash", "project-funding", "equity", "swapped", "grants", "gains")}
    assert balance(accounts.cash(programme)) == D("50000000.00")
    with pytest.raises(DomainError) as exc:
        services.programme_fund(programme=programme, amount="50000000.01", on=dt.date(2025, 2, 1), reference="CZ-2")
    assert exc.value.code == "budget_exceeded" and exc.value.field == "amount"
    with pytest.raises(DomainError) as exc:
        services.programme_fund(programme=programme, amount="1.00", on=dt.date(2025, 2, 1), reference="CZ-2025-001")
    assert exc.value.code == "already_posted"
    services.programme_fund(programme=programme, amount="50000000.00", on=dt.date(2025, 2, 1), reference="CZ-2")
    programme.refresh_from_db()
    assert programme.funded == programme.budget == D("100000000.00")
    assert balanced()


@pytest.mark.parametrize("field,over", [("budget", {"budget": "-1"}), ("kinds", {"kinds": ["loan"]}),
                                        ("kinds", {"kinds": []}), ("owner_department", "enterprise"),
                                        ("name", {"name": ""})])
def test_bad_programme_input_names_the_field(department, platform, enterprise, policy, field, over):
    args = dict(name="专项", owner_department=department, manager=platform, budget="1000.00", kinds=["invest_first"])
    if over == "enterprise":
        args["owner_department"] = enterprise
    else:
        args.update(over)
    with pytest.raises(DomainError) as exc:
        services.programme_create(**args)
    assert exc.value.field == field
    assert not Programme.objects.exists()


def test_programme_cash_cannot_go_below_zero(department, platform, enterprise, maker, checker, payer, policy):
    p = services.programme_create(name="小专项", owner_department=department, manager=platform, budget="1000000.00",
                                  kinds=["talent_equity"])
    services.programme_fund(programme=p, amount="100000.00", on=dt.date(2021, 1, 1), reference="A")
    t = services.talent_equity_apply(programme=p, enterprise=enterprise, title="人才", amount="200000.00",
                                     price_per_share="1", founded_on=dt.date(2020, 1, 1), by=maker,
                                     talent_team_leads=True, registered_in_shandong=True, own_ip_count=1,
                                     founders_cash="500000", applied_on=APPLIED)
    services.talent_equity_submit(talent=t, by=maker)
    services.talent_equity_decide(talent=t, by=checker, approve=True)
    services.talent_equity_sign(talent=t, by=maker)
    with pytest.raises(DomainError) as exc:
        services.talent_equity_fund(talent=t, funded_on=dt.date(2022, 1, 1), by=payer)
    assert exc.value.code == "insufficient_balance"
    t.refresh_from_db()
    assert t.status == "contracted" and t.position is None


# ---------------------------------------------------------------- talent equity


def apply_talent(programme, enterprise, by, **over):
    args = dict(programme=programme, enterprise=enterprise, title="人才创业项目", amount="1000000.00",
                price_per_share="2.00", founded_on=dt.date(2020, 1, 1), by=by, talent_team_leads=True,
                registered_in_shandong=True, own_ip_count=2, founders_cash="600000.00", applied_on=APPLIED)
    args.update(over)
    return services.talent_equity_apply(**args)


@pytest.mark.parametrize("key", ELIGIBILITY)
def test_each_unset_eligibility_parameter_blocks_naming_it(department, platform, enterprise, founder_user, db, key):
    set_policy(skip=(key,))
    p = services.programme_create(name="专项", owner_department=department, manager=platform, budget="10000000.00",
                                  kinds=["talent_equity"])
    with pytest.raises(DomainError) as exc:
        apply_talent(p, enterprise, founder_user)
    assert exc.value.code == "policy_parameter_missing" and key in exc.value.detail_zh and key in exc.value.detail_en
    assert not TalentEquity.objects.exists()


@pytest.mark.parametrize("field,over", [("registered_in_shandong", {"registered_in_shandong": False}),
                                        ("talent_team_leads", {"talent_team_leads": False}),
                                        ("own_ip_count", {"own_ip_count": 0}),
                                        ("founded_on", {"founded_on": dt.date(2010, 1, 1)}),
                                        ("founders_cash", {"founders_cash": "499999.99"}),
                                        ("amount", {"amount": "-1"}),
                                        ("price_per_share", {"price_per_share": "0"})])
def test_ineligible_or_bad_application_names_the_criterion(programme, enterprise, founder_user, field, over):
    with pytest.raises(DomainError) as exc:
        apply_talent(programme, enterprise, founder_user, **over)
    assert exc.value.field == field
    assert not TalentEquity.objects.exists()


def test_eligibility_is_checked_again_at_approval(programme, enterprise, founder_user, maker, checker):
    t = apply_talent(programme, enterprise, founder_user)
    services.talent_equity_submit(talent=t, by=maker)
    ParameterValue.objects.create(parameter=Parameter.objects.get(key="talent.eligibility.own_ip_min"), value=5,
                                  effective_from=dt.date(2022, 1, 1))
    with pytest.raises(DomainError) as exc:
        services.talent_equity_decide(talent=t, by=checker, approve=True)
    assert exc.value.code == "not_eligible" and exc.value.field == "own_ip_count"


def test_talent_lifecycle_buy_back_after_the_free_years_at_cost_plus_interest(programme, enterprise, founder_user,
                                                                               maker, checker, payer):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    t = apply_talent(programme, enterprise, founder_user)
    assert t.cap.headroom == D("5000000.00") and t.eligibility["results"]["own_ip_count"]["ok"]
    services.talent_equity_submit(talent=t, by=maker)
    services.talent_equity_decide(talent=t, by=checker, approve=True)
    services.talent_equity_sign(talent=t, by=maker)
    services.talent_equity_fund(talent=t, funded_on=dt.date(2022, 1, 1), by=payer)
    t.refresh_from_db()
    pos = t.position
    assert (t.status, pos.shares, pos.cost, pos.exit_due_on) == ("funded", 500000, D("1000000.00"), dt.date(2027, 1, 1))
    assert pos.entry.idempotency_ref == f"direct:talent:{t.pk}:funded"
    assert balance(accounts.equity(programme)) == D("1000000.00")
    assert balanced()
    # four years on: past the three free years, the floor is cost + 3.5 % simple interest for 1,461 days
    with pytest.raises(DomainError) as exc:
        services.position_exit(position=pos, exited_on=dt.date(2026, 1, 1), proceeds="1140095.88", kind="buyback",
                               buyer="创始人甲", by=maker)
    assert exc.value.extra["min_price"] == "1140095.89"
    services.position_exit(position=pos, exited_on=dt.date(2026, 1, 1), proceeds="1140095.89", kind="buyback",
                           buyer="创始人甲", by=maker)
    pos.refresh_from_db()
    t.refresh_from_db()
    assert t.status == "exited" and pos.multiple == D("1.1401")
    assert pos.irr == D("0.033298")  # 1.14009589 ** (365 / 1461) - 1
    assert balance(accounts.gains(programme)) == D("140095.89")
    assert balance(accounts.equity(programme)) == D("0.00")
    assert balanced()


def test_unset_holding_period_blocks_funding(department, platform, enterprise, maker, checker, payer, db):
    set_policy(skip=("talent.holding_years",))
    p = services.programme_create(name="专项", owner_department=department, manager=platform, budget="10000000.00",
                                  kinds=["talent_equity"])
    services.programme_fund(programme=p, amount="5000000.00", on=dt.date(2021, 1, 1), reference="A")
    t = apply_talent(p, enterprise, maker)
    services.talent_equity_submit(talent=t, by=maker)
    services.talent_equity_decide(talent=t, by=checker, approve=True)
    services.talent_equity_sign(talent=t, by=maker)
    with pytest.raises(DomainError) as exc:
        services.talent_equity_fund(talent=t, funded_on=dt.date(2022, 1, 1), by=payer)
    assert "talent.holding_years" in exc.value.detail_zh
    assert balance(accounts.equity(p)) == D("0.00")


# ---------------------------------------------------------------- 拨投贷


@pytest.fixture
def bank_loan(bank, enterprise, make_user, reviewer, reviewer2, founder_user):
    officer = make_user(bank, Role.BANK_OFFICER)
    today = dt.date(2026, 6, 1)
    loan = loan_submit(bank=bank, by=officer, as_of=today, data=loan_body(
        7, borrower_uscc=enterprise.uscc, borrower_name=enterprise.name, external_ref="BANK-LN-0007",
        pledges=[pledge(7, kind="trademark", number="00000007", value="100000000.00")]))  # registered at CNIPA
    for inst in list(loan.installments.all()[:12]):
        repayment_record(loan=loan, paid_on=inst.due_date, amount=inst.payment, by=officer)
    scheme = SubsidyScheme.objects.create(code="paid", name="贴息", kind=SubsidyKind.PAID_INTEREST)
    app = subsidy_apply(scheme=scheme, loan=loan, by=founder_user, on=today)
    subsidy_approve(application=app, by=reviewer, on=today)
    subsidy_pay(application=app, by=reviewer2, on=today)  # approval no longer pays: another reviewer does
    app.refresh_from_db()
    loan.refresh_from_db()
    return loan, app.amount_granted


def test_grant_invest_loan_with_three_legs(programme, enterprise, bank, maker, checker, payer, bank_loan):
    loan, subsidy = bank_loan
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    with pytest.raises(DomainError) as exc:
        services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷", by=maker,
                                         grant_amount="3000000.01", applied_on=APPLIED)
    assert exc.value.code == "grant_cap_exceeded" and "grantinvestloan.grant_cap" in exc.value.detail_zh
    g = services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷", by=maker,
                                         grant_amount="1000000.00", equity_kind="direct", equity_amount="2000000.00",
                                         equity_price_per_share="2.00", loan_bank=bank, loan_reference="BANK-LN-0007",
                                         applied_on=APPLIED)
    services.grant_invest_loan_review(project=g, by=maker)
    services.grant_invest_loan_submit(project=g, by=maker)
    services.grant_invest_loan_decide(project=g, by=checker, approve=True)
    services.grant_invest_loan_sign(project=g, signed_on=dt.date(2022, 1, 1), by=maker)
    services.grant_invest_loan_link_loan(project=g, bank=bank, reference="BANK-LN-0007", by=maker, pool_enrolled=True)
    services.grant_invest_loan_pay_grant(project=g, paid_on=dt.date(2022, 1, 5), by=payer)
    assert balance(accounts.grant_expense(programme)) == D("1000000.00")  # expensed when paid
    assert balanced()
    services.grant_invest_loan_fund_equity(project=g, funded_on=dt.date(2022, 1, 5), by=payer)
    g.refresh_from_db()
    assert g.status == "disbursed" and g.position.shares == 1000000
    assert balanced()
    x = services.grant_invest_loan_exposure(g, on=dt.date(2026, 6, 1))
    pool = (loan.principal_outstanding * D("0.70")).quantize(D("0.01"))
    assert x["grant_paid"] == D("1000000.00") and x["equity_at_cost"] == D("2000000.00")
    assert x["subsidy_paid"] == subsidy > 0 and x["pool_share_at_risk"] == pool
    assert x["total"] == D("3000000.00") + subsidy + pool
    services.grant_invest_loan_move(project=g, to="monitoring", by=maker)
    with pytest.raises(DomainError):
        services.grant_invest_loan_move(project=g, to="exited", by=maker)  # the equity is still held
    # the equity leg exits "at a reasonable return": cost + 5 % a year (simple), above the early-exit floor
    with pytest.raises(DomainError) as exc:
        services.position_exit(position=g.position, exited_on=dt.date(2024, 1, 5), proceeds="2000000.00", kind="sale",
                               buyer="产业资本", by=maker)
    assert exc.value.extra["min_price"] == "2200000.00"  # 730 days
    services.position_exit(position=g.position, exited_on=dt.date(2024, 1, 5), proceeds="2200000.00", kind="sale",
                           buyer="产业资本", by=maker)
    services.grant_invest_loan_move(project=g, to="exited", by=maker)
    g.refresh_from_db()
    assert g.status == "exited"
    assert balanced()


def test_loan_leg_must_name_a_loan_of_that_bank_to_this_enterprise(programme, enterprise, bank, other_bank, maker,
                                                                   bank_loan):
    g = services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷", by=maker,
                                         grant_amount="100000.00", applied_on=APPLIED)
    for b, ref in ((other_bank, "BANK-LN-0007"), (bank, "NO-SUCH")):
        with pytest.raises(DomainError) as exc:
            services.grant_invest_loan_link_loan(project=g, bank=b, reference=ref, by=maker)
        assert exc.value.code == "loan_not_found" and exc.value.field == "loan_reference"


def test_equity_leg_as_invest_first_becomes_an_agreement(programme, enterprise, maker, checker, payer):
    g = services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷", by=maker,
                                         equity_kind="invest_first", equity_amount="1000000.00", applied_on=APPLIED)
    services.grant_invest_loan_review(project=g, by=maker)
    services.grant_invest_loan_submit(project=g, by=maker)
    services.grant_invest_loan_decide(project=g, by=checker, approve=True)
    services.grant_invest_loan_sign(project=g, signed_on=dt.date(2022, 1, 1), by=maker)
    services.grant_invest_loan_fund_equity(project=g, funded_on=dt.date(2022, 1, 5), by=payer)
    g.refresh_from_db()
    a = g.invest_first
    assert a.status == "disbursed" and a.disbursed == D("1000000.00") and g.status == "disbursed"
    assert balance(accounts.project_funding(programme)) == D("1000000.00")
    from funds.direct.caps import cap_state
    state = cap_state(enterprise.pk, on=dt.date(2022, 1, 5))
    assert state.used == D("1000000.00") and [i["kind"] for i in state.items] == ["invest_first"]  # counted once
    # converted, the leg still exits "at a reasonable return": cost + 5 % a year for 731 days
    r = services.round_report(enterprise=enterprise, round_date=dt.date(2022, 6, 1), price_per_share="1",
                              pre_money="9000000.00", new_money="5000000.00", fd_shares_before=9000000, by=maker)
    c = services.conversion_propose(agreement=a, round=r, by=maker)
    services.conversion_decide(conversion=c, by=checker, approve=True)
    a.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.position_exit(position=a.position, exited_on=dt.date(2024, 6, 1), proceeds="1100136.98", kind="sale",
                               buyer="产业资本", by=maker)
    assert exc.value.extra["min_price"] == "1100136.99"


def test_project_needs_a_leg_and_both_loan_fields(programme, enterprise, bank, maker):
    for field, over in (("grant_amount", {}), ("loan_reference", {"loan_reference": "X"}),
                        ("equity_amount", {"equity_kind": "direct"}), ("grant_amount", {"grant_amount": "-1"})):
        with pytest.raises(DomainError) as exc:
            services.grant_invest_loan_apply(programme=programme, enterprise=enterprise, title="拨投贷", by=maker,
                                             applied_on=APPLIED, **over)
        assert exc.value.field == field
    assert not GrantInvestLoan.objects.exists()


# ---------------------------------------------------------------- cap table export


def test_open_cap_table_export_round_trips(programme, enterprise, founder_user, maker, checker, payer):
    founders(enterprise, (("创始人甲", 5000000), ("创始人乙", 4000000)))
    t = apply_talent(programme, enterprise, founder_user)
    services.talent_equity_submit(talent=t, by=maker)
    services.talent_equity_decide(talent=t, by=checker, approve=True)
    services.talent_equity_sign(talent=t, by=maker)
    services.talent_equity_fund(talent=t, funded_on=dt.date(2022, 1, 1), by=payer)
    a = services.invest_first_apply(programme=programme, enterprise=enterprise, title="先投后股", amount="300000.00",
                                    tranches=[{"amount": "300000.00", "due_on": dt.date(2025, 3, 1)}], by=maker,
                                    discount="20", valuation_cap="20000000", applied_on=dt.date(2025, 1, 1))
    services.invest_first_submit(agreement=a, by=maker)
    services.invest_first_decide(agreement=a, by=checker, approve=True)
    services.invest_first_sign(agreement=a, signed_on=dt.date(2025, 2, 1), by=maker)
    doc = json.loads(json.dumps(captable.ocf_export(enterprise.pk)))  # through JSON text
    assert doc["file_type"] == "OCF_MANIFEST_FILE"
    assert {i["object_type"] for i in doc["items"]} == {"ISSUER", "STOCK_CLASS", "STAKEHOLDER", "TX_STOCK_ISSUANCE",
                                                        "TX_CONVERTIBLE_ISSUANCE"}
    back = captable.ocf_positions(doc)
    table = captable.cap_table(enterprise.pk)
    assert back["shares"] == {(row["name"], "普通股"): row["shares"] for row in table["holders"]}
    assert back["converting"] == {programme.name: D("300000.00")}
    conv = next(i for i in doc["items"] if i["object_type"] == "TX_CONVERTIBLE_ISSUANCE")
    mech = conv["conversion_triggers"][0]["conversion_right"]["conversion_mechanism"]
    assert mech["conversion_discount"] == "0.2" and mech["conversion_valuation_cap"]["amount"] == "20000000.00"
    with pytest.raises(DomainError):
        captable.ocf_positions({"file_type": "something else"})



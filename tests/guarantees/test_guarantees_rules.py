"""Regression tests for issues 9 and 10 in the pool and guarantee schemes; each failed on the code before.

Four eyes on claims and guarantee money, the claim trigger's off-by-one, the bank's confirmation of a
guarantee (another bank's loan is 404 with no figures), no future money dates, currencies never mixed,
one rounding of the leverage limit, policy parameters that block instead of falling back, the guarantor's
leverage, the premium subsidy paid through the ledger, and the structure rules (locks, layering).
"""
import datetime as dt
import pathlib
import re
from decimal import Decimal

import pytest

from finance.core.errors import DomainError, NotFound
from finance.ledger.models import JournalEntry, Posting
from finance.parties.models import Role
from finance.policy.selectors import PolicyParameterMissing, PolicyUse
from finance.policy.services import parameter_set
from guarantees.models import (
    Claim,
    ClaimStatus,
    Enrolment,
    Guarantee,
    GuaranteePayout,
    PremiumSubsidy,
    RiskPool,
)
from guarantees.selectors import pool_exposure, pool_figures, stress_inputs
from guarantees.services import (
    claim_approve,
    claim_file,
    claim_pay,
    compensation_cap,
    enrolment_create,
    guarantee_confirm,
    guarantee_register,
    guarantor_net_assets_record,
    payout_compensation_pay,
    payout_decide,
    payout_record,
    pool_contribute,
    pool_create,
    premium_subsidy_apply,
    premium_subsidy_decide,
    premium_subsidy_pay,
    recovery_record,
)
from tests.conftest import key_client
from tests.guarantees.conftest import (
    EPOCH,
    TODAY,
    clear_guarantee_shares,
    default,
    past_due,
    set_guarantee_shares,
)

D = Decimal
TOMORROW = TODAY + dt.timedelta(days=1)
YEAR = dt.timedelta(days=365)


def _entries():
    return JournalEntry.objects.count(), Posting.objects.count()


# ---------------------------------------------------------------- four eyes and the trigger (issue 9 #6)


@pytest.fixture
def enrolled(pool, make_loan, bank_officer):
    loan = make_loan(principal="1000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    return loan


def test_the_approver_never_pays_a_claim(enrolled, bank_officer, reviewer, payer):
    claim = claim_approve(claim=claim_file(loan=default(enrolled), claimed_loss="100000.00", by=bank_officer),
                          by=reviewer)
    before = _entries()
    with pytest.raises(DomainError) as err:
        claim_pay(claim=claim, by=reviewer)
    assert err.value.code == "payer_is_approver" and err.value.status == 403
    assert _entries() == before and Claim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
    assert claim_pay(claim=claim, by=payer).status == ClaimStatus.PAID


def test_claims_from_one_million_need_two_different_approvers_through_the_api(pool, make_loan, bank_officer,
                                                                                 reviewer, reviewer2, client):
    loan = make_loan(principal="2000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    claim = claim_file(loan=default(loan), claimed_loss="2000000.00", by=bank_officer)  # the pool pays 1,400,000
    client.force_login(reviewer)
    r = client.post(f"/api/v1/claims/{claim.pk}/approve/", {"comment": "ok"}, content_type="application/json")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "submitted"
    assert (body["approval"]["levels_required"], body["approval"]["levels_done"]) == (2, 1)
    r = client.post(f"/api/v1/claims/{claim.pk}/approve/", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "same_approver"
    client.force_login(reviewer2)
    r = client.post(f"/api/v1/claims/{claim.pk}/approve/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["approval"]["levels_done"] == 2
    html = client.get(f"/guarantees/claims/{claim.pk}/").content.decode()
    assert "2 of 2" in html or "2 / 2" in html or "已完成 2" in html


@pytest.mark.parametrize(("dpd", "claimable"), [(90, False), (91, True)])
def test_claim_trigger_starts_with_substandard_at_91_days(enrolled, bank_officer, dpd, claimable):
    """Decision: pool.claim_trigger_dpd = 90 means more than 90 days past due, the first substandard day."""
    loan = past_due(enrolled, dpd, "special_mention" if dpd <= 90 else "substandard")
    if claimable:
        assert claim_file(loan=loan, claimed_loss="1000.00", by=bank_officer).status == ClaimStatus.SUBMITTED
        return
    with pytest.raises(DomainError) as err:
        claim_file(loan=loan, claimed_loss="1000.00", by=bank_officer)
    assert err.value.code == "claim_not_triggered" and "more than 90 days" in err.value.detail


def test_a_default_at_zero_days_past_due_is_not_claimable(pool, make_loan, bank_officer):
    loan = make_loan(principal="1000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    from loans.services import loan_default

    loan = loan_default(loan=loan, declared_on=TODAY, reason="demo", by=bank_officer)
    assert loan.status == "defaulted" and loan.dpd == 0
    with pytest.raises(DomainError) as err:
        claim_file(loan=loan, claimed_loss="1000.00", by=bank_officer)
    assert err.value.code == "claim_not_triggered"
    assert Claim.objects.count() == 0


def test_a_loan_that_cured_after_filing_cannot_be_approved(enrolled, bank_officer, reviewer):
    claim = claim_file(loan=default(enrolled), claimed_loss="1000.00", by=bank_officer)
    past_due(enrolled, 0, "normal")
    with pytest.raises(DomainError) as err:
        claim_approve(claim=claim, by=reviewer)
    assert err.value.code == "claim_not_triggered"


# ---------------------------------------------------------------- no money dated after today (issue 9 #2)


def test_no_future_dated_recoveries_or_contributions(enrolled, pool, province, bank_officer, reviewer, payer):
    claim = claim_approve(claim=claim_file(loan=default(enrolled), claimed_loss="100000.00", by=bank_officer),
                          by=reviewer)
    claim_pay(claim=claim, by=payer)
    before = _entries()
    with pytest.raises(DomainError) as err:
        recovery_record(claim=claim, recovered="10.00", costs="0", recovered_on=TOMORROW, by=bank_officer)
    assert err.value.code == "future_date" and err.value.field == "recovered_on"
    with pytest.raises(DomainError) as err:
        pool_contribute(pool=pool, sponsor=province, amount="10.00", value_date=dt.date(2099, 1, 1))
    assert err.value.code == "future_date" and err.value.field == "value_date"
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=enrolled, by=bank_officer, on=TOMORROW)
    assert err.value.code == "future_date"
    assert _entries() == before


# ---------------------------------------------------------------- guarantees: the bank, scoping (issue 9 #2)


@pytest.fixture
def guarantor_api(guarantor_officer):
    return key_client(guarantor_officer.organisation)


def _body(loan, bank, **over):
    return {"loan_id": loan.pk, "bank_id": bank.pk, "amount": "1000000.00", "fee_rate": "0.5",
            "counter_guarantee": "ip", "start_on": str(TODAY), "end_on": str(TODAY + YEAR), **over}


def test_another_banks_loan_is_404_with_no_figures(guarantor_api, bank, other_bank, make_loan):
    theirs = make_loan(bank_org=other_bank, principal="2040000.00")
    wrong_bank = guarantor_api.post("/api/v1/guarantees/", _body(theirs, bank, amount="9000000.00"), format="json")
    missing = guarantor_api.post("/api/v1/guarantees/", {**_body(theirs, bank), "loan_id": 999999}, format="json")
    assert wrong_bank.status_code == missing.status_code == 404
    assert wrong_bank.json() == missing.json()  # nothing tells a missing loan from another bank's
    assert "2040000" not in wrong_bank.content.decode()
    assert Guarantee.objects.count() == 0


def test_the_guarantor_learns_no_loan_figures_and_the_guarantee_counts_once_the_bank_confirms(
        guarantor_api, bank, bank_officer, make_loan, guarantor_officer):
    loan = make_loan(principal="2040000.00")
    r = guarantor_api.post("/api/v1/guarantees/", _body(loan, bank, amount="3000000.00"), format="json")
    assert r.status_code == 201 and "2040000" not in r.content.decode()  # above the principal: not said to it
    g = Guarantee.objects.get()
    assert g.status == "proposed" and g.confirmed_at is None
    with pytest.raises(DomainError) as err:
        payout_record(guarantee=g, amount="1000.00", paid_on=TODAY, by=guarantor_officer)
    assert err.value.code == "guarantee_not_active"
    with pytest.raises(DomainError) as err:  # the bank sees its own figure and refuses it
        guarantee_confirm(guarantee=g, by=bank_officer)
    assert err.value.code == "amount_above_principal" and "2040000.00" in err.value.detail
    with pytest.raises(NotFound):  # the guarantor cannot confirm its own proposal
        guarantee_confirm(guarantee=g, by=guarantor_officer)


def test_a_bank_registers_a_guarantee_on_its_own_loan_directly(bank_officer, guarantor_officer, make_loan):
    loan = make_loan(principal="1000000.00")
    g = guarantee_register(loan=loan, guarantor=guarantor_officer.organisation_id, amount="1000000.00",
                           fee_rate="0.5", counter_guarantee="none", start_on=TODAY, end_on=TODAY + YEAR,
                           by=bank_officer)
    assert g.status == "active" and g.confirmed_by == bank_officer and g.bank_id == bank_officer.organisation_id


def test_payouts_are_never_dated_after_today(bank, bank_officer, guarantor_officer, make_loan):
    set_guarantee_shares()
    g = guarantee_register(loan=make_loan(), bank=bank.pk, amount="500000.00", fee_rate="0.5",
                           counter_guarantee="ip", start_on=TODAY, end_on=TODAY + YEAR, by=guarantor_officer)
    guarantee_confirm(guarantee=g, by=bank_officer)
    default(g.loan)
    with pytest.raises(DomainError) as err:
        payout_record(guarantee=g, amount="1000.00", paid_on="2099-01-01", by=guarantor_officer)
    assert err.value.code in ("future_date", "invalid_date") and err.value.field == "paid_on"
    with pytest.raises(DomainError) as err:
        payout_record(guarantee=g, amount="1000.00", paid_on=TOMORROW, by=guarantor_officer)
    assert err.value.code == "future_date"
    assert GuaranteePayout.objects.count() == 0


# ---------------------------------------------------------------- guarantee money: review and currency


def _usd_guarantee(make_loan, bank, bank_officer, guarantor_officer, amount="6000000.00"):
    # Its latest statements are in dollars (the fixture's yuan figure is older): the cap compares like with like.
    guarantor_net_assets_record(net_assets="50000000.00", currency="USD", as_of=TODAY - dt.timedelta(days=10),
                                by=guarantor_officer)
    loan = make_loan(principal=amount, currency="USD")
    g = guarantee_register(loan=loan, bank=bank.pk, amount=amount, fee_rate="0.5", counter_guarantee="ip",
                           start_on=TODAY - dt.timedelta(days=400), end_on=TODAY + YEAR, by=guarantor_officer)
    guarantee_confirm(guarantee=g, by=bank_officer)
    default(loan)
    return g


def test_payout_compensation_is_reviewed_twice_and_paid_by_a_third_person_in_its_currency(
        bank, bank_officer, guarantor_officer, make_loan, reviewer, reviewer2, payer):
    set_guarantee_shares()
    g = _usd_guarantee(make_loan, bank, bank_officer, guarantor_officer)
    assert g.currency == "USD"
    payout = payout_record(guarantee=g, amount="6000000.00", paid_on=TODAY, by=guarantor_officer)
    assert payout.compensation == D("1200000.00") and payout.status == "submitted"  # min(2,400,000, 20% × 6M)
    assert not Posting.objects.filter(entry__memo__contains="compensation").exists()  # nothing paid yet
    payout = payout_decide(payout=payout, by=reviewer)
    assert payout.status == "submitted"  # 1,200,000 ≥ approval.guarantee_payout.second_level_from
    with pytest.raises(DomainError) as err:
        payout_decide(payout=payout, by=reviewer)
    assert err.value.code == "same_approver"
    payout = payout_decide(payout=payout, by=reviewer2)
    assert payout.status == "approved"
    with pytest.raises(DomainError) as err:
        payout_compensation_pay(payout=payout, by=reviewer2)
    assert err.value.code == "payer_is_approver"
    payout = payout_compensation_pay(payout=payout, by=payer)
    assert payout.status == "paid"
    postings = list(Posting.objects.filter(entry__memo__contains="compensation"))
    assert {str(p.amount.currency) for p in postings} == {"USD"}
    assert sorted(p.amount.amount for p in postings) == [D("1200000.00"), D("1200000.00")]


def test_empty_guarantor_shares_block_the_payout_naming_the_parameter_and_the_cap_stands_alone(
        bank, bank_officer, guarantor_officer, make_loan):
    clear_guarantee_shares()
    g = guarantee_register(loan=make_loan(principal="1000000.00"), bank=bank.pk, amount="1000000.00",
                           fee_rate="0.5", counter_guarantee="ip", start_on=TODAY, end_on=TODAY + YEAR,
                           by=guarantor_officer)
    guarantee_confirm(guarantee=g, by=bank_officer)
    default(g.loan)
    assert compensation_cap(g, PolicyUse(on=TODAY)) == D("200000.00")  # 20 % of the guarantee, no share needed
    with pytest.raises(PolicyParameterMissing) as err:
        payout_record(guarantee=g, amount="1000000.00", paid_on=TODAY, by=guarantor_officer)
    assert "guarantee.share." in err.value.detail
    assert GuaranteePayout.objects.count() == 0 and Guarantee.objects.get().status == "active"
    set_guarantee_shares(guarantor="70", reguarantor="0", bank="10")  # 10 + 20 + 70 + 0: the cap still binds
    payout = payout_record(guarantee=g, amount="1000000.00", paid_on=TODAY, by=guarantor_officer)
    assert D(payout.split["guarantor"]) == D("700000.00") and payout.compensation == D("200000.00")


def test_premium_subsidy_is_paid_through_the_ledger_after_review(bank, bank_officer, guarantor_officer, make_loan,
                                                                 reviewer, payer):
    loan = make_loan(principal="2000000.00", disbursed_on=TODAY - dt.timedelta(days=60))
    g = guarantee_register(loan=loan, bank=bank.pk, amount="2000000.00", fee_rate="0.4", counter_guarantee="ip",
                           start_on=TODAY - dt.timedelta(days=30), end_on=TODAY + YEAR, by=guarantor_officer)
    with pytest.raises(DomainError) as err:
        premium_subsidy_apply(guarantee=g, year=1, by=guarantor_officer)
    assert err.value.code == "guarantee_not_active"
    guarantee_confirm(guarantee=g, by=bank_officer)
    row = premium_subsidy_apply(guarantee=g, year=1, by=guarantor_officer)
    assert row.amount == D("8000.00") and row.status == "submitted"  # 0.4 % × 2,000,000, one full year
    with pytest.raises(DomainError) as err:
        premium_subsidy_apply(guarantee=g, year=2, by=guarantor_officer)
    assert err.value.code == "future_date"
    with pytest.raises(DomainError) as err:
        premium_subsidy_decide(subsidy=row, by=guarantor_officer)
    assert err.value.code == "maker_cannot_approve"
    row = premium_subsidy_decide(subsidy=row, by=reviewer)
    assert row.status == "approved"
    with pytest.raises(DomainError) as err:
        premium_subsidy_pay(subsidy=row, by=reviewer)
    assert err.value.code == "payer_is_approver"
    row = premium_subsidy_pay(subsidy=row, by=payer)
    assert row.status == "paid" and row.entry is not None
    lines = sorted((p.side, p.amount.amount, str(p.amount.currency)) for p in row.entry.postings.all())
    assert [(a, c) for _, a, c in lines] == [(D("8000.00"), "CNY"), (D("8000.00"), "CNY")]
    assert PremiumSubsidy.objects.get().paid_on == TODAY


# ---------------------------------------------------------------- guarantor leverage (guarantee.leverage_max)


def test_guarantor_leverage_is_capped_at_ten_times_its_net_assets(bank, make_loan, guarantor_org, make_user):
    officer = make_user(guarantor_org, Role.GUARANTOR_OFFICER)
    loan = make_loan(principal="3000000.00")
    kw = dict(loan=loan, bank=bank.pk, fee_rate="0.5", counter_guarantee="ip", start_on=TODAY, end_on=TODAY + YEAR,
              by=officer)
    with pytest.raises(DomainError) as err:
        guarantee_register(amount="1000000.00", **kw)
    assert err.value.code == "net_assets_missing" and "guarantee.leverage_max" in err.value.detail
    guarantor_net_assets_record(net_assets="100000.00", as_of=TODAY - YEAR, by=officer)
    with pytest.raises(DomainError) as err:
        guarantee_register(amount="1000000.01", **kw)
    assert err.value.code == "guarantor_leverage_exceeded" and "1000000.00" in err.value.detail
    assert guarantee_register(amount="1000000.00", **kw).policy_snapshot["guarantee.leverage_max"] == "10"


# ---------------------------------------------------------------- currency (issue 10)


def test_cross_currency_enrolment_is_refused(pool, make_loan, bank_officer):
    usd = make_loan(principal="1000000.00", currency="USD")
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=usd, by=bank_officer)
    assert err.value.code == "currency_mismatch" and "USD" in err.value.detail and "CNY" in err.value.detail
    assert Enrolment.objects.count() == 0


def test_pool_exposure_never_adds_across_currencies(pool, make_loan, bank_officer):
    cny = make_loan(principal="1000000.00")
    enrolment_create(pool=pool, loan=cny, by=bank_officer)
    assert pool_exposure(pool) == D("1000000.00")
    usd = make_loan(principal="500000.00", currency="USD")
    # A row written before enrolment compared currencies (the service now refuses to write it).
    Enrolment.objects.create(pool=pool, loan=usd, bank_id=usd.bank_id, enrolled_on=TODAY,
                             principal=D("500000.00"), enrolled_by=bank_officer)
    with pytest.raises(DomainError) as err:
        pool_exposure(pool)
    assert err.value.code == "currency_mismatch"


def test_pool_create_keeps_the_normalised_currency(province, city):
    pool = pool_create(name="美元池", currency=" usd", sponsors=[(province, "province", D("50")),
                                                               (city, "city", D("50"))])
    assert RiskPool.objects.get(pk=pool.pk).currency == "USD"
    assert str(pool.cash_account.currency) == "USD"


# ---------------------------------------------------------------- rounding (issue 10)


def test_leverage_limit_is_one_figure_rounded_once_half_up(make_pool, make_loan, bank_officer):
    pool = make_pool(funded_province="500000.01", funded_city="500000.02")
    parameter_set(key="pool.leverage_multiple", value=D("7.5"), effective_from=EPOCH, scope=pool.scope)
    assert pool_figures(pool)["leverage_limit"] == D("7500000.23")  # 7.5 × 1,000,000.03 = 7,500,000.225
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=make_loan(principal="7500000.24"), by=bank_officer)
    assert err.value.code == "pool_leverage_exceeded" and err.value.extra["limit"] == "7500000.23"
    enrolment_create(pool=pool, loan=make_loan(principal="7500000.23"), by=bank_officer)


# ---------------------------------------------------------------- the stress test blocks instead of guessing


def test_stress_test_names_the_missing_share_instead_of_assuming_35_percent(pool, enrolled, bank_officer, client,
                                                                           reviewer):
    from finance.policy.models import ParameterValue

    ParameterValue.objects.filter(parameter__key="pool.share.city").delete()
    with pytest.raises(PolicyParameterMissing) as err:
        stress_inputs(pool)
    assert "pool.share.city" in err.value.detail
    client.force_login(reviewer)
    r = client.get(f"/guarantees/pools/{pool.pk}/stress/?scenarios=500")
    assert r.status_code == 200 and "pool.share.city" in r.content.decode()


def test_stress_test_names_the_missing_rd_credit_share_instead_of_assuming_90_percent(pool, make_loan,
                                                                                     bank_officer):
    set_shares = dict(scope=pool.scope, effective_from=EPOCH)
    parameter_set(key="pool.rd_credit.province_share", value=D("45"), **set_shares)
    parameter_set(key="pool.rd_credit.city_share", value=D("45"), **set_shares)
    enrolment_create(pool=pool, loan=make_loan(), by=bank_officer, category="rd_credit")
    assert list(stress_inputs(pool)["gov_share"]) == [pytest.approx(0.9)]
    from finance.policy.models import ParameterValue

    ParameterValue.objects.filter(parameter__key="pool.rd_credit.city_share").delete()
    with pytest.raises(PolicyParameterMissing) as err:
        stress_inputs(pool)
    assert "pool.rd_credit.city_share" in err.value.detail


# ---------------------------------------------------------------- structure (issue 10)


APP = pathlib.Path(__file__).resolve().parents[2] / "guarantees"


def _sources():
    return [p for p in APP.rglob("*.py") if "migrations" not in p.parts]


def test_every_row_lock_goes_through_the_lock_module():
    bare = [str(p) for p in _sources() if "select_for_update" in p.read_text()]
    assert bare == []


def test_selectors_never_import_services_and_only_loan_reads_imports_loans():
    imports = re.findall(r"^\s*(?:from|import)\s+(\S+)(?:\s+import\s+([^\n(]+))?", (APP / "selectors.py").read_text(),
                         re.M)
    assert imports and not [i for i in imports if "services" in " ".join(i)]
    model_import = r"^\s*(from loans\.models |import loans\.models|from loans import .*models)"
    readers = sorted(p.name for p in _sources() if re.search(model_import, p.read_text(), re.M))
    assert readers == []  # guarantees reads loans through loans.selectors, in loan_reads only
    loans_imports = sorted(p.name for p in _sources() if re.search(r"^\s*from loans\.selectors ", p.read_text(), re.M))
    assert loans_imports == ["loan_reads.py"]


def test_no_module_of_the_app_is_above_400_lines():
    assert {p.name: n for p in _sources() if (n := len(p.read_text().splitlines())) > 400} == {}


# ---------------------------------------------------------------- recoveries split by allocate (issue 10)


def test_many_small_recoveries_go_back_to_the_sponsors_in_proportion(enrolled, pool, bank_officer, reviewer, payer):
    """Each return is split over what each sponsor still has to get back, so fen never pile up on one sponsor
    (a split by the original parts gives every odd fen to the first sponsor)."""
    claim = claim_approve(claim=claim_file(loan=default(enrolled), claimed_loss="100000.00", by=bank_officer),
                          by=reviewer)
    claim = claim_pay(claim=claim, by=payer)
    sponsors = sorted(claim.sponsor_parts)
    assert [D(claim.sponsor_parts[k]) for k in sponsors] == [D("35000.00"), D("35000.00")]
    for _ in range(8):
        recovery_record(claim=claim, recovered="0.02", costs="0", recovered_on=TODAY, by=bank_officer)
    back = {k: D(0) for k in sponsors}
    for rec in claim.recoveries.all():
        for k, v in rec.sponsor_parts.items():
            back[k] += D(v)
    claim.refresh_from_db()
    assert sum(back.values()) == claim.returned_total == D("0.11")  # 70 % of 0.16, to the fen
    assert abs(back[sponsors[0]] - back[sponsors[1]]) <= D("0.01"), back


def test_a_nul_byte_or_unknown_status_in_the_claim_filter_is_not_a_server_error(bank_api, client, reviewer):
    for value in ("%00", "paid%00"):  # a NUL byte is refused for every URL (finance.api.hardening), naming it
        answer = bank_api.get(f"/api/v1/claims/?status={value}")
        assert answer.status_code == 400 and "status" in answer.content.decode()
    assert bank_api.get("/api/v1/claims/?status=nonsense").status_code == 200  # an unknown status filters nothing
    client.force_login(reviewer)
    assert client.get("/guarantees/claims/?status=%00").status_code == 400
    assert client.get("/guarantees/claims/?status=nonsense").status_code == 200


def test_guarantee_page_refuses_a_non_numeric_subsidy_id_with_a_message(client, reviewer, bank, bank_officer,
                                                                        guarantor_officer, make_loan):
    g = guarantee_register(loan=make_loan(), bank=bank.pk, amount="500000.00", fee_rate="0.5",
                           counter_guarantee="ip", start_on=TODAY, end_on=TODAY + YEAR, by=guarantor_officer)
    client.force_login(reviewer)
    for bad in ("abc", "NaN", "", "1e3"):
        r = client.post(f"/guarantees/guarantees/{g.pk}/", {"action": "premium_approve", "subsidy": bad}, follow=True)
        assert r.status_code == 200 and "subsidy" in r.content.decode()

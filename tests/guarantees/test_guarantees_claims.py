"""Pool services: enrolment, claims, approval, payment, rejection, recoveries, and the bad inputs."""
import datetime as dt
from decimal import Decimal

import pytest

from finance.approvals.models import ApprovalRule, StateChange
from finance.approvals.services import history
from finance.core.errors import DomainError, NotFound
from finance.ledger.models import JournalEntry, Posting
from finance.ledger.selectors import account_balance, trial_balance
from finance.parties.models import OrgKind, Role
from finance.policy.services import PolicyParameterMissing
from guarantees.models import (
    Claim,
    ClaimDocument,
    ClaimStatus,
    Enrolment,
    EnrolmentStatus,
    Recovery,
    RiskPool,
)
from guarantees.selectors import pool_figures
from guarantees.services import (
    claim_approve,
    claim_file,
    claim_pay,
    claim_reject,
    enrolment_create,
    pool_create,
    pool_withdraw,
    recovery_record,
)
from tests.guarantees.conftest import TODAY, approve_all, default

D = Decimal


def counts():
    return (Enrolment.objects.count(), Claim.objects.count(), Recovery.objects.count(), JournalEntry.objects.count(),
            Posting.objects.count(), ClaimDocument.objects.count(), StateChange.objects.count())


def assert_ledger_matches(pool):
    pool.refresh_from_db()
    tb = trial_balance()
    for cur in tb.values():
        assert cur["D"] == cur["C"]
    avail = sum((-account_balance(s.available_account) for s in pool.sponsors.all()), D(0))
    reserved = sum((-account_balance(s.reserved_account) for s in pool.sponsors.all()), D(0))
    assert pool.available == avail and pool.reserved == reserved
    assert account_balance(pool.cash_account) == avail + reserved


@pytest.fixture
def claimable(pool, make_loan, bank_officer):
    loan = make_loan(principal="4000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    return default(loan)


def test_standard_split_4m_at_35_35_30(pool, claimable, bank_officer, reviewer, reviewer2, payer):
    claim = claim_file(loan=claimable, claimed_loss="4000000.00", by=bank_officer)
    assert (claim.split_province, claim.split_city, claim.split_bank) == (D("1400000.00"), D("1400000.00"),
                                                                          D("1200000.00"))
    assert claim.government_amount == D("2800000.00") and claim.capped_by == []
    assert claim.policy_snapshot["pool.share.province"] == "35"
    # 2,800,000 ≥ approval.claim.second_level_from (1,000,000): the first approval is one level of two.
    claim = claim_approve(claim=claim, by=reviewer)
    assert claim.status == ClaimStatus.SUBMITTED
    pool.refresh_from_db()
    assert pool.reserved == D("0.00")
    claim = claim_approve(claim=claim, by=reviewer2)
    assert claim.status == ClaimStatus.APPROVED
    pool.refresh_from_db()
    assert pool.reserved == D("2800000.00") and pool.available == D("7200000.00")
    claim = claim_pay(claim=claim, by=payer)
    pool.refresh_from_db()
    assert (pool.reserved, pool.paid, pool.available) == (D("0.00"), D("2800000.00"), D("7200000.00"))
    assert claim.paid_amount == D("2800000.00")
    assert Enrolment.objects.get(loan=claimable).status == EnrolmentStatus.COMPENSATED
    assert_ledger_matches(pool)
    steps = [h.to_state for h in history(claim) if h.field == "status"]
    assert steps == ["submitted", "approved", "paid"]
    # Every enrolment status change is audited too (who, from, to, why).
    moves = [(h.from_state, h.to_state, h.by) for h in history(Enrolment.objects.get(loan=claimable))]
    assert moves == [("", "enrolled", bank_officer), ("enrolled", "claimed", bank_officer),
                     ("claimed", "compensated", payer)]


def test_rejection_after_approval_releases_the_reservation(pool, claimable, bank_officer, reviewer):
    claim = claim_approve(claim=claim_file(loan=claimable, claimed_loss="1000000.00", by=bank_officer), by=reviewer)
    claim_reject(claim=claim, by=reviewer, reason="材料不全 documents incomplete")
    pool.refresh_from_db()
    assert (pool.reserved, pool.available) == (D("0.00"), D("10000000.00"))
    assert_ledger_matches(pool)
    # A rejected claim may be filed again (the loan was never compensated).
    again = claim_file(loan=claimable, claimed_loss="1000000.00", by=bank_officer)
    assert again.status == ClaimStatus.SUBMITTED


def test_two_level_review_by_amount_and_maker_never_approves(pool, claimable, bank_officer, reviewer, reviewer2):
    """The second level comes from the policy threshold, with no ApprovalRule rows at all."""
    assert not ApprovalRule.objects.exists()
    claim = claim_file(loan=claimable, claimed_loss="4000000.00", by=bank_officer)
    with pytest.raises(DomainError) as err:
        claim_approve(claim=claim, by=bank_officer)
    assert err.value.code == "maker_cannot_approve"  # exact: the maker check, not a role check, refuses it
    claim = claim_approve(claim=claim, by=reviewer)
    assert claim.status == ClaimStatus.SUBMITTED
    pool.refresh_from_db()
    assert pool.reserved == 0
    with pytest.raises(DomainError) as err:
        claim_approve(claim=claim, by=reviewer)
    assert err.value.code == "same_approver"
    claim = claim_approve(claim=claim, by=reviewer2)
    assert claim.status == ClaimStatus.APPROVED


def test_caps_reduce_the_pool_share_and_the_bank_bears_the_rest(make_pool, make_loan, bank_officer, reviewer):
    pool = make_pool(pool__cap_per_loan="1000000")
    loan = make_loan(principal="4000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    claim = claim_file(loan=default(loan), claimed_loss="4000000.00", by=bank_officer)
    assert claim.government_amount == D("1000000.00")
    assert (claim.pay_province, claim.pay_city) == (D("500000.00"), D("500000.00"))
    assert claim.capped_by == ["pool.cap_per_loan"]


def test_per_bank_cap_counts_committed_claims(make_pool, make_loan, bank_officer, reviewer):
    pool = make_pool(pool__cap_per_bank="1000000")
    loans = [make_loan(principal="1000000.00") for _ in range(2)]
    for loan in loans:
        enrolment_create(pool=pool, loan=loan, by=bank_officer)
    first = claim_approve(claim=claim_file(loan=default(loans[0]), claimed_loss="1000000.00", by=bank_officer),
                          by=reviewer)
    assert first.government_amount == D("700000.00")
    second = claim_file(loan=default(loans[1]), claimed_loss="1000000.00", by=bank_officer)
    assert second.government_amount == D("300000.00") and second.capped_by == ["pool.cap_per_bank"]


def test_missing_cap_blocks_the_claim_naming_the_parameter(province, city, make_loan, bank_officer):
    pool = pool_create(name="无上限池", sponsors=[(province, "province", D("50")), (city, "city", D("50"))])
    from finance.policy.services import parameter_set
    parameter_set(key="pool.npl_suspension_ratio", value=D("20"), effective_from=dt.date(2017, 12, 1), scope=pool.scope)
    from guarantees.services import pool_contribute
    pool_contribute(pool=pool, sponsor=province, amount="1000000.00")
    loan = make_loan(principal="1000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    before = counts()
    with pytest.raises(PolicyParameterMissing) as err:
        claim_file(loan=default(loan), claimed_loss="100000.00", by=bank_officer)
    assert "pool.cap_per_loan" in err.value.detail
    assert counts() == before


def test_rd_credit_uses_its_own_shares(make_pool, make_loan, bank_officer):
    pool = make_pool(**{"pool__rd_credit__province_share": "45", "pool__rd_credit__city_share": "45"})
    loan = make_loan(principal="1000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer, category="rd_credit")
    claim = claim_file(loan=default(loan), claimed_loss="1000000.00", by=bank_officer)
    assert (claim.split_province, claim.split_city, claim.split_bank) == (D("450000.00"), D("450000.00"),
                                                                          D("100000.00"))


def test_insufficient_balance_refuses_approval_and_leaves_the_claim_under_review(make_pool, make_loan, bank_officer,
                                                                                  reviewer):
    pool = make_pool(funded_province="100000.00", funded_city="100000.00")
    loan = make_loan(principal="1000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    claim = claim_file(loan=default(loan), claimed_loss="1000000.00", by=bank_officer)
    before = counts()
    with pytest.raises(DomainError) as err:
        claim_approve(claim=claim, by=reviewer)
    assert err.value.code == "insufficient_pool_balance"
    assert "资金池余额不足" in err.value.detail and "insufficient pool balance" in err.value.detail
    assert counts() == before
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_recovery_returns_net_in_original_proportions_and_never_more_than_paid(pool, claimable, bank_officer,
                                                                                reviewer, reviewer2, payer):
    claim = claim_file(loan=claimable, claimed_loss="4000000.00", by=bank_officer)
    claim = claim_pay(claim=approve_all(claim, reviewer, reviewer2), by=payer)
    rec = recovery_record(claim=claim, recovered="1000000.00", costs="100000.00", recovered_on=TODAY,
                          by=bank_officer)
    # net 900,000 × 70% goes back to the pool, 35/35 to province and city, 30% stays with the bank
    assert rec.net == D("900000.00") and rec.returned_to_pool == D("630000.00") and rec.kept_by_bank == D("270000.00")
    assert sorted(D(v) for v in rec.sponsor_parts.values()) == [D("315000.00"), D("315000.00")]
    pool.refresh_from_db()
    assert pool.available == D("7200000.00") + D("630000.00")
    assert_ledger_matches(pool)
    rec = recovery_record(claim=claim, recovered="3000000.00", costs="0.00", recovered_on=TODAY, by=bank_officer)
    claim.refresh_from_db()
    assert claim.recovered_total == D("4000000.00")
    assert claim.returned_total == D("2730000.00") <= claim.paid_amount  # 70% of (4,000,000 − 100,000)


def test_bad_inputs_write_nothing(pool, make_loan, bank_officer, other_bank, reviewer, payer, make_user):
    loan = make_loan(principal="1000000.00")
    not_enrolled = default(make_loan(principal="1000000.00"))
    before = counts()
    with pytest.raises(DomainError) as err:
        claim_file(loan=not_enrolled, claimed_loss="10.00", by=bank_officer)
    assert err.value.code == "loan_not_enrolled" and "未在资金池备案" in err.value.detail
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    before = counts()
    with pytest.raises(DomainError) as err:
        claim_file(loan=loan, claimed_loss="10.00", by=bank_officer)
    assert err.value.code == "claim_not_triggered" and "days past due" in err.value.detail
    default(loan)
    with pytest.raises(DomainError) as err:
        claim_file(loan=loan, claimed_loss="1000000.01", by=bank_officer)
    assert err.value.code == "loss_above_outstanding" and err.value.field == "claimed_loss"
    other_officer = make_user(other_bank, Role.BANK_OFFICER)
    with pytest.raises(NotFound):
        claim_file(loan=loan, claimed_loss="10.00", by=other_officer)
    assert counts() == before
    claim = claim_pay(claim=claim_approve(claim=claim_file(loan=loan, claimed_loss="1000.00", by=bank_officer),
                                          by=reviewer), by=payer)
    before = counts()
    with pytest.raises(DomainError) as err:
        claim_file(loan=loan, claimed_loss="10.00", by=bank_officer)
    assert err.value.code == "already_claimed" and "compensated once" in err.value.detail
    with pytest.raises(DomainError) as err:
        recovery_record(claim=claim, recovered="1000.01", costs="0", recovered_on=TODAY, by=bank_officer)
    assert err.value.code == "recovery_above_compensated" and "超过已补偿" in err.value.detail
    with pytest.raises(NotFound):
        recovery_record(claim=claim, recovered="1.00", costs="0", recovered_on=TODAY, by=other_officer)
    assert counts() == before


def test_enrolment_eligibility(pool, make_loan, bank_officer, orgs):
    before = counts()
    late = make_loan(disbursed_on=TODAY - dt.timedelta(days=120))
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=late, by=bank_officer)
    assert err.value.code == "enrolment_deadline_passed" and "备案期限" in err.value.detail
    plain = orgs.make(OrgKind.ENTERPRISE, name="非科技企业")
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=make_loan(borrower_org=plain), by=bank_officer)
    assert err.value.code == "borrower_not_tech_sme"
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=make_loan(status="defaulted"), by=bank_officer)
    assert err.value.code == "loan_not_eligible"
    big = make_loan(principal="100000000.01")
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=big, by=bank_officer)
    assert err.value.code == "pool_leverage_exceeded" and "100000000.00" in err.value.detail
    assert counts()[0] == before[0]


def test_npl_suspension_names_the_figures(make_pool, make_loan, bank_officer):
    pool = make_pool(pool__npl_suspension_ratio="10")
    loans = [make_loan(principal="1000000.00") for _ in range(3)]
    for loan in loans:
        enrolment_create(pool=pool, loan=loan, by=bank_officer)
    default(loans[0])
    with pytest.raises(DomainError) as err:
        enrolment_create(pool=pool, loan=make_loan(), by=bank_officer)
    assert err.value.code == "bank_suspended_npl"
    assert "33.33%" in err.value.detail and "10%" in err.value.detail


def test_withdrawal_cannot_overdraw(pool, province):
    with pytest.raises(DomainError) as err:
        pool_withdraw(pool=pool, sponsor=province, amount="5000000.01")
    assert err.value.code == "insufficient_pool_balance"
    pool_withdraw(pool=pool, sponsor=province, amount="5000000.00")
    pool.refresh_from_db()
    assert pool.available == D("5000000.00")
    assert_ledger_matches(pool)


def test_pool_figures(pool, claimable, bank_officer, reviewer):
    claim_approve(claim=claim_file(loan=claimable, claimed_loss="1000000.00", by=bank_officer), by=reviewer)
    f = pool_figures(RiskPool.objects.get(pk=pool.pk))
    assert f["available"] == D("9300000.00") and f["reserved"] == D("700000.00")
    assert f["exposure"] == D("4000000.00")
    assert f["leverage_limit"] == D("93000000.00")

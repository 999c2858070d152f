"""16 threads file, approve and pay claims at once against a pool that can cover only 5 of them.

Real threads on PostgreSQL, each with its own connection. Exactly 5 are paid, the rest refused with
"insufficient pool balance"; the pool never goes below zero, the ledger balances, and the pool row's
cached figures equal the ledger's (without the pool row lock, concurrent approvals overwrite each other's
cached figures: that is what this test catches when ``select_for_update`` is removed).
"""
import threading
from decimal import Decimal

import pytest
from django.db import connection

from finance.core.errors import DomainError
from finance.ledger.selectors import account_balance, trial_balance
from guarantees.models import Claim, ClaimStatus, RiskPool
from guarantees.services import claim_approve, claim_file, claim_pay, enrolment_create
from tests.conftest import postgres_only
from tests.guarantees.conftest import default

D = Decimal
N = 16


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_sixteen_claims_against_a_pool_for_five(make_pool, make_loan, bank_officer, reviewer, payer):
    # Each claim: loss 1,000,000 → the pool pays 700,000 (350,000 each from province and city).
    pool = make_pool(funded_province="1750000.00", funded_city="1750000.00")
    loans = [make_loan(principal="1000000.00") for _ in range(N)]
    for loan in loans:
        enrolment_create(pool=pool, loan=loan, by=bank_officer)
    for loan in loans:
        default(loan)
    barrier = threading.Barrier(N)
    results: list = [None] * N

    def worker(i):
        try:
            barrier.wait(timeout=30)
            claim = claim_file(loan=loans[i].pk, claimed_loss="1000000.00", by=bank_officer)
            claim = claim_approve(claim=claim, by=reviewer)
            claim = claim_pay(claim=claim, by=payer)  # four eyes: paid by someone who did not approve
            results[i] = ("paid", claim.pk)
        except DomainError as exc:
            results[i] = (exc.code, exc.detail)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = ("crash", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    outcomes = [r[0] for r in results]
    assert outcomes.count("paid") == 5, results
    assert outcomes.count("insufficient_pool_balance") == N - 5, results
    for code, detail in results:
        if code != "paid":
            assert "资金池余额不足" in detail and "insufficient pool balance" in detail
    pool = RiskPool.objects.get(pk=pool.pk)
    assert Claim.objects.filter(pool=pool, status=ClaimStatus.PAID).count() == 5
    assert Claim.objects.filter(pool=pool, status=ClaimStatus.SUBMITTED).count() == N - 5
    assert pool.paid == D("3500000.00") and pool.available == D("0.00") and pool.reserved == D("0.00")
    sponsors = list(pool.sponsors.all())
    ledger_available = sum((-account_balance(s.available_account) for s in sponsors), D(0))
    assert ledger_available == pool.available >= 0
    assert sum((-account_balance(s.reserved_account) for s in sponsors), D(0)) == pool.reserved
    assert account_balance(pool.cash_account) == D("0.00")
    for totals in trial_balance().values():
        assert totals["D"] == totals["C"]

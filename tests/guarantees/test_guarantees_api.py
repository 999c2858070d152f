"""The pool, claim and guarantee API: paths, problem+json, scoping (404), idempotency, uploads."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guarantees.models import Claim, ClaimDocument, Enrolment, Guarantee, GuaranteePayout
from guarantees.services import claim_pay, enrolment_create
from loans.models import Loan
from tests.conftest import key_client
from tests.guarantees.conftest import TODAY, approve_all, default, set_guarantee_shares

D = Decimal


@pytest.fixture
def enrolled(pool, make_loan, bank_officer):
    loan = make_loan(principal="4000000.00")
    enrolment_create(pool=pool, loan=loan, by=bank_officer)
    return default(loan)


def test_pool_list_and_detail(bank_api, pool, enrolled):
    r = bank_api.get("/api/v1/pools/")
    assert r.status_code == 200 and r.json()["count"] == 1
    r = bank_api.get(f"/api/v1/pools/{pool.pk}/")
    body = r.json()
    assert body["available"] == "10000000.00" and body["reserved"] == "0.00"
    assert body["exposure"] == "4000000.00" and body["leverage_limit"] == "100000000.00"
    assert body["leverage_used_pct"] == "4.00"
    assert bank_api.get("/api/v1/pools/999999/").status_code == 404


def test_enrolment_api_scoped_and_idempotent(bank_api, other_bank_api, pool, make_loan):
    loan = make_loan()
    body = {"loan_id": loan.pk, "pool_id": pool.pk}
    r = other_bank_api.post("/api/v1/pool-enrolments/", body, format="json")
    assert r.status_code == 404 and Enrolment.objects.count() == 0
    r = bank_api.post("/api/v1/pool-enrolments/", body, format="json", HTTP_IDEMPOTENCY_KEY="enrol-1")
    assert r.status_code == 201 and r.json()["status"] == "enrolled"
    again = bank_api.post("/api/v1/pool-enrolments/", body, format="json", HTTP_IDEMPOTENCY_KEY="enrol-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Enrolment.objects.count() == 1
    r = bank_api.post("/api/v1/pool-enrolments/", body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "already_enrolled"


def test_enrolment_after_deadline_is_refused_in_both_languages(bank_api, pool, make_loan):
    loan = make_loan(disbursed_on=TODAY - dt.timedelta(days=200))
    r = bank_api.post("/api/v1/pool-enrolments/", {"loan_id": loan.pk, "pool_id": pool.pk}, format="json")
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "enrolment_deadline_passed"
    assert "备案期限" in body["detail_zh"] and "deadline" in body["detail_en"]
    assert Enrolment.objects.count() == 0


def test_claim_with_documents_then_pay_then_recover(bank_api, other_bank_api, enrolled, reviewer, reviewer2, payer):
    doc = SimpleUploadedFile("催收记录.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    r = bank_api.post("/api/v1/claims/", {"loan_id": enrolled.pk, "claimed_loss": "4000000.00", "documents": [doc]},
                      format="multipart")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["split"]["province"] == "1400000.00" and body["split"]["city"] == "1400000.00"
    assert body["split"]["bank"] == "1200000.00" and body["paid"]["pool_total"] == "2800000.00"
    assert body["documents"][0]["name"] == "催收记录.pdf" and ClaimDocument.objects.count() == 1
    claim = Claim.objects.get(pk=body["id"])
    assert other_bank_api.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    claim_pay(claim=approve_all(claim, reviewer, reviewer2), by=payer)
    r = bank_api.get(f"/api/v1/claims/{claim.pk}/")
    assert r.json()["status"] == "paid" and r.json()["paid_amount"] == "2800000.00"
    r = bank_api.post(f"/api/v1/claims/{claim.pk}/recoveries/",
                      {"recovered": "100000.00", "costs": "10000.00", "recovered_on": str(TODAY)}, format="json")
    assert r.status_code == 201 and r.json()["returned_to_pool"] == "63000.00"
    r = other_bank_api.post(f"/api/v1/claims/{claim.pk}/recoveries/",
                            {"recovered": "1.00", "costs": "0", "recovered_on": str(TODAY)}, format="json")
    assert r.status_code == 404
    r = bank_api.post(f"/api/v1/claims/{claim.pk}/recoveries/",
                      {"recovered": "3900000.01", "costs": "0", "recovered_on": str(TODAY)}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "recovery_above_compensated"


def test_claim_bad_inputs(bank_api, other_bank_api, enrolled, make_loan):
    n = Claim.objects.count()
    r = other_bank_api.post("/api/v1/claims/", {"loan_id": enrolled.pk, "claimed_loss": "10.00"}, format="json")
    assert r.status_code == 404
    r = bank_api.post("/api/v1/claims/", {"loan_id": enrolled.pk, "claimed_loss": "4000000.01"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "loss_above_outstanding"
    assert r.json()["errors"][0]["field"] == "claimed_loss"
    r = bank_api.post("/api/v1/claims/", {"loan_id": make_loan().pk, "claimed_loss": "10.00"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "loan_not_enrolled"
    r = bank_api.post("/api/v1/claims/", {"loan_id": enrolled.pk, "claimed_loss": "abc"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "validation_error"
    for bad in (1000.5, "1000.001", "NaN", "-1.00"):  # a JSON number loses fen; the rest are not money
        r = bank_api.post("/api/v1/claims/", {"loan_id": enrolled.pk, "claimed_loss": bad}, format="json")
        assert r.status_code == 400 and r.json()["errors"][0]["field"] == "claimed_loss", bad
    assert Claim.objects.count() == n


@pytest.fixture
def guarantor_api(guarantor_officer):
    return key_client(guarantor_officer.organisation)


def _confirm(bank_api, gid):
    r = bank_api.post(f"/api/v1/guarantees/{gid}/confirm/", {"approve": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "active", r.json()
    return r.json()


def test_guarantee_register_eligibility_and_payout(guarantor_api, bank_api, bank, make_loan, reviewer, payer):
    set_guarantee_shares()
    loan = make_loan(principal="2000000.00")
    body = {"loan_id": loan.pk, "bank_id": bank.pk, "amount": "2000000.00", "fee_rate": "0.6",
            "counter_guarantee": "ip", "start_on": str(TODAY), "end_on": str(TODAY + dt.timedelta(days=365))}
    r = guarantor_api.post("/api/v1/guarantees/", body, format="json")
    assert r.status_code == 400 and r.json()["code"] == "fee_rate_above_cap"
    assert "0.5%" in r.json()["detail_zh"] and "above" in r.json()["detail_en"]
    assert Guarantee.objects.count() == 0
    r = guarantor_api.post("/api/v1/guarantees/", {**body, "counter_guarantee": "property", "fee_rate": "0.5"},
                           format="json")
    assert r.status_code == 400 and r.json()["code"] == "counter_guarantee_not_eligible"
    r = guarantor_api.post("/api/v1/guarantees/", {**body, "fee_rate": "0.4"}, format="json")
    assert r.status_code == 201
    g = r.json()
    assert g["status"] == "proposed" and g["currency"] == "CNY"
    assert g["premium_subsidy_yearly"] == "8000.00"  # min(0.4%, 0.5%) × 2,000,000
    assert bank_api.get(f"/api/v1/guarantees/{g['id']}/").status_code == 200  # the bank sees guarantees on its loan
    payout_body = {"amount": "1000000.00", "paid_on": str(TODAY)}
    r = guarantor_api.post(f"/api/v1/guarantees/{g['id']}/payouts/", payout_body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "guarantee_not_active"  # not confirmed by the bank yet
    _confirm(bank_api, g["id"])
    r = guarantor_api.post(f"/api/v1/guarantees/{g['id']}/payouts/", payout_body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "loan_not_defaulted"
    default(Loan.objects.get(pk=loan.pk))
    r = guarantor_api.post(f"/api/v1/guarantees/{g['id']}/payouts/", payout_body, format="json")
    assert r.status_code == 201
    p = r.json()
    assert p["split"] == {"bank": "200000.00", "guarantor": "400000.00", "reguarantor": "200000.00",
                          "national_fund": "200000.00"}
    assert p["compensation"] == "400000.00" and p["compensation_cap"] == "400000.00"
    assert p["status"] == "submitted"  # public money: reviewed, then paid by a third person
    r = guarantor_api.post(f"/api/v1/payouts/{p['id']}/recoveries/",
                           {"recovered": "100000.00", "costs": "0.00", "recovered_on": str(TODAY)}, format="json")
    assert r.status_code == 201 and r.json()["recovered_total"] == "100000.00"
    assert GuaranteePayout.objects.get().recoveries.get().split["guarantor"] == "40000.00"
    r = guarantor_api.post(f"/api/v1/payouts/{p['id']}/recoveries/",
                           {"recovered": "900000.01", "costs": "0.00", "recovered_on": str(TODAY)}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "recovery_above_compensated"


def test_compensation_is_capped_at_20_percent_of_the_guarantee(guarantor_api, bank_api, bank, make_loan):
    set_guarantee_shares()
    loan = make_loan(principal="1000000.00")
    r = guarantor_api.post("/api/v1/guarantees/", {
        "loan_id": loan.pk, "bank_id": bank.pk, "amount": "1000000.00", "fee_rate": "0.5",
        "counter_guarantee": "none", "start_on": str(TODAY), "end_on": str(TODAY + dt.timedelta(days=365))},
        format="json")
    _confirm(bank_api, r.json()["id"])
    default(Loan.objects.get(pk=loan.pk))
    r = guarantor_api.post(f"/api/v1/guarantees/{r.json()['id']}/payouts/",
                           {"amount": "1000000.00", "paid_on": str(TODAY)}, format="json")
    assert r.json()["split"]["guarantor"] == "400000.00" and r.json()["compensation"] == "200000.00"


def test_openapi_schema_builds(bank_api, reviewer, client):
    client.force_login(reviewer)
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"/api/v1/pool-enrolments/" in r.content
    assert b"/api/v1/guarantees/{id}/confirm/" in r.content and b"/api/v1/payouts/{id}/pay/" in r.content

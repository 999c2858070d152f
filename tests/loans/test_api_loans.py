import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from finance.parties.models import Role
from loans.models import Loan, Repayment
from tests.conftest import key_client
from tests.loans.loan_factories import loan_body, patent, pledge

D = Decimal
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("finance.core.inputs.today", return_value=TODAY):
        yield


def post(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, body, format="json", **headers)


def test_submit_answers_201_with_id_status_and_schedule(bank_api):
    r = post(bank_api, "/api/v1/loans/", loan_body(), key="k1")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "active" and body["principal"] == "1000000.00" and body["currency"] == "CNY"
    s = bank_api.get(f"/api/v1/loans/{body['id']}/schedule/").json()["installments"]
    assert len(s) == 36 and s[0]["payment"] == "29679.93" and s[0]["number"] == 1
    assert s[0]["due_date"] == "2025-02-15" and s[-1]["balance"] == "0.00"
    assert set(s[0]) >= {"number", "due_date", "principal", "interest", "payment", "balance"}


def test_same_idempotency_key_replays_and_different_body_is_refused(bank_api):
    first = post(bank_api, "/api/v1/loans/", loan_body(), key="same")
    again = post(bank_api, "/api/v1/loans/", loan_body(), key="same")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = post(bank_api, "/api/v1/loans/", loan_body(2), key="same")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Loan.objects.count() == 1


def test_float_amount_is_refused_with_bilingual_field_error(bank_api):
    r = post(bank_api, "/api/v1/loans/", loan_body(principal=1000000.5))
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
    err = r.json()["errors"][0]
    assert err["field"] == "principal" and "浮点" in err["detail_zh"] and "float" in err["detail_en"]
    assert Loan.objects.count() == 0


@pytest.mark.parametrize("over,field", [
    ({"principal": "1.234"}, "principal"),
    ({"principal": "NaN"}, "principal"),
    ({"currency": "BTC"}, "currency"),
    ({"repayment_method": "balloon"}, "repayment_method"),
    ({"pledges": []}, "pledges"),
    ({"disbursed_on": "15/01/2025"}, "disbursed_on"),
])
def test_shape_errors_name_the_field(bank_api, over, field):
    r = post(bank_api, "/api/v1/loans/", loan_body(**over))
    assert r.status_code == 400, r.json()
    assert r.json()["errors"][0]["field"] == field
    assert Loan.objects.count() == 0


def test_rule_failure_is_problem_json_with_code(bank_api):
    r = post(bank_api, "/api/v1/loans/", loan_body(term_months=60))
    assert r.status_code == 400 and r.json()["code"] == "term_above_cap"
    assert "loan.term_max_months" in r.json()["detail_en"]
    r = post(bank_api, "/api/v1/loans/", loan_body(borrower_uscc="91370100MA00000001"))
    assert (r.status_code, r.json()["code"], r.json()["errors"][0]["field"]) == (400, "invalid_uscc", "borrower_uscc")


def test_other_banks_loan_is_404_and_listing_is_scoped(bank_api, other_bank_api):
    loan_id = post(bank_api, "/api/v1/loans/", loan_body()).json()["id"]
    for url in (f"/api/v1/loans/{loan_id}/", f"/api/v1/loans/{loan_id}/schedule/"):
        assert other_bank_api.get(url).status_code == 404
    r = post(other_bank_api, f"/api/v1/loans/{loan_id}/repayments/", {"paid_on": "2025-02-15", "amount": "10.00"})
    assert r.status_code == 404
    r = post(other_bank_api, f"/api/v1/loans/{loan_id}/default/", {"declared_on": "2025-05-01", "reason": "x"})
    assert r.status_code == 404
    assert other_bank_api.get("/api/v1/loans/").json()["count"] == 0
    assert bank_api.get("/api/v1/loans/").json()["count"] == 1


def test_reviewer_sees_all_loans_with_filters(bank_api, other_bank_api, reviewer):
    post(bank_api, "/api/v1/loans/", loan_body(1))
    post(other_bank_api, "/api/v1/loans/", loan_body(2, disbursed_on="2025-03-01"))
    from rest_framework.test import APIClient
    c = APIClient()
    c.force_authenticate(reviewer)
    assert c.get("/api/v1/loans/").json()["count"] == 2
    assert c.get("/api/v1/loans/?disbursed_from=2025-02-01").json()["count"] == 1
    assert c.get("/api/v1/loans/?status=repaid").json()["count"] == 0
    assert c.get(f"/api/v1/loans/?borrower_uscc={loan_body(1)['borrower_uscc']}").json()["count"] == 1


def test_repayment_answers_allocation_and_refuses_more_than_owed(bank_api):
    loan_id = post(bank_api, "/api/v1/loans/", loan_body()).json()["id"]
    url = f"/api/v1/loans/{loan_id}/repayments/"
    r = post(bank_api, url, {"paid_on": "2025-02-15", "amount": "29679.93", "currency": "CNY"}, key="r1")
    assert r.status_code == 201, r.json()
    a = r.json()["allocation"]
    assert (a["overdue_interest"], a["overdue_principal"], a["current_interest"], a["principal"]) == (
        "0.00", "0.00", "3625.00", "26054.93")
    r = post(bank_api, url, {"paid_on": "2025-03-15", "amount": "99999999.00"})
    assert r.status_code == 400 and r.json()["code"] == "repayment_above_owed"
    r = post(bank_api, url, {"paid_on": "2025-01-01", "amount": "1.00"})
    assert r.json()["code"] in ("repayment_before_disbursement", "repayment_out_of_order")
    assert Repayment.objects.count() == 1


def test_default_endpoint(bank_api):
    loan_id = post(bank_api, "/api/v1/loans/", loan_body()).json()["id"]
    r = post(bank_api, f"/api/v1/loans/{loan_id}/default/", {"declared_on": "2025-09-01", "reason": "停产"})
    assert r.status_code == 200 and r.json()["status"] == "defaulted" and r.json()["defaulted_on"] == "2025-09-01"


def test_only_banks_submit(orgs, make_user, reviewer):
    from rest_framework.test import APIClient
    c = APIClient()
    c.force_authenticate(reviewer)
    assert post(c, "/api/v1/loans/", loan_body()).status_code == 403
    assert Loan.objects.count() == 0


def test_wrong_patent_check_digit_is_refused_naming_the_pledge(bank_api):
    number = patent(1)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    r = post(bank_api, "/api/v1/loans/", loan_body(pledges=[pledge(1, number=wrong)]))
    assert (r.status_code, r.json()["code"]) == (400, "invalid_patent_number")
    assert r.json()["errors"][0]["field"] == "pledges.0.ip_number"
    assert Loan.objects.count() == 0


def test_another_banks_api_key_neither_sees_nor_writes_the_loan(bank_api, other_bank):
    loan_id = post(bank_api, "/api/v1/loans/", loan_body()).json()["id"]
    other = key_client(other_bank)
    assert other.get("/api/v1/loans/").json()["count"] == 0
    assert other.get(f"/api/v1/loans/{loan_id}/").status_code == 404
    r = post(other, f"/api/v1/loans/{loan_id}/repayments/", {"paid_on": "2025-02-15", "amount": "29679.93"})
    assert r.status_code == 404 and "29679" not in r.content.decode()
    assert Repayment.objects.count() == 0


def test_unauthenticated_is_refused(client, db):
    assert client.get("/api/v1/loans/").status_code in (401, 403)
    assert client.post("/api/v1/loans/", loan_body(), content_type="application/json").status_code in (401, 403)
    assert Loan.objects.count() == 0


def test_a_borrower_sees_its_loan_but_cannot_submit_or_repay(bank_api, orgs, make_user):
    from rest_framework.test import APIClient

    from finance.parties.models import Organisation

    loan_id = post(bank_api, "/api/v1/loans/", loan_body()).json()["id"]
    borrower = Organisation.objects.get(uscc=loan_body()["borrower_uscc"])
    c = APIClient()
    c.force_authenticate(make_user(borrower, Role.APPLICANT))
    assert c.get(f"/api/v1/loans/{loan_id}/").status_code == 200
    assert post(c, "/api/v1/loans/", loan_body(2)).status_code == 403
    assert post(c, f"/api/v1/loans/{loan_id}/repayments/", {"paid_on": "2025-02-15", "amount": "1.00"}).status_code == 403
    assert Loan.objects.count() == 1 and Repayment.objects.count() == 0

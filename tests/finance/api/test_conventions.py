"""API conventions: API-key auth, organisation scoping (404), problem+json in two languages, idempotency."""
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from finance.api.models import IdempotencyRecord
from finance.parties.demo_codes import demo_uscc
from finance.parties.models import Organisation, OrgKind
from tests.conftest import key_client, postgres_only


def enterprise_body(serial=1, name="济南量子芯科技有限公司"):
    return {"uscc": demo_uscc("enterprise", serial), "name": name, "region": "济南"}


def test_api_key_authenticates_as_the_organisation(bank_api, bank):
    body = bank_api.get("/api/v1/me/").json()
    assert body["organisation"]["id"] == bank.pk
    assert body["roles"] == ["bank_officer"]


def test_missing_or_wrong_key_is_refused_as_problem_json(db):
    anonymous = APIClient()
    response = anonymous.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert wrong.get("/api/v1/me/").json()["code"] == "authentication_failed"


def test_another_organisations_object_answers_404(bank_api, other_bank, bank):
    assert bank_api.get(f"/api/v1/organisations/{bank.pk}/").status_code == 200
    response = bank_api.get(f"/api/v1/organisations/{other_bank.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_another_organisations_page_answers_404(client, bank_officer, other_bank, bank):
    client.force_login(bank_officer)
    assert client.get(f"/organisations/{bank.pk}/").status_code == 200
    assert client.get(f"/organisations/{other_bank.pk}/").status_code == 404


def test_invalid_social_credit_code_is_refused_in_both_languages(bank_api):
    before = Organisation.objects.count()
    body = enterprise_body()
    body["uscc"] = body["uscc"][:-1] + ("0" if body["uscc"][-1] != "0" else "1")
    response = bank_api.post("/api/v1/enterprises/", body, format="json")
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "invalid_uscc"
    assert problem["errors"][0]["field"] == "uscc"
    assert "校验" in problem["detail_zh"] and "check" in problem["detail_en"].lower()
    assert Organisation.objects.count() == before


def test_field_errors_name_the_field_in_both_languages(bank_api):
    response = bank_api.post("/api/v1/enterprises/", {"uscc": demo_uscc("enterprise", 3)}, format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "name"
    assert error["detail_en"] == "This field is required."
    assert error["detail_zh"] == "该字段是必填项。"


def test_same_key_same_body_replays_the_first_response(bank_api):
    first = bank_api.post("/api/v1/enterprises/", enterprise_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = bank_api.post("/api/v1/enterprises/", enterprise_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE).count() == 1


def test_same_key_other_body_is_refused(bank_api):
    bank_api.post("/api/v1/enterprises/", enterprise_body(1), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = bank_api.post("/api/v1/enterprises/", enterprise_body(2, "另一家"), format="json",
                             HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE).count() == 1


def test_keys_are_scoped_per_organisation(bank_api, other_bank_api):
    assert bank_api.post("/api/v1/enterprises/", enterprise_body(1), format="json",
                         HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    response = other_bank_api.post("/api/v1/enterprises/", enterprise_body(2, "另一家"), format="json",
                                   HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE).count() == 2


def test_a_refused_request_is_replayed_as_the_same_refusal(bank_api):
    bank_api.post("/api/v1/enterprises/", enterprise_body(1), format="json")
    dup = bank_api.post("/api/v1/enterprises/", enterprise_body(1), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    again = bank_api.post("/api/v1/enterprises/", enterprise_body(1), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert dup.status_code == again.status_code == 409
    assert again.json()["code"] == "duplicate"


def test_in_flight_key_answers_409(bank_api):
    """A second request while the first is still running (its record not completed) is told to wait."""
    bank_api.post("/api/v1/enterprises/", enterprise_body(), format="json", HTTP_IDEMPOTENCY_KEY="busy")
    IdempotencyRecord.objects.filter(key="busy").update(state=IdempotencyRecord.IN_FLIGHT)
    response = bank_api.post("/api/v1/enterprises/", enterprise_body(), format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_apply_once(orgs):
    """Eight threads send the same request with the same key at the same moment: one enterprise, one 201."""
    bank = orgs.make(OrgKind.BANK)
    clients = [key_client(bank) for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        try:
            barrier.wait()
            response = client.post("/api/v1/enterprises/", enterprise_body(), format="json",
                                   HTTP_IDEMPOTENCY_KEY="race-1")
            statuses.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Organisation.objects.filter(kind=OrgKind.ENTERPRISE).count() == 1
    created = [s for s in statuses if s[0] == 201]
    assert len(created) >= 1  # the first, plus any replays that arrived after it finished
    assert all(s[0] == 201 or s == (409, "idempotency_in_flight") for s in statuses), statuses
    assert IdempotencyRecord.objects.filter(key="race-1").count() == 1

"""No 500 for any input, centrally (finance/api): bounded JSON, NUL bytes in parameters, unknown API paths,
amounts beyond the parser's limits, and unique constraints hit by concurrent requests (409, nothing written)."""
import json
import threading

import pytest
from django.db import connection

from finance.parties.models import Organisation, OrgKind
from loans.models import IPAsset, Loan
from tests.conftest import key_client, postgres_only
from tests.loans.loan_factories import borrower_code, loan_body, patent

PROBLEM = "application/problem+json"


def _problem(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail_zh"] and body["detail_en"]
    if code:
        assert body["code"] == code, body
    return body


# ---------------------------------------------------------------- bounded JSON


@pytest.mark.parametrize("depth", [50_000, 2_000, 40])
def test_deeply_nested_json_is_refused_as_problem_json(bank_api, depth):
    before = Loan.objects.count()
    body = "[" * depth + "]" * depth
    response = bank_api.post("/api/v1/loans/", body, content_type="application/json")
    problem = _problem(response, 400, "nested_too_deep")
    assert "nested" in problem["detail_en"]
    assert Loan.objects.count() == before


def test_nesting_within_the_limit_reaches_the_view(bank_api):
    """32 levels parse; the view then refuses the shape, naming the fields (not a parse error)."""
    body = {"external_ref": "LN-1"}
    node = body
    for _ in range(30):
        node["x"] = {}
        node = node["x"]
    problem = _problem(bank_api.post("/api/v1/loans/", body, format="json"), 400, "validation_error")
    # (pledges are optional in the body since R&D credit loans carry none: the service asks for them)
    assert {e["field"] for e in problem["errors"]} >= {"principal", "term_months"}


def test_json_nan_and_malformed_bodies_are_parse_errors(bank_api):
    for raw in ('{"principal": NaN}', '{"principal": Infinity}', '{"a": ', b"\xff\xfe{"):
        _problem(bank_api.post("/api/v1/loans/", raw, content_type="application/json"), 400, "parse_error")


def test_body_over_the_upload_limit_is_413(bank_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"external_ref": "x" * 2000})
    _problem(bank_api.post("/api/v1/loans/", body, content_type="application/json"), 413, "payload_too_large")
    # the Idempotency-Key path reads the raw body first: the same answer, not Django's HTML 400
    _problem(bank_api.post("/api/v1/loans/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big"),
             413, "payload_too_large")


# ---------------------------------------------------------------- NUL bytes


@pytest.mark.parametrize("url", ["/api/v1/claims/", "/api/v1/funds/deals/", "/api/v1/loans/", "/api/v1/pools/",
                                 "/api/v1/guarantees/", "/api/v1/funds/sub-funds/"])
def test_nul_byte_in_a_query_parameter_is_400_naming_it(bank_api, url):
    problem = _problem(bank_api.get(url + "?status=%00"), 400, "invalid_character")
    assert problem["errors"][0]["field"] == "status"
    _problem(bank_api.get(url + "?x%00y=1"), 400, "invalid_character")


@pytest.mark.parametrize("url", ["/guarantees/claims/", "/funds/deals/", "/loans/subsidies/", "/loans/"])
def test_nul_byte_in_a_page_query_is_400(client, reviewer, url):
    client.force_login(reviewer)
    response = client.get(url + "?status=%00")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_byte_in_a_posted_form_is_400(client, reviewer):
    client.force_login(reviewer)
    for form in ("decision=approve%00", "decision%00=approve"):
        response = client.post("/loans/subsidies/1/decide/", form, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400
    response = client.post("/loans/subsidies/1/decide/", {"decision": "approve\x00"})  # multipart
    assert response.status_code == 400


# ---------------------------------------------------------------- unknown API paths


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/loans/abc/", "/api/v2/loans/", "/api/"])
def test_unknown_api_path_is_problem_json_404(bank_api, path):
    _problem(bank_api.get(path), 404, "not_found")


def test_unknown_page_path_stays_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# ---------------------------------------------------------------- amounts beyond the parser's limits


@pytest.mark.parametrize("amount", ["1e26", "1e400", "9" * 40, "1E+30", "NaN", "Infinity", "-1e400", "1e-400"])
def test_amounts_beyond_the_limits_are_400_naming_the_field(bank_api, amount):
    before = Loan.objects.count(), Organisation.objects.count()
    response = bank_api.post("/api/v1/loans/", loan_body(1, principal=amount), format="json")
    problem = _problem(response, 400)
    assert [e["field"] for e in problem["errors"]] == ["principal"], problem
    assert (Loan.objects.count(), Organisation.objects.count()) == before


@pytest.mark.parametrize("field", ["appraised_value"])
@pytest.mark.parametrize("amount", ["1e26", "1e400", "9" * 40])
def test_nested_amounts_beyond_the_limits_name_the_nested_field(bank_api, field, amount):
    body = loan_body(1)
    body["pledges"][0][field] = amount
    problem = _problem(bank_api.post("/api/v1/loans/", body, format="json"), 400)
    assert [e["field"] for e in problem["errors"]] == [f"pledges.0.{field}"], problem


def test_rates_beyond_the_limits_are_400_naming_the_field(bank_api):
    for rate in ["1e400", "9" * 40, "NaN"]:
        problem = _problem(bank_api.post("/api/v1/loans/", loan_body(1, annual_rate=rate), format="json"), 400)
        assert [e["field"] for e in problem["errors"]] == ["annual_rate"], problem


def test_repayment_amount_beyond_the_limits_is_400(bank_api):
    loan = bank_api.post("/api/v1/loans/", loan_body(1), format="json").json()
    for amount in ["1e26", "1e400", "9" * 40]:
        response = bank_api.post(f"/api/v1/loans/{loan['id']}/repayments/", {"paid_on": "2025-02-15", "amount": amount},
                                 format="json")
        assert [e["field"] for e in _problem(response, 400)["errors"]] == ["amount"]


# ---------------------------------------------------------------- concurrent creation of the same thing


def _race(monkeypatch, bodies, bank):
    """Send the bodies at the same moment; each request waits at the borrower lookup until all have arrived there,
    so all of them check "does it exist?" before any has committed (the window a real race opens)."""
    import loans.services.registration as registration

    barrier = threading.Barrier(len(bodies), timeout=20)
    original = registration._known_borrowers

    def synchronised(items):
        barrier.wait()
        return original(items)

    monkeypatch.setattr(registration, "_known_borrowers", synchronised)
    clients = [key_client(bank) for _ in bodies]
    results = [None] * len(bodies)

    def send(i):
        try:
            response = clients[i].post("/api/v1/loans/", bodies[i], format="json")
            results[i] = (response.status_code, response.json(), response["Content-Type"])
        except Exception as exc:  # a 500 surfaces here in the test client
            results[i] = (500, repr(exc), "")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _one_created_one_conflict(results):
    statuses = sorted(r[0] for r in results)
    assert statuses == [201, 409], results
    conflict = next(r for r in results if r[0] == 409)
    assert conflict[2] == PROBLEM
    return conflict[1]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_loans_for_the_same_new_borrower_one_409_nothing_half_written(orgs, monkeypatch):
    bank = orgs.make(OrgKind.BANK)
    a, b = loan_body(1), loan_body(2)
    b["borrower_uscc"], b["borrower_name"] = a["borrower_uscc"], a["borrower_name"]
    problem = _one_created_one_conflict(_race(monkeypatch, [a, b], bank))
    assert problem["code"] == "borrower_registered_concurrently", problem
    assert [e["field"] for e in problem["errors"]] == ["borrower_uscc"]
    assert a["borrower_uscc"] in problem["detail_en"] and a["borrower_uscc"] in problem["detail_zh"]
    assert Organisation.objects.filter(uscc=a["borrower_uscc"]).count() == 1
    assert Loan.objects.count() == 1  # the loser wrote nothing: no loan, no asset, no schedule
    assert IPAsset.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_loans_pledging_the_same_new_patent_one_409(orgs, monkeypatch):
    bank = orgs.make(OrgKind.BANK)
    a, b = loan_body(1), loan_body(2)
    b["pledges"][0]["ip_number"] = a["pledges"][0]["ip_number"]
    b["borrower_uscc"], b["borrower_name"] = a["borrower_uscc"], a["borrower_name"]
    Organisation.objects.create(kind=OrgKind.ENTERPRISE, name="已登记企业", uscc=a["borrower_uscc"])
    problem = _one_created_one_conflict(_race(monkeypatch, [a, b], bank))
    assert problem["code"] == "ip_already_pledged", problem
    assert [e["field"] for e in problem["errors"]] == ["pledges.0.ip_number"]
    assert Loan.objects.count() == 1 and IPAsset.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_loans_with_the_same_bank_reference_one_409(orgs, monkeypatch):
    bank = orgs.make(OrgKind.BANK)
    a, b = loan_body(1), loan_body(2, external_ref="LN-00001")
    results = _race(monkeypatch, [a, b], bank)
    problem = _one_created_one_conflict(results)
    assert problem["code"] == "duplicate_external_ref", problem
    assert [e["field"] for e in problem["errors"]] == ["external_ref"]
    assert Loan.objects.count() == 1
    # the loser's borrower and patent (created earlier in the same request) were rolled back with it
    loser = 1 if results[0][0] == 409 else 2
    assert not Organisation.objects.filter(uscc=borrower_code(loser)).exists()
    assert not IPAsset.objects.filter(number=patent(loser)).exists()
    assert Organisation.objects.filter(uscc=borrower_code(3 - loser)).exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_conflict_with_idempotency_key_is_stored_and_replayed(orgs, monkeypatch, make_user):
    bank = orgs.make(OrgKind.BANK)
    a, b = loan_body(1), loan_body(2, external_ref="LN-00001")
    import loans.services.registration as registration

    barrier = threading.Barrier(2, timeout=20)
    original = registration._known_borrowers
    monkeypatch.setattr(registration, "_known_borrowers", lambda items: (barrier.wait(), original(items))[1])
    client_a, client_b = key_client(bank), key_client(bank)
    out = {}

    def send(name, client, body):
        try:
            out[name] = client.post("/api/v1/loans/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"key-{name}")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=("a", client_a, a)), threading.Thread(target=send, args=("b", client_b, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in out.values())
    assert statuses == [201, 409], {k: (r.status_code, r.content[:200]) for k, r in out.items()}
    loser = next(k for k, r in out.items() if r.status_code == 409)
    monkeypatch.setattr(registration, "_known_borrowers", original)
    again = (client_a if loser == "a" else client_b).post("/api/v1/loans/", a if loser == "a" else b, format="json",
                                                          HTTP_IDEMPOTENCY_KEY=f"key-{loser}")
    assert again.status_code == 409 and again["Idempotent-Replayed"] == "true"
    assert again.json()["code"] == "duplicate_external_ref"
    assert Loan.objects.count() == 1


# ---------------------------------------------------------------- idempotency with a signed-in session


def test_session_form_write_with_idempotency_key_is_answered_and_replayed(bank_api, bank_officer):
    """A person's session posts a form: the CSRF check reads the form from the stream before the Idempotency-Key
    fingerprint is taken (was a 500: "cannot access body after reading from request's data stream")."""
    from django.test import Client

    loan = bank_api.post("/api/v1/loans/", loan_body(1), format="json").json()
    client = Client(enforce_csrf_checks=True)
    client.force_login(bank_officer)
    client.cookies["csrftoken"] = "k" * 32
    url = f"/api/v1/loans/{loan['id']}/default/"
    form = {"declared_on": "2025-06-01", "reason": "逾期"}
    first = client.post(url, form, HTTP_X_CSRFTOKEN="k" * 32, HTTP_IDEMPOTENCY_KEY="form-1")
    assert first.status_code < 500
    again = client.post(url, form, HTTP_X_CSRFTOKEN="k" * 32, HTTP_IDEMPOTENCY_KEY="form-1")
    assert again.status_code == first.status_code and again["Idempotent-Replayed"] == "true"
    other = client.post(url, {**form, "reason": "另一个理由"}, HTTP_X_CSRFTOKEN="k" * 32, HTTP_IDEMPOTENCY_KEY="form-1")
    assert other.status_code == 422


@postgres_only
def test_a_database_data_error_escaping_a_view_is_a_400_problem(db):
    """A value the database cannot hold (out of range, too long) that no serializer caught is a 400, not a 500."""
    from django.db import DataError, transaction

    from finance.api.problems import problem_exception_handler

    with pytest.raises(DataError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1000::numeric(3, 2)")
    response = problem_exception_handler(raised.value, {})
    assert response.status_code == 400 and response.data["code"] == "value_out_of_range"


def test_an_unexpected_api_failure_is_a_problem_json_500(bank, monkeypatch):
    """Whatever still fails inside the API answers problem+json (a client can parse it), not Django's HTML page."""
    import finance.parties.api as parties_api

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(parties_api.MeApi, "get", broken)
    client = key_client(bank)
    client.raise_request_exception = False
    response = client.get("/api/v1/me/")
    _problem(response, 500, "server_error")

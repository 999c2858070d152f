"""The OpenAPI schema tells the truth: paginated lists are paginated objects, every operation documents its
problem+json error answers, and the schema and docs are served to authenticated callers only."""
import pytest
from rest_framework.test import APIClient

PROBLEM = "application/problem+json"
READ_ERRORS = {"400", "401", "403", "404", "429"}
WRITE_ERRORS = READ_ERRORS | {"409", "413", "415", "422"}


@pytest.fixture
def schema(bank_api):
    response = bank_api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


@pytest.mark.parametrize("path", ["/api/v1/loans/", "/api/v1/claims/", "/api/v1/guarantees/", "/api/v1/pools/"])
def test_paginated_lists_are_documented_as_paginated_objects(schema, path):
    operation = schema["paths"][path]["get"]
    body = _resolve(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])
    assert body["type"] == "object"
    assert {"count", "next", "previous", "results"} <= set(body["properties"])
    assert body["properties"]["results"]["type"] == "array"
    assert {p["name"] for p in operation["parameters"]} >= {"page", "page_size"}


def test_paginated_lists_answer_what_the_schema_says(bank_api, schema):
    for path in ("/api/v1/loans/", "/api/v1/claims/", "/api/v1/guarantees/", "/api/v1/pools/"):
        body = bank_api.get(path).json()
        documented = _resolve(schema, schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
                              ["schema"])
        assert set(body) == set(documented["properties"]), path


def test_every_operation_documents_its_problem_answers(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "code", "detail", "detail_zh", "detail_en"} <= set(problem["required"])
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) > 25
    for path, method, op in operations:
        expected = READ_ERRORS if method == "get" else WRITE_ERRORS
        assert expected <= set(op["responses"]), (method, path, sorted(op["responses"]))
        for code in expected:
            content = op["responses"][code]["content"]
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}, (method, path, code)


def test_schema_is_refused_to_anonymous_callers(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_send_anonymous_people_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_docs_pages_are_served_to_people_signed_in(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/api/redoc/").status_code == 200

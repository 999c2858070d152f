"""Property test: random strings, numbers and dates in every money, rate and date field of every write endpoint
never get a server error, and a refused request (4xx) writes nothing.

The fields are discovered from the OpenAPI schema (string fields of format ``decimal`` or ``date``, nested ones
included, e.g. ``pledges.0.appraised_value``); each is sent inside an otherwise valid body (``BASELINES``) by the
principal that may call the operation, so the value reaches the services, not only the serializer. Bounded:
``EXAMPLES`` per field. Every example runs in a savepoint rolled back afterwards, so examples are independent.
"""
from __future__ import annotations

import copy
import json

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.finance.api.world import world_in_transaction
from tests.loans.loan_factories import loan_body

EXAMPLES = 12
COUNTED_APPS = ("loans", "guarantees", "funds", "ledger", "approvals", "parties", "api", "policy")


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _fields(schema, node, prefix=""):
    node = _resolve(schema, node)
    for name, prop in node.get("properties", {}).items():
        prop = _resolve(schema, prop)
        if prop.get("type") == "string" and prop.get("format") in ("decimal", "date"):
            yield f"{prefix}{name}", prop["format"]
        elif prop.get("type") == "array" and "properties" in _resolve(schema, prop.get("items", {})):
            yield from _fields(schema, prop["items"], f"{prefix}{name}.0.")


def write_fields():
    schema = _schema()
    found = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {})
            body = content.get("application/json") or next(iter(content.values()), None)
            if method in ("post", "put", "patch") and body:
                found += [(f"{method.upper()} {path}", name, fmt) for name, fmt in _fields(schema, body["schema"])]
    return sorted(found)


FIELDS = write_fields()

# A valid body per operation (ids from the world), and who sends it.
BASELINES = {
    "POST /api/v1/loans/": ("bank_key", None, lambda w: loan_body(777)),
    "POST /api/v1/loans/{id}/repayments/": ("bank_key", "loan", lambda w: {"paid_on": "2025-02-15", "amount": "1000.00"}),
    "POST /api/v1/loans/{id}/default/": ("bank_key", "loan", lambda w: {"declared_on": "2025-06-01", "reason": "逾期"}),
    # operators' workflows (issue 14): the world's loan is not defaulted, so a well-formed write-off is refused (409)
    "POST /api/v1/loans/{id}/write-off/": ("bank_key", "loan", lambda w: {"reason": "破产清算", "on": "2025-06-01"}),
    "POST /api/v1/pools/{id}/requests/": ("department_reviewer", "pool", lambda w: {
        "kind": "contribution", "amount": "1000.00", "value_date": "2025-06-01"}),
    "POST /api/v1/claims/": ("bank_key", None, lambda w: {"loan_id": w.objects[("loan", "own")],
                                                           "claimed_loss": "1000.00"}),
    "POST /api/v1/claims/{id}/recoveries/": ("bank_key", "claim", lambda w: {"recovered": "1000.00", "costs": "0.00",
                                                                             "recovered_on": "2025-06-01"}),
    # guarantor 1 proposes a guarantee on bank 2's loan (its own bank's loan already carries its guarantee)
    "POST /api/v1/guarantees/": ("guarantor_key", None, lambda w: {
        "loan_id": w.objects[("loan", "other")], "bank_id": w.orgs["other_bank"].pk, "amount": "100000.00",
        "fee_rate": "0.5", "counter_guarantee": "ip", "start_on": "2025-01-15", "end_on": "2026-01-15"}),
    "POST /api/v1/guarantees/{id}/payouts/": ("guarantor_key", "guarantee", lambda w: {"amount": "1000.00",
                                                                                     "paid_on": "2025-06-01"}),
    "POST /api/v1/payouts/{id}/recoveries/": ("guarantor_key", "payout", lambda w: {
        "recovered": "1000.00", "costs": "0.00", "recovered_on": "2025-06-01"}),
    "POST /api/v1/pool-enrolments/": ("bank_key", None, lambda w: {"loan_id": w.objects[("loan", "own")],
                                                                    "pool_id": w.objects[("pool", "own")],
                                                                    "enrolled_on": "2025-01-20"}),
    "POST /api/v1/funds/sub-funds/{id}/calls/": ("fund_manager", "sub_fund", lambda w: {"amount": "1000.00",
                                                                                       "call_date": "2021-06-01"}),
    "POST /api/v1/funds/sub-funds/{id}/calls/preview/": ("fund_manager", "sub_fund", lambda w: {"amount": "1000.00"}),
    "POST /api/v1/funds/deals/{id}/transition/": ("fund_manager", "deal", lambda w: {"to": "funded",
                                                                                    "on": "2025-01-01"}),
    "POST /api/v1/guarantor-net-assets/": ("guarantor_key", None, lambda w: {"net_assets": "60000000.00",
                                                                             "as_of": "2025-06-30"}),
    "POST /api/v1/funds/direct/invest-first/": ("applicant", None, lambda w: {
        "programme": w.objects[("programme", "own")], "title": "先投后股", "amount": "200000.00",
        "tranches": [{"amount": "200000.00", "due_on": "2026-06-01"}]}),
    "POST /api/v1/funds/direct/invest-first/{id}/actions/": ("fund_manager", "agreement", lambda w: {
        "action": "submit", "on": "2025-02-01"}),
    "POST /api/v1/funds/direct/talent-equity/": ("applicant", None, lambda w: {
        "programme": w.objects[("programme", "own")], "title": "人才项目二", "amount": "200000.00",
        "price_per_share": "1.00", "founded_on": "2022-01-01", "talent_team_leads": True,
        "registered_in_shandong": True, "own_ip_count": 2, "founders_cash": "1000000.00"}),
    "POST /api/v1/funds/direct/talent-equity/{id}/actions/": ("fund_manager", "talent", lambda w: {
        "action": "submit", "on": "2025-02-01"}),
    "POST /api/v1/funds/direct/grant-invest-loans/{id}/actions/": ("fund_manager", "gil", lambda w: {
        "action": "review", "on": "2025-02-01"}),
}

decimal_text = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-10**40, 10**40), st.integers(-500, 500)),
    st.sampled_from(["1e26", "1e400", "9" * 40, "-0", "0.001", "NaN", "-Infinity", "1_000", " 1 ", "１２３",
                     "0x10", "1,000.00", "", "٣", "1e-7", "99999999999999999.99"]),
)
date_text = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["9999-12-31", "0001-01-01", "2025-02-30", "2025-13-01", "20250101", "2025-1-1", "",
                     "2025-01-01T00:00:00Z", "９９９９-01-01", "+10000-01-01", "-0001-01-01"]),
    st.text(max_size=12),
)
anything = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=False),
                     st.text(max_size=40), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                                                st.integers(), max_size=2))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), world_in_transaction() as w:
        yield w


def _client(world, principal) -> Client:
    if principal.endswith("_key"):
        return Client(HTTP_AUTHORIZATION=f"Api-Key {world.keys[principal]}")
    client = Client()
    client.force_login(world.users[principal])
    return client


def _row_counts() -> tuple:
    tables = sorted({m._meta.db_table for label in COUNTED_APPS for m in apps.get_app_config(label).get_models()})
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables))
        return tuple(zip(tables, cursor.fetchone(), strict=True))


def _put(body, dotted, value):
    node = body
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = value


def test_every_write_operation_with_money_or_date_fields_has_a_baseline():
    assert FIELDS, "no decimal or date fields found in the schema"
    assert {op for op, _, _ in FIELDS} <= set(BASELINES), sorted({op for op, _, _ in FIELDS} - set(BASELINES))


@pytest.mark.parametrize("operation,field,fmt", FIELDS, ids=[f"{o} {f}" for o, f, _ in FIELDS])
def test_random_values_never_break_the_api_and_refusals_write_nothing(world, db, operation, field, fmt):
    principal, obj, make = BASELINES[operation]
    client = _client(world, principal)
    _, path = operation.split(" ", 1)
    if obj:
        path = path.replace("{id}", str(world.objects.get((obj, "own"), 999_999)))
    baseline = make(world)
    refusals_seen = []

    @settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate], deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(value=st.one_of(decimal_text if fmt == "decimal" else date_text, anything))
    def send(value):
        body = copy.deepcopy(baseline)
        _put(body, field, value)
        with transaction.atomic():
            before = _row_counts()
            response = client.post(path, json.dumps(body), content_type="application/json")
            assert response.status_code < 500, (value, response.status_code)
            if 400 <= response.status_code < 500:
                refusals_seen.append(response.status_code)
                assert response["Content-Type"] == "application/problem+json", (value, response.status_code)
                after = _row_counts()
                changed = [(t, a, b) for (t, a), (_, b) in zip(before, after, strict=True) if a != b]
                assert not changed, (value, response.status_code, response.json().get("code"), changed)
            transaction.set_rollback(True)

    send()
    assert refusals_seen, "no example was refused: the field is not being exercised"

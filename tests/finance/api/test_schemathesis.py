"""schemathesis against the live schema: every operation, with an API key of each organisation kind that holds
one (bank, guarantor) and a fund manager's session (fund managers have no keys), on random and on real ids of
the caller's own and another organisation's objects.

Checks: ``not_a_server_error``, ``status_code_conformance``, ``response_schema_conformance``. Bounded:
``MAX_EXAMPLES`` per operation × principal × id (no shrinking), so the module runs in about a minute or two.
A failure lists each distinct problem with the request that caused it and, for a 500, the traceback's last frames.
"""
from __future__ import annotations

import traceback

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.finance.api.world import world_in_transaction

MAX_EXAMPLES = 6
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
PRINCIPALS = ["bank_key", "guarantor_key", "fund_manager_session"]
# which world object a path's {id} names (real ids of the caller's own and another organisation's object)
ID_KINDS = {"/api/v1/loans/": "loan", "/api/v1/guarantees/": "guarantee", "/api/v1/pools/": "pool",
            "/api/v1/funds/sub-funds/": "sub_fund", "/api/v1/funds/deals/": "deal",
            "/api/v1/pool-enrolments/": "enrolment"}

# Operations known to fail, each listed in the report to the lead with its cause (empty: none excluded).
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _labels():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops)


LABELS = _labels()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), world_in_transaction() as w:
        yield w


@pytest.fixture(scope="module")
def wsgi():
    """The real WSGI application, in this thread (so it sees the test transaction). Like Django's test client,
    keep request signals from closing the connection that holds that transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tracebacks():
    seen = []

    def record(sender, request=None, **kwargs):
        seen.append("".join(traceback.format_exc(limit=-4)))

    signals.got_request_exception.connect(record)
    yield seen
    signals.got_request_exception.disconnect(record)


def _credentials(world, principal):
    """Headers and cookies of a principal: an API key, or a signed-in session with its CSRF token."""
    if principal.endswith("_key"):
        return {"Authorization": f"Api-Key {world.keys[principal]}"}, {}
    client = Client()
    client.force_login(world.users[principal.removesuffix("_session")])
    token = "k" * 32
    return {"X-CSRFToken": token}, {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}


def _live_schema(world, wsgi):
    """The schema as /api/schema/ serves it (the same for every caller)."""
    headers, _ = _credentials(world, "bank_key")
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi, headers=headers)


def _ids(world, path):
    for prefix, kind in ID_KINDS.items():
        if path.startswith(prefix) and "{id}" in path:
            return [world.objects[(kind, side)] for side in ("own", "other") if (kind, side) in world.objects]
    return []


@pytest.fixture(scope="module")
def live_schema(world, wsgi, django_db_blocker):
    with django_db_blocker.unblock():
        return _live_schema(world, wsgi)


def test_the_live_schema_is_the_one_tested(live_schema):
    schema = live_schema
    assert sorted(op.ok().label for op in schema.get_all_operations()) == LABELS


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("label", LABELS)
def test_operation_conforms_and_never_answers_500(world, db, live_schema, tracebacks, principal, label):
    headers, cookies = _credentials(world, principal)
    operation = live_schema.find_operation_by_label(label)
    assert operation is not None, label
    method, path = label.split(" ", 1)
    variants = [None] + _ids(world, path)
    failures: dict[str, str] = {}

    for pk in variants:
        fixed = {"path_parameters": {"id": pk}} if pk is not None else {}
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE, **fixed),
                             operation.as_strategy(GenerationMode.NEGATIVE, **fixed))

        @settings(max_examples=MAX_EXAMPLES, phases=[Phase.explicit, Phase.generate], deadline=None, database=None,
                  derandomize=True, suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            tracebacks.clear()
            response = case.call(headers=headers, cookies=cookies)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as exc:
                problems = getattr(exc, "exceptions", (exc,))
                for problem in problems:
                    title = getattr(problem, "title", type(problem).__name__)
                    key = f"{title} ({response.status_code})"
                    if key not in failures:
                        detail = f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.300}"
                        failures[key] = detail + ("\n" + tracebacks[-1] if tracebacks else "") + \
                            f"\n{getattr(problem, 'message', str(problem))[:600]}"

        run()

    expected = KNOWN_FAILURES.get((principal, label))
    if failures and expected:
        pytest.xfail(expected)  # listed in the report; never silently
    assert not failures, f"{label} as {principal}:\n" + "\n\n".join(f"* {k}: {v}" for k, v in failures.items())

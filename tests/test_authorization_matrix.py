"""The authorisation matrix: every URL pattern of the project × every role × own / other organisation.

Each row of ``MATRIX`` names a URL pattern (``namespace:name``) and what each principal gets, in the column order
of ``PRINCIPALS``. A cell is one status, or ``own/other`` for patterns that name an object: ``own`` is the object
of the principal's side of the world (bank 1's loan, guarantor 1's guarantee, fund manager 1's sub-fund …),
``other`` the same kind of object of another organisation. ``-`` means "not tried".

- ``get``: a GET. ``post``: a POST with an empty body (a write): the wrong roles must get 403 / 404, anonymous
  401 (API) or 302 (pages, to the login); the right roles get a 400 for the empty form or a page (200/302).
- A URL pattern that is not in the table fails ``test_every_url_pattern_is_in_the_matrix``: add its row (other
  engineers: copy a similar row, run ``pytest tests/test_authorization_matrix.py -k <name>`` and read the
  observed row the failure prints).
- ``KNOWN``: cells where today's answer is a defect owned by another engineer; they are strict xfails, so
  fixing the defect makes the test fail until the cell is moved into the table.
- ``admin:*``: Django's admin patterns are all wrapped by ``admin_view`` (staff only): tested through the index
  and every model's changelist.

The world is built once per module through the services (``tests/finance/api/world.py``).
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from finance.policy.models import Parameter, ParameterValue
from tests.finance.api.world import world_in_transaction

PRINCIPALS = ["applicant", "bank_officer", "fund_manager", "committee_member", "guarantor_officer",
              "department_reviewer", "auditor", "administrator", "anonymous", "bank_key", "guarantor_key"]
MISSING = 999_999  # an id no object has


@dataclass(frozen=True)
class Row:
    obj: str | None  # the kind of object the pattern's pk names (see OBJECTS), or None
    get: str
    post: str | None = None
    kwargs: dict | None = None  # fixed extra URL kwargs


def R(obj, get, post=None, **kwargs):
    return Row(obj, get, post, kwargs or None)


# Which world object each object kind is, per side: (kind in world.objects) or a callable(world, principal, side).
OBJECTS = {
    "loan": "loan", "guarantee": "guarantee", "pool": "pool", "enrolment": "enrolment", "sub_fund": "sub_fund",
    "deal": "deal", "call": "call", "committee": "committee",
    # kinds the world has no object of: both sides use an id no object has (404 for whoever may look)
    "loan_file": None, "subsidy": None, "claim": None, "payout": None, "meeting": None, "policy_change": None,
    "premium_subsidy": None, "report": None, "report_run": None, "conversion": None, "closure": None, "position": None,
    "write_off": None, "pool_request": None,
    # the applicant's enterprise's applications to fund manager 1's programme (the other side: an id no object has)
    "agreement": "agreement", "talent": "talent", "project": "gil", "gil": "gil",
}

MATRIX: dict[str, Row] = {
    #        app      bank     fm       cm       guar     rev      aud      adm      anon     bkey     gkey
    "home": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "login": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200"),
    "logout": R(None,
        get="405      405      405      405      405      405      405      405      405      405      405",
        post="302      302      302      302      302      302      302      302      302      302      302"),
    "otp_verify": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "set_language": R(None,
        get="302      302      302      302      302      302      302      302      302      302      302",
        post="302      302      302      302      302      302      302      302      302      302      302"),
    "organisation-detail": R("own_org",
        get="200/404  200/404  200/404  200/404  200/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "policy-list": R(None,
        get="403      403      403      403      403      200      200      200      302      302      302"),
    "policy-change-decide": R("policy_change",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  403/403  403/403  404/404  302/302  302/302  302/302"),
    "policy-detail": R(None,
        get="403      403      403      403      403      200      200      200      302      302      302", key="loan.rate_max"),
    "policy-propose": R(None,
        get="405      405      405      405      405      405      405      405      302      302      302",
        post="403      403      403      403      403      403      403      302      302      302      302", key="loan.rate_max"),
    "loans:list": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "loans:export": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "loans:detail": R("loan",
        get="200/404  200/404  404/404  404/404  404/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "loans:repayment-create": R("loan",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="404/404  302/404  404/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "loans:file-list": R(None,
        get="403      200      403      403      403      200      200      200      302      302      302"),
    "loans:file-template": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "loans:file-detail": R("loan_file",
        get="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "loans:subsidy-list": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "loans:subsidy-detail": R("subsidy",
        get="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "loans:subsidy-decide": R("subsidy",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  404/404  403/403  403/403  302/302  302/302  302/302"),
    "guarantees:pool-list": R(None,
        get="403      200      403      403      403      200      200      200      302      302      302"),
    "guarantees:pool-detail": R("pool",
        get="403/403  200/404  403/403  403/403  403/403  200/404  200/404  200/404  302/302  302/302  302/302"),
    "guarantees:pool-stress": R("pool",
        get="403/403  403/403  403/403  403/403  403/403  200/404  200/404  200/404  302/302  302/302  302/302"),
    "guarantees:enrolment-new": R(None,
        get="403      200      403      403      403      403      403      403      302      302      302",
        post="403      200      403      403      403      403      403      403      302      302      302"),
    "guarantees:claim-list": R(None,
        get="403      200      403      403      403      200      200      200      302      302      302"),
    "guarantees:claim-new": R(None,
        get="403      200      403      403      403      403      403      403      302      302      302",
        post="403      200      403      403      403      403      403      403      302      302      302"),
    "guarantees:claim-detail": R("claim",
        get="403/403  404/404  403/403  403/403  403/403  404/404  404/404  404/404  302/302  302/302  302/302"),
    "guarantees:guarantee-list": R(None,
        get="403      200      403      403      200      200      200      200      302      302      302"),
    "guarantees:guarantee-new": R(None,
        get="403      403      403      403      200      403      403      403      302      302      302",
        post="403      403      403      403      200      403      403      403      302      302      302"),
    "guarantees:guarantee-detail": R("guarantee",
        get="403/403  200/404  403/403  403/403  200/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "funds:subfund-list": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "funds:subfund-detail": R("sub_fund",
        get="404/404  404/404  200/200  200/200  404/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "funds:call-wizard": R("sub_fund",
        get="403/403  403/403  200/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302",
        post="403/403  403/403  200/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:distribution-wizard": R("sub_fund",
        get="403/403  403/403  200/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302",
        post="403/403  403/403  200/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:call-pay": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:nav-create": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:call-notice": R("call",
        get="404/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "funds:index-upload": R(None,
        get="405      405      405      405      405      405      405      405      302      302      302",
        post="403      403      302      403      403      403      403      403      302      302      302"),
    "funds:my-commitments": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "funds:pipeline": R(None,
        get="403      403      200      200      403      403      403      403      302      302      302"),
    "funds:deal-create": R(None,
        get="403      403      200      403      403      403      403      403      302      302      302",
        post="403      403      200      403      403      403      403      403      302      302      302"),
    "funds:deal-detail": R("deal",
        get="404/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "funds:deal-action": R("deal",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:my-votes": R(None,
        get="403      403      403      200      403      403      403      403      302      302      302"),
    "funds:meeting-vote": R("meeting",
        get="403/403  403/403  403/403  404/404  403/403  403/403  403/403  403/403  302/302  302/302  302/302",
        post="403/403  403/403  403/403  404/404  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "api-me": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200"),
    "api-organisation": R("own_org",
        get="200/404  200/404  200/404  200/404  200/404  200/200  200/200  200/200  401/401  200/404  200/404"),
    "api-enterprise-create": R(None,
        get="405      405      405      405      405      405      405      405      401      405      405",
        post="403      400      403      403      403      400      403      400      401      400      403"),
    "api-loans": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200",
        post="403      400      403      403      403      403      403      403      401      400      403"),
    "api-loan": R("loan",
        get="200/404  200/404  404/404  404/404  404/404  200/200  200/200  200/200  401/401  200/404  404/404"),
    "api-loan-schedule": R("loan",
        get="200/404  200/404  404/404  404/404  404/404  200/200  200/200  200/200  401/401  200/404  404/404"),
    "api-loan-repayments": R("loan",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  400/404  403/403  403/403  403/403  403/403  403/403  403/403  401/401  400/404  403/403"),
    "api-loan-default": R("loan",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  400/404  403/403  403/403  403/403  403/403  403/403  403/403  401/401  400/404  403/403"),
    "api-loan-files": R(None,
        get="405      405      405      405      405      405      405      405      401      405      405",
        post="403      400      403      403      403      403      403      403      401      400      403"),
    "api-loan-file": R("loan_file",
        get="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-pools": R(None,
        get="403      200      403      403      403      200      200      200      401      200      403"),
    "api-pool": R("pool",
        get="403/403  200/404  403/403  403/403  403/403  200/404  200/404  200/404  401/401  200/404  403/403"),
    "api-pool-enrolments": R(None,
        get="405      405      405      405      405      405      405      405      401      405      405",
        post="403      400      403      403      403      403      403      403      401      400      403"),
    "api-claims": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200",
        post="403      400      403      403      403      403      403      403      401      400      403"),
    "api-claim": R("claim",
        get="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-claim-approve": R("claim",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-claim-reject": R("claim",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-claim-pay": R("claim",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-claim-recoveries": R("claim",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  400/400  403/403  403/403  403/403  403/403  403/403  403/403  401/401  400/400  403/403"),
    "api-guarantees": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200",
        post="403      400      403      403      400      403      403      403      401      400      400"),
    "api-guarantee": R("guarantee",
        get="404/404  200/404  404/404  404/404  200/404  200/200  200/200  200/200  401/401  200/404  200/404"),
    "api-guarantee-payouts": R("guarantee",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  403/403  403/403  400/404  403/403  403/403  403/403  401/401  403/403  400/404"),
    "api-payout-recoveries": R("payout",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  403/403  403/403  400/400  403/403  403/403  403/403  401/401  403/403  400/400"),
    "funds-api-subfund-list": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200"),
    "funds-api-subfund-detail": R("sub_fund",
        get="404/404  404/404  200/200  200/200  404/404  200/200  200/200  200/200  401/401  404/404  404/404"),
    "funds-api-call-create": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  400/404  403/403  403/403  403/403  403/403  403/403  401/401  403/403  403/403"),
    "funds-api-call-preview": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  400/404  403/404  404/404  403/403  403/403  403/403  401/401  404/404  404/404"),
    "funds-api-deal-list": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200"),
    "funds-api-deal-detail": R("deal",
        get="404/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  401/401  404/404  404/404"),
    "funds-api-deal-transition": R("deal",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  400/404  403/404  404/404  403/403  403/403  403/403  401/401  404/404  404/404"),
    "loans:subsidy-pay": R("subsidy",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  404/404  403/403  403/403  302/302  302/302  302/302"),
    "funds:call-approve": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:deal-document": R("deal",
        get="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "funds:direct-board": R(None,
        get="302      404      200      404      404      200      200      200      302      302      302"),
    "funds:direct-agreement": R("agreement",
        get="200/404  404/404  200/404  200/404  404/404  200/404  200/404  200/404  302/302  302/302  302/302"),
    "funds:direct-agreement-action": R("agreement",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "funds:direct-talent": R("talent",
        get="200/404  404/404  200/404  200/404  404/404  200/404  200/404  200/404  302/302  302/302  302/302"),
    "funds:direct-talent-action": R("talent",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "funds:direct-project": R("project",
        get="200/404  404/404  200/404  200/404  404/404  200/404  200/404  200/404  302/302  302/302  302/302"),
    "funds:direct-project-action": R("project",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "funds:direct-mine": R(None,
        get="200      404      404      404      404      404      404      404      302      302      302"),
    "funds:direct-round": R(None,
        get="405      405      405      405      405      405      405      405      302      302      302",
        post="302      404      404      404      404      404      404      404      302      302      302"),
    "funds:direct-cap-table": R("enterprise",
        get="200/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "funds:direct-cap-table-ocf": R("enterprise",
        get="200/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "reporting:list": R(None,
        get="403      200      403      403      403      200      200      200      302      302      302"),
    "reporting:generate": R(None,
        get="405      405      405      405      405      405      405      405      302      302      302",
        post="403      403      403      403      403      302      403      403      302      302      302"),
    "reporting:run": R("report_run",
        get="403/403  403/403  403/403  403/403  403/403  404/404  403/403  403/403  302/302  302/302  302/302"),
    "reporting:detail": R("report",
        get="403/403  404/404  403/403  403/403  403/403  404/404  404/404  404/404  302/302  302/302  302/302"),
    "reporting:publish": R("report",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  404/404  403/403  403/403  403/403  404/404  404/404  404/404  302/302  302/302  302/302"),
    "reporting:xlsx": R("report",
        get="403/403  404/404  403/403  403/403  403/403  404/404  404/404  404/404  302/302  302/302  302/302"),
    "reporting:pdf": R("report",
        get="403/403  404/404  403/403  403/403  403/403  404/404  404/404  404/404  302/302  302/302  302/302"),
    "api-guarantee-confirm": R("guarantee",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  409/404  403/403  403/403  403/403  403/403  403/403  403/403  401/401  409/404  403/403"),
    "api-guarantee-premium-subsidies": R("guarantee",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  403/403  403/403  400/404  403/403  403/403  403/403  401/401  403/403  400/404"),
    "api-payout-approve": R("payout",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-payout-reject": R("payout",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-payout-pay": R("payout",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-premium-subsidy-approve": R("premium_subsidy",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-premium-subsidy-reject": R("premium_subsidy",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-premium-subsidy-pay": R("premium_subsidy",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "api-guarantor-net-assets": R(None,
        get="405      405      405      405      405      405      405      405      401      405      405",
        post="403      403      403      403      400      403      403      403      401      403      400"),
    "funds-api-call-approve": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  409/404  403/403  403/403  403/403  403/403  403/403  401/401  403/403  403/403"),
    "funds-direct-api-programme-list": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200"),
    "funds-direct-api-agreement-list": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200",
        post="400      403      400      403      403      403      403      403      401      403      403"),
    "funds-direct-api-agreement-detail": R("agreement",
        get="200/404  404/404  200/404  200/404  404/404  200/404  200/404  200/404  401/401  404/404  404/404"),
    "funds-direct-api-agreement-action": R("agreement",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/404  404/404  400/404  403/404  404/404  403/404  403/404  403/404  401/401  404/404  404/404"),
    "funds-direct-api-conversion-decision": R("conversion",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "funds-direct-api-closure-decision": R("closure",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "funds-direct-api-round-report": R("enterprise",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="400/404  404/404  400/404  403/404  404/404  403/403  403/403  403/403  401/401  404/404  404/404"),
    "funds-direct-api-cap-table": R("enterprise",
        get="200/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  401/401  404/404  404/404"),
    "funds-direct-api-cap-table-ocf": R("enterprise",
        get="200/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  401/401  404/404  404/404"),
    "funds-direct-api-talent-cap": R("enterprise",
        get="200/404  404/404  200/404  200/404  404/404  200/200  200/200  200/200  401/401  404/404  404/404"),
    "funds-direct-api-talent-list": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200",
        post="400      403      400      403      403      403      403      403      401      403      403"),
    "funds-direct-api-talent-action": R("talent",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/404  404/404  400/404  403/404  404/404  403/404  403/404  403/404  401/401  404/404  404/404"),
    "funds-direct-api-position-list": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200"),
    "funds-direct-api-position-exit": R("position",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="404/404  404/404  404/404  404/404  404/404  404/404  404/404  404/404  401/401  404/404  404/404"),
    "funds-direct-api-gil-list": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200",
        post="400      403      400      403      403      403      403      403      401      403      403"),
    "funds-direct-api-gil-detail": R("gil",
        get="200/404  404/404  200/404  200/404  404/404  200/404  200/404  200/404  401/401  404/404  404/404"),
    "funds-direct-api-gil-action": R("gil",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/404  404/404  400/404  403/404  404/404  403/404  403/404  403/404  401/401  404/404  404/404"),
    "reporting-api-list": R(None,
        get="403      200      403      403      403      200      200      200      401      200      403"),
    "reporting-api-detail": R(None,
        get="403      404      403      403      403      404      404      404      401      404      403", quarter="2026Q3"),
    "schema": R(None,
        get="200      200      200      200      200      200      200      200      401      200      200"),
    "api-docs": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "api-redoc": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    # ---- operators' workflows (issue 14, branch ops): funds set-up and operations, loan write-offs, pools
    "funds:subfund-create": R(None,
        get="403      403      200      403      403      403      403      403      302      302      302",
        post="403      403      200      403      403      403      403      403      302      302      302"),
    "funds:subfund-operations": R("sub_fund",
        get="403/403  403/403  200/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:commitment-add": R("sub_fund",
        get="403/403  403/403  200/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302",
        post="403/403  403/403  200/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:subfund-move": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:valuation-create": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:holding-exit": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:fee-accrue": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "funds:fee-payment": R("sub_fund",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "loans:write-off-new": R("loan",
        get="403/404  200/404  404/404  404/404  404/404  403/403  403/403  403/403  302/302  302/302  302/302",
        post="403/404  200/404  404/404  404/404  404/404  403/403  403/403  403/403  302/302  302/302  302/302"),
    "loans:write-off-list": R(None,
        get="403      200      403      403      403      200      200      200      302      302      302"),
    "loans:write-off-detail": R("write_off",
        get="403/403  404/404  403/403  403/403  403/403  404/404  404/404  404/404  302/302  302/302  302/302"),
    "loans:write-off-decide": R("write_off",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  404/404  403/403  403/403  302/302  302/302  302/302"),
    "api-loan-write-off": R("loan",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  400/404  403/403  403/403  403/403  403/403  403/403  403/403  401/401  400/404  403/403"),
    "api-pool-requests": R("pool",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  403/403  403/403  403/403  400/404  403/403  403/403  401/401  403/403  403/403"),
    "api-pool-request-approve": R("pool_request",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  403/403  403/403  403/403  404/404  403/403  403/403  401/401  403/403  403/403"),
    "api-pool-request-reject": R("pool_request",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  401/401  405/405  405/405",
        post="403/403  403/403  403/403  403/403  403/403  404/404  403/403  403/403  401/401  403/403  403/403"),
    "guarantees:pool-new": R(None,
        get="403      403      403      403      403      200      403      403      302      302      302",
        post="403      403      403      403      403      200      403      403      302      302      302"),
    "guarantees:pool-request-new": R("pool",
        get="403/403  403/403  403/403  403/403  403/403  200/404  403/403  403/403  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  200/404  403/403  403/403  302/302  302/302  302/302"),
    "guarantees:pool-policy": R("pool",
        get="403/403  403/403  403/403  403/403  403/403  200/404  200/404  200/404  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  403/404  403/404  200/404  302/302  302/302  302/302"),
    "guarantees:pool-request-list": R(None,
        get="403      403      403      403      403      200      200      200      302      302      302"),
    "guarantees:pool-request-decide": R("pool_request",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  404/404  403/403  403/403  302/302  302/302  302/302"),
}

# ---------------------------------------------------------------- the enterprise portal (issue 12)
# Enterprise pages serve the caller's own enterprise (403 for anyone else); an object of another enterprise is
# 404; the department's reviewers download licences (oversight) and run the verification queue.
OBJECTS.update({"portal_document": "portal_document", "portal_ip": "portal_ip", "portal_talent": "portal_talent",
                "portal_holder": "portal_holder"})
_PORTAL_REMOVE = dict(
    get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
    post="302/404  403/403  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302")
MATRIX.update({
    "portal:home": R(None,
        get="200      403      403      403      403      403      403      403      302      302      302"),
    "portal:profile": R(None,
        get="200      403      403      403      403      403      403      403      302      302      302",
        post="302      403      403      403      403      403      403      403      302      302      302"),
    "portal:talent-add": R(None,
        get="405      405      405      405      405      405      405      405      302      302      302",
        post="400      403      403      403      403      403      403      403      302      302      302"),
    "portal:talent-remove": R("portal_talent", **_PORTAL_REMOVE),
    "portal:shareholder-add": R(None,
        get="405      405      405      405      405      405      405      405      302      302      302",
        post="400      403      403      403      403      403      403      403      302      302      302"),
    "portal:shareholder-remove": R("portal_holder", **_PORTAL_REMOVE),
    "portal:ip": R(None,
        get="200      403      403      403      403      403      403      403      302      302      302",
        post="400      403      403      403      403      403      403      403      302      302      302"),
    "portal:ip-remove": R("portal_ip", **_PORTAL_REMOVE),
    "portal:documents": R(None,
        get="200      403      403      403      403      403      403      403      302      302      302",
        post="400      403      403      403      403      403      403      403      302      302      302"),
    "portal:document-download": R("portal_document",
        get="200/404  404/404  404/404  404/404  404/404  200/200  200/200  200/200  302/302  302/302  302/302"),
    "portal:document-delete": R("portal_document", **_PORTAL_REMOVE),
    "portal:verification-list": R(None,
        get="403      403      403      403      403      200      403      403      302      302      302"),
    "portal:verification-detail": R("enterprise",
        get="403/403  403/403  403/403  403/403  403/403  200/200  403/403  403/403  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  400/400  403/403  403/403  302/302  302/302  302/302"),
})


# ---- identity (issue 12 / 14): sign-up, email confirmation, password reset (allauth), people, keys, OTP ----
# No principal of the world is an organisation administrator: the administrator (platform, in a department)
# manages people; bank administrators' keys and org admins' own-vs-other answers are in tests/finance/parties
# and tests/finance/security. Objects: an id/key nobody has (404 for who may look, 403 for who may not).
OBJECTS.update({"person": None, "role_request": None, "invitation": None})
MATRIX.update({
    #        app      bank     fm       cm       guar     rev      aud      adm      anon     bkey     gkey
    "account_login": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200"),
    "account_signup": R(None,
        get="302      302      302      302      302      302      302      302      200      200      200",
        post="302      302      302      302      302      302      302      302      200      200      200"),
    "account_inactive": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200"),
    "account_email_verification_sent": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200"),
    "account_confirm_email": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200",
        post="404      404      404      404      404      404      404      404      404      404      404",
        key="missing"),
    "account_reset_password": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200",
        post="200      200      200      200      200      200      200      200      200      200      200"),
    "account_reset_password_done": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200"),
    "account_reset_password_from_key": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200",
        uidb36="zz", key="missing"),
    "account_reset_password_from_key_done": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200"),
    "accounts:uscc-check": R(None,
        get="200      200      200      200      200      200      200      200      200      200      200"),
    "accounts:people": R(None,
        get="403      403      403      403      403      403      403      200      302      302      302",
        post="403      403      403      403      403      403      403      200      302      302      302"),
    "accounts:person": R("person",
        get="403/403  403/403  403/403  403/403  403/403  403/403  403/403  404/404  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  403/403  403/403  404/404  302/302  302/302  302/302"),
    "accounts:role-request-decide": R("role_request",
        get="403/403  403/403  403/403  403/403  403/403  403/403  403/403  405/405  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  403/403  403/403  404/404  302/302  302/302  302/302"),
    "accounts:invitation-cancel": R("invitation",
        get="403/403  403/403  403/403  403/403  403/403  403/403  403/403  405/405  302/302  302/302  302/302",
        post="403/403  403/403  403/403  403/403  403/403  403/403  403/403  404/404  302/302  302/302  302/302"),
    "accounts:invitation-accept": R(None,
        get="404      404      404      404      404      404      404      404      404      404      404",
        post="404      404      404      404      404      404      404      404      404      404      404",
        token="missing"),
    "accounts:api-keys": R(None,
        get="403      403      403      403      403      403      403      403      302      302      302",
        post="403      403      403      403      403      403      403      403      302      302      302"),
    "accounts:api-key-action": R(None,
        get="403      403      403      403      403      403      403      403      302      302      302",
        post="403      403      403      403      403      403      403      403      302      302      302",
        prefix="missing"),
    "accounts:otp-enrol": R(None,
        get="403      403      200      200      403      200      403      200      302      302      302",
        post="403      403      200      200      403      200      403      200      302      302      302"),
})

# ---------------------------------------------------------------- applications and the workbench (issue 12)
# Enterprise pages serve the caller's own enterprise's applications (403 for other roles; another enterprise's
# application is 404); the workbench is for department reviewers and fund managers; the financing needs for
# banks. "application": a submitted talent-equity application of the applicant's enterprise (own) and of
# another enterprise (other) to another manager's programme; "need": a submitted financing need of each.
OBJECTS.update({"application": "application", "need": "need", "notification": "notification"})
MATRIX.update({
    "applications:mine": R(None,
        get="200      403      403      403      403      403      403      403      302      302      302"),
    "applications:new": R(None,
        get="200      403      403      403      403      403      403      403      302      302      302",
        post="400      403      403      403      403      403      403      403      302      302      302"),
    "applications:detail": R("application",
        get="200/404  403/403  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "applications:autosave": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="400/404  403/403  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "applications:submit": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="400/404  403/403  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "applications:withdraw": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="302/404  403/403  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "applications:document": R("application",
        get="404/404  403/403  404/404  403/403  403/403  404/404  403/403  403/403  302/302  302/302  302/302",
        doc=999999999),
    "applications:answer": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="400/404  403/403  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "applications:bank-reply": R("need",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="400/404  403/403  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "applications:notifications": R(None,
        get="200      200      200      200      200      200      200      200      302      302      302"),
    "applications:notification-read": R("notification",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="404/404  404/404  302/404  404/404  404/404  404/404  404/404  404/404  302/302  302/302  302/302"),
    "applications:queue": R(None,
        get="403      403      200      403      403      200      403      403      302      302      302"),
    "applications:review": R("application",
        get="403/403  403/403  200/404  403/403  403/403  200/200  403/403  403/403  302/302  302/302  302/302"),
    "applications:assign": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  302/404  403/403  403/403  302/302  403/403  403/403  302/302  302/302  302/302"),
    "applications:conflict": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  400/404  403/403  403/403  400/400  403/403  403/403  302/302  302/302  302/302"),
    "applications:score": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  400/404  403/403  403/403  400/400  403/403  403/403  302/302  302/302  302/302"),
    "applications:rfi": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  400/404  403/403  403/403  400/400  403/403  403/403  302/302  302/302  302/302"),
    "applications:recommend": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  400/404  403/403  403/403  400/400  403/403  403/403  302/302  302/302  302/302"),
    "applications:reject": R("application",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  403/403  400/404  403/403  403/403  400/400  403/403  403/403  302/302  302/302  302/302"),
    "applications:needs": R(None,
        get="403      200      403      403      403      403      403      403      302      302      302"),
    "applications:need": R("need",
        get="403/403  200/200  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
    "applications:need-answer": R("need",
        get="405/405  405/405  405/405  405/405  405/405  405/405  405/405  405/405  302/302  302/302  302/302",
        post="403/403  400/400  403/403  403/403  403/403  403/403  403/403  403/403  302/302  302/302  302/302"),
})


# cells known to be wrong today, each owned by another engineer: (url name, method, principal) -> (status seen, why)
KNOWN: dict[tuple[str, str, str], tuple[str, str]] = {}


# ---------------------------------------------------------------- the machinery


def url_patterns():
    """Every URL pattern of the project as (namespaced name, route, pattern)."""
    def walk(patterns, prefix="", ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else p.namespace or ns
                yield from walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                yield (f"{ns}:{p.name}" if ns else p.name), prefix + str(p.pattern), p

    return list(walk(get_resolver().url_patterns))


PATTERNS = url_patterns()
ADMIN_NAMES = sorted({n for n, route, _ in PATTERNS if route.startswith("admin/")
                      and (n == "admin:index" or n.endswith("_changelist"))})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), world_in_transaction() as w:
        yield w


@pytest.fixture(scope="module", autouse=True)
def _portal_objects(request, tmp_path_factory, django_db_blocker):
    """The portal's objects for the matrix: a document, an IP right, a talent member and a shareholder of the
    applicant's enterprise (own) and of another enterprise (other), made through the portal's services inside
    the world's transaction; their files live in a temporary MEDIA_ROOT."""
    from django.test import override_settings

    world = request.getfixturevalue("world")
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("portal-media")):
        with django_db_blocker.unblock():
            _portal_world(world)
        yield


def _portal_world(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from finance.parties.models import Role
    from finance.parties.services import user_create
    from finance.portal import services as portal
    from finance.portal.demo import patent_number, tiny_pdf

    other, _ = user_create(organisation=world.orgs["other_enterprise"], username="w-portal-other",
                           roles=[Role.APPLICANT], password="Test-password-123")
    for side, org, user in (("own", world.orgs["enterprise"], world.users["applicant"]),
                            ("other", world.orgs["other_enterprise"], other)):
        doc = portal.document_upload(organisation=org, kind="business_licence", by=user,
                                     upload=SimpleUploadedFile("营业执照.pdf", tiny_pdf()))
        right = portal.ip_right_add(organisation=org, by=user, kind="invention", title="专利",
                                    number=patent_number(2020, "1", 990 + (side == "other")))
        member = portal.talent_member_add(organisation=org, by=user, name="张三", role="首席科学家")
        holder = portal.shareholder_add(organisation=org, by=user, name="张三", kind="person",
                                        id_number="11010519491231002X", stake_percent="10")
        world.objects.update({("portal_document", side): doc.pk, ("portal_ip", side): right.pk,
                              ("portal_talent", side): member.pk, ("portal_holder", side): holder.pk})


@pytest.fixture(scope="module", autouse=True)
def _application_objects(request, tmp_path_factory, django_db_blocker):
    """The applications' objects for the matrix, made through the services inside the world's transaction:
    each enterprise confirmed by the department and its documents uploaded, then a talent-equity application
    and a financing need submitted by each; the notification is fund manager 1's notice of the own one."""
    from django.test import override_settings

    world = request.getfixturevalue("world")
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("applications-media")):
        with django_db_blocker.unblock():
            _applications_world(world)
        yield


def _applications_world(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from finance.applications import services as applications
    from finance.applications.models import Notification
    from finance.parties.models import Role
    from finance.parties.services import enterprise_verify, user_create
    from finance.portal.demo import tiny_pdf
    from finance.portal.services import document_upload

    other, _ = user_create(organisation=world.orgs["other_enterprise"], username="w-apps-other",
                           roles=[Role.APPLICANT], password="Test-password-123")
    importlib.import_module("finance.applications.migrations.0002_review_criteria").seed(Parameter, ParameterValue)
    from funds.direct.services import programme_create

    programmes = {"own": world.objects[("programme", "own")],
                  "other": programme_create(name="另一专项", owner_department=world.orgs["province"],
                                            manager=world.orgs["other_fund_manager"], budget="10000000.00",
                                            kinds=["talent_equity"]).pk}
    for side, org, user in (("own", world.orgs["enterprise"], world.users["applicant"]),
                            ("other", world.orgs["other_enterprise"], other)):
        programme = programmes[side]
        org.refresh_from_db()
        if not org.is_verified:
            enterprise_verify(organisation=org, by=world.users["department_reviewer"])
            org.refresh_from_db()
        for kind in ("business_licence", "business_plan", "ip_certificate"):
            document_upload(organisation=org, kind=kind, by=user, upload=SimpleUploadedFile("材料.pdf", tiny_pdf()))
        app = applications.application_create(enterprise=org, instrument="talent_equity", by=user, data={
            "title": "人才项目", "programme": str(programme), "amount": "100000.00", "price_per_share": "1.00",
            "founded_on": "2022-01-01", "own_ip_count": "2", "founders_cash": "1000000.00",
            "talent_team_leads": "1", "registered_in_shandong": "1"})
        applications.application_submit(application=app, by=user)
        need = applications.application_create(enterprise=org, instrument="financing_need", by=user, data={
            "title": "融资需求", "amount": "1000000.00", "term_months": "12", "ip_offered": "发明专利"})
        applications.application_submit(application=need, by=user)
        world.objects.update({("application", side): app.pk, ("need", side): need.pk})
    mine = Notification.objects.filter(user=world.users["fund_manager"],
                                       application_id=world.objects[("application", "own")]).first()
    world.objects[("notification", "own")] = mine.pk


def client_for(world, principal) -> Client:
    client = Client()
    if principal == "anonymous":
        return client
    if principal.endswith("_key"):
        return Client(HTTP_AUTHORIZATION=f"Api-Key {world.keys[principal]}")
    client.force_login(world.users[principal])
    return client


KEY_ORGS = {"bank_key": "bank", "guarantor_key": "guarantor"}


def principal_org(world, principal):
    if principal in KEY_ORGS:
        return world.orgs[KEY_ORGS[principal]]
    user = world.users.get(principal)
    return user.organisation if user else world.orgs["bank"]


def object_id(world, obj, principal, side):
    if obj == "own_org":
        return principal_org(world, principal).pk if side == "own" else world.orgs["other_fund_manager"].pk
    if obj == "enterprise":  # the applicant's enterprise (the funds' deals name it) / another enterprise
        return world.orgs["enterprise" if side == "own" else "other_enterprise"].pk
    kind = OBJECTS[obj]
    return world.objects.get((kind, side), MISSING) if kind else MISSING


def url_for(world, name, row, principal, side):
    kwargs = dict(row.kwargs or {})
    route = next(route for n, route, _ in PATTERNS if n == name)
    if "<int:pk>" in route:
        kwargs["pk"] = object_id(world, row.obj, principal, side)
    if "<int:line>" in route:
        kwargs["line"] = world.objects.get(("call_line", side), MISSING)
    if "<int:call>" in route:
        kwargs["call"] = world.objects.get(("call", side), MISSING)
    if "<int:doc>" in route:
        kwargs["doc"] = MISSING  # the world has no deal document: the row checks the deal's scoping
    return reverse(name, kwargs=kwargs or None)


def observe(world, name, row, method, principal) -> str:
    sides = ("own", "other") if row.obj else ("own",)
    client = client_for(world, principal)
    seen = []
    for side in sides:
        url = url_for(world, name, row, principal, side)
        with transaction.atomic():  # each request's effects are undone: cells are independent
            response = client.get(url) if method == "get" else client.post(url, {})
            transaction.set_rollback(True)
        seen.append(str(response.status_code))
    return "/".join(seen)


def cells(spec: str) -> list[str]:
    values = spec.split()
    assert len(values) == len(PRINCIPALS), f"{len(values)} cells for {len(PRINCIPALS)} principals: {spec!r}"
    return values


def check_row(world, name, row, method):
    spec = getattr(row, method)
    if spec is None:
        return
    expected = dict(zip(PRINCIPALS, cells(spec), strict=True))
    observed = {p: observe(world, name, row, method, p) if expected[p] != "-" else "-" for p in PRINCIPALS}
    wrong, known_ok, known_fixed = [], [], []
    for p in PRINCIPALS:
        known = KNOWN.get((name, method, p))
        if known:
            (known_ok if observed[p] == known[0] else known_fixed).append((p, observed[p], known))
        elif observed[p] != expected[p]:
            wrong.append(f"{p}: expected {expected[p]}, got {observed[p]}")
    row_seen = " ".join(f"{observed[p]:<8}" for p in PRINCIPALS).rstrip()
    assert not wrong, f"{name} {method.upper()}:\n  " + "\n  ".join(wrong) + f"\nobserved row: {row_seen!r}"
    assert not known_fixed, f"{name} {method.upper()}: known defects now answer differently " \
                            f"(move them into MATRIX): {known_fixed}"
    if known_ok:
        pytest.xfail("; ".join(f"{p} gets {seen} ({why})" for p, seen, (_, why) in known_ok))


def test_every_url_pattern_is_in_the_matrix():
    missing = sorted(n for n, route, _ in PATTERNS if not route.startswith("admin/") and n not in MATRIX)
    unnamed = sorted(route for n, route, _ in PATTERNS if not n)
    stale = sorted(set(MATRIX) - {n for n, _, _ in PATTERNS})
    assert not unnamed, f"URL patterns without a name cannot be in the matrix: {unnamed}"
    assert not missing, f"URL patterns missing from the authorisation matrix: {missing}"
    assert not stale, f"matrix rows for URL patterns that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_reads(world, db, name):
    check_row(world, name, MATRIX[name], "get")


@pytest.mark.parametrize("name", sorted(n for n, r in MATRIX.items() if r.post))
def test_writes(world, db, name):
    check_row(world, name, MATRIX[name], "post")


# staff only: a sample of non-staff principals (every one is refused by the same admin_view wrapper)
ADMIN_ROW = "302 302 - - - 302 302 200 302 302 -"


@pytest.mark.parametrize("name", ADMIN_NAMES)
def test_admin_is_for_administrators_only(world, db, name):
    check_row(world, name, Row(None, ADMIN_ROW), "get")


def test_matrix_cells_are_well_formed():
    for name, row in MATRIX.items():
        for spec in filter(None, (row.get, row.post)):
            for cell in cells(spec):
                parts = cell.split("/")
                assert cell == "-" or (len(parts) == (2 if row.obj else 1) and all(re.fullmatch(r"\d{3}", x)
                                                                                   for x in parts)), (name, cell)


def test_a_url_pattern_missing_from_the_matrix_fails(monkeypatch):
    monkeypatch.delitem(MATRIX, "loans:detail")
    with pytest.raises(AssertionError, match="loans:detail"):
        test_every_url_pattern_is_in_the_matrix()

"""The OpenAPI description tells what the API really answers, for every operation, from one place.

- ``AutoSchema`` (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``):
  * a list that the view pages with ``finance.api.pagination.Pagination`` is documented as the paginated
    object (``count``, ``next``, ``previous``, ``results``) with its ``page`` / ``page_size`` parameters, not
    as a bare array: a view is paginated when its handler uses ``Pagination`` or it sets ``pagination_class``;
  * every operation documents its error answers as ``application/problem+json`` with the ``Problem``
    component (reads: 400, 401, 403, 404, 429; writes also 409, 413, 415, 422); a view that documents an error
    code itself keeps its description, the content is still the ``Problem``.
- ``OrganisationAPIKeyScheme``: the API-key security scheme (loaded from ApiConfig.ready).
"""
from __future__ import annotations

import inspect

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent

from .pagination import Pagination
from .problems import PROBLEM_CONTENT_TYPE

_FIELD_ERROR = {
    "type": "object",
    "properties": {
        "field": {"type": "string", "description": "the input at fault (dotted path for nested fields)"},
        "code": {"type": "string"},
        "detail_zh": {"type": "string"},
        "detail_en": {"type": "string"},
        "detail": {"type": "string"},
    },
    "required": ["field", "detail"],
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details with a stable `code` and the detail in Chinese and English",
    "properties": {
        "type": {"type": "string", "example": "urn:kejin:problem:validation_error"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "stable machine-readable code clients can branch on"},
        "detail": {"type": "string", "description": "`detail_zh / detail_en`"},
        "detail_zh": {"type": "string"},
        "detail_en": {"type": "string"},
        "errors": {"type": "array", "items": _FIELD_ERROR},
        "constraint": {"type": "string", "description": "the database constraint a conflicting write hit"},
    },
    "required": ["type", "title", "status", "code", "detail", "detail_zh", "detail_en"],
    "additionalProperties": True,
}

ERRORS_READ = {
    "400": "invalid input: a query parameter or field is refused (named in `errors`)",
    "401": "no or invalid credentials (`Authorization: Api-Key <key>` or a session)",
    "403": "the caller's role or organisation may not do this",
    "404": "no such object for this caller (another organisation's objects answer 404 too)",
    "429": "too many requests; retry after `Retry-After` seconds",
}
ERRORS_WRITE = {
    **ERRORS_READ,
    "409": "conflicts with the current state: a duplicate, a concurrent change, a transition not allowed, or "
           "the same Idempotency-Key still in flight",
    "413": "request body too large",
    "415": "unsupported content type",
    "422": "this Idempotency-Key was already used for a different request",
}


def paginates(view, method: str) -> bool:
    """Does this view page its list with ``Pagination`` (the project's only list paginator)?"""
    if getattr(view, "pagination_class", None):
        return True
    handler = getattr(view, method.lower(), None)
    if handler is None:
        return False
    code = getattr(inspect.unwrap(handler), "__code__", None)
    return code is not None and (Pagination.__name__ in code.co_names or "paginate_queryset" in code.co_names)


class AutoSchema(openapi.AutoSchema):
    def _get_paginator(self):
        if self.method == "GET" and paginates(self.view, "get"):
            own = getattr(self.view, "pagination_class", None)
            return own() if own else Pagination()
        return super()._get_paginator()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        self.registry.register_on_missing(ResolvedComponent(
            name="Problem", type=ResolvedComponent.SCHEMA, schema=PROBLEM_SCHEMA, object="Problem"))
        ref = {"$ref": "#/components/schemas/Problem"}
        errors = ERRORS_READ if self.method in ("GET", "HEAD", "OPTIONS") else ERRORS_WRITE
        for code, response in responses.items():  # every error answer is problem+json (problems.py), whatever
            if code[:1] in "45":  # the view's own documentation of it said (it keeps its description)
                response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": ref}}
        for code, description in errors.items():
            responses.setdefault(code, {"description": description,
                                        "content": {PROBLEM_CONTENT_TYPE: {"schema": ref}}})
        return responses


class OrganisationAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "finance.api.auth.OrganisationAPIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Authorization: Api-Key <key>` — one key per bank or guarantor system"}

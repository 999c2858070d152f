"""One maker-checker step on one object, as an API view: the same shape for every app.

Approve, reject and pay endpoints all read the object scoped to the caller (another organisation's object is
404, before the body is read), parse the same small body, call one service and answer the object. Built by
``decision_view`` / ``pay_view`` rather than written out per app, so the body, the Idempotency-Key, the
error mapping (``DomainError`` → problem+json by the exception handler) and the schema (request, response,
and the error answers ``finance.api.schema.AutoSchema`` adds to every write) stay one rule.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from finance.core.errors import PermissionDenied

from .idempotency import idempotent
from .problems import validated


class DecisionIn(serializers.Serializer):
    """A checker's decision when the URL says which (…/approve/, …/reject/): an optional comment."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")


def require_role(user, *roles: str) -> None:
    """Who may write, checked before the body is read: a role that may not act answers 403 ``role_required``
    (not the input rules)."""
    if not user.has_role(*roles):
        raise PermissionDenied("您的角色不能办理此事项", "your role cannot do this", code="role_required")


# item(request, pk, **other path arguments) -> the object (scoped to request.user; NotFound otherwise)
Item = Callable[..., Any]


def _named(view: type[APIView], name: str) -> type[APIView]:
    view.__name__ = view.__qualname__ = name
    return view


def decision_view(name: str, *, item: Item, decide: Callable[..., Any], output: type[serializers.Serializer],
                  summary: str, approve: bool | None = None,
                  body: type[serializers.Serializer] = DecisionIn,
                  answer: Callable[[Any], Any] | None = None) -> type[APIView]:
    """A view whose POST records one approval level: ``decide(obj, by=, approve=, comment=)``.

    ``approve`` True/False: the URL decides and the body is ``DecisionIn``; None: the body carries a boolean
    ``approve`` (``body`` must declare it) next to the comment. A URL with more path arguments than ``pk``
    (an item inside a parent) passes them on to ``item``; ``answer`` builds the response data when the object
    is not ``output``'s instance as it stands (default ``output(obj).data``).
    """

    class View(APIView):
        @extend_schema(request=body, responses=output, summary=summary)
        @idempotent
        def post(self, request, pk: int, **path):
            obj = item(request, pk, **path)
            data = validated(body, request.data)
            verdict = data["approve"] if approve is None else approve
            done = decide(obj, by=request.user, approve=verdict, comment=data["comment"])
            return Response(answer(done) if answer else output(done).data)

    return _named(View, name)


def pay_view(name: str, *, item: Item, pay: Callable[..., Any], output: type[serializers.Serializer],
             summary: str) -> type[APIView]:
    """A view whose POST (no body) pays an approved item: ``pay(obj, by=)`` by someone other than the maker
    and the approvers (the service checks it)."""

    class View(APIView):
        @extend_schema(request=None, responses=output, summary=summary)
        @idempotent
        def post(self, request, pk: int):
            return Response(output(pay(item(request, pk), by=request.user)).data)

    return _named(View, name)


def review_views(*, names: tuple[str, str, str], summaries: tuple[str, str, str], item: Item,
                 decide: Callable[..., Any], pay: Callable[..., Any],
                 output: type[serializers.Serializer]) -> tuple[type[APIView], type[APIView], type[APIView]]:
    """The three steps of a paid maker-checker item (…/approve/, …/reject/, …/pay/), in that order: ``names``
    and ``summaries`` per step, one ``decide`` for both decisions."""
    approve_name, reject_name, pay_name = names
    approve_summary, reject_summary, pay_summary = summaries
    return (
        decision_view(approve_name, item=item, decide=decide, output=output, summary=approve_summary,
                      approve=True),
        decision_view(reject_name, item=item, decide=decide, output=output, summary=reject_summary,
                      approve=False),
        pay_view(pay_name, item=item, pay=pay, output=output, summary=pay_summary),
    )

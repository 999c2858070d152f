"""Errors as problem+json (RFC 9457) with a stable ``code`` and details in Chinese and English.

Input validation runs once per language (``validated``) so each field error carries both texts.
"""
from __future__ import annotations

import re

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError, connection
from django.http import Http404, JsonResponse
from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from finance.calc import CalcError
from finance.core.errors import DomainError, calc_error

from .parsers import PayloadTooLarge, TooDeep

PROBLEM_CONTENT_TYPE = "application/problem+json"


class InputInvalid(DomainError):
    code = "validation_error"
    status = 400

    def __init__(self, errors: list[dict]):
        first = errors[0] if errors else {"field": "", "detail_zh": "", "detail_en": ""}

        def named(text):  # name the field once, whether or not the rule's message already does
            return text if first["field"] in text else f"{first['field']}: {text}"

        super().__init__(
            f"输入有误：{named(first['detail_zh'])}",
            f"invalid input: {named(first['detail_en'])}",
            field=first["field"],
        )
        self.errors = errors


def _flatten(zh, en, path=""):
    """Walk DRF's nested error structures (dicts of lists of dicts…) in both languages at once."""
    if isinstance(zh, dict):
        for k in zh:
            yield from _flatten(
                zh[k], en.get(k, zh[k]) if isinstance(en, dict) else zh[k], f"{path}.{k}" if path else str(k)
            )
    elif isinstance(zh, list) and zh and not all(isinstance(x, str) for x in zh):
        for i, (z, e) in enumerate(zip(zh, en if isinstance(en, list) else zh, strict=False)):
            if z:
                yield from _flatten(z, e, f"{path}.{i}" if path else str(i))
    else:
        zs = zh if isinstance(zh, list) else [zh]
        es = en if isinstance(en, list) else [en]
        for z, e in zip(zs, es, strict=False):
            # an object's own errors are reported under the object ("pledges"), not "pledges.non_field_errors"
            field = (
                path.removesuffix(".non_field_errors")
                if path not in ("", "non_field_errors")
                else "non_field_errors"
            )
            yield {
                "field": field,
                "code": getattr(z, "code", "invalid"),
                "detail_zh": str(z),
                "detail_en": str(e),
                "detail": f"{z} / {e}",
            }


def validated(serializer_class, data, *, context=None, partial=False):
    """Validate input; on failure raise InputInvalid listing every field error in Chinese and English."""
    with translation.override("zh-hans"):
        serializer = serializer_class(data=data, context=context or {}, partial=partial)
        if serializer.is_valid():
            return serializer.validated_data
        zh = serializer.errors
    with translation.override("en"):
        again = serializer_class(data=data, context=context or {}, partial=partial)
        again.is_valid()
        en = again.errors
    raise InputInvalid(list(_flatten(zh, en)))


def problem_body(status_code: int, code: str, zh: str, en: str, *, errors=None, extra=None) -> dict:
    body = {
        "type": f"urn:kejin:problem:{code}",
        "title": code.replace("_", " "),
        "status": status_code,
        "code": code,
        "detail": f"{zh} / {en}",
        "detail_zh": zh,
        "detail_en": en,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def problem(status_code: int, code: str, zh: str, en: str, *, errors=None, extra=None) -> Response:
    return Response(
        problem_body(status_code, code, zh, en, errors=errors, extra=extra),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def problem_response(
    status_code: int, code: str, zh: str, en: str, *, errors=None, extra=None
) -> JsonResponse:
    """The same body outside DRF (URL-level guards, the 404 handler)."""
    return JsonResponse(
        problem_body(status_code, code, zh, en, errors=errors, extra=extra),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def domain_error_response(exc: DomainError) -> Response:
    errors = getattr(exc, "errors", None)
    if errors is None and exc.field:
        errors = [
            {
                "field": exc.field,
                "code": exc.code,
                "detail_zh": exc.detail_zh,
                "detail_en": exc.detail_en,
                "detail": exc.detail,
            }
        ]
    return problem(exc.status, exc.code, exc.detail_zh, exc.detail_en, errors=errors, extra=exc.extra or None)


_API_EXC = {
    exceptions.NotAuthenticated: ("not_authenticated", "需要登录或 API 密钥", "authentication required"),
    exceptions.AuthenticationFailed: ("authentication_failed", "认证失败", "authentication failed"),
    exceptions.PermissionDenied: ("permission_denied", "无权执行此操作", "permission denied"),
    exceptions.NotFound: ("not_found", "对象不存在", "not found"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法", "method not allowed"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的内容类型", "unsupported media type"),
    TooDeep: ("nested_too_deep", "JSON 嵌套层数过多", "JSON nested too deeply"),
    PayloadTooLarge: ("payload_too_large", "请求体过大", "request body too large"),
    exceptions.ParseError: ("parse_error", "请求体无法解析", "malformed request body"),
    exceptions.Throttled: ("throttled", "请求过于频繁", "too many requests"),
}


def _rollback(context):
    """An error answer changes nothing: roll back the request's transaction.

    ``finance.api.hardening.atomic_api`` wraps every API request in one and marks the request; ``idempotent``
    runs the view in a savepoint of its own (the innermost block then). Views outside that wrapper (the
    schema) leave any caller's transaction alone."""
    request = context.get("request") if context else None
    django_request = getattr(request, "_request", request)
    if getattr(django_request, "kejin_request_atomic", False) and connection.in_atomic_block:
        connection.set_rollback(True)


_KEY_COLUMNS = re.compile(r"Key \((?P<cols>[^)]*)\)=")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<cols>[\w., ]+)")


def _database_conflict(exc: IntegrityError | DataError) -> Response:
    """A database rule refused the write: 409 / 400 naming the constraint and its columns, never the other
    row's values (two requests created the same thing at the same moment, or a value the column cannot
    hold)."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    columns: list[str] = []
    detail = getattr(diag, "message_detail", None) or ""
    if m := _KEY_COLUMNS.search(detail):
        columns = [c.strip().strip('"') for c in m["cols"].split(",")]
    elif m := _SQLITE_UNIQUE.search(str(exc)):
        columns = [c.strip().rsplit(".", 1)[-1] for c in m["cols"].split(",")]
    sqlstate = getattr(cause, "sqlstate", None) or ""
    if isinstance(exc, DataError):
        zh, en = "取值超出该字段允许的范围或长度", "a value is out of the range or length its field allows"
        code, status_code = "value_out_of_range", status.HTTP_400_BAD_REQUEST
    elif sqlstate == "23505" or "UNIQUE" in str(exc):
        what = "、".join(columns) or constraint or "唯一约束"
        zh = f"与已有记录重复（{what}）：可能有另一个请求同时创建了同一对象，请查询后再试"
        en = (
            f"duplicates an existing record ({', '.join(columns) or constraint or 'unique constraint'}): "
            "another request may have created the same thing at the same moment; look it up and retry"
        )
        code, status_code = "duplicate", status.HTTP_409_CONFLICT
    else:
        zh = f"与当前数据冲突（约束 {constraint or '完整性约束'}）"
        en = f"conflicts with the current data (constraint {constraint or 'integrity'})"
        code, status_code = "conflict", status.HTTP_409_CONFLICT
    errors = [
        {"field": f, "code": code, "detail_zh": zh, "detail_en": en, "detail": f"{zh} / {en}"}
        for f in columns
    ] or None
    return problem(
        status_code, code, zh, en, errors=errors, extra={"constraint": constraint} if constraint else None
    )


def _handle(exc, context):
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, CalcError):
        return domain_error_response(
            calc_error(exc)
        )
    if isinstance(exc, IntegrityError | DataError):
        return _database_conflict(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError):
        with translation.override("zh-hans"):
            zh = exc.detail
        errors = list(_flatten(zh, zh))
        return problem(
            status.HTTP_400_BAD_REQUEST, "validation_error", "输入有误", "invalid input", errors=errors
        )
    for cls, (code, zh, en) in _API_EXC.items():
        if isinstance(exc, cls):
            return _api_exception(exc, context, code, zh, en)
    return exception_handler(exc, context)


def _api_exception(exc, context, code, zh, en):
    """DRF's exception as a problem, keeping the headers DRF sets (WWW-Authenticate, Retry-After, Allow)."""
    response = exception_handler(exc, context)
    answer = problem(response.status_code if response else 400, code, zh, en)
    if response is not None:
        for header in ("WWW-Authenticate", "Retry-After", "Allow"):
            if header in response:
                answer[header] = response[header]
    if isinstance(exc, TooDeep | PayloadTooLarge):
        answer.data["detail_en"] = str(exc.detail)
        answer.data["detail"] = f"{zh} / {exc.detail}"
    return answer


def problem_exception_handler(exc, context):
    response = _handle(exc, context)
    if response is not None:
        _rollback(context)
    return response

"""Guards applied to every URL of the project from ``finance/urls.py`` (one place, every app benefits).

- ``nul_free``: a NUL byte in a query parameter or a form field is refused with 400 before any view runs
  (PostgreSQL cannot store or compare it; the API answers problem+json naming the parameter).
- ``atomic_api``: every API write (POST, PUT, PATCH, DELETE) runs in one transaction; the problem handler
  rolls it back on any error answer, so a request refused half-way (a unique constraint hit by a concurrent
  request, a second service refusing after a first one wrote) leaves nothing behind.
- ``api_not_found`` / ``api_server_error``: the 404 and 500 handlers: under ``/api/`` they answer problem+json
  (an unknown path, an unexpected failure), pages keep the HTML pages.
"""
from __future__ import annotations

import functools

from django.db import transaction
from django.urls import URLPattern, URLResolver
from django.views import defaults

from .problems import problem_response

API_PREFIX = "/api/"
_MARK = "_kejin_hardened"


def _nul_parameter(request) -> str | None:
    sources = [request.GET]
    if request.method == "POST" and (request.content_type == "application/x-www-form-urlencoded" or (
            # pages read their multipart forms anyway; the API parses its own (may hash the raw body first)
            request.content_type == "multipart/form-data" and not request.path.startswith(API_PREFIX))):
        sources.append(request.POST)
    for params in sources:
        for key, values in params.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "\\0")
    return None


def nul_refused(request):
    """The refusal for a request carrying a NUL byte, or None when it carries none."""
    name = _nul_parameter(request)
    if name is None:
        return None
    zh = f"参数 {name} 含有不允许的空字符（NUL）"
    en = f"parameter {name} contains a NUL character, which is not allowed"
    if request.path.startswith(API_PREFIX):
        return problem_response(400, "invalid_character", zh, en,
                                errors=[{"field": name, "code": "invalid_character", "detail_zh": zh,
                                         "detail_en": en, "detail": f"{zh} / {en}"}])
    from django.http import HttpResponseBadRequest

    return HttpResponseBadRequest(f"{zh} / {en}", content_type="text/plain; charset=utf-8")


def nul_free(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return nul_refused(request) or view(request, *args, **kwargs)

    return wrapper


REQUEST_ATOMIC = "kejin_request_atomic"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def atomic_api(view):
    """One transaction per API request; the request is marked so the problem handler knows the innermost
    atomic block is this request's (or the ``idempotent`` savepoint inside it) and may roll it back."""
    if getattr(view, "_non_atomic_requests", None):
        return view

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in SAFE_METHODS:  # reads write nothing: no transaction to hold open
            return view(request, *args, **kwargs)
        with transaction.atomic():
            setattr(request, REQUEST_ATOMIC, True)
            return view(request, *args, **kwargs)

    return wrapper


def _walk(patterns, decorate, mark):
    for p in patterns:
        if isinstance(p, URLResolver):
            _walk(p.url_patterns, decorate, mark)
        elif isinstance(p, URLPattern) and not getattr(p.callback, mark, False):
            p.callback = decorate(p.callback)
            setattr(p.callback, mark, True)


def harden(patterns, *, api: bool = False):
    """Wrap every view under ``patterns`` (recursing into includes) once; ``api`` adds the request
    transaction."""
    if api:
        _walk(patterns, atomic_api, _MARK + "_atomic")
    _walk(patterns, nul_free, _MARK)
    return patterns


def api_server_error(request):
    """The 500 handler: a server error under ``/api/`` still answers problem+json (pages keep the HTML
    page)."""
    if request.path.startswith(API_PREFIX):
        return problem_response(500, "server_error", "服务器内部错误，已记录，请稍后再试",
                                "internal server error; it has been logged, please retry later")
    return defaults.server_error(request)


def api_not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return problem_response(404, "not_found", "接口路径不存在", f"no API operation at {request.path}")
    return defaults.page_not_found(request, exception)

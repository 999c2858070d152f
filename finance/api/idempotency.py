"""``Idempotency-Key`` on writes.

Same key + same request → the first response is replayed (header ``Idempotent-Replayed: true``);
same key + another request → 422; the same key while the first request is still running → 409.
Keys are scoped per organisation. The response is stored in the same transaction as the write it
describes, so a crash can never leave "applied but not recorded"; an error answer rolls the view's writes back
(its own savepoint) and keeps only the record of the refusal.
"""
from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotencyRecord
from .problems import PROBLEM_CONTENT_TYPE, problem


def _scope(request) -> str:
    user = request.user
    return f"org:{user.organisation_id}" if getattr(user, "organisation_id", None) else f"user:{user.pk}"


def _body(django_request) -> bytes:
    """The raw body, read before DRF parses it (so multipart bodies hash too); when a signed-in session's CSRF
    check has already read a form from the stream, the parsed fields and the files' digests instead."""
    try:
        return django_request.body
    except RawPostDataException:
        parts = [f"{k}={v}" for k, values in sorted(django_request.POST.lists()) for v in values]
        for name, files in sorted(django_request.FILES.lists()):
            for upload in files:
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                parts.append(f"{name}:{upload.name}:{upload.size}:{digest.hexdigest()}")
        return "\n".join(parts).encode()


def idempotent(view_method):
    @wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > 200:
            return problem(400, "invalid_idempotency_key", "Idempotency-Key 过长（最多 200 字符）",
                           "Idempotency-Key is too long (200 characters at most)")
        body = _body(request._request)
        digest = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), body])
        ).hexdigest()
        scope = _scope(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(scope=scope, key=key, request_hash=digest)
        except IntegrityError:
            record = IdempotencyRecord.objects.get(scope=scope, key=key)
            if record.request_hash != digest:
                return problem(
                    422,
                    "idempotency_key_reused",
                    "该 Idempotency-Key 已用于另一个不同的请求",
                    "this Idempotency-Key was already used for a different request",
                )
            if record.state == IdempotencyRecord.IN_FLIGHT:
                return problem(
                    409,
                    "idempotency_in_flight",
                    "相同 Idempotency-Key 的请求正在处理中",
                    "a request with this Idempotency-Key is still being processed",
                )
            return Response(
                record.response_body,
                status=record.response_status,
                content_type=PROBLEM_CONTENT_TYPE if record.response_status >= 400 else None,
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            with transaction.atomic():
                with (
                    transaction.atomic()
                ):  # the view's own writes: rolled back whole when it answers an error
                    try:
                        response = view_method(self, request, *args, **kwargs)
                    except Exception as exc:  # client errors are answers too: store them for replay
                        # the problem handler marks this savepoint for rollback; it re-raises
                        # what it cannot answer
                        response = self.handle_exception(exc)
                    if response.status_code >= 400:
                        transaction.set_rollback(True)
                if response.status_code >= 500:
                    raise RuntimeError("server error")
                stored = json.loads(JSONRenderer().render(response.data) or b"null")
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    state=IdempotencyRecord.DONE,
                    response_status=response.status_code,
                    response_body=stored,
                    completed_at=timezone.now(),
                )
        except Exception:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()  # nothing applied: the client may retry
            raise
        return response

    return wrapper

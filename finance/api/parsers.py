"""The API's JSON parser: bounded size and nesting, so no body can exhaust the stack or the memory.

A body nested deeper than ``MAX_DEPTH`` (or deep enough to overflow the decoder's recursion) and a body larger
than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are refused with a 400 / 413 problem+json before any view sees them.
Configured for every API view in ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``.
"""
from __future__ import annotations

import codecs
import json

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "request body too large"
    default_code = "payload_too_large"


class TooDeep(exceptions.ParseError):
    default_code = "nested_too_deep"


def _depth_exceeds(data, limit: int) -> bool:
    """Iterative walk (no recursion): True when containers nest more than ``limit`` levels."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class BoundedJSONParser(JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"request body larger than {limit} bytes")
        try:
            text = codecs.decode(raw, encoding)
            data = json.loads(text, parse_constant=self._refuse_constant)
        except RecursionError:
            raise TooDeep(f"JSON nested too deeply (at most {self.max_depth} levels)") from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if _depth_exceeds(data, self.max_depth):
            raise TooDeep(f"JSON nested too deeply (at most {self.max_depth} levels)")
        return data

    @staticmethod
    def _refuse_constant(name):
        raise ValueError(f"{name} is not valid JSON")

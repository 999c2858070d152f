"""Domain errors with stable codes and bilingual messages.

Services raise these; the API turns them into problem+json (RFC 9457) and pages show them as messages.
``code`` is stable (clients branch on it); ``field`` names the input at fault, when there is one.
"""
from __future__ import annotations

from typing import Any

from finance.calc import CalcError


class DomainError(Exception):
    """A rule refused the request. Nothing has been written when this is raised from a service."""

    status = 400
    code = "domain_error"

    def __init__(self, zh: str, en: str, *, code: str | None = None, field: str | None = None,
                 status: int | None = None, extra: dict[str, Any] | None = None) -> None:
        self.detail_zh = zh
        self.detail_en = en
        if code:
            self.code = code
        if status:
            self.status = status
        self.field = field
        self.extra = extra or {}
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        return f"{self.detail_zh} / {self.detail_en}"


class NotFound(DomainError):
    """The object does not exist for this caller (another organisation's object is also 'not found')."""

    status = 404
    code = "not_found"

    def __init__(self, what_zh: str = "对象", what_en: str = "object") -> None:
        super().__init__(f"{what_zh}不存在", f"{what_en} not found")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_transition"


def domain_error(zh: str, en: str, code: str, field: str | None = None, status: int | None = None,
                 **extra: Any) -> DomainError:
    """The one shorthand services raise with: ``raise domain_error(zh, en, "code", "field", status=409)``.

    Extra keywords travel to the problem+json body (``extra``), e.g. the figures a cap was checked against.
    """
    return DomainError(zh, en, code=code, field=field, status=status, extra=extra or None)


def calc_error(exc: CalcError) -> DomainError:
    """A ``finance.calc`` refusal as the domain error a service raises (same code, field and messages)."""
    return DomainError(exc.message_zh, exc.message_en, code=exc.code, field=exc.field)


def bi(zh: str, en: str) -> str:
    """A message that renders in the active language: DRF validation runs once per language to report both."""
    from django.utils.functional import lazy
    from django.utils.translation import get_language

    message: str = lazy(lambda: zh if (get_language() or "zh-hans").startswith("zh") else en, str)()
    return message

"""Identifier validation at the edge of the system, with bilingual messages naming the field."""
from __future__ import annotations

from finance.calc import CalcError, check_uscc
from finance.core.errors import DomainError


def validate_uscc(code: str, field: str = "uscc") -> str:
    """Return the normalised unified social credit code or raise a DomainError that says why it is invalid."""
    try:
        return check_uscc(code)
    except CalcError as exc:
        raise DomainError(exc.message_zh, exc.message_en, code="invalid_uscc", field=field) from None

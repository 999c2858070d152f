"""Ports: a read one app offers another that may not import it.

``funds`` and ``loans`` are independent (import-linter contract "funds and loans do not import each other"),
yet the 拨投贷 loan leg must read the bank's loan. Rather than reaching into the other app's tables through
the app registry (a dependency no import shows), the providing app registers a named function here in its
``AppConfig.ready`` and the caller asks for it by the name declared below. The names and their signatures
are the whole contract; an unregistered port is a configuration error (the provider's app is not
installed), said plainly rather than answered with nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

# loans → funds: ``fn(*, bank_id: int | None, reference: str) -> dict | None``: principal, outstanding,
# currency, status and interest subsidy paid of the bank's loan with that reference (None: no such loan).
LOAN_FACTS_BY_REFERENCE = "loans.loan_facts_by_reference"
# loans → funds (demo data only): ``fn(*, limit: int) -> list[dict]``: bank_id, reference and borrower_id of
# the first loans to enterprises, oldest first.
LOANS_TO_ENTERPRISES = "loans.loans_to_enterprises"

_PORTS: dict[str, Callable[..., Any]] = {}


def provide(name: str, fn: Callable[..., Any]) -> None:
    """Register the implementation of port ``name`` (once per process; the same function again is fine)."""
    current = _PORTS.get(name)
    if current is not None and current is not fn:
        where = f"{current.__module__}.{current.__qualname__}"
        raise RuntimeError(f"port {name!r} is already provided by {where}")
    _PORTS[name] = fn


def port(name: str) -> Callable[..., Any]:
    """The implementation of port ``name``; a ``LookupError`` naming it if no installed app provides it."""
    try:
        return _PORTS[name]
    except KeyError:
        raise LookupError(f"port {name!r} is not provided: is the providing app installed?") from None

"""One module per section (``direct``, the largest, is a package): each reads the apps it reports on (their
models' stable fields, SQL aggregates, ``funds.performance`` and ``finance.calc``) as of the quarter end, and
returns JSON-ready figures.

``compute(section, quarter, scope)`` is what the Celery section tasks call.
"""
from __future__ import annotations

import importlib

from ..quarters import Quarter
from ..scopes import Scope


def compute(section: str, quarter: Quarter, scope: Scope) -> dict | None:
    """A section's figures, or None when the scope does not cover it."""
    if section not in scope.sections:
        return None
    module = importlib.import_module(f"{__name__}.{section}")
    return module.compute(quarter, scope)

"""Shared helpers of the pages: a DomainError in the page's language, who may open which side, and the
enterprise's own application (another organisation's is 404)."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404

from finance.core.errors import DomainError

from .. import rules, selectors
from ..models import Application


def _zh(request) -> bool:
    return request.LANGUAGE_CODE.startswith("zh")


def _msg(request, exc: DomainError) -> str:
    return exc.detail_zh if _zh(request) else exc.detail_en


def _error(request, exc: DomainError) -> None:
    messages.error(request, _msg(request, exc))


def _readable(request, pk: int) -> Application:
    """The application the caller may read (``selectors.application_list``); any other answers 404."""
    return get_object_or_404(selectors.application_list(user=request.user), pk=pk)


def _enterprise_only(request) -> None:
    if not rules.is_enterprise_user(request.user):
        raise DjangoPermissionDenied


def _enterprise_documents(app: Application) -> list:
    from finance.portal.selectors import documents_of

    return list(documents_of(app.enterprise))

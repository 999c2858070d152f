"""Who may use a page, said once: the view declares its roles with ``roles_required`` and the templates ask
``{% can "app:url-name" arg as ok %}`` before showing the button or link, so an action is offered exactly to
the roles its view lets through (an auditor is never shown an upload that would answer 403)."""
from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, Resolver404, resolve, reverse


def roles_required(*roles):
    """Refuse (403) a caller holding none of ``roles``; the roles stay readable on the view for ``can``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = frozenset(roles)
        return wrapper

    return decorate


def can_open(user, url_name: str, *args) -> bool:
    """Whether ``user`` passes the role check of the view behind ``url_name``; views that declare no roles
    (their own checks are finer, per object) count as open to any signed-in user."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        match = resolve(reverse(url_name, args=args))
    except (NoReverseMatch, Resolver404):
        return False
    roles = getattr(match.func, "required_roles", None)
    return True if roles is None else user.has_role(*roles)

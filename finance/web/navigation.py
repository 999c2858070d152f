"""Navigation by role. Apps register their menu entries here (one place), the base layout renders them."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str  # a gettext_lazy string
    url_name: str
    roles: frozenset[str]
    org_kinds: frozenset[str] | None = None  # None: any kind of organisation


_ITEMS: list[NavItem] = []


def _kind_fits(user, org_kinds) -> bool:
    """A role held in several kinds of organisation (an organisation administrator, a university's applicant)
    sees only the entries its own kind can open."""
    return org_kinds is None or getattr(user.organisation, "kind", None) in org_kinds


def register(label, url_name: str, roles, org_kinds=None) -> None:
    _ITEMS.append(NavItem(label, url_name, frozenset(roles), frozenset(org_kinds) if org_kinds else None))


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    out = []
    for item in _ITEMS:
        if user.has_role(*item.roles) and _kind_fits(user, item.org_kinds):
            try:
                out.append({"label": item.label, "url": reverse(item.url_name)})
            except NoReverseMatch:
                continue
    return out


@dataclass(frozen=True)
class HomePanel:
    role: str
    template: str
    title: str
    org_kinds: frozenset[str] | None = None


_PANELS: list[HomePanel] = []


def register_home_panel(role: str, template: str, title, org_kinds=None) -> None:
    """Apps add a card to the home page of users holding ``role`` (the template gets ``request`` and
    ``user``); ``org_kinds`` limits it to those kinds of organisation."""
    _PANELS.append(HomePanel(role, template, title, frozenset(org_kinds) if org_kinds else None))


def home_panels(user) -> list[HomePanel]:
    """The registered cards for the user's roles; a role with none gets an empty card naming it."""
    from finance.parties.models import Role

    out = []
    for role in Role:
        if not user.has_role(role):
            continue
        mine = [p for p in _PANELS if p.role == role and _kind_fits(user, p.org_kinds)]
        out.extend(mine or [HomePanel(role, "web/home/empty.html", role.label)])
    return out

"""Navigation by role. Apps register their menu entries here (one place), the base layout renders them."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str  # a gettext_lazy string
    url_name: str
    roles: frozenset[str]


_ITEMS: list[NavItem] = []


def register(label, url_name: str, roles) -> None:
    _ITEMS.append(NavItem(label, url_name, frozenset(roles)))


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    out = []
    for item in _ITEMS:
        if user.has_role(*item.roles):
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


_PANELS: list[HomePanel] = []


def register_home_panel(role: str, template: str, title) -> None:
    """Apps add a card to the home page of users holding ``role`` (the template gets ``request`` and
    ``user``)."""
    _PANELS.append(HomePanel(role, template, title))


def home_panels(user) -> list[HomePanel]:
    """The registered cards for the user's roles; a role with none gets an empty card naming it."""
    from finance.parties.models import Role

    out = []
    for role in Role:
        if not user.has_role(role):
            continue
        mine = [p for p in _PANELS if p.role == role]
        out.extend(mine or [HomePanel(role, "web/home/empty.html", role.label)])
    return out

"""What the direct-instrument API views share: who may write, the enterprise and programme a write names,
the history and cap headroom an answer shows."""
from __future__ import annotations

from finance.approvals.selectors import history
from finance.core.errors import NotFound
from finance.parties.models import Organisation, OrgKind, Role

from .. import selectors
from ..models import Programme

M = {"max_digits": 18, "decimal_places": 2}


# the enterprise through the portal, or the programme's manager
APPLICANTS = (Role.APPLICANT, Role.FUND_MANAGER)


def cap_figures(state) -> dict:
    """The talent cap as every answer shows it: cap, used and headroom, as decimal strings."""
    return {"cap": str(state.cap), "used": str(state.used), "headroom": str(state.headroom)}


def _with_cap(data: dict, state) -> dict:
    """An application's answer shows the talent-cap headroom it was checked against."""
    return {**data, "talent_cap": cap_figures(state)}


def _history(obj) -> list[dict]:
    return [
        {
            "at": c.at.isoformat(),
            "by": c.by.username if c.by else None,
            "from": c.from_state,
            "to": c.to_state,
            "reason": c.reason,
        }
        for c in history(obj)
    ]


def check_enterprise_visible(request, pk: int) -> None:
    """An enterprise's figures (cap table, rounds, headroom) only for callers who may see it: else 404."""
    if not selectors.enterprise_visible(user=request.user, enterprise_id=pk):
        raise NotFound("企业", "enterprise")


def _enterprise(request, pk) -> Organisation:
    """The enterprise named in a write: an enterprise user may only name itself."""
    if pk is None:
        pk = request.user.organisation_id
    org = Organisation.objects.filter(pk=pk, kind__in=[OrgKind.ENTERPRISE, OrgKind.UNIVERSITY]).first()
    if org is None:
        raise NotFound("企业", "enterprise")
    return org


def _programme(request, pk):
    """Programmes the caller may apply to: any active programme (the portal) — scope is checked by the
    service."""
    p = Programme.objects.filter(pk=pk).first()
    if p is None:
        raise NotFound("专项", "programme")
    return p

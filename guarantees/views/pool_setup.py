"""The department's pool pages: a new pool with its sponsors, contributions and withdrawals (maker-checker),
and the pool's own policy values.

Who may (checked on every request):
- a department reviewer sets up a pool (its sponsors are departments; their shares sum to 100 %);
- a department reviewer of a sponsoring department asks for its department's contribution or withdrawal;
  a reviewer of a sponsoring department other than the maker approves it, and the approval posts it;
- auditors and administrators read the requests; administrators propose per-pool policy values, which
  another administrator approves on the policy page (``finance.policy``, maker-checker).
A refusal names the field, in the reader's language, and nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from finance.approvals.services import approval_current
from finance.core.errors import DomainError
from finance.core.inputs import parse_id, today
from finance.parties.models import Organisation, OrgKind, Role
from finance.parties.rules import is_administrator
from finance.policy.models import ChangeStatus, Parameter, ParameterChange
from finance.policy.selectors import PolicyHistory, PolicyParameterMissing
from finance.policy.services import parameter_change_propose
from finance.web.permissions import roles_required

from .. import selectors, services
from ..models import MovementKind, PoolRequest, PoolRequestStatus, SponsorLevel
from ..services.pool_requests import pool_request_create
from ..services.pool_requests import pool_request_decide as decide_request

#: How many sponsor rows the new-pool form offers (blank rows are skipped).
SPONSOR_ROWS = 4
READERS = (Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)
LABELS = {
    "name": gettext_lazy("Name"),
    "region": gettext_lazy("Region"),
    "currency": gettext_lazy("Currency"),
    "sponsors": gettext_lazy("Sponsors"),
    "amount": gettext_lazy("Amount"),
    "value_date": gettext_lazy("Value date"),
    "kind": gettext_lazy("Kind"),
    "note": gettext_lazy("Note"),
    "sponsor": gettext_lazy("Sponsor"),
    "value": gettext_lazy("Value"),
    "effective_from": gettext_lazy("Effective from"),
    "source_note": gettext_lazy("Source"),
}


def _fail(request, exc: DomainError) -> None:
    zh = request.LANGUAGE_CODE.startswith("zh")
    text = exc.detail_zh if zh else exc.detail_en
    if exc.field in LABELS:
        for sep in ("：", ": "):
            text = text.removeprefix(f"{exc.field}{sep}")
        text = f"{LABELS[exc.field]}{'：' if zh else ': '}{text}"
    messages.error(request, text)


def _pool(request, pk):
    try:
        return selectors.pool_get(user=request.user, pk=pk)
    except DomainError:
        from django.http import Http404

        raise Http404 from None


def _sponsor_rows(post, departments) -> list:
    rows = []
    for i in range(SPONSOR_ROWS):
        org_id, share = post.get(f"sponsor_{i}", ""), post.get(f"share_{i}", "").strip()
        if not org_id and not share:
            continue
        org = departments.filter(pk=parse_id(org_id, "sponsors")).first()
        if org is None:
            raise DomainError(
                "出资方必须是政府部门",
                "a sponsor must be a department",
                code="invalid_sponsor",
                field="sponsors",
            )
        rows.append((org, post.get(f"level_{i}", ""), share))
    return rows


@login_required
@roles_required(Role.DEPARTMENT_REVIEWER)
def pool_new(request):
    departments = Organisation.objects.filter(kind=OrgKind.DEPARTMENT).order_by("name")
    post = request.POST
    if request.method == "POST":
        try:
            pool = services.pool_create(
                name=post.get("name", ""),
                region=post.get("region", ""),
                currency=post.get("currency") or "CNY",
                sponsors=_sponsor_rows(post, departments),
                by=request.user,
            )
            messages.success(request, _("Pool %(name)s set up.") % {"name": pool.name})
            return redirect("guarantees:pool-detail", pk=pool.pk)
        except DomainError as exc:
            _fail(request, exc)
    rows = [
        {
            "i": i,
            "sponsor": post.get(f"sponsor_{i}", ""),
            "share": post.get(f"share_{i}", ""),
            "level": post.get(f"level_{i}") or (SponsorLevel.PROVINCE if i == 0 else SponsorLevel.CITY),
        }
        for i in range(SPONSOR_ROWS)
    ]
    return render(
        request,
        "guarantees/pool_new.html",
        {
            "form": post,
            "rows": rows,
            "departments": departments,
            "levels": SponsorLevel.choices,
            "currencies": settings.CURRENCIES,
        },
    )


@login_required
@roles_required(Role.DEPARTMENT_REVIEWER)
def pool_request_new(request, pk: int):
    """A reviewer of a sponsoring department asks for its department's contribution or withdrawal."""
    pool = _pool(request, pk)
    mine = pool.sponsors.filter(organisation_id=request.user.organisation_id).first()
    if mine is None:
        raise DjangoPermissionDenied
    if request.method == "POST":
        p = request.POST
        try:
            pool_request_create(
                pool=pool,
                sponsor=mine,
                kind=p.get("kind", ""),
                amount=p.get("amount"),
                value_date=p.get("value_date") or None,
                note=p.get("note", ""),
                by=request.user,
            )
            messages.success(request, _("Request recorded: another reviewer approves it, then it is posted."))
            return redirect("guarantees:pool-request-list")
        except DomainError as exc:
            _fail(request, exc)
    return render(
        request,
        "guarantees/pool_request_new.html",
        {
            "pool": pool,
            "sponsor": mine,
            "kinds": MovementKind.choices,
            "today": today().isoformat(),
            "form": request.POST or {"value_date": today().isoformat()},
        },
    )


@login_required
@roles_required(*READERS)
def pool_request_list(request):
    status = request.GET.get("status", "pending")
    qs = PoolRequest.objects.select_related("pool", "sponsor__organisation", "maker", "decided_by")
    if status in PoolRequestStatus.values:
        qs = qs.filter(status=status)
    user = request.user
    rows = [
        {
            "r": r,
            "approval": approval_current(r),
            "can_decide": user.has_role(Role.DEPARTMENT_REVIEWER)
            and r.status == PoolRequestStatus.PENDING
            and r.maker_id != user.pk
            and r.pool.sponsors.filter(organisation_id=user.organisation_id).exists(),
        }
        for r in qs[:300]
    ]
    return render(
        request,
        "guarantees/pool_request_list.html",
        {"rows": rows, "status": status, "statuses": PoolRequestStatus.choices},
    )


@login_required
@require_POST
@roles_required(Role.DEPARTMENT_REVIEWER)
def pool_request_decide(request, pk: int):
    item = get_object_or_404(PoolRequest, pk=pk)
    try:
        decide_request(
            request=item,
            by=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("guarantees:pool-request-list")


def _policy_rows(pool, on: dt.date) -> list[dict]:
    history = PolicyHistory(scope=pool.scope)
    own = {v.parameter_id: v for v in pool_values(pool, on)}
    rows = []
    for param in Parameter.objects.filter(key__startswith="pool.").order_by("key"):
        try:
            value = history.value(param.key, on)
        except PolicyParameterMissing:
            value = None
        rows.append({"parameter": param, "value": value, "own": own.get(param.pk)})
    return rows


def pool_values(pool, on: dt.date):
    """The pool's own rows in force on ``on`` (the latest effective row per parameter, not ended)."""
    from finance.policy.models import ParameterValue

    latest = {}
    for row in ParameterValue.objects.filter(scope=pool.scope, effective_from__lte=on).order_by(
        "parameter_id", "effective_from", "id"
    ):
        latest[row.parameter_id] = row
    return [r for r in latest.values() if r.effective_to is None or r.effective_to > on]


@login_required
@roles_required(*READERS)
def pool_policy(request, pk: int):
    """The pool's policy values in force (its own, else the platform's); administrators propose a value for
    this pool, another administrator approves it on the parameter's page."""
    pool = _pool(request, pk)
    if request.method == "POST":
        if not is_administrator(request.user):
            raise DjangoPermissionDenied
        p = request.POST
        try:
            change = parameter_change_propose(
                key=p.get("key", ""),
                value=p.get("value", ""),
                effective_from=p.get("effective_from", ""),
                by=request.user,
                scope=pool.scope,
                source_note=p.get("source_note", ""),
            )
            messages.success(request, _("Proposed. Another administrator must approve it."))
            return redirect("policy-detail", key=change.parameter.key)
        except DomainError as exc:
            _fail(request, exc)
    pending = ParameterChange.objects.filter(scope=pool.scope, status=ChangeStatus.PROPOSED).select_related(
        "parameter", "proposed_by"
    )
    return render(
        request,
        "guarantees/pool_policy.html",
        {
            "pool": pool,
            "rows": _policy_rows(pool, today()),
            "pending": pending,
            "today": today().isoformat(),
            "can_propose": is_administrator(request.user),
            "form": request.POST,
        },
    )

"""The reviewers' workbench: the queue, the review page (scoring sheet, conflicts, assignment) and its
actions, and the application's documents for the reviewers."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance.core.errors import DomainError
from finance.core.inputs import parse_id
from finance.parties.models import User
from finance.web.permissions import roles_required

from .. import rules, selectors, services
from ..forms import queue_filters
from ..models import REVIEW_STATES, Application, Instrument, Status
from ._common import _enterprise_documents, _error, _msg, _readable, _zh


@login_required
@roles_required(*rules.REVIEWER_ROLES)
def queue(request):
    f = queue_filters(request.GET)
    apps = list(selectors.review_queue(user=request.user, filters=f)[:200])
    return render(request, "applications/queue.html", {
        "applications": apps, "f": f, "instruments": Instrument.choices,
        "statuses": [(s, label) for s, label in Status.choices if s not in (Status.DRAFT,)],
        "cities": selectors.queue_cities(user=request.user)})


def _review_app(request, pk: int) -> Application:
    app = _readable(request, pk)
    if not rules.may_review(request.user, app):
        raise Http404
    return app


def _review_context(request, app: Application) -> dict:
    from finance.core.inputs import today

    user = request.user
    weights, criteria_error = {}, None
    try:
        weights, _snap = services.criteria_in_force(today())
    except DomainError as exc:
        criteria_error = _msg(request, exc)
    from finance.policy.models import Parameter

    names = {p.key: (p.name_zh if _zh(request) else p.name_en)
             for p in Parameter.objects.filter(key__in=list(weights))}
    mine = {s.criterion: s for s in app.scores.filter(reviewer=user)}
    sheet = [{"key": k, "name": names.get(k, k), "weight": w, "score": mine.get(k)}
             for k, w in weights.items()]
    declared = app.conflicts.filter(reviewer=user).first()
    colleagues = [u for u in User.objects.filter(organisation_id=user.organisation_id, is_active=True)
                  .order_by("username") if rules.may_review(u, app)]
    return {"a": app, "outcome": selectors.application_outcome(app),
            "timeline": selectors.timeline(app, user=user), "sheet": sheet, "criteria_error": criteria_error,
            "total": services.weighted_total(mine.values()) if mine else None,
            "declared": declared, "assigned": app.assignments.filter(reviewer=user).exists(),
            "assignable": app.status in REVIEW_STATES,
            "assignments": list(app.assignments.select_related("reviewer")), "colleagues": colleagues,
            "precheck": app.precheck, "all_scores": list(app.scores.select_related("reviewer")),
            "is_verified": getattr(app.enterprise, "is_verified", True),
            "documents": _enterprise_documents(app)}


@login_required
def document(request, pk: int, doc: int):
    """A document of the application's enterprise, for the enterprise's people and the application's
    reviewers: a fund manager reviewing an equity application is no oversight role, so the portal's own
    download (scoped to the enterprise and oversight) would answer 404 to the one who must read the plan."""
    from finance.portal.selectors import documents_of
    from finance.portal.views import document_response

    if not (rules.is_enterprise_user(request.user) or rules.is_reviewer(request.user)):
        raise DjangoPermissionDenied
    app = _readable(request, pk)
    if not rules.is_enterprise_user(request.user) and not rules.may_review(request.user, app):
        raise Http404
    found = documents_of(app.enterprise).filter(pk=doc).first()
    if found is None:
        raise Http404
    return document_response(found)


@login_required
@roles_required(*rules.REVIEWER_ROLES)
def review(request, pk: int):
    app = _review_app(request, pk)
    return render(request, "applications/review.html", _review_context(request, app))


def _review_action(request, pk: int, act):
    app = _review_app(request, pk)
    try:
        act(app)
        messages.success(request, _("Done."))
    except DomainError as exc:
        _error(request, exc)
        return render(request, "applications/review.html", _review_context(request, app), status=400)
    return redirect("applications:review", pk=app.pk)


@login_required
@require_POST
@roles_required(*rules.REVIEWER_ROLES)
def assign(request, pk: int):
    def act(app):
        reviewer_id = request.POST.get("reviewer") or request.user.pk
        reviewer = User.objects.filter(pk=parse_id(reviewer_id, "reviewer")).first()
        if reviewer is None:
            raise DomainError("reviewer：请选择审查人员", "reviewer: choose a reviewer", code="required",
                              field="reviewer")
        services.application_assign(application=app, reviewer=reviewer, by=request.user)
    return _review_action(request, pk, act)


@login_required
@require_POST
@roles_required(*rules.REVIEWER_ROLES)
def conflict(request, pk: int):
    def act(app):
        choice = request.POST.get("conflicted", "")
        if choice not in ("0", "1"):
            raise DomainError("conflicted：请选择是否存在利益冲突",
                              "conflicted: say whether you have a conflict", code="required",
                              field="conflicted")
        services.conflict_declare(application=app, by=request.user, conflicted=choice == "1",
                                  reason=request.POST.get("reason", ""))
    return _review_action(request, pk, act)


@login_required
@require_POST
@roles_required(*rules.REVIEWER_ROLES)
def score(request, pk: int):
    def act(app):
        scores = {k: request.POST.get(k, "") for k in services.CRITERIA}
        comments = {k: request.POST.get(f"{k}.comment", "") for k in services.CRITERIA}
        services.score_record(application=app, by=request.user, scores=scores, comments=comments)
    return _review_action(request, pk, act)


@login_required
@require_POST
@roles_required(*rules.REVIEWER_ROLES)
def rfi(request, pk: int):
    return _review_action(request, pk, lambda app: services.rfi_request(
        application=app, by=request.user, body=request.POST.get("body", "")))


@login_required
@require_POST
@roles_required(*rules.REVIEWER_ROLES)
def recommend(request, pk: int):
    return _review_action(request, pk, lambda app: services.application_recommend(
        application=app, by=request.user, reason=request.POST.get("reason", "")))


@login_required
@require_POST
@roles_required(*rules.REVIEWER_ROLES)
def reject(request, pk: int):
    return _review_action(request, pk, lambda app: services.application_reject(
        application=app, by=request.user, reason=request.POST.get("reason", "")))

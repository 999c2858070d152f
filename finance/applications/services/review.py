"""The workbench: assignment, conflict-of-interest declarations and the scoring sheet (its criteria and
weights are policy parameters)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from finance.approvals import services as approvals
from finance.core.errors import InvalidTransition
from finance.core.inputs import parse_int, parse_text, today
from finance.parties.models import User
from finance.policy.selectors import PolicyUse

from .. import rules
from ..models import REVIEW_STATES, Application, Assignment, ConflictDeclaration, Score, Verb
from ._common import D, S, _check_reviewer, _conflicted, _err, _locked
from .notify import _notify

#: The scoring sheet: each criterion is a policy parameter whose value is its weight in percent.
CRITERIA = ("review.weight.innovation", "review.weight.team", "review.weight.market", "review.weight.ip",
            "review.weight.finance")


RECOMMEND_MIN = "review.recommend_score_min"


@transaction.atomic
def application_assign(*, application: Application, reviewer: User, by) -> Assignment:
    """Put a reviewer in charge (a reviewer of the same organisation, or oneself); a submitted application
    goes under review."""
    app = _locked(application)
    _check_reviewer(app, by)
    if reviewer.organisation_id != by.organisation_id or not rules.may_review(reviewer, app):
        raise _err("reviewer：只能分派给本机构可审查该申请的人员",
                   "reviewer: assign to a reviewer of your organisation who may review it",
                   "invalid_reviewer", "reviewer")
    if app.status not in REVIEW_STATES:
        raise InvalidTransition("该申请不能再分派", "the application can no longer be assigned",
                                field="status")
    if _conflicted(app, reviewer):
        raise _err("reviewer：该人员已声明利益冲突",
                   "reviewer: this reviewer declared a conflict of interest", "conflicted", "reviewer")
    a, created = Assignment.objects.get_or_create(application=app, reviewer=reviewer,
                                                  defaults={"assigned_by": by})
    if app.status == S.SUBMITTED:
        approvals.state_change(app, to=S.UNDER_REVIEW, by=by, reason=f"assigned to {reviewer}")
    if created and reviewer.pk != by.pk:
        _notify([reviewer], verb=Verb.ASSIGNED, application=app)
    return a


@transaction.atomic
def conflict_declare(*, application: Application, by, conflicted: bool, reason: str = ""
                     ) -> ConflictDeclaration:
    """Declare (once) whether one has a conflict of interest; a conflicted reviewer's assignment ends."""
    app = _locked(application)
    _check_reviewer(app, by)
    reason = parse_text(reason, "reason", max_length=1000, required=bool(conflicted))
    if app.conflicts.filter(reviewer=by).exists():
        raise _err("您已声明过", "you have already declared", "already_declared", "conflicted", status=409)
    decl = ConflictDeclaration.objects.create(application=app, reviewer=by, conflicted=bool(conflicted),
                                              reason=reason)
    if conflicted:
        app.assignments.filter(reviewer=by).delete()
        Score.objects.filter(application=app, reviewer=by).delete()
    return decl


def _declared_free(app: Application, by) -> None:
    decl = app.conflicts.filter(reviewer=by).first()
    if decl is None:
        raise _err("conflicted：评分前请先声明是否存在利益冲突",
                   "conflicted: declare whether you have a conflict of interest first", "not_declared",
                   "conflicted")


def criteria_in_force(on: dt.date) -> tuple[dict[str, D], dict]:
    """The scoring sheet in force: criterion key → weight (percent), and the policy values used. The weights
    must add up to 100."""
    use = PolicyUse(on=on)
    weights = {k: use(k) for k in CRITERIA}
    total = sum(weights.values(), D("0"))
    if total != 100:
        raise _err(f"评审权重合计为 {total}，应为 100（政策参数 review.weight.*）",
                   f"review weights add up to {total}, not 100 (policy review.weight.*)", "weights_invalid",
                   status=409)
    return weights, use.snapshot


@transaction.atomic
def score_record(*, application: Application, by, scores: dict, comments: dict | None = None) -> list[Score]:
    """The reviewer's scoring sheet: a whole mark 0–100 for each criterion, weighted by the policy values in
    force today. Re-scoring replaces the reviewer's own marks."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    _declared_free(app, by)
    if app.status != S.UNDER_REVIEW:
        raise InvalidTransition("只有审查中的申请可以评分", "only an application under review can be scored",
                                field="status")
    weights, _ = criteria_in_force(today())
    parsed = {}
    for key in weights:
        parsed[key] = parse_int(scores.get(key, ""), key, min_value=0, max_value=100)
    comments = comments or {}
    out = []
    for key, value in parsed.items():
        s, _ = Score.objects.update_or_create(
            application=app, reviewer=by, criterion=key,
            defaults={"score": value, "weight": weights[key],
                      "comment": parse_text(comments.get(key, ""), f"{key}.comment", max_length=1000,
                                            required=False)})
        out.append(s)
    return out


def weighted_total(scores) -> D:
    """Σ score × weight / 100, two places half-up."""
    from decimal import ROUND_HALF_UP

    total = sum((D(s.score) * s.weight / 100 for s in scores), D("0"))
    return total.quantize(D("0.01"), rounding=ROUND_HALF_UP)

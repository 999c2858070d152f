"""Submit (gated by the pre-check: every rule, field and document) and withdraw."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from finance.approvals import services as approvals
from finance.core.errors import InvalidTransition
from finance.core.inputs import parse_text

from .. import rules
from ..models import OPEN_STATES, Application, Verb
from ..precheck import application_precheck
from ._common import S, _check_writer, _err, _locked
from .fields import parse_fields
from .notify import _intake_reviewers, _notify, _reviewers_of


@transaction.atomic
def application_submit(*, application: Application, by, data: dict | None = None) -> Application:
    """Submit a draft: every field valid, the enterprise verified (``check_may_submit``), every rule of the
    pre-check passed and every needed document uploaded. Refused with the figures otherwise; nothing saved."""
    from finance.parties.rules import check_may_submit

    app = _locked(application)
    _check_writer(app, by)
    if app.status != S.DRAFT:
        raise InvalidTransition("只有草稿可以提交", "only a draft can be submitted", field="status")
    if data:
        values, errors = parse_fields(app, data)
        if errors:
            raise next(iter(errors.values()))
        for k, v in values.items():
            setattr(app, k, v)
    check_may_submit(app.enterprise)  # its own code; the pre-check's verification rule then passes
    pc = application_precheck(app)
    if pc.missing_fields:
        f = pc.missing_fields[0]
        raise _err(f"{f}：提交前请填写", f"{f}: required before submitting", "required", f,
                   missing=pc.missing_fields)
    if pc.failed:
        r = pc.failed[0]
        raise _err(f"未通过预审：{r.label_zh}。{r.figure_zh}",
                   f"pre-check failed: {r.label_en}. {r.figure_en}",
                   r.code if r.code == "talent_cap" else "precheck_failed",
                   "precheck", status=409)
    missing = [d for d in pc.documents if not d["present"]]
    if missing:
        names = "、".join(d["label"] for d in missing)
        raise _err(f"documents：请先上传所需材料：{names}",
                   f"documents: upload the required documents first: {', '.join(d['kind'] for d in missing)}",
                   "documents_missing", "documents")
    app.precheck = pc.as_dict()
    app.submitted_by, app.submitted_at = by, timezone.now()
    fields = [*rules.FIELDS[app.instrument], "precheck", "submitted_by", "submitted_at"]
    approvals.state_change(app, to=S.SUBMITTED, by=by, reason="submitted", also=tuple(fields))
    from finance.portal.selectors import documents_of

    app.documents.set(documents_of(app.enterprise, kinds=rules.DOCUMENTS[app.instrument]))
    _notify(_intake_reviewers(app), verb=Verb.SUBMITTED, application=app)
    return app


@transaction.atomic
def application_withdraw(*, application: Application, by, reason: str = "") -> Application:
    app = _locked(application)
    _check_writer(app, by)
    if app.status not in OPEN_STATES:
        raise InvalidTransition("该申请已推荐或已结束，不能撤回", "the application is handed over or closed",
                                field="status")
    reason = parse_text(reason, "reason", max_length=500, required=False)
    approvals.state_change(app, to=S.WITHDRAWN, by=by, reason=reason or "withdrawn")
    _notify(_reviewers_of(app), verb=Verb.WITHDRAWN, application=app)
    return app

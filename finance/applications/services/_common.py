"""Shared helpers of the application services: the error shorthand, the enterprise lock, and who may act
(the enterprise's writers, the reviewers)."""
from __future__ import annotations

from decimal import Decimal

from finance.core.errors import PermissionDenied
from finance.core.errors import domain_error as _err
from finance.core.locks import lock
from finance.parties.models import Organisation

from .. import rules
from ..models import Application, Instrument, Status

INS = Instrument
S = Status
D = Decimal


def _check_writer(application: Application, by) -> None:
    if not rules.may_write(by, application):
        raise PermissionDenied("只有本企业的申请人可以操作", "only the enterprise's applicants can do this",
                               code="not_applicant")


def _locked(application: Application) -> Application:
    """Lock the enterprise (the serialising row) and read the application fresh under it."""
    lock(Organisation, application.enterprise_id)
    return Application.objects.select_related("enterprise", "programme").get(pk=application.pk)


def _conflicted(app: Application, reviewer) -> bool:
    """Has the reviewer declared a conflict of interest on the application (then they neither act on it nor
    are assigned to it)."""
    return app.conflicts.filter(reviewer=reviewer, conflicted=True).exists()


def _check_reviewer(app: Application, by, *, act: bool = False) -> None:
    """May ``by`` review it; with ``act``, also: assigned and not conflicted."""
    if not rules.may_review(by, app):
        raise PermissionDenied("您不能审查该申请", "you may not review this application", code="not_reviewer")
    if app.status in (S.DRAFT, S.WITHDRAWN):
        raise _err("该申请不在审查中", "the application is not under review", "not_found", status=404)
    if act:
        if not app.assignments.filter(reviewer=by).exists():
            raise PermissionDenied("请先将该申请分派给自己", "assign the application to yourself first",
                                   code="not_assigned")
        if _conflicted(app, by):
            raise PermissionDenied("您已声明利益冲突，不能评审该申请",
                                   "you declared a conflict of interest on this application",
                                   code="conflicted")

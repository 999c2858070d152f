"""The application's threads: a reviewer's request for information and the enterprise's answer, and the
partner banks' answers to a financing need (融资对接) with the enterprise's replies."""
from __future__ import annotations

from django.db import transaction

from finance.approvals import services as approvals
from finance.core.errors import InvalidTransition, PermissionDenied
from finance.core.inputs import parse_text
from finance.parties.models import Organisation, Role

from ..models import Application, Message, MessageKind, Verb
from ._common import INS, S, _check_reviewer, _check_writer, _err, _locked
from .notify import _enterprise_people, _notify, _reviewers_of


def _attach(message: Message, attachments) -> None:
    docs = list(attachments or [])
    for d in docs:
        if d.organisation_id != message.application.enterprise_id:
            raise _err("attachments：只能附加本企业的材料",
                       "attachments: only the enterprise's own documents",
                       "invalid_attachment", "attachments", status=404)
    if docs:
        message.attachments.set(docs)


@transaction.atomic
def rfi_request(*, application: Application, by, body: str) -> Message:
    """A reviewer asks the enterprise for information: the application waits for the answer."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    body = parse_text(body, "body", max_length=5000)
    if app.status != S.UNDER_REVIEW:
        raise InvalidTransition("只有审查中的申请可以要求补充材料",
                                "only an application under review can get a request for information",
                                field="status")
    m = Message.objects.create(application=app, kind=MessageKind.RFI, author=by, body=body)
    approvals.state_change(app, to=S.INFO_REQUESTED, by=by, reason=body[:200])
    _notify(_enterprise_people(app), verb=Verb.INFO_REQUESTED, application=app)
    return m


@transaction.atomic
def rfi_answer(*, application: Application, by, body: str, attachments=()) -> Message:
    """The enterprise answers (with documents attached): back under review."""
    app = _locked(application)
    _check_writer(app, by)
    body = parse_text(body, "body", max_length=5000)
    if app.status != S.INFO_REQUESTED:
        raise InvalidTransition("没有待答复的补充材料要求", "no request for information is open",
                                field="status")
    m = Message.objects.create(application=app, kind=MessageKind.ANSWER, author=by, body=body)
    _attach(m, attachments)
    approvals.state_change(app, to=S.UNDER_REVIEW, by=by, reason="answered")
    _notify(_reviewers_of(app), verb=Verb.ANSWERED, application=app)
    return m


@transaction.atomic
def bank_answer(*, application: Application, by, body: str) -> Message:
    """A partner bank answers a financing need (融资对接): its own thread with the enterprise."""
    app = _locked(application)
    if not (by.has_role(Role.BANK_OFFICER) and by.organisation_id):
        raise PermissionDenied("只有合作银行可以答复融资需求", "only a partner bank answers a financing need",
                               code="not_bank")
    if app.instrument != INS.FINANCING_NEED or app.status != S.SUBMITTED:
        raise _err("该融资需求不在对接中", "this financing need is not open", "not_open", status=404)
    body = parse_text(body, "body", max_length=5000)
    m = Message.objects.create(application=app, kind=MessageKind.BANK, author=by, bank=by.organisation,
                               body=body)
    _notify(_enterprise_people(app), verb=Verb.BANK_ANSWER, application=app)
    return m


@transaction.atomic
def enterprise_reply_to_bank(*, application: Application, by, bank: Organisation, body: str,
                             attachments=()) -> Message:
    app = _locked(application)
    _check_writer(app, by)
    if not app.messages.filter(bank=bank).exists():
        raise _err("该银行尚未答复", "this bank has not answered", "not_found", "bank", status=404)
    body = parse_text(body, "body", max_length=5000)
    m = Message.objects.create(application=app, kind=MessageKind.NOTE, author=by, bank=bank, body=body)
    _attach(m, attachments)
    return m

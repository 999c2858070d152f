"""The invitation email leaves by a Celery task queued on commit (finance.parties.tasks): the request only
queues it, so a slow or failing mail server neither slows nor fails it; an invitation rolled back sends
nothing; the task retries a mail server error, and sends in the language of the request that invited."""
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

from finance.celery import app
from finance.parties import tasks
from finance.parties.models import Invitation, OrgKind, Role
from finance.parties.services import invitation_cancel, invitation_create, invitation_send

pytestmark = pytest.mark.django_db
URL = "https://kejin.example.cn/accounts/invitation/a-token/"
EMAIL = "li.lei@qchip.example.cn"


@pytest.fixture
def enterprise(orgs):
    return orgs.make(OrgKind.ENTERPRISE, name="济南量子芯科技有限公司")


@pytest.fixture
def enterprise_admin(enterprise, make_user):
    return make_user(enterprise, Role.ORG_ADMIN, Role.APPLICANT)


def invite(enterprise, enterprise_admin):
    invitation, _ = invitation_create(organisation=enterprise, email=EMAIL, roles=[Role.VIEWER],
                                      by=enterprise_admin)
    invitation_send(invitation=invitation, url=URL)
    return invitation


class Abandoned(Exception):
    pass


@pytest.fixture
def worker_retries():
    """Eager tasks retry in-process, like a worker, when errors are not propagated to the caller."""
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.mark.django_db(transaction=True)
def test_the_email_leaves_once_the_invitation_is_committed(enterprise, enterprise_admin):
    with transaction.atomic():
        invite(enterprise, enterprise_admin)
        assert not mail.outbox  # nothing leaves before the commit
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    assert URL in mail.outbox[0].body and enterprise.name in mail.outbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_no_email_for_an_invitation_rolled_back(enterprise, enterprise_admin):
    with pytest.raises(Abandoned), transaction.atomic():
        invite(enterprise, enterprise_admin)
        raise Abandoned
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_no_email_when_the_caller_rolls_back_inside_the_request(enterprise, enterprise_admin,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with pytest.raises(Abandoned), transaction.atomic():
            invite(enterprise, enterprise_admin)
            raise Abandoned
    assert queued == [] and not mail.outbox and not Invitation.objects.exists()


def test_a_failing_mail_server_neither_fails_nor_slows_the_request(enterprise, client, enterprise_admin,
                                                                   django_capture_on_commit_callbacks):
    """With a broker the request only queues the task; the mail server is not reached in the request."""
    client.force_login(enterprise_admin)
    down = smtplib.SMTPServerDisconnected("the mail server is down")
    with (mock.patch("finance.parties.emails.send_mail", side_effect=down) as smtp,
          mock.patch.object(tasks.invitation_email, "delay") as queue,
          django_capture_on_commit_callbacks(execute=True)):
        sent = client.post("/accounts/people/", {"email": EMAIL, "roles": [Role.VIEWER]})
    assert sent.status_code == 302
    invitation = Invitation.objects.get(email=EMAIL)
    assert smtp.call_count == 0
    queue.assert_called_once()
    invitation_id, url, language = queue.call_args.args
    assert invitation_id == invitation.pk and url.startswith("http://testserver/accounts/invitation/")
    assert language == "zh-hans"


def test_the_task_retries_a_mail_server_error_until_the_email_leaves(enterprise, enterprise_admin,
                                                                      worker_retries):
    invitation, _ = invitation_create(organisation=enterprise, email=EMAIL, roles=[Role.VIEWER],
                                      by=enterprise_admin)
    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise smtplib.SMTPServerDisconnected("the mail server is down")
        return send_mail(*args, **kwargs)

    with mock.patch("finance.parties.emails.send_mail", side_effect=flaky):
        result = tasks.invitation_email.apply(args=(invitation.pk, URL, "zh-hans"))
    assert result.get() is True and len(attempts) == 3
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]


def test_the_task_gives_up_after_its_retries_and_says_so(enterprise, enterprise_admin, worker_retries):
    invitation, _ = invitation_create(organisation=enterprise, email=EMAIL, roles=[Role.VIEWER],
                                      by=enterprise_admin)
    down = smtplib.SMTPServerDisconnected("the mail server is down")
    with mock.patch("finance.parties.emails.send_mail", side_effect=down) as smtp:
        result = tasks.invitation_email.apply(args=(invitation.pk, URL, "zh-hans"))
    assert result.state == "FAILURE" and isinstance(result.result, smtplib.SMTPServerDisconnected)
    assert smtp.call_count == tasks.invitation_email.max_retries + 1 and not mail.outbox


def test_the_email_is_in_the_language_of_the_request_that_invited(enterprise, enterprise_admin,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with translation.override("en"):
            invite(enterprise, enterprise_admin)
        invite(enterprise, enterprise_admin)
    assert [m.subject for m in mail.outbox] == [f"[科金] You are invited to join {enterprise.name}",
                                                f"[科金] 邀请您加入 {enterprise.name}"]
    assert "Roles: Viewer (read-only colleague)\n" in mail.outbox[0].body  # the labels, not a Python list
    assert "角色: 只读成员" in mail.outbox[1].body


def test_an_invitation_cancelled_before_the_task_runs_is_not_sent(enterprise, enterprise_admin,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        invitation = invite(enterprise, enterprise_admin)
    invitation_cancel(invitation=invitation, by=enterprise_admin)
    for callback in queued:  # the worker picks the task up after the cancellation
        callback()
    assert not mail.outbox


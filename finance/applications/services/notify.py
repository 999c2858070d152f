"""In-platform notices: who hears of each step, and the notice itself (its email is queued on commit; the
task lives in ``tasks``/``notices`` so that they and the services do not import each other)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from finance.core.errors import PermissionDenied
from finance.parties.models import Role, User

from .. import rules
from ..models import EQUITY_INSTRUMENTS, Application, Notification, Verb


def _notify(users, *, verb: str, application: Application) -> list[Notification]:
    from django.urls import reverse

    from .. import tasks

    enterprise_side = verb in (Verb.INFO_REQUESTED, Verb.RECOMMENDED, Verb.REJECTED, Verb.BANK_ANSWER)
    link = reverse("applications:detail" if enterprise_side else "applications:review", args=[application.pk])
    made = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        n = Notification.objects.create(user=user, verb=verb, application=application, link=link)
        made.append(n)
        transaction.on_commit(lambda pk=n.pk: tasks.notification_email.delay(pk))
    return made


def _enterprise_people(application: Application):
    return User.objects.filter(organisation_id=application.enterprise_id, is_active=True,
                               role_grants__role__in=rules.enterprise_writer_roles()).distinct()


def _reviewers_of(application: Application):
    return [a.reviewer for a in application.assignments.select_related("reviewer")]


def _intake_reviewers(application: Application):
    """Who learns of a new submission: the programme's fund managers for an equity application, the
    department reviewers for the others."""
    if application.instrument in EQUITY_INSTRUMENTS and application.programme_id:
        return User.objects.filter(organisation_id=application.programme.manager_id, is_active=True,
                                   role_grants__role=Role.FUND_MANAGER).distinct()
    return User.objects.filter(is_active=True, role_grants__role=Role.DEPARTMENT_REVIEWER).distinct()


@transaction.atomic
def notification_read(*, notification: Notification, by) -> Notification:
    if notification.user_id != by.pk:
        raise PermissionDenied("不是您的通知", "not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification

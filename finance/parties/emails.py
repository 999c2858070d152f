"""The invitation email: what the Celery task sends (kept out of services so that the services, which queue
the task, and the task, which sends, do not import each other)."""
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Invitation, Role


def invitation_email_send(*, invitation_id: int, url: str, language: str = "") -> bool:
    """Email the invitation link (the Celery task calls this), in the language of the request that sent it.
    An invitation accepted, cancelled or expired before the task runs is not sent: its link would answer 404.
    A mail server error is raised, for the task to retry."""
    invitation = (Invitation.objects.select_related("organisation", "created_by")
                  .filter(pk=invitation_id, accepted_at__isnull=True, cancelled_at__isnull=True,
                          expires_at__gt=timezone.now()).first())
    if invitation is None:
        return False
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "url": url, "organisation": invitation.organisation,
                   "roles": [str(Role(r).label) for r in invitation.roles]}  # str: ``join`` refuses lazy text
        subject = render_to_string("parties/email/invitation_subject.txt", context).strip()
        body = render_to_string("parties/email/invitation_message.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return True

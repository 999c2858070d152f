"""Thin Celery tasks of the parties app."""
from celery import shared_task

from .emails import invitation_email_send


# SMTP errors, refused connections and timeouts are all OSErrors: retried with a growing delay (about 15
# minutes in all), so a mail server that is down for a while still delivers the invitation.
@shared_task(name="parties.invitation_email", autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def invitation_email(invitation_id: int, url: str, language: str = "") -> bool:
    """Email one invitation (queued on commit by ``services.invitation_send``)."""
    return invitation_email_send(invitation_id=invitation_id, url=url, language=language)

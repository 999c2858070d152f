"""Thin Celery tasks of the application flow."""
from celery import shared_task

from .notices import notification_email_send


@shared_task(name="applications.notification_email")
def notification_email(notification_id: int) -> bool:
    """Email one in-platform notice (queued on commit by the service that made it)."""
    return notification_email_send(notification_id=notification_id)

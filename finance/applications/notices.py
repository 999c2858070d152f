"""Emails of in-platform notices: what the Celery task sends (kept out of services so that the services, which
queue the task, and the task, which sends, do not import each other)."""
from django.db import transaction
from django.utils import timezone

from .models import Notification, Verb


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """Send one notice by email (the Celery task calls this); once only."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation

    n = Notification.objects.select_related("user", "application").filter(pk=notification_id).first()
    if n is None or n.emailed_at is not None or not n.user.email:
        return False
    with translation.override("zh-hans"):
        zh = str(Verb(n.verb).label)
    with translation.override("en"):
        en = str(Verb(n.verb).label)
    base = getattr(settings, "KEJIN_SITE_URL", "").rstrip("/")
    subject = f"科金平台：{zh} / Kejin: {en}"
    body = f"{zh}\n{en}\n\n{n.application}\n{base}{n.link}\n"
    send_mail(subject, body, None, [n.user.email])
    n.emailed_at = timezone.now()
    n.save(update_fields=["emailed_at"])
    return True

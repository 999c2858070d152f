"""What ``FundsConfig.ready()`` must call for the direct instruments (one line there: ``wiring.ready()``):
the nightly overdue task on the beat schedule, and the navigation entries."""
from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from celery.schedules import crontab
    from django.conf import settings

    from finance.parties.models import Role
    from finance.web.navigation import register

    from . import tasks  # noqa: F401  (registers the task: autodiscovery only looks at funds.tasks)

    # After the loans' classification (01:30): agreements whose deadline passed yesterday become overdue.
    settings.CELERY_BEAT_SCHEDULE.setdefault("funds-direct-invest-first-overdue", {
        "task": "funds.direct.invest_first_overdue", "schedule": crontab(hour=1, minute=45)})
    register(
        _("Direct instruments"),
        "funds:direct-board",
        [Role.FUND_MANAGER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR],
    )
    register(_("My fiscal equity support"), "funds:direct-mine", [Role.APPLICANT])

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    label = "loans"
    verbose_name = _("IP-pledge loans")

    def ready(self):
        from celery.schedules import crontab
        from django.conf import settings

        from finance.core import ports
        from finance.parties.models import Role
        from finance.web.navigation import register, register_home_panel

        from . import selectors

        # What other apps read of loans without importing it (funds ⟂ loans): finance.core.ports.
        ports.provide(ports.LOAN_FACTS_BY_REFERENCE, selectors.loan_facts_by_reference)
        ports.provide(ports.LOANS_TO_ENTERPRISES, selectors.loans_to_enterprises)

        # The nightly job: after midnight Beijing time, once the day's repayments are in.
        settings.CELERY_BEAT_SCHEDULE.setdefault("loans-classify-nightly", {
            "task": "loans.classify_nightly", "schedule": crontab(hour=1, minute=30)})
        # Stuck bulk-file jobs (a worker killed mid-file) fail after their timeout, so they can be re-sent.
        settings.CELERY_BEAT_SCHEDULE.setdefault("loans-fail-stuck-files", {
            "task": "loans.fail_stuck_files", "schedule": crontab(minute="*/5")})

        register(_("Loans"), "loans:list", [Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR,
                                            Role.ADMINISTRATOR, Role.APPLICANT])
        register(_("Loan files"), "loans:file-list", [Role.BANK_OFFICER])
        register(_("Write-offs"), "loans:write-off-list", [Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER,
                                                            Role.AUDITOR, Role.ADMINISTRATOR])
        register(_("Interest subsidies"), "loans:subsidy-list", [Role.APPLICANT, Role.DEPARTMENT_REVIEWER,
                                                                 Role.AUDITOR, Role.ADMINISTRATOR])
        register_home_panel(Role.BANK_OFFICER, "loans/panels/bank.html", _("IP-pledge loans"))
        register_home_panel(Role.DEPARTMENT_REVIEWER, "loans/panels/department.html", _("IP-pledge loans"))
        register_home_panel(Role.APPLICANT, "loans/panels/startup.html", _("My loans and subsidies"))

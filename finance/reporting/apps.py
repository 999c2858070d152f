from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "finance.reporting"
    label = "reporting"
    verbose_name = _("Quarterly reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from finance.parties.models import Role
        from finance.web.navigation import register, register_home_panel

        register(
            _("Quarterly reports"),
            "reporting:list",
            [Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR, Role.BANK_OFFICER],
        )
        # The administrator reads every report (like an auditor); only department reviewers publish.
        for role in (Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR):
            register_home_panel(role, "reporting/panel.html", _("Quarterly portfolio reports"))

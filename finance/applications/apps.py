from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """One application flow for every instrument, its timeline and messages, and the reviewers' workbench
    (issue 12). Sits on top of portal, loans and funds: it hands a recommended application to the instrument's
    own service."""

    name = "finance.applications"
    label = "applications"
    verbose_name = _("Applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from finance.parties.models import Role
        from finance.web.navigation import register, register_home_panel

        register(_("My applications"), "applications:mine", [Role.APPLICANT])
        register(_("Review workbench"), "applications:queue", [Role.DEPARTMENT_REVIEWER, Role.FUND_MANAGER])
        register(_("Financing needs"), "applications:needs", [Role.BANK_OFFICER])
        register_home_panel(Role.APPLICANT, "applications/home/enterprise.html", _("Applications"))
        register_home_panel(Role.DEPARTMENT_REVIEWER, "applications/home/reviewer.html",
                            _("Review workbench"))
        register_home_panel(Role.FUND_MANAGER, "applications/home/reviewer.html", _("Review workbench"))
        register_home_panel(Role.BANK_OFFICER, "applications/home/bank.html", _("Financing needs"))

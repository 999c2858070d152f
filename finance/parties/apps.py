from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "finance.parties"
    label = "parties"
    verbose_name = "Parties / 机构与用户"

    def ready(self):
        from finance.web.navigation import register, register_home_panel

        from .models import Role
        from .rules import AUTHENTICATOR_ROLES, PEOPLE_MANAGER_ROLES

        register(_("People"), "accounts:people", PEOPLE_MANAGER_ROLES)
        register(_("Authenticator"), "accounts:otp-enrol", AUTHENTICATOR_ROLES)
        # API keys are for bank and guarantor administrators only: the administrator's home card links them
        # (a menu entry cannot tell a bank's administrator from an enterprise's).
        register_home_panel(Role.ORG_ADMIN, "parties/home_org_admin.html", _("Organisation administration"))
        register_home_panel(Role.VIEWER, "parties/home_viewer.html", _("Read-only access"))

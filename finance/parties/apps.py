from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "finance.parties"
    label = "parties"
    verbose_name = "Parties / 机构与用户"

    def ready(self):
        from finance.web.navigation import register, register_home_panel

        from .models import APPROVER_ROLES, Role

        register(_("People"), "accounts:people", [Role.ORG_ADMIN, Role.ADMINISTRATOR])
        register(_("Authenticator"), "accounts:otp-enrol", [*APPROVER_ROLES, Role.ORG_ADMIN])
        # API keys are for bank and guarantor administrators only: the administrator's home card links them
        # (a menu entry cannot tell a bank's administrator from an enterprise's).
        register_home_panel(Role.ORG_ADMIN, "parties/home_org_admin.html", _("Organisation administration"))
        register_home_panel(Role.VIEWER, "parties/home_viewer.html", _("Read-only access"))

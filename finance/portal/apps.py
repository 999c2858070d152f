from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The startup's own data: profile, talent team, shareholders, IP portfolio and documents (issue 12)."""

    name = "finance.portal"
    label = "portal"
    verbose_name = _("Enterprise portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from finance.parties.models import Role
        from finance.web.navigation import register, register_home_panel

        # Role values as strings: org_admin and viewer are the parties' Role.ORG_ADMIN / Role.VIEWER.
        register(_("Enterprise portal"), "portal:home", [Role.APPLICANT, "org_admin", "viewer"])
        register(_("Enterprise verification"), "portal:verification-list", [Role.DEPARTMENT_REVIEWER])
        register_home_panel(Role.APPLICANT, "portal/panels/enterprise.html", _("My enterprise"))
        register_home_panel("viewer", "portal/panels/enterprise.html", _("My enterprise"))
        register_home_panel(
            Role.DEPARTMENT_REVIEWER, "portal/panels/verification.html", _("Enterprise verification")
        )

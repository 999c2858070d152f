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
        # the portal is the enterprise's own (not a bank's organisation administrator's, nor a university's)
        enterprise = ["enterprise"]
        register(_("Enterprise portal"), "portal:home", [Role.APPLICANT, "org_admin", "viewer"],
                 org_kinds=enterprise)
        register(_("Enterprise verification"), "portal:verification-list", [Role.DEPARTMENT_REVIEWER])
        for role in (Role.APPLICANT, "viewer"):
            register_home_panel(role, "portal/panels/enterprise.html", _("My enterprise"),
                                org_kinds=enterprise)
        register_home_panel(
            Role.DEPARTMENT_REVIEWER, "portal/panels/verification.html", _("Enterprise verification")
        )

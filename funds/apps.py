from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    label = "funds"
    verbose_name = _("Funds and deals")

    def ready(self):
        from finance.parties.models import Role
        from finance.web.navigation import register, register_home_panel

        register(_("Sub-funds"), "funds:subfund-list",
                 [Role.FUND_MANAGER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR,
                                                          Role.ADMINISTRATOR])
        register(_("Deal pipeline"), "funds:pipeline", [Role.FUND_MANAGER, Role.COMMITTEE_MEMBER])
        register(_("My votes"), "funds:my-votes", [Role.COMMITTEE_MEMBER])
        register(_("My commitments"), "funds:my-commitments", [Role.DEPARTMENT_REVIEWER, Role.AUDITOR])
        register_home_panel(Role.FUND_MANAGER, "funds/home/manager.html", _("Funds and deals"))
        register_home_panel(Role.COMMITTEE_MEMBER, "funds/home/committee.html", _("Pending votes"))
        register_home_panel(Role.DEPARTMENT_REVIEWER, "funds/home/lp.html", _("Fund commitments"))

        from funds.direct import wiring

        wiring.ready()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuaranteesConfig(AppConfig):
    name = "guarantees"
    label = "guarantees"
    verbose_name = _("Risk pools and guarantees")

    def ready(self):
        from finance.parties.models import Role
        from finance.web.navigation import register, register_home_panel

        register(
            _("Risk pools"),
            "guarantees:pool-list",
            [Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR],
        )
        register(
            _("Compensation claims"),
            "guarantees:claim-list",
            [Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR],
        )
        register(
            _("Guarantees"),
            "guarantees:guarantee-list",
            [Role.GUARANTOR_OFFICER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR],
        )
        register(
            _("Pool requests"),
            "guarantees:pool-request-list",
            [Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR],
        )
        register_home_panel(
            Role.DEPARTMENT_REVIEWER, "guarantees/home/reviewer.html", _("Compensation claims")
        )
        register_home_panel(Role.BANK_OFFICER, "guarantees/home/bank.html", _("Risk-compensation pools"))
        register_home_panel(
            Role.GUARANTOR_OFFICER, "guarantees/home/guarantor.html", _("Guarantees (鲁科担)")
        )

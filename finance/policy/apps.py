from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "finance.policy"
    label = "policy"
    verbose_name = "Policy parameters / 政策参数"

    def ready(self):
        from finance.web.navigation import register

        from .views import ROLES_READING

        register(_("Policy parameters"), "policy-list", ROLES_READING)

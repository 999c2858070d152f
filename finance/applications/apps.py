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

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The startup's own data: profile, talent team, shareholders, IP portfolio and documents (issue 12)."""

    name = "finance.portal"
    label = "portal"
    verbose_name = _("Enterprise portal")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "finance.api"
    label = "api"
    verbose_name = "API conventions / 接口"

    def ready(self):
        from . import schema  # noqa: F401  registers the OpenAPI auth extension

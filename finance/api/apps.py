from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "finance.api"
    label = "api"
    verbose_name = "API conventions / 接口"

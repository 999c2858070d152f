from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "finance.web"
    label = "web"
    verbose_name = "Web UI"

from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    label = "funds"

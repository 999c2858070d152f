from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "finance.parties"
    label = "parties"
    verbose_name = "Parties / 机构与用户"

from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "finance.policy"
    label = "policy"
    verbose_name = "Policy parameters / 政策参数"

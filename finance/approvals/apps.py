from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "finance.approvals"
    label = "approvals"
    verbose_name = "Approvals and audit / 审批与审计"

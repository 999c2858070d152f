from django.contrib import admin

from .models import ApprovalDecision, ApprovalRequest, ApprovalRule, Committee, Meeting, StateChange, Vote


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "level", "min_amount", "role")


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    list_display = ("item_type", "item_id", "from_state", "to_state", "by", "at", "reason")
    list_filter = ("item_type",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ApprovalRequest)
admin.site.register(ApprovalDecision)
admin.site.register(Committee)
admin.site.register(Meeting)
admin.site.register(Vote)

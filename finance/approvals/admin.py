"""Approvals in the admin are read-only: rules, requests, decisions, meetings, votes and recusals are written
only by the services (maker-checker, committee votes), so one administrator cannot approve, or override a
committee, alone. Committees (name and members) stay editable until a committee service exists."""
from django.contrib import admin

from finance.web.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    Committee,
    Meeting,
    Recusal,
    StateChange,
    Vote,
)


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(ReadOnlyAdmin):
    list_display = ("kind", "level", "min_amount", "role")


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdmin):
    list_display = ("item_type", "item_id", "from_state", "to_state", "by", "at", "reason")
    list_filter = ("item_type",)


class ApprovalDecisionInline(ReadOnlyTabularInline):
    model = ApprovalDecision


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "item_type", "item_id", "status", "maker")
    list_filter = ("status", "item_type")
    inlines = [ApprovalDecisionInline]


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "request", "approver")


class VoteInline(ReadOnlyTabularInline):
    model = Vote


class RecusalInline(ReadOnlyTabularInline):
    model = Recusal


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("id", "committee", "item_type", "item_id", "status", "opened_by")
    list_filter = ("status",)
    inlines = [VoteInline, RecusalInline]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("id", "meeting", "member")


@admin.register(Recusal)
class RecusalAdmin(ReadOnlyAdmin):
    list_display = ("id", "meeting", "member")


admin.site.register(Committee)

"""Read-only admin classes: the admin is for looking at records that only services may write.

Policy values and changes, approval rules, requests and decisions, meetings, votes and recusals, role grants
and API keys, the ledger: one administrator must not change any of them alone (issue 9 #3, #4). Changes go
through the services and their pages (the maker-checker policy pages at /policy/, the approval and committee
pages).
"""
from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """View permission only: no add, change or delete (list and detail pages still show everything)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

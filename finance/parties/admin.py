"""Organisations and users in the admin.

Role grants and API keys are read-only here: roles are given with ``manage.py create_user`` (the service
checks role ↔ organisation kind, and so does the database), keys with ``manage.py create_api_key``. A user's
organisation and the staff/superuser flags (which follow the administrator role) cannot be edited either.
Deactivating an organisation here (``is_active``) takes effect at once: its keys, logins and sessions stop.
"""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from finance.web.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Organisation, OrganisationAPIKey, RoleGrant, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "uscc", "dept_level", "region", "is_active")
    list_filter = ("kind", "dept_level", "is_active")
    search_fields = ("name", "uscc")

    def get_readonly_fields(self, request, obj=None):
        # The kind decides which roles its users hold: fixed once the organisation exists.
        return ("kind",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead (records keep pointing at it)


class RoleGrantInline(ReadOnlyTabularInline):
    model = RoleGrant
    fields = ("role", "org_kind", "granted_at")
    readonly_fields = fields


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "organisation", "is_active")
    list_filter = ("organisation__kind", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        ("Kejin", {"fields": ("organisation", "display_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("organisation", "is_staff", "is_superuser", "last_login", "date_joined")
    inlines = [RoleGrantInline]

    def has_add_permission(self, request):
        return False  # users are created with their roles by `manage.py create_user`

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead (audit rows name the user)


@admin.register(OrganisationAPIKey)
class OrganisationAPIKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "organisation", "created", "expiry_date", "revoked")
    list_filter = ("revoked", "organisation")
    search_fields = ("name", "prefix")

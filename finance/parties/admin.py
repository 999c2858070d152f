from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import Organisation, OrganisationAPIKey, RoleGrant, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "uscc", "dept_level", "region", "is_active")
    list_filter = ("kind", "dept_level")
    search_fields = ("name", "uscc")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "organisation", "is_active")
    list_filter = ("organisation__kind",)
    fieldsets = (*BaseUserAdmin.fieldsets, ("Kejin", {"fields": ("organisation", "display_name")}))
    inlines = [RoleGrantInline]


@admin.register(OrganisationAPIKey)
class OrganisationAPIKeyAdmin(APIKeyModelAdmin):
    list_display = (*APIKeyModelAdmin.list_display, "organisation")

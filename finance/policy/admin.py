"""Policy in the admin is read-only: a value changes only through maker-checker (the /policy/ pages:
one administrator proposes, another approves), never by adding a row here."""
from django.contrib import admin

from finance.web.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Parameter, ParameterChange, ParameterValue


class ParameterValueInline(ReadOnlyTabularInline):
    model = ParameterValue
    fields = ("scope", "value", "effective_from", "source_note", "set_by", "set_at")
    readonly_fields = fields


@admin.register(Parameter)
class ParameterAdmin(ReadOnlyAdmin):
    list_display = ("key", "name_zh", "name_en", "unit", "source")
    search_fields = ("key", "name_zh", "name_en")
    inlines = [ParameterValueInline]


@admin.register(ParameterValue)
class ParameterValueAdmin(ReadOnlyAdmin):
    list_display = ("parameter", "scope", "value", "effective_from", "set_by", "set_at")
    list_filter = ("parameter",)


@admin.register(ParameterChange)
class ParameterChangeAdmin(ReadOnlyAdmin):
    list_display = ("parameter", "scope", "value", "effective_from", "status", "proposed_by", "created_at")
    list_filter = ("status",)

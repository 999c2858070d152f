from django.contrib import admin

from .models import Parameter, ParameterValue


class ParameterValueInline(admin.TabularInline):
    model = ParameterValue
    extra = 1
    readonly_fields = ("set_by", "set_at")

    def has_change_permission(self, request, obj=None):
        return False  # history is kept: add a new row instead of editing one

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Parameter)
class ParameterAdmin(admin.ModelAdmin):
    list_display = ("key", "name_zh", "name_en", "unit", "source")
    search_fields = ("key", "name_zh", "name_en")
    inlines = [ParameterValueInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            obj.set_by = request.user
            obj.save()

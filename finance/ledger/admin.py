"""The ledger in the admin is read-only: no add, change or delete anywhere."""
from django.contrib import admin

from finance.web.readonly_admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Account, JournalEntry, Posting


class PostingInline(ReadOnlyTabularInline):
    model = Posting
    readonly_fields = ("account", "side", "amount")


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "value_date", "memo", "idempotency_ref", "posted_by", "posted_at")
    inlines = [PostingInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "currency", "balance", "owner")
    search_fields = ("code", "name")

"""Audit packs in the Django admin: read-only (packs are produced and kept, never edited)."""

from django.contrib import admin

from govreg.admin import ReadOnlyAdmin

from .models import AuditPack


@admin.register(AuditPack)
class AuditPackAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "scope",
        "language",
        "status",
        "attempts",
        "requested_by",
        "requested_at",
        "page_count",
    )
    list_filter = ("status", "scope", "language")
    search_fields = ("title", "sha256", "snapshot_sha256", "id")
    date_hierarchy = "requested_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["organisations"]

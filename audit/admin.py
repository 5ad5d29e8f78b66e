from django.contrib import admin

from govreg.admin import ReadOnlyAdmin

from .models import AuditEvent, OutsideChange


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only."""

    list_display = ("chain", "position", "created_at", "actor_label", "action", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_label")


@admin.register(OutsideChange)
class OutsideChangeAdmin(ReadOnlyAdmin):
    """Read-only: written by the database, never by GovReg."""

    list_display = ("recorded_at", "operation", "table_name", "row_id", "database_user")
    list_filter = ("operation", "table_name")
    search_fields = ("transaction", "row_id")

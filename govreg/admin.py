"""What the apps' admin pages share."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records shown, never added, changed or removed here: every change goes through the
    services (and so the audit log), or is never made at all (the log itself)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

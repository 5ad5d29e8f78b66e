"""Read-only admin views: every change goes through the services (and the audit log)."""

from django.contrib import admin

from govreg.admin import ReadOnlyAdmin

from .models import Comment, Concern, Consultation, Disclosure, Meeting, RightsRequest


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ("system", "stage", "status", "outcome", "created_at")
    list_filter = ("stage", "status", "outcome")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("consultation", "held_on", "title")


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("consultation", "label", "kind", "shared_at")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("system", "target_label", "author", "created_at")


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ("system", "summary", "source", "status", "due_on")
    list_filter = ("status", "source", "category")


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAdmin):
    list_display = ("system", "case_reference", "kind", "received_on", "due_on", "closed_on")

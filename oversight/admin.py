"""Read-only admin: sign-offs, lifecycle moves and audits are records that are never edited,
and review intervals are changed on their own page (so the change is audited)."""

from django.contrib import admin

from govreg.admin import ReadOnlyAdmin

from .models import (
    AuditAnswer,
    BiasResult,
    LifecycleTransition,
    PostDeploymentAudit,
    Reminder,
    ReviewPolicy,
    SignOff,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = (
        "system",
        "decision",
        "signed_by",
        "signed_at",
        "content_hash",
        "snapshot_version",
    )
    list_filter = ("decision", "snapshot_version")
    search_fields = ("system__name", "content_hash")


@admin.register(LifecycleTransition)
class LifecycleTransitionAdmin(ReadOnlyAdmin):
    list_display = ("system", "kind", "from_stage", "to_stage", "actor_label", "at")
    list_filter = ("kind", "to_stage")
    search_fields = ("system__name",)


class AuditAnswerInline(ReadOnlyInline):
    model = AuditAnswer


class BiasResultInline(ReadOnlyInline):
    model = BiasResult


@admin.register(PostDeploymentAudit)
class PostDeploymentAuditAdmin(ReadOnlyAdmin):
    list_display = ("system", "conducted_on", "outcome", "recorded_by")
    list_filter = ("outcome",)
    inlines = [AuditAnswerInline, BiasResultInline]


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation",
        "months_level_i",
        "months_level_ii",
        "months_level_iii",
        "months_level_iv",
    )


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("kind", "object_id", "due_date", "threshold", "system", "sent_at")
    list_filter = ("kind", "threshold")

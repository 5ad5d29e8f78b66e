"""Read-only admin views: every change goes through the services (and the audit log)."""

from django.contrib import admin

from govreg.admin import ReadOnlyAdmin

from .models import Action, Assessment, Questionnaire, Risk


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ("slug", "version", "status", "max_raw", "max_mitigation", "published_at")
    exclude = ("definition",)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("system", "kind", "version", "status", "approved_at")
    list_filter = ("kind", "status")
    exclude = ("content",)


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ("system", "number", "category", "likelihood", "impact", "status")


@admin.register(Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ("system", "number", "owner", "due_date", "progress")

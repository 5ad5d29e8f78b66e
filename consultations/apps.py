from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from audit.models import register_actions
        from registers.panels import (
            DashboardPanel,
            SystemPanel,
            register_dashboard_panel,
            register_system_panel,
        )

        from . import checks  # noqa: F401 - registers the system checks
        from .panels import comments_panel_context, dashboard_context, system_panel_context

        register_actions(
            {
                "consultation.created": _("Consultation planned"),
                "consultation.updated": _("Consultation changed"),
                "consultation.opened": _("Consultation opened"),
                "consultation.concluded": _("Consultation concluded"),
                "consultation.point_updated": _("Prompt for discussion updated"),
                "consultation.position_recorded": _("Union position recorded"),
                "meeting.recorded": _("Consultation meeting recorded"),
                "meeting.updated": _("Consultation meeting changed"),
                "disclosure.made": _("Shared with the union reps"),
                "comment.added": _("Comment added"),
                "comment.replied": _("Reply added"),
                "comment.resolved": _("Comment thread resolved"),
                "comment.reopened": _("Comment thread reopened"),
                "concern.raised": _("Concern raised"),
                "concern.categorised": _("Concern categorised"),
                "concern.responded": _("Employer responded to a concern"),
                "concern.escalated": _("Concern escalated"),
                "concern.resolved": _("Concern resolved"),
                "concern.reopened": _("Concern reopened"),
                "concern.overdue": _("Response to a concern overdue"),
                "rights_request.logged": _("Rights request logged"),
                "rights_request.updated": _("Rights request changed"),
                "rights_request.extended": _("Rights request extended"),
                "rights_request.closed": _("Rights request closed"),
            }
        )
        register_system_panel(
            SystemPanel(
                "consultation",
                _("Consultation"),
                "consultations/includes/system_panel.html",
                system_panel_context,
                order=40,
            )
        )
        register_system_panel(
            SystemPanel(
                "comments",
                _("Comments"),
                "consultations/includes/comments_panel.html",
                comments_panel_context,
                order=45,
                tab="consultation",
            )
        )
        register_dashboard_panel(
            DashboardPanel(
                "worker-voice",
                "consultations/includes/dashboard_panel.html",
                dashboard_context,
                order=30,
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from audit.models import register_actions
        from registers.panels import register_dashboard_panel, register_system_panel

        from .panels import DASHBOARD, PANELS

        for panel in PANELS:
            register_system_panel(panel)
        for panel in DASHBOARD:
            register_dashboard_panel(panel)
        register_actions(
            {
                "assessment.started": _("Assessment started"),
                "assessment.version_started": _("New assessment version started"),
                "assessment.section_saved": _("Assessment section saved"),
                "assessment.row_added": _("Assessment entry added"),
                "assessment.row_changed": _("Assessment entry changed"),
                "assessment.row_removed": _("Assessment entry removed"),
                "assessment.answers_saved": _("AIA answers saved"),
                "assessment.submitted": _("Assessment submitted for review"),
                "assessment.returned": _("Assessment returned for changes"),
                "assessment.approved": _("Assessment approved"),
                "assessment.superseded": _("Assessment superseded"),
                "risk.created": _("Risk added"),
                "risk.updated": _("Risk changed"),
                "risk.accepted": _("Risk accepted"),
                "risk.acceptance_expired": _("Risk acceptance expired; risk reopened"),
                "action.created": _("Action added"),
                "action.updated": _("Action changed"),
                "action.progress_updated": _("Action progress updated"),
                "questionnaire.loaded": _("AIA questionnaire loaded"),
                "questionnaire.replaced": _("AIA questionnaire draft replaced"),
                "questionnaire.published": _("AIA questionnaire published"),
            }
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Human oversight")

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
                "system.signed_off": _("Signed off by the accountable manager"),
                "system.signed_off_with_conditions": _(
                    "Signed off with conditions by the accountable manager"
                ),
                "system.signoff_refused": _("Sign-off refused by the accountable manager"),
                "system.initial_assessment_completed": _(
                    "Assessment of a system already in use completed"
                ),
                "system.paused": _("System paused"),
                "system.retired": _("System stopped and retired"),
                "system.restarted": _("System restarted"),
                "system.review_scheduled": _("Next review date set"),
                "review_policy.updated": _("Review intervals changed"),
                "post_deployment_audit.recorded": _("Post-deployment audit recorded"),
            }
        )

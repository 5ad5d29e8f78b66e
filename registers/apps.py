from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = _("Register of algorithmic systems")

    def ready(self):
        from audit.models import register_actions

        register_actions(
            {
                "system.created": _("System recorded"),
                "system.updated": _("Record changed"),
                "specification.created": _("Specification added"),
                "specification.updated": _("Specification changed"),
                "specification.deleted": _("Specification removed"),
                "evidence.uploaded": _("Evidence uploaded"),
                "system.published": _("Published to the public register"),
                "system.stage_changed": _("Lifecycle stage changed"),
            }
        )

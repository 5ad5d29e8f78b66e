from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PacksConfig(AppConfig):
    name = "packs"
    verbose_name = _("Audit packs")

    def ready(self):
        from audit.models import register_actions
        from registers.panels import register_system_panel

        from .panels import PACKS_PANEL

        register_system_panel(PACKS_PANEL)
        register_actions(
            {
                "pack.requested": _("Audit pack requested"),
                "pack.retried": _("Audit pack tried again"),
                "pack.completed": _("Audit pack produced"),
                "pack.failed": _("Audit pack failed"),
            }
        )
        checks.register(check_fault_injection_off, checks.Tags.security)


def check_fault_injection_off(app_configs=None, **kwargs):
    from django.conf import settings

    if getattr(settings, "PACKS_TEST_FAULT", ""):
        return [
            checks.Warning(
                "PACKS_TEST_FAULT is set: audit packs will fail on purpose.",
                hint="It is for the reliability tests only. Unset it.",
                id="packs.W001",
            )
        ]
    return []

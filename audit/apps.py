from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from . import outside
        from .models import register_actions

        register_actions(
            {
                "outside.created": _("Added outside GovReg"),
                "outside.changed": _("Changed outside GovReg"),
                "outside.deleted": _("Removed outside GovReg"),
            }
        )
        post_migrate.connect(outside.install, sender=self, dispatch_uid="audit.outside.install")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        from audit.models import register_actions

        from . import schema  # noqa: F401 - registers the OpenAPI extensions

        register_actions(
            {
                "api_token.created": _("API token created"),
                "api_token.revoked": _("API token revoked"),
            }
        )

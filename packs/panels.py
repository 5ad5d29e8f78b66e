"""The "Audit packs" panel of the system page: ask for a pack, and every pack of the system."""

from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from registers.panels import SystemPanel

from .forms import SystemPackForm
from .models import AuditPack, PackScope

PANEL_ROWS = 20


@lru_cache(maxsize=8)
def _request_form(language: str | None) -> str:
    """The pack-request form's markup. Unbound, with the installed languages as its choices,
    it is the same for everyone reading in ``language``: rendered once per process."""
    return SystemPackForm(auto_id="pack-%s").render()


def system_panel_context(system, user) -> dict:
    """One query (the packs); permissions come from the memberships cached on the user."""
    packs = list(
        AuditPack.objects.filter(system=system, scope=PackScope.SYSTEM)
        .select_related("requested_by")
        .order_by("-requested_at")[: PANEL_ROWS + 1]
    )
    return {
        "packs": packs[:PANEL_ROWS],
        "more": len(packs) > PANEL_ROWS,
        "can_request": permissions.can(user, "request_pack", system),
        "can_download": permissions.can(user, "download_pack", system),
        "form": _request_form(get_language()),
    }


PACKS_PANEL = SystemPanel(
    "packs", _("Audit packs"), "packs/includes/system_panel.html", system_panel_context, order=90
)

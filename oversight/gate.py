"""This app's part of the gate to pilot or in use: a current sign-off by the accountable
senior manager (``registers/gates.py``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registers.gates import GateItem
from registers.panels import shared_on_page

from .services import GATE_KEY, signoff_status

HISTORY_ON_PAGE = 20


def page_signoffs(system) -> list:
    """The system's latest sign-offs, newest first (one query; on the system page, one between
    its gate and its sign-off section)."""
    return shared_on_page(
        system, "oversight.signoffs", lambda: list(system.signoffs.for_panel()[:HISTORY_ON_PAGE])
    )


def page_signoff_status(system, signoffs: list | None = None):
    """``signoff_status`` from ``page_signoffs`` (or the ``signoffs`` the caller already has):
    on the system page, worked out once."""

    def compute():
        rows = page_signoffs(system) if signoffs is None else signoffs
        return signoff_status(system, latest=rows[0] if rows else None)

    return shared_on_page(system, "oversight.signoff_status", compute)


def item_for(system, status) -> GateItem:
    """The gate item from an already computed ``SignOffStatus`` (no queries)."""
    label = _("Current sign-off by the accountable senior manager")
    # The system page's sign-off section: every reader may open it (the sign-off page is the
    # accountable manager's only).
    url = reverse("registers:system_detail", args=[system.uuid]) + "#oversight"
    signoff = status.signoff
    if status.state == "none":
        if system.accountable_manager_id is None:
            detail = _("No accountable senior manager is named in the record yet.")
        else:
            detail = _("Not signed off yet.")
        return GateItem(GATE_KEY, label, False, detail, url)
    when = date_format(signoff.signed_at, "j F Y")
    if status.state == "refused":
        detail = _("%(who)s refused to sign it off on %(date)s.") % {
            "who": signoff.signed_by,
            "date": when,
        }
        return GateItem(GATE_KEY, label, False, detail, url)
    if status.state == "stale":
        detail = _(
            "Re-sign required: signed off by %(who)s on %(date)s, but the record, an assessment "
            "or the consultation has changed since."
        ) % {"who": signoff.signed_by, "date": when}
        return GateItem(GATE_KEY, label, False, detail, url)
    detail = _("%(decision)s by %(who)s on %(date)s (content hash %(hash)s…).") % {
        "decision": signoff.get_decision_display(),
        "who": signoff.signed_by,
        "date": when,
        "hash": signoff.short_hash,
    }
    return GateItem(GATE_KEY, label, True, detail, url)


def items(system) -> list[GateItem]:
    return [item_for(system, page_signoff_status(system))]

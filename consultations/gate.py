"""The consultation condition of the gate to pilot or in use.

``items(system)`` answers whether the consultation for the system's current stage has
concluded with the union position recorded, as ``GateItem``s for ``registers/gates.py``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from registers.gates import GateItem
from registers.panels import shared_on_page

from .choices import STAGE_FOR_LIFECYCLE, ConsultationStatus, Stage
from .models import Consultation

KEY = "consultation"


def current_stage(system) -> str:
    return STAGE_FOR_LIFECYCLE.get(system.lifecycle_stage, Stage.DEPLOYMENT)


def consultation_item(system, consultations) -> GateItem:
    """The gate item from the system's consultations (already fetched, with ``unions`` and
    ``positions`` prefetched): no queries of its own."""
    stage = current_stage(system)
    label = _(
        "Union consultation for the current stage (%(stage)s) concluded, with the union position recorded"
    ) % {"stage": Stage(stage).label}
    at_stage = sorted(
        (c for c in consultations if c.stage == stage), key=lambda c: (c.created_at, c.pk)
    )
    if not at_stage:
        return GateItem(
            KEY,
            label,
            False,
            _("No consultation has been planned for this stage yet."),
            reverse("consultations:list", args=[system.uuid]),
        )
    latest = at_stage[-1]
    url = reverse("consultations:detail", args=[system.uuid, latest.uuid])
    positions = latest.current_positions()
    if latest.status != ConsultationStatus.CONCLUDED:
        waiting = latest.unions_without_position()
        if waiting:
            detail = _("%(status)s; waiting for the position of %(unions)s.") % {
                "status": latest.get_status_display(),
                "unions": ", ".join(str(u) for u in waiting),
            }
        else:
            detail = _(
                "%(status)s; every union has recorded its position, but the consultation has not concluded."
            ) % {"status": latest.get_status_display()}
        return GateItem(KEY, label, False, detail, url)
    if not positions:
        return GateItem(KEY, label, False, _("Concluded without a union position recorded."), url)
    detail = _("Concluded on %(date)s: %(outcome)s (%(positions)s).") % {
        "date": date_format(latest.concluded_at, "j F Y"),
        "outcome": latest.get_outcome_display(),
        "positions": "; ".join(f"{p.union}: {p.get_position_display()}" for p in positions),
    }
    return GateItem(KEY, label, True, detail, url)


def page_consultations(system) -> list[Consultation]:
    """Every consultation of the system, oldest first, with unions and positions (three
    queries; on the system page, once between its gate and its consultation section)."""
    return shared_on_page(
        system,
        "consultations.consultations",
        lambda: list(
            Consultation.objects.filter(system=system).with_positions().order_by("created_at", "id")
        ),
    )


def items(system) -> list[GateItem]:
    """The gate's consultation condition for ``system`` (three queries, none more on the system
    page)."""
    return [consultation_item(system, page_consultations(system))]

"""The assessments app's sections of the system page and panels of the dashboard.

Each context function runs a fixed number of queries whatever the number of risks, actions or
versions (asserted in ``tests/assessments/test_query_counts.py``).
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Role
from registers.gates import gate
from registers.panels import DashboardPanel, SystemPanel

from .choices import BAND_CSS, IMPACT_LABELS, LIKELIHOOD_LABELS, SHORT_NAMES, Kind, Status, band_for
from .models import Action, Assessment, Risk
from .services import by_kind

TOP_RISKS = 5
OVERDUE_ON_PAGE = 10


def heat_map(counts: dict[tuple[int, int], int]) -> dict:
    """A 5×5 grid, impact 5 at the top and likelihood 1 on the left, with bands and counts."""
    rows = []
    for impact in range(5, 0, -1):
        cells = []
        for likelihood in range(1, 6):
            score = likelihood * impact
            band = band_for(score)
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": score,
                    "band": band,
                    "band_label": _band_label(band),
                    "css": BAND_CSS[band],
                    "count": counts.get((likelihood, impact), 0),
                }
            )
        rows.append({"impact": impact, "impact_label": IMPACT_LABELS[impact], "cells": cells})
    by_band: dict[str, int] = {}
    for (likelihood, impact), n in counts.items():
        band = band_for(likelihood * impact)
        by_band[band] = by_band.get(band, 0) + n
    return {
        "rows": rows,
        "likelihoods": [{"n": n, "label": LIKELIHOOD_LABELS[n]} for n in range(1, 6)],
        "total": sum(counts.values()),
        "by_band": [
            {
                "band": band,
                "label": _band_label(band),
                "css": BAND_CSS[band],
                "count": by_band.get(band, 0),
            }
            for band in ("extreme", "high", "moderate", "low")
        ],
    }


def _band_label(band: str) -> str:
    from .choices import Band

    return Band(band).label


# --- system page ----------------------------------------------------------------------------


def gate_context(system, user) -> dict:
    result = gate(system)
    return {"gate": result, "system": system}


def assessments_context(system, user) -> dict:
    slots = by_kind(system)
    rows = []
    for kind in Kind:
        rows.append(
            {
                "kind": kind,
                "short": SHORT_NAMES[kind],
                "approved": slots[kind]["approved"],
                "open": slots[kind]["open"],
            }
        )
    return {
        "rows": rows,
        "system": system,
        "can_edit": permissions.can(user, "edit_assessment", system),
    }


def risks_context(system, user) -> dict:
    live = Risk.objects.filter(system=system).live()
    today = timezone.localdate()
    actions = Action.objects.filter(system=system)
    action_counts = actions.aggregate(
        total=Count("id"),
        open=Count("id", filter=~Q(progress="achieved")),
        overdue=Count("id", filter=~Q(progress="achieved") & Q(due_date__lt=today)),
    )
    return {
        "system": system,
        "heat": heat_map(live.heat_counts()),
        "top_risks": _top_risks(live),
        "overdue_actions": list(
            actions.overdue(today).order_by("due_date", "number")[:OVERDUE_ON_PAGE]
        ),
        "action_counts": action_counts,
        "band_css": BAND_CSS,
        "can_manage": permissions.can(user, "manage_risks", system),
    }


def _top_risks(live) -> list[Risk]:
    return list(
        live.annotate(score_value=F("likelihood") * F("impact")).order_by("-score_value", "number")[
            :TOP_RISKS
        ]
    )


# --- dashboard ------------------------------------------------------------------------------


def dashboard_risks_context(user) -> dict:
    ids = permissions.organisation_ids(user, "view")
    live = Risk.objects.filter(system__organisation_id__in=ids).live()
    return {"heat": heat_map(live.heat_counts()), "has_orgs": bool(ids)}


def dashboard_actions_context(user) -> dict:
    ids = permissions.organisation_ids(user, "view")
    overdue = Action.objects.filter(system__organisation_id__in=ids).overdue()
    return {
        "overdue": list(overdue.select_related("system").order_by("due_date", "id")[:20]),
        "overdue_count": overdue.count(),
        "has_orgs": bool(ids),
    }


def dashboard_approvals_context(user) -> dict:
    """Versions in review that this user may approve (and did not prepare)."""
    admin_orgs = [
        m.organisation_id for m in permissions.memberships(user) if m.role == Role.ORG_ADMIN
    ]
    manager_orgs = [
        m.organisation_id for m in permissions.memberships(user) if m.role == Role.SENIOR_MANAGER
    ]
    if not admin_orgs and not manager_orgs:
        return {"waiting": []}
    scope = Q(system__organisation_id__in=admin_orgs) | Q(
        system__organisation_id__in=manager_orgs, system__accountable_manager=user
    )
    waiting = (
        Assessment.objects.filter(scope, status=Status.IN_REVIEW)
        .exclude(prepared_by=user)
        .exclude(contributors=user)
        .select_related("system")
        .order_by("submitted_at")[:20]
    )
    return {"waiting": list(waiting)}


PANELS = (
    SystemPanel(
        "gate",
        _("Ready for pilot or use?"),
        "assessments/panels/system_gate.html",
        gate_context,
        order=10,
        tab="overview",
    ),
    SystemPanel(
        "assessments",
        _("Impact assessments"),
        "assessments/panels/system_assessments.html",
        assessments_context,
        order=20,
    ),
    SystemPanel(
        "risks",
        _("Risks and actions"),
        "assessments/panels/system_risks.html",
        risks_context,
        order=30,
    ),
)
DASHBOARD = (
    DashboardPanel(
        "assessments-awaiting-approval",
        "assessments/panels/dashboard_approvals.html",
        dashboard_approvals_context,
        order=20,
    ),
    DashboardPanel(
        "risk-heat-map",
        "assessments/panels/dashboard_heatmap.html",
        dashboard_risks_context,
        order=30,
    ),
    DashboardPanel(
        "overdue-actions",
        "assessments/panels/dashboard_overdue.html",
        dashboard_actions_context,
        order=40,
    ),
)

"""The Consultation section of the system page and the worker-voice panel of the dashboard.

Each context function runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from django.db.models import Count, Q

from accounts import permissions
from accounts.models import Role

from . import gate
from .choices import AWAITING_RESPONSE, ConcernStatus
from .comments import comments_context
from .models import Concern, Consultation, Disclosure, RightsRequest, today

LIST_LIMIT = 5
DASHBOARD_LIMIT = 10


def system_panel_context(system, user) -> dict:
    """Consultations by stage, the gate condition, open concerns and rights requests
    (six queries)."""
    on = today()
    consultations = gate.page_consultations(system)
    concerns = Concern.objects.filter(system=system)
    concern_counts = concerns.aggregate(
        open=Count("id", filter=~Q(status=ConcernStatus.RESOLVED)),
        overdue=Count("id", filter=Q(status__in=AWAITING_RESPONSE, due_on__lt=on)),
        total=Count("id"),
    )
    rights_counts = RightsRequest.objects.filter(system=system).aggregate(
        open=Count("id", filter=Q(closed_on__isnull=True)),
        overdue=Count("id", filter=Q(closed_on__isnull=True, due_on__lt=on)),
        total=Count("id"),
    )
    return {
        "consultations": consultations,
        "gate_item": gate.consultation_item(system, consultations),
        "current_stage": gate.current_stage(system),
        "open_concerns": list(
            concerns.not_resolved().select_related("union").order_by("due_on", "id")[:LIST_LIMIT]
        ),
        "concern_counts": concern_counts,
        "rights_counts": rights_counts,
        "can_manage": permissions.can(user, "manage_consultation", system),
        "can_raise_concern": permissions.can(user, "raise_concern", system),
        "can_manage_rights": permissions.can(user, "manage_rights_requests", system),
    }


def comments_panel_context(system, user) -> dict:
    """Comment threads on the system record (three queries)."""
    from django.urls import reverse

    return comments_context(
        system, system, user, reverse("registers:system_detail", args=[system.uuid])
    )


def dashboard_context(user) -> dict:
    """For reps: consultations awaiting their union's view, open concerns and recent
    disclosures. For HR: concerns awaiting a response. Empty for other roles."""
    memberships = permissions.memberships(user)
    rep = [m for m in memberships if m.role == Role.UNION_REP and m.union_id]
    responder_orgs = permissions.organisation_ids(user, "respond_concern")
    context: dict = {"is_rep": bool(rep), "is_responder": bool(responder_orgs)}
    if rep:
        org_ids = sorted({m.organisation_id for m in rep})
        union_ids = sorted({m.union_id for m in rep})
        context["awaiting"] = list(
            Consultation.objects.filter(system__organisation_id__in=org_ids)
            .awaiting_view_of(union_ids)
            .select_related("system__organisation")
            .order_by("opened_at", "id")[:DASHBOARD_LIMIT]
        )
        context["rep_concerns"] = list(
            Concern.objects.filter(system__organisation_id__in=org_ids)
            .not_resolved()
            .select_related("system__organisation", "union")
            .order_by("due_on", "id")[:DASHBOARD_LIMIT]
        )
        context["disclosures"] = list(
            Disclosure.objects.filter(
                consultation__system__organisation_id__in=org_ids,
                consultation__unions__in=union_ids,
            )
            .select_related("consultation__system")
            .distinct()
            .order_by("-shared_at", "-id")[:DASHBOARD_LIMIT]
        )
    if responder_orgs:
        context["to_answer"] = list(
            Concern.objects.filter(system__organisation_id__in=responder_orgs)
            .awaiting_response()
            .select_related("system__organisation")
            .order_by("due_on", "id")[:DASHBOARD_LIMIT]
        )
    return context

"""The "Sign-off and lifecycle" section of the system page and the oversight panels of the
dashboard. Each context function runs a fixed number of queries whatever the data size
(asserted in ``tests/oversight/test_query_counts.py``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Organisation
from assessments.choices import Kind
from assessments.choices import Status as AssessmentStatus
from assessments.models import Action, Assessment
from audit.models import AuditEvent
from consultations.models import Concern
from registers.choices import LifecycleStage
from registers.models import AlgorithmicSystem
from registers.panels import DashboardPanel, SystemPanel

from . import services
from .choices import APPROVALS, LIVE_STAGES, PRE_USE_STAGES, Decision, ImpactLevel, TransitionKind
from .gate import HISTORY_ON_PAGE, item_for, page_signoff_status, page_signoffs
from .hashing import MATERIAL_EVENTS
from .models import LifecycleTransition, ReviewPolicy, SignOff

LIST_LIMIT = 15
UPCOMING_DAYS = 30
# Stages in which a system needs a current sign-off (to go live, or because it is live).
LIST_FIELDS = (
    "id",
    "uuid",
    "name",
    "name_cy",
    "lifecycle_stage",
    "organisation",
    "organisation__name",
    "organisation__name_cy",
)
SIGNOFF_STAGES = (
    LifecycleStage.DEVELOPMENT,
    LifecycleStage.PILOT,
    LifecycleStage.IN_USE,
    LifecycleStage.PAUSED,
)


# --- System page -------------------------------------------------------------------------------


def system_panel_context(system, user) -> dict:
    """Sign-off status (with what changed since the signature), the lifecycle controls this
    user may use, the history of moves, post-deployment audits and review intervals."""
    # Through the system's own managers, so each row's ``system`` (for its link) is this one;
    # read once for the page, with the gate's checklist.
    signoffs = page_signoffs(system)
    status = page_signoff_status(system, signoffs)
    transitions = list(
        LifecycleTransition.objects.filter(system_id=system.pk).for_panel()[:HISTORY_ON_PAGE]
    )
    audits = list(system.post_deployment_audits.for_panel()[:HISTORY_ON_PAGE])
    policy = ReviewPolicy.for_organisation(system.organisation_id)
    level = services.impact_level(system)
    stage = system.lifecycle_stage
    last_pause = next((t for t in transitions if t.kind == TransitionKind.PAUSE), None)
    latest_move = transitions[0] if transitions else None
    can = {
        action: permissions.can(user, action, system)
        for action in (
            "sign_off",
            "pause",
            "retire",
            "restart",
            "change_stage",
            "record_audit",
            "configure_reviews",
        )
    }
    return {
        "system": system,
        "status": status,
        "gate_item": item_for(system, status),
        "changes": services.changes_since(status.later_events)
        if status.signoff and status.later_events
        else [],
        "signoffs": signoffs,
        "transitions": transitions,
        "latest_move": latest_move,
        "audits": audits,
        "policy": policy,
        "level": level,
        "interval": policy.months_for(level),
        "review_overdue": bool(
            system.next_review_date
            and stage in LIVE_STAGES
            and system.next_review_date < timezone.localdate()
        ),
        "stage_targets": services.stage_targets(system) if can["change_stage"] else [],
        "restart_targets": services.restart_targets(
            system, last_pause.from_stage if last_pause else None
        )
        if can["restart"]
        else [],
        "can": can,
        "can_pause": can["pause"] and stage not in (LifecycleStage.PAUSED, LifecycleStage.RETIRED),
        "can_retire": can["retire"] and stage != LifecycleStage.RETIRED,
        "can_audit": can["record_audit"] and stage in (*LIVE_STAGES, LifecycleStage.PAUSED),
        "can_schedule": can["change_stage"]
        and stage in LIVE_STAGES
        and not system.next_review_date,
        "is_accountable": system.accountable_manager_id == user.pk,
    }


# --- Dashboard ---------------------------------------------------------------------------------


def annotate_signoff_state(systems):
    """Each system with its latest sign-off's decision and whether material content changed
    after it (``signoff_changed``): two subqueries and an EXISTS, no query per row."""
    latest = SignOff.objects.filter(system_id=OuterRef("pk")).order_by("-signed_at", "-pk")
    changed = AuditEvent.objects.filter(
        system_id=OuterRef("pk"), position__gt=OuterRef("signoff_position")
    ).filter(MATERIAL_EVENTS)
    return systems.annotate(
        signoff_decision=Subquery(latest.values("decision")[:1]),
        signoff_position=Subquery(latest.values("audit_position")[:1]),
        signoff_at=Subquery(latest.values("signed_at")[:1]),
    ).annotate(signoff_changed=Exists(changed))


def _aia_level():
    return Subquery(
        Assessment.objects.filter(
            system_id=OuterRef("pk"), kind=Kind.AIA, status=AssessmentStatus.APPROVED
        ).values("level")[:1]
    )


def bar_chart(rows: list[dict], *, width: int = 440) -> dict:
    """Geometry of a horizontal bar chart drawn in SVG by the template: each row's label on
    its own line above the bar, the count written after the bar (no meaning by colour)."""
    label_h, bar_h, gap, count_w = 22, 22, 14, 60
    track = width - count_w
    top = max((r["value"] for r in rows), default=0) or 1
    y = 4
    bars = []
    for row in rows:
        length = round(track * row["value"] / top) if row["value"] else 0
        bars.append(
            {
                **row,
                "label_y": y + 16,
                "bar_y": y + label_h,
                "bar_w": max(length, 2 if row["value"] else 0),
                "count_x": max(length, 2) + 8,
                "count_y": y + label_h + 16,
            }
        )
        y += label_h + bar_h + gap
    return {"bars": bars, "width": width, "height": y}


def overview_context(user) -> dict:
    """Counts by stage and impact level (charts and a table), by body for members of several."""
    org_ids = permissions.organisation_ids(user, "view")
    if not org_ids:
        return {"has_orgs": False}
    systems = AlgorithmicSystem.objects.filter(organisation_id__in=org_ids)
    cells = Counter()
    for stage, level, n in (
        systems.annotate(level=_aia_level())
        .order_by()
        .values_list("lifecycle_stage", "level")
        .annotate(n=Count("id"))
    ):
        cells[(stage, level or "")] += n
    levels = [(choice.value, choice.label) for choice in ImpactLevel] + [("", _("Not assessed"))]
    stage_rows = []
    for stage in LifecycleStage:
        counts = [cells.get((stage.value, lv), 0) for lv, _label in levels]
        stage_rows.append({"stage": stage, "counts": counts, "total": sum(counts)})
    level_totals = [
        {
            "value": sum(cells.get((s.value, lv), 0) for s in LifecycleStage),
            "label": label,
            "key": lv,
        }
        for lv, label in levels
    ]
    context = {
        "has_orgs": True,
        "levels": levels,
        "stage_rows": stage_rows,
        "level_totals": level_totals,
        "total": sum(cells.values()),
        "stage_chart": bar_chart(
            [
                {"label": row["stage"].label, "value": row["total"], "key": row["stage"].value}
                for row in stage_rows
            ]
        ),
        "level_chart": bar_chart(
            [
                {"label": row["label"], "value": row["value"], "key": row["key"]}
                for row in level_totals
            ]
        ),
        "bodies": [],
    }
    if len(org_ids) > 1:
        context["bodies"] = _by_body(org_ids)
    return context


def _by_body(org_ids: list[int]) -> list[dict]:
    """One row per body: systems by stage, and what needs attention (two queries)."""
    today = timezone.localdate()
    stage_counts = Counter()
    for org_id, stage, n in (
        AlgorithmicSystem.objects.filter(organisation_id__in=org_ids)
        .order_by()
        .values_list("organisation_id", "lifecycle_stage")
        .annotate(n=Count("id"))
    ):
        stage_counts[(org_id, stage)] = n
    attention = {
        row["organisation_id"]: row
        for row in annotate_signoff_state(
            AlgorithmicSystem.objects.filter(organisation_id__in=org_ids)
        )
        .order_by()
        .values("organisation_id")
        .annotate(
            resign=Count("id", filter=Q(signoff_decision__in=APPROVALS, signoff_changed=True)),
            reviews_overdue=Count(
                "id", filter=Q(lifecycle_stage__in=LIVE_STAGES, next_review_date__lt=today)
            ),
        )
    }
    rows = []
    for org in Organisation.objects.filter(pk__in=org_ids).order_by("name"):
        extra = attention.get(org.pk, {})

        def n(*stages, org=org):
            return sum(stage_counts.get((org.pk, stage), 0) for stage in stages)

        rows.append(
            {
                "organisation": org,
                "before_use": n(*PRE_USE_STAGES),
                "live": n(*LIVE_STAGES),
                "paused": n(LifecycleStage.PAUSED),
                "retired": n(LifecycleStage.RETIRED),
                "total": n(*LifecycleStage.values),
                "resign": extra.get("resign", 0),
                "reviews_overdue": extra.get("reviews_overdue", 0),
            }
        )
    return rows


def attention_context(user) -> dict:
    """Systems needing sign-off or a new signature, reviews overdue and coming up, and how many
    actions and concern responses are overdue (eight queries)."""
    org_ids = permissions.organisation_ids(user, "view")
    if not org_ids:
        return {"has_orgs": False}
    today = timezone.localdate()
    systems = AlgorithmicSystem.objects.filter(organisation_id__in=org_ids)
    base = (
        annotate_signoff_state(systems.filter(lifecycle_stage__in=SIGNOFF_STAGES))
        .select_related("organisation", "accountable_manager")
        .only(
            *LIST_FIELDS,
            "accountable_manager",
            "accountable_manager__full_name",
            "accountable_manager__email",
        )
    )
    stale = Q(signoff_decision__in=APPROVALS, signoff_changed=True)
    unsigned = Q(signoff_decision__isnull=True) | Q(signoff_decision=Decision.REFUSED)
    counts = base.order_by().aggregate(
        resign=Count("id", filter=stale), unsigned=Count("id", filter=unsigned)
    )
    live = systems.filter(lifecycle_stage__in=LIVE_STAGES).select_related("organisation")
    upcoming_until = today + dt.timedelta(days=UPCOMING_DAYS)
    review_counts = live.aggregate(
        overdue=Count("id", filter=Q(next_review_date__lt=today)),
        upcoming=Count(
            "id", filter=Q(next_review_date__gte=today, next_review_date__lte=upcoming_until)
        ),
        unscheduled=Count("id", filter=Q(next_review_date__isnull=True)),
    )
    overdue_actions = (
        Action.objects.filter(system__organisation_id__in=org_ids)
        .exclude(system__lifecycle_stage=LifecycleStage.RETIRED)
        .overdue(today)
        .count()
    )
    overdue_concerns = (
        Concern.objects.filter(system__organisation_id__in=org_ids).overdue(today).count()
    )
    return {
        "has_orgs": True,
        "today": today,
        "resign": list(base.filter(stale).order_by("signoff_at", "name", "pk")[:LIST_LIMIT]),
        "unsigned": list(base.filter(unsigned).order_by("name", "pk")[:LIST_LIMIT]),
        "resign_count": counts["resign"],
        "unsigned_count": counts["unsigned"],
        "reviews_overdue": list(
            live.filter(Q(next_review_date__lt=today) | Q(next_review_date__isnull=True))
            .only(*LIST_FIELDS, "next_review_date")
            .order_by(F("next_review_date").asc(nulls_first=True), "name", "pk")[:LIST_LIMIT]
        ),
        "reviews_upcoming": list(
            live.filter(next_review_date__gte=today, next_review_date__lte=upcoming_until)
            .only(*LIST_FIELDS, "next_review_date")
            .order_by("next_review_date", "name", "pk")[:LIST_LIMIT]
        ),
        "review_counts": review_counts,
        "overdue_actions": overdue_actions,
        "overdue_concerns": overdue_concerns,
        "upcoming_days": UPCOMING_DAYS,
        "configure_orgs": [
            m.organisation
            for m in permissions.memberships(user)
            if "configure_reviews" in permissions.ROLE_ACTIONS[m.role]
        ],
        "user": user,
    }


PANELS = (
    SystemPanel(
        "oversight",
        _("Sign-off and lifecycle"),
        "oversight/includes/system_panel.html",
        system_panel_context,
        order=15,
        tab="overview",
    ),
)
DASHBOARD = (
    DashboardPanel(
        "oversight-attention",
        "oversight/includes/dashboard_attention.html",
        attention_context,
        order=5,
    ),
    DashboardPanel(
        "oversight-overview",
        "oversight/includes/dashboard_overview.html",
        overview_context,
        order=8,
    ),
)

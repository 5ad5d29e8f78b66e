"""This app's part of the PDF audit packs (the contract is in ``packs/snapshot.py``).

A system's own pack prints the consultation record in full: each stage's consultation with
its status, unions, the toolkit prompts and whether they were discussed, the meetings
(attendees, minutes, decisions), what was disclosed to the reps (with the hash frozen when
it was shared), every union position and the outcome — disagreement shown as recorded —;
the concerns with the employer's responses; the comment threads; and statistics of the
rights requests. Body and council packs print a condensed view: each stage's status,
outcome and positions, and counts.

Personal data: rights requests appear as counts by type, status and lateness only (no case
reference, no details of the person, no summary). Anonymous concerns hold no identity to
print; the pack says they were raised anonymously.

Read-only. ``snapshot`` runs twelve queries whatever the number of stages, meetings,
concerns or comments; ``snapshot_many`` runs six whatever the number of systems.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from packs.snapshot import choice_label, long_date, person_name

from .choices import (
    AWAITING_RESPONSE,
    Agreement,
    AttendeeSide,
    ConcernSource,
    ConcernStatus,
    ConcernUpdateKind,
    ConsultationStatus,
    DisclosureKind,
    RightsOutcome,
    RightsRequestKind,
    RiskCategory,
    Stage,
)
from .models import (
    Comment,
    Concern,
    ConcernUpdate,
    Consultation,
    Disclosure,
    Meeting,
    MeetingAttendee,
    RightsRequest,
    UnionPosition,
    today,
)

STAGE_ORDER = {value: n for n, value in enumerate(Stage.values)}


def _ordered(consultations):
    return sorted(consultations, key=lambda c: (STAGE_ORDER.get(c.stage, 99), c.created_at, c.pk))


# --- Consultations ------------------------------------------------------------------------


def _positions(consultation, *, full: bool) -> tuple[list[dict], list[str], bool]:
    """Every position recorded (newest first, the union's current one marked), the unions
    still to give one, and whether the parties disagree."""
    current = {p.pk for p in consultation.current_positions()}
    everything = sorted(consultation.positions.all(), key=lambda p: (p.recorded_at, p.pk))
    rows = [
        {
            "union": str(p.union),
            "position": p.position,
            "position_label": choice_label(Agreement, p.position),
            "statement": p.statement,
            "conditions": p.conditions,
            "recorded_by": person_name(p.recorded_by) if full else "",
            "recorded_at": p.recorded_at,
            "current": p.pk in current,
        }
        for p in reversed(everything)
    ]
    have = {p.union_id for p in everything}
    waiting = [str(u) for u in consultation.unions.all() if u.pk not in have]
    stated = {r["position"] for r in rows if r["current"]}
    if consultation.outcome:
        stated.add(consultation.outcome)
    disagreement = Agreement.NOT_AGREED in stated or len(stated) > 1
    return rows, waiting, disagreement


def _stage(consultation, *, full: bool) -> dict[str, Any]:
    positions, waiting, disagreement = _positions(consultation, full=full)
    entry: dict[str, Any] = {
        "id": consultation.pk,
        "stage": consultation.stage,
        "stage_label": choice_label(Stage, consultation.stage),
        "status": consultation.status,
        "status_label": choice_label(ConsultationStatus, consultation.status),
        "unions": [str(u) for u in consultation.unions.all()],
        "outcome": consultation.outcome,
        "outcome_label": choice_label(Agreement, consultation.outcome),
        "concluded_at": consultation.concluded_at,
        "positions": [p for p in positions if p["current"]],
        "waiting_for": waiting,
        "disagreement": disagreement,
    }
    if not full:
        entry["counts"] = {
            "meetings": consultation.n_meetings,
            "disclosures": consultation.n_disclosures,
            "points": consultation.n_points,
            "discussed": consultation.n_discussed,
        }
        return entry
    points = list(consultation.points.all())
    meetings = list(consultation.meetings.all())
    disclosures = list(consultation.disclosures.all())
    entry.update(
        {
            "summary": consultation.summary,
            "planned_start": consultation.planned_start,
            "opened_at": consultation.opened_at,
            "opened_by": person_name(consultation.opened_by) if consultation.opened_by_id else "",
            "concluded_by": person_name(consultation.concluded_by)
            if consultation.concluded_by_id
            else "",
            "outcome_summary": consultation.outcome_summary,
            "earlier_positions": [p for p in positions if not p["current"]],
            "points": [
                {"text": str(p.text), "discussed": p.discussed, "notes": p.notes} for p in points
            ],
            "meetings": [
                {
                    "held_on": m.held_on,
                    "title": m.title,
                    "attendees": [
                        {
                            "name": a.name,
                            "role": a.role,
                            "side": choice_label(AttendeeSide, a.side),
                            "union": str(a.union) if a.union_id else "",
                        }
                        for a in m.attendees.all()
                    ],
                    "minutes": m.minutes,
                    "decisions": m.decisions,
                    "recorded_by": person_name(m.recorded_by),
                }
                for m in meetings
            ],
            "disclosures": [
                {
                    "label": d.label,
                    "kind_label": choice_label(DisclosureKind, d.kind),
                    "version": d.version,
                    "sha256": d.sha256,
                    "reference": d.reference,
                    "note": d.note,
                    "shared_at": d.shared_at,
                    "shared_by": person_name(d.shared_by),
                }
                for d in sorted(disclosures, key=lambda d: (d.shared_at, d.pk))
            ],
            "counts": {
                "meetings": len(meetings),
                "disclosures": len(disclosures),
                "points": len(points),
                "discussed": sum(1 for p in points if p.discussed),
            },
        }
    )
    return entry


# --- Concerns, comments, rights requests --------------------------------------------------


def _concern(concern, on, *, full: bool) -> dict[str, Any]:
    anonymous = concern.source == ConcernSource.ANONYMOUS
    entry: dict[str, Any] = {
        "reference": concern.reference,
        "summary": concern.summary,
        "category": choice_label(RiskCategory, concern.category),
        "source_label": choice_label(ConcernSource, concern.source),
        "anonymous": anonymous,
        # An anonymous concern stores no identity (a database constraint): nothing to print.
        "raised_by": "" if anonymous or not full else person_name(concern.raised_by),
        "union": "" if anonymous or not concern.union_id else str(concern.union),
        "raised_at": concern.raised_at,
        "due_on": concern.due_on,
        "overdue": concern.status in AWAITING_RESPONSE and concern.due_on < on,
        "status": concern.status,
        "status_label": choice_label(ConcernStatus, concern.status),
        "resolved_at": concern.resolved_at,
    }
    if full:
        entry["details"] = concern.details
        entry["updates"] = [
            {
                "kind": u.kind,
                "kind_label": choice_label(ConcernUpdateKind, u.kind),
                "at": u.created_at,
                "by": person_name(u.actor) if u.actor_id else "",
                "text": u.text,
            }
            for u in concern.updates.all()
        ]
    return entry


def _roles(comments, organisation_ids) -> dict[tuple[int, int], str]:
    """``(organisation, user) → "Union representative (UNISON)"`` for the comment authors
    (one query)."""
    users = {c.author_id for c in comments}
    if not users:
        return {}
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    for m in (
        Membership.objects.filter(organisation_id__in=organisation_ids, user_id__in=users)
        .select_related("union")
        .order_by("-is_active", "role", "pk")
    ):
        label = choice_label(Role, m.role)
        if m.role == Role.UNION_REP and m.union_id:
            label = _("%(role)s (%(union)s)") % {"role": label, "union": m.union}
        if label not in found[(m.organisation_id, m.user_id)]:
            found[(m.organisation_id, m.user_id)].append(label)
    return {key: ", ".join(labels) for key, labels in found.items()}


def _comment(comment, role: str) -> dict[str, Any]:
    return {
        "author": person_name(comment.author),
        "role": role,
        "at": comment.created_at,
        "text": comment.body,
    }


def _threads(comments, organisation_id: int, roles) -> list[dict]:
    """Threads in the order they were started, replies in order, with the resolved state."""
    replies = defaultdict(list)
    starts = []
    for c in sorted(comments, key=lambda c: (c.created_at, c.pk)):
        (replies[c.parent_id] if c.parent_id else starts).append(c)
    out = []
    for c in starts:
        role = roles.get((organisation_id, c.author_id), "")
        thread = _comment(c, role)
        thread.update(
            {
                "about": c.target_label,
                "resolved": c.resolved_at is not None,
                "resolved_by": person_name(c.resolved_by) if c.resolved_by_id else "",
                "resolved_at": c.resolved_at,
                "reopened_at": c.reopened_at,
                "replies": [
                    _comment(r, roles.get((organisation_id, r.author_id), ""))
                    for r in replies[c.pk]
                ],
            }
        )
        out.append(thread)
    return out


def _rights(rows: list[dict], on) -> dict[str, Any]:
    """Counts of rights requests by type, status and lateness: no case references, no
    details of any person (``rows`` hold only kind, dates, extension and outcome)."""
    kinds = []
    for value, label in RightsRequestKind.choices:
        mine = [r for r in rows if r["kind"] == value]
        if not mine:
            continue
        closed = [r for r in mine if r["closed_on"]]
        kinds.append(
            {
                "label": str(label),
                "total": len(mine),
                "open": len(mine) - len(closed),
                "overdue": sum(1 for r in mine if not r["closed_on"] and r["due_on"] < on),
                "closed_on_time": sum(1 for r in closed if r["closed_on"] <= r["due_on"]),
                "closed_late": sum(1 for r in closed if r["closed_on"] > r["due_on"]),
                "extended": sum(1 for r in mine if r["extended"]),
            }
        )
    totals = {
        key: sum(k[key] for k in kinds)
        for key in ("total", "open", "overdue", "closed_on_time", "closed_late", "extended")
    }
    return {
        "by_kind": kinds,
        "totals": totals,
        "by_outcome": [
            {"label": str(label), "count": sum(1 for r in rows if r["outcome"] == value)}
            for value, label in RightsOutcome.choices
            if any(r["outcome"] == value for r in rows)
        ],
    }


RIGHTS_FIELDS = ("system_id", "kind", "due_on", "closed_on", "extended", "outcome")


def _overdue(concerns, rights_totals) -> list[str]:
    items = [
        _("Concern %(reference)s: response overdue (due %(date)s)")
        % {"reference": c["reference"], "date": long_date(c["due_on"])}
        for c in sorted(concerns, key=lambda c: (c["due_on"], c["reference"]))
        if c["overdue"]
    ]
    if rights_totals["overdue"]:
        items.append(_("Rights requests overdue: %(n)s") % {"n": rights_totals["overdue"]})
    return items


def _part(stages, concerns, threads, rights, *, comment_counts=None) -> dict[str, Any]:
    overdue = _overdue(concerns, rights["totals"])
    comment_counts = comment_counts or {
        "threads": len(threads),
        "open_threads": sum(1 for t in threads if not t["resolved"]),
        "comments": sum(1 + len(t["replies"]) for t in threads),
    }
    return {
        "stages": stages,
        "concerns": concerns,
        "concern_counts": {
            "total": len(concerns),
            "open": sum(1 for c in concerns if c["status"] != ConcernStatus.RESOLVED),
            "overdue": sum(1 for c in concerns if c["overdue"]),
            "anonymous": sum(1 for c in concerns if c["anonymous"]),
        },
        "threads": threads,
        "comment_counts": comment_counts,
        "rights": rights,
        "summary": {"overdue": len(overdue), "overdue_items": overdue},
        "empty": not (stages or concerns or comment_counts["comments"] or rights["by_kind"]),
    }


# --- The contract -------------------------------------------------------------------------


def snapshot(system) -> dict[str, Any]:
    """The part of one system, in full (twelve queries)."""
    on = today()
    consultations = (
        Consultation.objects.filter(system_id=system.pk)
        .select_related("opened_by", "concluded_by")
        .prefetch_related(
            "unions",
            "points",
            Prefetch(
                "positions", queryset=UnionPosition.objects.select_related("union", "recorded_by")
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("recorded_by").prefetch_related(
                    Prefetch("attendees", queryset=MeetingAttendee.objects.select_related("union"))
                ),
            ),
            Prefetch("disclosures", queryset=Disclosure.objects.select_related("shared_by")),
        )
    )
    stages = [_stage(c, full=True) for c in _ordered(consultations)]
    concerns = [
        _concern(c, on, full=True)
        for c in Concern.objects.filter(system_id=system.pk)
        .select_related("raised_by", "union")
        .prefetch_related(
            Prefetch("updates", queryset=ConcernUpdate.objects.select_related("actor"))
        )
        .order_by("raised_at", "pk")
    ]
    comments = list(
        Comment.objects.filter(system_id=system.pk).select_related("author", "resolved_by")
    )
    roles = _roles(comments, [system.organisation_id])
    threads = _threads(comments, system.organisation_id, roles)
    rights = _rights(
        list(RightsRequest.objects.filter(system_id=system.pk).values(*RIGHTS_FIELDS)), on
    )
    return _part(stages, concerns, threads, rights)


def snapshot_many(systems) -> dict[int, dict]:
    """The condensed part of each system for body and council packs (six queries whatever
    the number of systems). A pack of one system gets the full part (``snapshot``)."""
    systems = list(systems)
    if len(systems) == 1:
        return {systems[0].pk: snapshot(systems[0])}
    on = today()
    ids = [s.pk for s in systems]
    stages = defaultdict(list)
    for c in _ordered(
        Consultation.objects.filter(system_id__in=ids)
        .annotate(
            n_meetings=Count("meetings", distinct=True),
            n_disclosures=Count("disclosures", distinct=True),
            n_points=Count("points", distinct=True),
            n_discussed=Count("points", filter=Q(points__discussed=True), distinct=True),
        )
        .prefetch_related(
            "unions",
            Prefetch("positions", queryset=UnionPosition.objects.select_related("union")),
        )
    ):
        stages[c.system_id].append(_stage(c, full=False))
    concerns = defaultdict(list)
    for c in (
        Concern.objects.filter(system_id__in=ids)
        .select_related("union")
        .defer("details")
        .order_by("raised_at", "pk")
    ):
        concerns[c.system_id].append(_concern(c, on, full=False))
    counts = {
        row["system_id"]: row
        for row in Comment.objects.filter(system_id__in=ids)
        .order_by()
        .values("system_id")
        .annotate(
            comments=Count("id"),
            threads=Count("id", filter=Q(parent__isnull=True)),
            open_threads=Count("id", filter=Q(parent__isnull=True, resolved_at__isnull=True)),
        )
    }
    rights = defaultdict(list)
    for row in RightsRequest.objects.filter(system_id__in=ids).values(*RIGHTS_FIELDS):
        rights[row["system_id"]].append(row)
    out = {}
    for s in systems:
        row = counts.get(s.pk, {})
        out[s.pk] = _part(
            stages[s.pk],
            concerns[s.pk],
            [],
            _rights(rights[s.pk], on),
            comment_counts={
                "threads": row.get("threads", 0),
                "open_threads": row.get("open_threads", 0),
                "comments": row.get("comments", 0),
            },
        )
    return out

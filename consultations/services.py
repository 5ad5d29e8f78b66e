"""Every write about consultation and worker voice.

Each function locks what it changes, checks permission (``accounts.permissions.require``),
validates, writes, records the audit event in the same transaction, and queues notifications
that are e-mailed after the commit. A rule that stops a write raises ``WorkflowError`` with a
message for the user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Membership, Role, Union
from audit import services as audit
from notifications.services import bilingual, link, notify
from registers.models import AlgorithmicSystem

from . import dates, targets, toolkit
from .choices import (
    AGREEMENT_RANK,
    AWAITING_RESPONSE,
    Agreement,
    ConcernSource,
    ConcernStatus,
    ConcernUpdateKind,
    ConsultationStatus,
    DisclosureKind,
    RiskCategory,
)
from .models import (
    MAX_MINUTES,
    MAX_TEXT,
    Comment,
    Concern,
    ConcernUpdate,
    Consultation,
    Disclosure,
    DiscussionPoint,
    Meeting,
    MeetingAttendee,
    RightsRequest,
    UnionPosition,
)

ANONYMOUS = "anonymous worker"  # how the audit log names the author of an anonymous concern


class WorkflowError(Exception):
    """A change the rules do not allow now. ``str(error)`` is the message for the user."""


# --- Helpers --------------------------------------------------------------------------------


def _text(value: str, *, field: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise WorkflowError(_("Enter the %(field)s.") % {"field": field})
    if len(value) > limit:
        raise WorkflowError(
            _("The %(field)s must be %(limit)s characters or fewer.")
            % {"field": field, "limit": f"{limit:,}"}
        )
    return value


def rep_membership(user, organisation_id: int) -> Membership | None:
    """The user's union-rep membership in the organisation (it names their union)."""
    for membership in permissions.memberships(user):
        if membership.organisation_id == organisation_id and membership.role == Role.UNION_REP:
            return membership
    return None


def reps(organisation_id: int, union_ids: Iterable[int] | None = None):
    """The active union reps of a body (of the given unions only, when named)."""
    from accounts.models import User

    filters = {
        "memberships__organisation_id": organisation_id,
        "memberships__role": Role.UNION_REP,
        "memberships__is_active": True,
    }
    if union_ids is not None:
        filters["memberships__union_id__in"] = list(union_ids)
    return User.objects.filter(is_active=True, **filters).distinct().order_by("pk")


def hr_officers(organisation_id: int):
    """Who hears about concerns for a body: its HR officers (its administrators if it has none)."""
    from accounts.models import User

    def of(role):
        return (
            User.objects.filter(
                is_active=True,
                memberships__organisation_id=organisation_id,
                memberships__role=role,
                memberships__is_active=True,
            )
            .distinct()
            .order_by("pk")
        )

    people = list(of(Role.HR_OFFICER))
    return people or list(of(Role.ORG_ADMIN))


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _require_any(actor, actions: tuple[str, ...], obj) -> None:
    if not any(permissions.can(actor, action, obj) for action in actions):
        raise PermissionDenied(actions[0])


# --- Consultations --------------------------------------------------------------------------


@transaction.atomic
def create_consultation(
    *,
    actor,
    system: AlgorithmicSystem,
    stage: str,
    unions: Iterable[Union],
    summary: str = "",
    planned_start: dt.date | None = None,
) -> Consultation:
    """Plan the consultation for one stage, with the toolkit's prompts as its checklist."""
    system = _lock(AlgorithmicSystem, system)
    permissions.require(actor, "manage_consultation", system)
    unions = list(unions)
    if not unions:
        raise WorkflowError(_("Choose at least one union to consult."))
    if (
        system.consultations.filter(stage=stage)
        .exclude(status=ConsultationStatus.CONCLUDED)
        .exists()
    ):
        raise WorkflowError(
            _("There is already a consultation for this stage that has not concluded.")
        )
    consultation = Consultation(
        system=system,
        stage=stage,
        summary=_text(summary, field=_("summary"), required=False),
        planned_start=planned_start,
        created_by=actor,
    )
    consultation.full_clean(exclude=["unions"])
    consultation.save()
    consultation.unions.set(unions)
    DiscussionPoint.objects.bulk_create(
        DiscussionPoint(
            consultation=consultation,
            key=prompt.key,
            position=position,
            prompt_text=_prompt_english(prompt.key),
        )
        for position, prompt in enumerate(toolkit.guide(stage).prompts, start=1)
    )
    after = audit.snapshot(consultation)
    after["unions"] = sorted(u.pk for u in unions)
    audit.record(actor, "consultation.created", consultation, changes=audit.diff({}, after))
    return consultation


def _prompt_english(key: str) -> str:
    with translation.override("en"):
        return str(toolkit.prompt_text(key))


@transaction.atomic
def update_consultation(
    consultation: Consultation,
    *,
    actor,
    unions: Iterable[Union],
    summary: str,
    planned_start: dt.date | None,
) -> Consultation:
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "manage_consultation", consultation)
    if consultation.status == ConsultationStatus.CONCLUDED:
        raise WorkflowError(_("This consultation has concluded; it can no longer be changed."))
    unions = list(unions)
    if not unions:
        raise WorkflowError(_("Choose at least one union to consult."))
    before = audit.snapshot(consultation, ["summary", "planned_start"])
    before["unions"] = sorted(consultation.unions.values_list("pk", flat=True))
    consultation.summary = _text(summary, field=_("summary"), required=False)
    consultation.planned_start = planned_start
    consultation.save()
    consultation.unions.set(unions)
    after = audit.snapshot(consultation, ["summary", "planned_start"])
    after["unions"] = sorted(u.pk for u in unions)
    if changes := audit.diff(before, after):
        audit.record(actor, "consultation.updated", consultation, changes=changes)
    return consultation


@transaction.atomic
def open_consultation(consultation: Consultation, *, actor) -> Consultation:
    """Open a planned consultation and tell the reps of the unions involved."""
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "manage_consultation", consultation)
    if consultation.status != ConsultationStatus.PLANNED:
        raise WorkflowError(_("Only a planned consultation can be opened."))
    consultation.status = ConsultationStatus.OPEN
    consultation.opened_at = timezone.now()
    consultation.opened_by = actor
    consultation.save()
    audit.record(
        actor,
        "consultation.opened",
        consultation,
        changes={"status": [ConsultationStatus.PLANNED, ConsultationStatus.OPEN]},
    )
    system = consultation.system
    union_ids = list(consultation.unions.values_list("pk", flat=True))
    notify(
        reps(system.organisation_id, union_ids),
        event="consultation.opened",
        subject=bilingual(
            lambda: (
                _("Consultation opened: %(system)s (%(stage)s)")
                % {"system": system.name, "stage": consultation.get_stage_display()}
            ),
            separator=" / ",
        ),
        body=bilingual(
            lambda: (
                _(
                    "%(organisation)s has opened the consultation with your union on “%(system)s” "
                    "at the stage “%(stage)s”. The record, the prompts for discussion and what has "
                    "been shared with you are on the consultation page. Record your union's "
                    "position there when you are ready."
                )
                % {
                    "organisation": system.organisation.name,
                    "system": system.name,
                    "stage": consultation.get_stage_display(),
                }
            )
        ),
        url=link("consultations:detail", system.uuid, consultation.uuid),
    )
    return consultation


@transaction.atomic
def conclude_consultation(
    consultation: Consultation, *, actor, outcome: str, outcome_summary: str
) -> Consultation:
    """Record the outcome. Every union involved must have recorded its position, and the
    outcome cannot claim more agreement than the least agreeing union: disagreement is
    recorded, not hidden."""
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "manage_consultation", consultation)
    if consultation.status != ConsultationStatus.OPEN:
        raise WorkflowError(_("Only an open consultation can be concluded."))
    if outcome not in Agreement.values:
        raise WorkflowError(_("Choose the outcome."))
    summary = _text(
        outcome_summary,
        field=_("outcome in detail"),
        required=outcome != Agreement.AGREED,
    )
    consultation = Consultation.objects.with_positions().get(pk=consultation.pk)
    if missing := consultation.unions_without_position():
        raise WorkflowError(
            _(
                "Waiting for the position of: %(unions)s. Each union involved records its position before the consultation concludes."
            )
            % {"unions": ", ".join(str(u) for u in missing)}
        )
    for position in consultation.current_positions():
        if AGREEMENT_RANK[outcome] > AGREEMENT_RANK[position.position]:
            raise WorkflowError(
                _(
                    "The outcome cannot be “%(outcome)s” while %(union)s's position is "
                    "“%(position)s”. Record the outcome as it is: disagreement is recorded, "
                    "not hidden."
                )
                % {
                    "outcome": Agreement(outcome).label,
                    "union": position.union,
                    "position": position.get_position_display(),
                }
            )
    before = audit.snapshot(consultation, ["status", "outcome", "outcome_summary"])
    consultation.status = ConsultationStatus.CONCLUDED
    consultation.outcome = outcome
    consultation.outcome_summary = summary
    consultation.concluded_at = timezone.now()
    consultation.concluded_by = actor
    consultation.save()
    audit.record(
        actor,
        "consultation.concluded",
        consultation,
        changes=audit.diff(before, audit.snapshot(consultation, list(before))),
    )
    system = consultation.system
    notify(
        reps(system.organisation_id, [u.pk for u in consultation.unions.all()]),
        event="consultation.concluded",
        subject=bilingual(
            lambda: (
                _("Consultation concluded: %(system)s (%(stage)s)")
                % {"system": system.name, "stage": consultation.get_stage_display()}
            ),
            separator=" / ",
        ),
        body=bilingual(
            lambda: (
                _("The consultation on “%(system)s” has concluded. Outcome: %(outcome)s.")
                % {"system": system.name, "outcome": consultation.get_outcome_display()}
            )
        ),
        url=link("consultations:detail", system.uuid, consultation.uuid),
    )
    return consultation


@transaction.atomic
def update_points(consultation: Consultation, *, actor, values: dict[int, tuple[bool, str]]) -> int:
    """Mark prompts as discussed, with notes: ``values`` maps a point's id to
    ``(discussed, notes)``. Only the points that changed are saved. Returns how many."""
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "discuss_consultation", consultation)
    if consultation.status != ConsultationStatus.OPEN:
        raise WorkflowError(_("The checklist can be changed only while the consultation is open."))
    changed = 0
    now = timezone.now()
    for point in consultation.points.select_for_update().filter(pk__in=list(values)):
        discussed, notes = values[point.pk]
        notes = _text(notes, field=_("notes"), required=False)
        before = audit.snapshot(point, ["discussed", "notes"])
        point.discussed, point.notes = bool(discussed), notes
        changes = audit.diff(before, audit.snapshot(point, ["discussed", "notes"]))
        if not changes:
            continue
        point.updated_by, point.updated_at = actor, now
        point.save()
        audit.record(
            actor,
            "consultation.point_updated",
            point,
            changes=changes,
            system_id=consultation.system_id,
            note=point.prompt_text[:200],
        )
        changed += 1
    return changed


def _attendees(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for row in rows:
        name = (row.get("name") or "").strip()
        if not name:
            continue
        cleaned.append(
            {
                "name": _text(name, field=_("name"), limit=200),
                "role": _text(row.get("role", ""), field=_("role"), required=False, limit=200),
                "side": row["side"],
                "union": row.get("union"),
            }
        )
    if not cleaned:
        raise WorkflowError(_("Enter at least one person who attended."))
    return cleaned


def _meeting_values(held_on, title, minutes, decisions) -> dict[str, Any]:
    if held_on is None:
        raise WorkflowError(_("Enter the date of the meeting."))
    if held_on > timezone.localdate():
        raise WorkflowError(_("The date of the meeting must be today or in the past."))
    return {
        "held_on": held_on,
        "title": _text(title, field=_("title"), required=False, limit=200),
        "minutes": _text(minutes, field=_("minutes"), required=False, limit=MAX_MINUTES),
        "decisions": _text(decisions, field=_("decisions"), required=False),
    }


def _attendee_snapshot(meeting: Meeting) -> list[str]:
    return [
        " · ".join(filter(None, [a.name, a.role, a.get_side_display(), str(a.union or "")]))
        for a in meeting.attendees.select_related("union").order_by("id")
    ]


@transaction.atomic
def record_meeting(
    consultation: Consultation,
    *,
    actor,
    held_on: dt.date,
    attendees: list[dict[str, Any]],
    title: str = "",
    minutes: str = "",
    decisions: str = "",
) -> Meeting:
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "manage_consultation", consultation)
    values = _meeting_values(held_on, title, minutes, decisions)
    people = _attendees(attendees)
    meeting = Meeting.objects.create(consultation=consultation, recorded_by=actor, **values)
    MeetingAttendee.objects.bulk_create(MeetingAttendee(meeting=meeting, **p) for p in people)
    after = audit.snapshot(meeting, list(values))
    after["attendees"] = _attendee_snapshot(meeting)
    audit.record(
        actor,
        "meeting.recorded",
        meeting,
        changes=audit.diff({}, after),
        system_id=consultation.system_id,
    )
    return meeting


@transaction.atomic
def update_meeting(
    meeting: Meeting,
    *,
    actor,
    held_on: dt.date,
    attendees: list[dict[str, Any]],
    title: str = "",
    minutes: str = "",
    decisions: str = "",
) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("consultation").get(pk=meeting.pk)
    permissions.require(actor, "manage_consultation", meeting)
    values = _meeting_values(held_on, title, minutes, decisions)
    people = _attendees(attendees)
    before = audit.snapshot(meeting, list(values))
    before["attendees"] = _attendee_snapshot(meeting)
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.save()
    meeting.attendees.all().delete()
    MeetingAttendee.objects.bulk_create(MeetingAttendee(meeting=meeting, **p) for p in people)
    after = audit.snapshot(meeting, list(values))
    after["attendees"] = _attendee_snapshot(meeting)
    if changes := audit.diff(before, after):
        audit.record(
            actor,
            "meeting.updated",
            meeting,
            changes=changes,
            system_id=meeting.consultation.system_id,
        )
    return meeting


def _notify_disclosure(disclosure: Disclosure, consultation: Consultation) -> None:
    system = consultation.system
    notify(
        reps(system.organisation_id, list(consultation.unions.values_list("pk", flat=True))),
        event="disclosure.made",
        subject=bilingual(
            lambda: _("Shared with you: %(label)s") % {"label": disclosure.label}, separator=" / "
        ),
        body=bilingual(
            lambda: (
                _(
                    "%(organisation)s has shared “%(label)s” with the union representatives for the "
                    "%(stage)s consultation on “%(system)s”."
                )
                % {
                    "organisation": system.organisation.name,
                    "label": disclosure.label,
                    "stage": consultation.get_stage_display(),
                    "system": system.name,
                }
            )
        ),
        url=link("consultations:detail", system.uuid, consultation.uuid) + "#disclosures",
    )


@transaction.atomic
def share(consultation: Consultation, *, actor, obj, note: str = "") -> tuple[Disclosure, bool]:
    """Share the record, an assessment version or an evidence file with the reps, in one
    click. What was shared is frozen (label, version, SHA-256). Sharing the same content again
    returns the earlier disclosure. Returns ``(disclosure, created)``."""
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "manage_consultation", consultation)
    system = consultation.system
    kind = targets.disclosure_kind(obj)
    if kind is None or targets.system_id_of(obj) != system.pk:
        raise WorkflowError(_("That cannot be shared from this consultation."))
    if kind == DisclosureKind.RECORD:
        obj = system
    content_type = targets.content_type_for(obj)
    sha256 = targets.content_hash(obj)
    existing = consultation.disclosures.filter(
        content_type=content_type, object_id=str(obj.pk), sha256=sha256
    ).first()
    if existing:
        return existing, False
    version = getattr(obj, "version", None) or getattr(obj, "revision", None)
    if kind == DisclosureKind.RECORD:
        label = _("System record, version %(version)s") % {"version": system.version}
    elif kind == DisclosureKind.EVIDENCE:
        label = _("Evidence: %(title)s (revision %(revision)s)") % {
            "title": obj.title,
            "revision": obj.revision,
        }
    else:
        label = targets.versioned_label(obj)
    disclosure = Disclosure.objects.create(
        consultation=consultation,
        kind=kind,
        content_type=content_type,
        object_id=str(obj.pk),
        label=label[:300],
        version=version,
        sha256=sha256,
        note=_text(note, field=_("note"), required=False),
        shared_by=actor,
    )
    audit.record(
        actor,
        "disclosure.made",
        disclosure,
        changes=audit.diff({}, audit.snapshot(disclosure, ["kind", "label", "version", "sha256"])),
        system_id=system.pk,
    )
    _notify_disclosure(disclosure, consultation)
    return disclosure, True


@transaction.atomic
def share_document(
    consultation: Consultation, *, actor, title: str, reference: str = "", note: str = ""
) -> Disclosure:
    """Log that another document (not held in GovReg) was shared with the reps."""
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "manage_consultation", consultation)
    disclosure = Disclosure.objects.create(
        consultation=consultation,
        kind=DisclosureKind.DOCUMENT,
        label=_text(title, field=_("title of the document"), limit=300),
        reference=_text(reference, field=_("reference"), required=False, limit=500),
        note=_text(note, field=_("note"), required=False),
        shared_by=actor,
    )
    audit.record(
        actor,
        "disclosure.made",
        disclosure,
        changes=audit.diff({}, audit.snapshot(disclosure, ["kind", "label", "reference", "note"])),
        system_id=consultation.system_id,
    )
    _notify_disclosure(disclosure, consultation)
    return disclosure


@transaction.atomic
def record_position(
    consultation: Consultation,
    *,
    actor,
    position: str,
    statement: str,
    conditions: str = "",
) -> UnionPosition:
    """A rep records their union's position (a later one supersedes it; both are kept)."""
    consultation = _lock(Consultation, consultation)
    permissions.require(actor, "record_position", consultation)
    membership = rep_membership(actor, consultation.system.organisation_id)
    if membership is None or membership.union_id is None:
        raise PermissionDenied("record_position")
    if not consultation.unions.filter(pk=membership.union_id).exists():
        raise WorkflowError(_("Your union is not one of the unions involved in this consultation."))
    if consultation.status != ConsultationStatus.OPEN:
        raise WorkflowError(_("A position can be recorded only while the consultation is open."))
    if position not in Agreement.values:
        raise WorkflowError(_("Choose your union's position."))
    conditions = _text(
        conditions,
        field=_("conditions"),
        required=position == Agreement.AGREED_WITH_CONDITIONS,
    )
    record = UnionPosition.objects.create(
        consultation=consultation,
        union_id=membership.union_id,
        position=position,
        statement=_text(statement, field=_("union's view")),
        conditions=conditions,
        recorded_by=actor,
    )
    audit.record(
        actor,
        "consultation.position_recorded",
        record,
        changes=audit.diff(
            {}, audit.snapshot(record, ["union", "position", "statement", "conditions"])
        ),
        system_id=consultation.system_id,
    )
    system = consultation.system
    notify(
        hr_officers(system.organisation_id),
        event="consultation.position_recorded",
        subject=bilingual(
            lambda: (
                _("%(union)s has recorded its position on %(system)s")
                % {"union": membership.union.name, "system": system.name}
            ),
            separator=" / ",
        ),
        body=bilingual(
            lambda: (
                _("%(union)s's position at the %(stage)s consultation: %(position)s.")
                % {
                    "union": membership.union.name,
                    "stage": consultation.get_stage_display(),
                    "position": record.get_position_display(),
                }
            )
        ),
        url=link("consultations:detail", system.uuid, consultation.uuid),
    )
    return record


# --- Comments -------------------------------------------------------------------------------


@transaction.atomic
def add_comment(
    *, actor, system: AlgorithmicSystem, target, body: str, parent: Comment | None = None
) -> Comment:
    """Start a thread on ``target`` (an object of ``system``), or reply to a thread."""
    permissions.require(actor, "comment", system)
    body = _text(body, field=_("comment"))
    if parent is not None:
        parent = Comment.objects.select_for_update().get(pk=parent.pk)
        if parent.parent_id:
            parent = Comment.objects.select_for_update().get(pk=parent.parent_id)
        if parent.system_id != system.pk:
            raise WorkflowError(_("That thread is not about this system."))
        if parent.is_resolved:
            raise WorkflowError(_("This thread is resolved. Reopen it to reply."))
        content_type_id, object_id, label = (
            parent.content_type_id,
            parent.object_id,
            parent.target_label,
        )
    else:
        if target is None or targets.system_id_of(target) != system.pk:
            raise WorkflowError(_("Comments can be made only on this system's records."))
        content_type_id = targets.content_type_for(target).pk
        object_id, label = str(target.pk), targets.label_of(target)[:300]
    comment = Comment.objects.create(
        system=system,
        content_type_id=content_type_id,
        object_id=object_id,
        target_label=label,
        parent=parent,
        author=actor,
        body=body,
    )
    audit.record(
        actor,
        "comment.replied" if parent else "comment.added",
        comment,
        changes={"body": [None, body]},
        note=label,
    )
    return comment


def _thread(comment: Comment) -> Comment:
    root = Comment.objects.select_for_update().get(pk=comment.pk)
    if root.parent_id:
        raise WorkflowError(_("Only a whole thread can be resolved or reopened."))
    return root


@transaction.atomic
def resolve_thread(comment: Comment, *, actor) -> Comment:
    root = _thread(comment)
    permissions.require(actor, "comment", root)
    if root.is_resolved:
        raise WorkflowError(_("This thread is already resolved."))
    root.resolved_at, root.resolved_by = timezone.now(), actor
    root.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(
        actor, "comment.resolved", root, changes={"resolved": [False, True]}, note=root.target_label
    )
    return root


@transaction.atomic
def reopen_thread(comment: Comment, *, actor) -> Comment:
    root = _thread(comment)
    permissions.require(actor, "comment", root)
    if not root.is_resolved:
        raise WorkflowError(_("This thread is not resolved."))
    root.resolved_at, root.resolved_by = None, None
    root.reopened_at, root.reopened_by = timezone.now(), actor
    root.save(update_fields=["resolved_at", "resolved_by", "reopened_at", "reopened_by"])
    audit.record(
        actor, "comment.reopened", root, changes={"resolved": [True, False]}, note=root.target_label
    )
    return root


def author_is_rep(comment: Comment) -> bool:
    return Membership.objects.filter(
        user_id=comment.author_id,
        organisation_id=comment.system.organisation_id,
        role=Role.UNION_REP,
        is_active=True,
    ).exists()


# --- Concerns -------------------------------------------------------------------------------


def concern_due(organisation, start: dt.date) -> dt.date:
    return dates.add_working_days(start, organisation.concern_response_working_days)


def _concern_values(category: str, summary: str, details: str, *, category_required: bool):
    if category and category not in RiskCategory.values:
        raise WorkflowError(_("Choose a category from the list."))
    if category_required and not category:
        raise WorkflowError(_("Choose the category that fits the concern best."))
    return {
        "category": category or "",
        "summary": _text(summary, field=_("summary"), limit=200),
        "details": _text(details, field=_("details")),
    }


def _created_concern(concern: Concern, actor) -> Concern:
    ConcernUpdate.objects.create(
        concern=concern,
        kind=ConcernUpdateKind.RAISED,
        actor=actor if getattr(actor, "pk", None) else None,
        created_at=concern.raised_at,
    )
    audit.record(
        actor if getattr(actor, "pk", None) else ANONYMOUS,
        "concern.raised",
        concern,
        changes=audit.diff(
            {}, audit.snapshot(concern, ["source", "category", "summary", "details", "due_on"])
        ),
    )
    system = concern.system
    notify(
        hr_officers(system.organisation_id),
        event="concern.raised",
        subject=bilingual(
            lambda: (
                _("New concern about %(system)s: %(summary)s")
                % {"system": system.name, "summary": concern.summary}
            ),
            separator=" / ",
        ),
        body=bilingual(
            lambda: (
                _("%(source)s about “%(system)s”.\n\n%(summary)s\n\nA response is due by %(due)s.")
                % {
                    "source": concern.get_source_display(),
                    "system": system.name,
                    "summary": concern.summary,
                    "due": date_format(concern.due_on, "j F Y"),
                }
            )
        ),
        url=link("consultations:concern_detail", system.uuid, concern.uuid),
    )
    return concern


@transaction.atomic
def raise_concern(
    *, actor, system: AlgorithmicSystem, category: str, summary: str, details: str
) -> Concern:
    """A union rep raises a concern about a system; HR is told at once."""
    system = AlgorithmicSystem.objects.select_related("organisation").get(pk=system.pk)
    permissions.require(actor, "raise_concern", system)
    membership = rep_membership(actor, system.organisation_id)
    values = _concern_values(category, summary, details, category_required=True)
    now = timezone.now()
    concern = Concern.objects.create(
        system=system,
        source=ConcernSource.REP,
        raised_by=actor,
        union_id=membership.union_id if membership else None,
        raised_at=now,
        due_on=concern_due(system.organisation, timezone.localdate(now)),
        **values,
    )
    return _created_concern(concern, actor)


@transaction.atomic
def raise_anonymous_concern(
    *, system: AlgorithmicSystem, category: str, summary: str, details: str
) -> Concern:
    """A worker raises a concern about a published system without signing in. Nothing about
    who they are is stored: no account, no IP address, no session."""
    system = AlgorithmicSystem.objects.select_related("organisation").get(pk=system.pk)
    if system.publication_status != "published":
        raise WorkflowError(_("Concerns can be raised here only about published systems."))
    values = _concern_values(category, summary, details, category_required=False)
    now = timezone.now()
    concern = Concern.objects.create(
        system=system,
        source=ConcernSource.ANONYMOUS,
        raised_at=now,
        due_on=concern_due(system.organisation, timezone.localdate(now)),
        **values,
    )
    return _created_concern(concern, None)


@transaction.atomic
def mark_comment_as_concern(comment: Comment, *, actor, category: str, summary: str) -> Concern:
    """Make a union rep's comment a formal concern (its text becomes the concern's details)."""
    comment = (
        Comment.objects.select_for_update()
        .select_related("system__organisation")
        .get(pk=comment.pk)
    )
    system = comment.system
    permissions.require(actor, "raise_concern", system)
    if Concern.objects.filter(source_comment=comment).exists():
        raise WorkflowError(_("This comment is already a concern."))
    author_membership = Membership.objects.filter(
        user_id=comment.author_id,
        organisation_id=system.organisation_id,
        role=Role.UNION_REP,
        is_active=True,
    ).first()
    if author_membership is None:
        raise WorkflowError(_("Only a union representative's comment can be marked as a concern."))
    values = _concern_values(category, summary, comment.body, category_required=True)
    now = timezone.now()
    concern = Concern.objects.create(
        system=system,
        source=ConcernSource.COMMENT,
        raised_by=actor,
        union_id=author_membership.union_id,
        source_comment=comment,
        raised_at=now,
        due_on=concern_due(system.organisation, timezone.localdate(now)),
        **values,
    )
    return _created_concern(concern, actor)


def _lock_concern(concern: Concern) -> Concern:
    return (
        Concern.objects.select_for_update(of=("self",))
        .select_related("system__organisation")
        .get(pk=concern.pk)
    )


def _concern_update(concern, *, actor, kind, text, action, before_status):
    ConcernUpdate.objects.create(concern=concern, kind=kind, actor=actor, text=text)
    changes = {"status": [before_status, concern.status]} if before_status != concern.status else {}
    audit.record(actor, action, concern, changes=changes, note=text[:500])


def _concern_reps(concern: Concern):
    """Who hears that a concern was answered: the rep who raised it and the reps of its union;
    for an anonymous concern, the body's reps."""
    org_id = concern.system.organisation_id
    people = list(reps(org_id, [concern.union_id] if concern.union_id else None))
    if concern.raised_by_id and all(p.pk != concern.raised_by_id for p in people):
        people.append(concern.raised_by)
    return people


@transaction.atomic
def respond_to_concern(
    concern: Concern, *, actor, text: str, category: str | None = None
) -> Concern:
    """HR answers a concern on the employer's behalf; the reps are told."""
    concern = _lock_concern(concern)
    permissions.require(actor, "respond_concern", concern)
    if concern.status == ConcernStatus.RESOLVED:
        raise WorkflowError(_("This concern is resolved. Reopen it before responding."))
    text = _text(text, field=_("response"))
    before = concern.status
    if category is not None and category != concern.category:
        if category and category not in RiskCategory.values:
            raise WorkflowError(_("Choose a category from the list."))
        audit.record(
            actor,
            "concern.categorised",
            concern,
            changes={"category": [concern.category, category]},
        )
        concern.category = category
    concern.status = ConcernStatus.RESPONDED
    concern.save()
    _concern_update(
        concern,
        actor=actor,
        kind=ConcernUpdateKind.RESPONSE,
        text=text,
        action="concern.responded",
        before_status=before,
    )
    system = concern.system
    notify(
        _concern_reps(concern),
        event="concern.responded",
        subject=bilingual(
            lambda: (
                _("Response to the concern %(reference)s: %(summary)s")
                % {"reference": concern.reference, "summary": concern.summary}
            ),
            separator=" / ",
        ),
        body=bilingual(
            lambda: (
                _("%(organisation)s has responded to the concern about “%(system)s”:\n\n%(text)s")
                % {"organisation": system.organisation.name, "system": system.name, "text": text}
            )
        ),
        url=link("consultations:concern_detail", system.uuid, concern.uuid),
    )
    return concern


def _notify_hr_of_concern(concern: Concern, event: str, subject, body) -> None:
    """Tell the body's HR officers about a concern (``subject`` and ``body`` are callables,
    rendered in English and in Welsh)."""
    system = concern.system
    notify(
        hr_officers(system.organisation_id),
        event=event,
        subject=bilingual(subject, separator=" / "),
        body=bilingual(body),
        url=link("consultations:concern_detail", system.uuid, concern.uuid),
    )


@transaction.atomic
def escalate_concern(concern: Concern, *, actor, reason: str) -> Concern:
    """The response was not enough (or has not come): the employer owes a fresh response."""
    concern = _lock_concern(concern)
    _require_any(actor, ("raise_concern", "respond_concern"), concern)
    if concern.status not in (ConcernStatus.OPEN, ConcernStatus.RESPONDED):
        raise WorkflowError(_("Only an open or answered concern can be escalated."))
    reason = _text(reason, field=_("reason for escalating"))
    before = concern.status
    concern.status = ConcernStatus.ESCALATED
    concern.due_on = concern_due(concern.system.organisation, timezone.localdate())
    concern.overdue_flagged_at = None
    concern.save()
    _concern_update(
        concern,
        actor=actor,
        kind=ConcernUpdateKind.ESCALATED,
        text=reason,
        action="concern.escalated",
        before_status=before,
    )
    _notify_hr_of_concern(
        concern,
        "concern.escalated",
        lambda: _("Concern escalated: %(summary)s") % {"summary": concern.summary},
        lambda: (
            _("The concern %(reference)s about “%(system)s” has been escalated:\n\n%(reason)s")
            % {"reference": concern.reference, "system": concern.system.name, "reason": reason}
        ),
    )
    return concern


@transaction.atomic
def resolve_concern(concern: Concern, *, actor, note: str = "") -> Concern:
    concern = _lock_concern(concern)
    _require_any(actor, ("raise_concern", "respond_concern"), concern)
    if concern.status == ConcernStatus.RESOLVED:
        raise WorkflowError(_("This concern is already resolved."))
    note = _text(note, field=_("note"), required=False)
    before = concern.status
    concern.status = ConcernStatus.RESOLVED
    concern.resolved_at = timezone.now()
    concern.save()
    _concern_update(
        concern,
        actor=actor,
        kind=ConcernUpdateKind.RESOLVED,
        text=note,
        action="concern.resolved",
        before_status=before,
    )
    return concern


@transaction.atomic
def reopen_concern(concern: Concern, *, actor, reason: str) -> Concern:
    concern = _lock_concern(concern)
    _require_any(actor, ("raise_concern", "respond_concern"), concern)
    if concern.status != ConcernStatus.RESOLVED:
        raise WorkflowError(_("Only a resolved concern can be reopened."))
    reason = _text(reason, field=_("reason for reopening"))
    before = concern.status
    concern.status = ConcernStatus.OPEN
    concern.resolved_at = None
    concern.overdue_flagged_at = None
    concern.due_on = concern_due(concern.system.organisation, timezone.localdate())
    concern.save()
    _concern_update(
        concern,
        actor=actor,
        kind=ConcernUpdateKind.REOPENED,
        text=reason,
        action="concern.reopened",
        before_status=before,
    )
    _notify_hr_of_concern(
        concern,
        "concern.reopened",
        lambda: _("Concern reopened: %(summary)s") % {"summary": concern.summary},
        lambda: (
            _("The concern %(reference)s about “%(system)s” has been reopened:\n\n%(reason)s")
            % {"reference": concern.reference, "system": concern.system.name, "reason": reason}
        ),
    )
    return concern


def flag_overdue_concerns(*, on: dt.date | None = None) -> int:
    """Flag each concern whose response is overdue (once) and tell HR. Returns how many."""
    on = on or timezone.localdate()
    flagged = 0
    ids = list(
        Concern.objects.overdue(on)
        .filter(overdue_flagged_at__isnull=True)
        .values_list("pk", flat=True)
    )
    for concern_id in ids:
        with transaction.atomic():
            concern = (
                Concern.objects.select_for_update(of=("self",))
                .select_related("system__organisation")
                .filter(
                    pk=concern_id, overdue_flagged_at__isnull=True, status__in=AWAITING_RESPONSE
                )
                .first()
            )
            if concern is None or concern.due_on >= on:
                continue
            concern.overdue_flagged_at = timezone.now()
            concern.save(update_fields=["overdue_flagged_at"])
            ConcernUpdate.objects.create(concern=concern, kind=ConcernUpdateKind.OVERDUE)
            audit.record(
                "GovReg", "concern.overdue", concern, changes={"due_on": [None, concern.due_on]}
            )
            system = concern.system
            notify(
                hr_officers(system.organisation_id),
                event="concern.overdue",
                subject=bilingual(
                    lambda concern=concern: (
                        _("Response overdue: %(summary)s") % {"summary": concern.summary}
                    ),
                    separator=" / ",
                ),
                body=bilingual(
                    lambda concern=concern, system=system: (
                        _(
                            "The response to the concern %(reference)s about “%(system)s” was due on "
                            "%(due)s."
                        )
                        % {
                            "reference": concern.reference,
                            "system": system.name,
                            "due": date_format(concern.due_on, "j F Y"),
                        }
                    )
                ),
                url=link("consultations:concern_detail", system.uuid, concern.uuid),
            )
            flagged += 1
    return flagged


# --- Rights requests ------------------------------------------------------------------------


def _rights_values(
    system,
    *,
    case_reference,
    kind,
    received_on,
    decision_reference,
    requester_details,
    summary,
    exclude_pk=None,
) -> dict[str, Any]:
    case_reference = _text(case_reference, field=_("case reference"), limit=50)
    clash = RightsRequest.objects.filter(system=system, case_reference__iexact=case_reference)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise WorkflowError(
            _("A request with this case reference is already logged for this system.")
        )
    if received_on is None:
        raise WorkflowError(_("Enter the date the request was received."))
    if received_on > timezone.localdate():
        raise WorkflowError(_("The date received must be today or in the past."))
    return {
        "case_reference": case_reference,
        "kind": kind,
        "received_on": received_on,
        "decision_reference": _text(
            decision_reference, field=_("decision"), required=False, limit=200
        ),
        "requester_details": _text(
            requester_details, field=_("details of the person"), required=False, limit=1000
        ),
        "summary": _text(summary, field=_("summary"), required=False),
    }


_RIGHTS_FIELDS = [
    "case_reference",
    "kind",
    "received_on",
    "due_on",
    "decision_reference",
    "requester_details",
    "summary",
    "extended",
    "extension_reason",
    "extension_notified_on",
    "closed_on",
    "outcome",
    "outcome_notes",
]


@transaction.atomic
def log_rights_request(*, actor, system: AlgorithmicSystem, **fields) -> RightsRequest:
    permissions.require(actor, "manage_rights_requests", system)
    values = _rights_values(system, **fields)
    request = RightsRequest.objects.create(
        system=system,
        recorded_by=actor,
        due_on=dates.rights_request_due(values["received_on"]),
        **values,
    )
    audit.record(
        actor,
        "rights_request.logged",
        request,
        changes=audit.diff({}, audit.snapshot(request, _RIGHTS_FIELDS)),
    )
    return request


@transaction.atomic
def update_rights_request(request: RightsRequest, *, actor, **fields) -> RightsRequest:
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    permissions.require(actor, "manage_rights_requests", request)
    values = _rights_values(request.system, exclude_pk=request.pk, **fields)
    before = audit.snapshot(request, _RIGHTS_FIELDS)
    for name, value in values.items():
        setattr(request, name, value)
    request.due_on = dates.rights_request_due(request.received_on, extended=request.extended)
    request.save()
    if changes := audit.diff(before, audit.snapshot(request, _RIGHTS_FIELDS)):
        audit.record(actor, "rights_request.updated", request, changes=changes)
    return request


@transaction.atomic
def extend_rights_request(
    request: RightsRequest, *, actor, reason: str, notified_on: dt.date | None
) -> RightsRequest:
    """Extend by two further months (complex or numerous requests), with the reason and the
    date the person was told."""
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    permissions.require(actor, "manage_rights_requests", request)
    if request.is_closed:
        raise WorkflowError(_("This request is closed."))
    if request.extended:
        raise WorkflowError(_("This request has already been extended."))
    if notified_on is None:
        raise WorkflowError(_("Enter the date the person was told about the extension."))
    if notified_on < request.received_on or notified_on > timezone.localdate():
        raise WorkflowError(
            _("The date the person was told must be between the date received and today.")
        )
    before = audit.snapshot(request, _RIGHTS_FIELDS)
    request.extended = True
    request.extension_reason = _text(reason, field=_("reason for the extension"))
    request.extension_notified_on = notified_on
    request.due_on = dates.rights_request_due(request.received_on, extended=True)
    request.save()
    audit.record(
        actor,
        "rights_request.extended",
        request,
        changes=audit.diff(before, audit.snapshot(request, _RIGHTS_FIELDS)),
    )
    return request


@transaction.atomic
def close_rights_request(
    request: RightsRequest, *, actor, closed_on: dt.date | None, outcome: str, outcome_notes: str
) -> RightsRequest:
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    permissions.require(actor, "manage_rights_requests", request)
    if request.is_closed:
        raise WorkflowError(_("This request is already closed."))
    if closed_on is None:
        raise WorkflowError(_("Enter the date the request was closed."))
    if closed_on < request.received_on or closed_on > timezone.localdate():
        raise WorkflowError(_("The date closed must be between the date received and today."))
    if not outcome:
        raise WorkflowError(_("Choose the outcome."))
    before = audit.snapshot(request, _RIGHTS_FIELDS)
    request.closed_on = closed_on
    request.outcome = outcome
    request.outcome_notes = _text(outcome_notes, field=_("outcome in detail"), required=False)
    request.save()
    audit.record(
        actor,
        "rights_request.closed",
        request,
        changes=audit.diff(before, audit.snapshot(request, _RIGHTS_FIELDS)),
    )
    return request

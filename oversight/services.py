"""Human in command: every write about sign-off, the lifecycle, reviews and audits.

Each write locks the system, checks permission (``accounts.permissions.require``), validates,
writes, records the audit event in the same transaction, and notifies people through
``notifications.services.notify`` (e-mailed by Celery after the commit). A rule that stops a
write raises ``WorkflowError`` with a message for the user and, for the gate, the exact list of
what is missing.

Staleness of a sign-off
-----------------------
A sign-off stores the SHA-256 of the system's material content (``oversight/hashing.py``) and
``audit_position``, the position of the body's audit chain when it was taken (it is locked
while the snapshot is read, so the snapshot reflects exactly the events up to that position).
A sign-off is **out of date** ("re-sign required") when either

- a material audit event (a change to a section field or a specification, a newly approved
  assessment version, a concluded consultation) was recorded after ``audit_position``, or
- the content hash of the system now differs from the signed hash (a change made outside
  GovReg's services). The hash now is computed in the sign-off's own format
  (``SignOff.snapshot_version``), so a sign-off recorded in an earlier format still holds.

The first rule makes staleness sticky without any flag to keep in step: changing a field and
changing it back leaves two events after the signature, so a new signature is needed. It is
derived, so the sign-off row is never written again, and for a list of systems it is one
``EXISTS`` per row. ``notify_stale_signoffs`` (Celery beat, every few minutes) tells each
manager once per sign-off that went out of date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Organisation, Role, User
from assessments.choices import Kind, Progress
from assessments.choices import Status as AssessmentStatus
from assessments.models import Action, Assessment
from assessments.services import by_kind, create_action
from audit import services as audit
from audit.models import AuditEvent
from consultations.choices import AWAITING_RESPONSE
from consultations.models import Concern, Consultation
from notifications.services import bilingual, link, notify
from registers.choices import EmploymentDecision, LifecycleStage
from registers.gates import GateItem, gate
from registers.models import AlgorithmicSystem

from .choices import (
    APPROVALS,
    DEFAULT_PASSES_WHEN,
    FORWARD_MOVES,
    LIVE_STAGES,
    PRE_USE_STAGES,
    SNAPSHOT_VERSION,
    AuditQuestion,
    Decision,
    Outcome,
    PassesWhen,
    Rating,
    ReauthMethod,
    ReminderKind,
    Threshold,
    TransitionKind,
)
from .hashing import MATERIAL_EVENTS, RECORD_PREPARATION_EVENTS, content_hash
from .models import (
    MAX_CONDITIONS,
    AuditAnswer,
    BiasResult,
    LifecycleTransition,
    PostDeploymentAudit,
    Reminder,
    ReviewPolicy,
    SignOff,
)

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
GATE_KEY = "sign_off"  # this app's item in ``registers.gates``

# Employment decisions about individuals for which an audit must report bias figures.
DECISIONS_NEEDING_BIAS_AUDIT = frozenset(
    {
        EmploymentDecision.RECRUITMENT,
        EmploymentDecision.SCHEDULING,
        EmploymentDecision.PERFORMANCE,
        EmploymentDecision.PAY,
        EmploymentDecision.DISCIPLINE,
        EmploymentDecision.ABSENCE,
        EmploymentDecision.PROGRESSION,
    }
)


class WorkflowError(Exception):
    """A change the rules do not allow now. ``message`` is for the user; ``missing`` lists the
    gate items still to do when the gate refused it."""

    def __init__(self, message: str, missing: list[GateItem] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = list(missing or [])


class ContentChanged(WorkflowError):
    """The content changed between showing the sign-off page and the signature."""


# --- Reading -----------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def impact_level(system: AlgorithmicSystem) -> str:
    """The impact level of the approved AIA ("I".."IV"), or "" when none is approved."""
    approved = by_kind(system)[Kind.AIA]["approved"]
    return (approved.level or "") if approved else ""


def review_months(system: AlgorithmicSystem, *, first: bool = False) -> int:
    """Months to the next review, from the body's policy and the system's impact level."""
    policy = ReviewPolicy.for_organisation(system.organisation_id)
    months = policy.months_for(impact_level(system))
    if first:
        months = min(months, policy.first_review_within_months)
    return months


def latest_signoff(system: AlgorithmicSystem) -> SignOff | None:
    return SignOff.objects.filter(system_id=system.pk).for_panel().first()


def material_events_after(system_id: int, position: int):
    return (
        AuditEvent.objects.filter(system_id=system_id, position__gt=position)
        .filter(MATERIAL_EVENTS)
        .select_related("actor")
        .order_by("position")
    )


@dataclass
class SignOffStatus:
    """Where a system stands on sign-off.

    ``state``: ``"none"`` (never signed), ``"refused"`` (the latest decision is a refusal),
    ``"stale"`` (signed, but material content changed since: re-sign required) or
    ``"current"``.
    """

    signoff: SignOff | None
    state: str
    later_events: list[AuditEvent] = field(default_factory=list)
    hash_now: str = ""
    hash_matches: bool = True

    @property
    def is_current(self) -> bool:
        return self.state == "current"

    @property
    def is_stale(self) -> bool:
        return self.state == "stale"


_UNKNOWN = object()


def signoff_status(system: AlgorithmicSystem, latest=_UNKNOWN) -> SignOffStatus:
    """The latest sign-off and whether it still holds (four to six queries, any data size;
    one fewer when the caller already has the latest sign-off, or None, as ``latest``)."""
    signoff = latest_signoff(system) if latest is _UNKNOWN else latest
    if signoff is None:
        return SignOffStatus(signoff=None, state="none")
    events = list(material_events_after(system.pk, signoff.audit_position))
    digest, _snapshot = content_hash(system, signoff.snapshot_version)  # in the signed format
    matches = digest == signoff.content_hash
    if signoff.decision == Decision.REFUSED:
        state = "refused"
    elif events or not matches:
        state = "stale"
    else:
        state = "current"
    return SignOffStatus(
        signoff=signoff, state=state, later_events=events, hash_now=digest, hash_matches=matches
    )


def preparer_ids(system: AlgorithmicSystem) -> set[int]:
    """Everyone who prepared part of what a sign-off binds to: who recorded the system or
    changed its record or specifications, and who prepared, edited or submitted one of its
    approved assessments. None of them may sign it off (separation of duties)."""
    ids: set[int] = set()
    if system.created_by_id:
        ids.add(system.created_by_id)
    ids.update(
        AuditEvent.objects.filter(system_id=system.pk, actor__isnull=False)
        .filter(RECORD_PREPARATION_EVENTS)
        .values_list("actor_id", flat=True)
        .distinct()
    )
    for assessment in Assessment.objects.filter(
        system_id=system.pk, status=AssessmentStatus.APPROVED
    ).prefetch_related("contributors"):
        ids.add(assessment.prepared_by_id)
        if assessment.submitted_by_id:
            ids.add(assessment.submitted_by_id)
        ids.update(person.pk for person in assessment.contributors.all())
    return ids


def gate_items_before_signoff(system: AlgorithmicSystem) -> list[GateItem]:
    """The gate's other items (assessments, consultation): all must be done to sign off."""
    return [item for item in gate(system).items if item.key != GATE_KEY]


def paused_from(system: AlgorithmicSystem) -> str | None:
    """The stage the system was in when it was last paused (None if not known)."""
    transition = (
        LifecycleTransition.objects.filter(system_id=system.pk, kind=TransitionKind.PAUSE)
        .order_by("-at", "-pk")
        .first()
    )
    return transition.from_stage if transition else None


def restart_targets(system: AlgorithmicSystem, previous: str | None = None) -> list[str]:
    """The stages a paused system may restart in."""
    if system.lifecycle_stage != LifecycleStage.PAUSED:
        return []
    previous = previous if previous is not None else paused_from(system)
    if previous in LIVE_STAGES:
        return list(LIVE_STAGES)
    if previous in PRE_USE_STAGES:
        return [previous]
    return [*PRE_USE_STAGES, *LIVE_STAGES]


def stage_targets(system: AlgorithmicSystem) -> list[str]:
    """The stages HR may move the system to (the gated ones included)."""
    return list(FORWARD_MOVES.get(system.lifecycle_stage, ()))


# --- Helpers -----------------------------------------------------------------------------------


def _text(value: str | None, *, label: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise WorkflowError(_("Enter %(what)s.") % {"what": label})
    if len(value) > limit:
        raise WorkflowError(
            _("%(what)s must be %(limit)s characters or fewer.")
            % {"what": label[:1].upper() + label[1:], "limit": limit}
        )
    return value


def _lock(system: AlgorithmicSystem) -> AlgorithmicSystem:
    return (
        AlgorithmicSystem.objects.select_for_update(of=("self",))
        .select_related("organisation", "accountable_manager")
        .prefetch_related("model_specifications", "data_specifications")
        .get(pk=system.pk)
    )


def _lock_audit_chain(system: AlgorithmicSystem) -> int:
    """Hold the audit chain of the system's body until commit, so no audit event about the
    system can be appended between reading the content and recording the sign-off. Returns the
    head position (one body's positions increase across its chains, see ``audit.models``)."""
    return audit.lock_chain(system.organisation_id).position


def _people(organisation_id: int, role: str) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__role=role,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def hr_officers(organisation_id: int) -> list[User]:
    """The body's HR officers (its administrators if it has none)."""
    return _people(organisation_id, Role.HR_OFFICER) or _people(organisation_id, Role.ORG_ADMIN)


def involved_reps(system: AlgorithmicSystem) -> list[User]:
    """The reps of the unions consulted about the system; all the body's reps if none yet."""
    union_ids = [
        pk
        for pk in Consultation.objects.filter(system_id=system.pk)
        .values_list("unions", flat=True)
        .distinct()
        if pk is not None
    ]
    people = User.objects.filter(
        is_active=True,
        memberships__organisation_id=system.organisation_id,
        memberships__role=Role.UNION_REP,
        memberships__is_active=True,
    )
    if union_ids:
        people = people.filter(memberships__union_id__in=union_ids)
    return list(people.distinct().order_by("pk"))


def _stage_label(stage: str) -> str:
    return str(LifecycleStage(stage).label)


def _user_label(user) -> str:
    return getattr(user, "email", None) or str(user)


# --- Sign-off ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A condition of a sign-off: it becomes an action in the system's action plan."""

    text: str
    owner: str
    due_date: dt.date


def _check_conditions(decision: str, conditions: list[Condition]) -> list[Condition]:
    if decision != Decision.CONDITIONAL:
        if conditions:
            raise WorkflowError(_("Conditions can only be set when you sign off with conditions."))
        return []
    if not conditions:
        raise WorkflowError(_("Enter at least one condition."))
    if len(conditions) > MAX_CONDITIONS:
        raise WorkflowError(_("Enter at most %(n)d conditions.") % {"n": MAX_CONDITIONS})
    today = timezone.localdate()
    checked = []
    for number, condition in enumerate(conditions, start=1):
        text = _text(condition.text, label=_("condition %(n)d") % {"n": number})
        owner = _text(
            condition.owner, label=_("the lead for condition %(n)d") % {"n": number}, limit=200
        )
        if condition.due_date is None:
            raise WorkflowError(_("Enter the due date of condition %(n)d.") % {"n": number})
        if condition.due_date < today:
            raise WorkflowError(
                _("The due date of condition %(n)d must be today or in the future.") % {"n": number}
            )
        checked.append(Condition(text=text, owner=owner, due_date=condition.due_date))
    return checked


def _condition_action(system: AlgorithmicSystem, *, actor, condition: Condition) -> Action:
    """Record a condition as an action of the system's action plan, so it is tracked like any
    other (progress updates, overdue reminders), under the manager's sign-off permission."""
    return create_action(
        system,
        actor=actor,
        data={
            "description": condition.text,
            "owner": condition.owner,
            "due_date": condition.due_date,
        },
        source_ref="sign-off",
        permission="sign_off",
        note=_("Condition of the accountable manager's sign-off"),
    )


SIGNOFF_ACTIONS = {
    Decision.APPROVED: "system.signed_off",
    Decision.CONDITIONAL: "system.signed_off_with_conditions",
    Decision.REFUSED: "system.signoff_refused",
}


@transaction.atomic
def sign_off(
    system: AlgorithmicSystem,
    *,
    actor,
    decision: str,
    statement: str,
    reauthenticated_with: str,
    conditions: Iterable[Condition] = (),
    expected_hash: str | None = None,
) -> SignOff:
    """Record the accountable manager's decision on the system as it stands now.

    The caller must have just confirmed the actor's identity (password or two-factor code)
    and says how in ``reauthenticated_with``. ``expected_hash`` is the content hash shown to
    the manager: if the content changed since, nothing is signed (``ContentChanged``).
    """
    system = _lock(system)
    permissions.require(actor, "sign_off", system)
    if decision not in Decision.values:
        raise WorkflowError(_("Choose your decision."))
    if reauthenticated_with not in ReauthMethod.values:
        raise WorkflowError(_("Confirm your identity to sign."))
    statement = _text(statement, label=_("your statement"))
    conditions = _check_conditions(decision, list(conditions))
    if actor.pk in preparer_ids(system):
        raise WorkflowError(
            _(
                "You prepared or changed part of what would be signed off (the record, its "
                "specifications or an approved assessment), so you cannot sign it off yourself. "
                "Ask your organisation's administrator to name another accountable senior manager."
            )
        )
    if decision in APPROVALS:
        missing = [item for item in gate_items_before_signoff(system) if not item.done]
        if missing:
            raise WorkflowError(_("The system cannot be signed off until these are done:"), missing)
    position = _lock_audit_chain(system)
    digest, snapshot = content_hash(system, SNAPSHOT_VERSION)
    if expected_hash and expected_hash != digest:
        raise ContentChanged(
            _(
                "The record, its assessments or its consultation changed while you were "
                "reviewing it, so nothing has been signed. Check what changed and sign again."
            )
        )
    actions = [_condition_action(system, actor=actor, condition=c) for c in conditions]
    signoff = SignOff(
        system=system,
        decision=decision,
        statement=statement,
        conditions=[
            {
                "text": c.text,
                "owner": c.owner,
                "due_date": c.due_date.isoformat(),
                "action_id": a.pk,
                "action_number": a.number,
            }
            for c, a in zip(conditions, actions, strict=True)
        ],
        content_hash=digest,
        snapshot=snapshot,
        snapshot_version=SNAPSHOT_VERSION,
        record_version=system.version,
        lifecycle_stage=system.lifecycle_stage,
        audit_position=position,
        signed_by=actor,
        signed_at=timezone.now(),
        reauthenticated_with=reauthenticated_with,
    )
    signoff.full_clean(exclude=["system", "signed_by"])
    signoff.save()
    audit.record(
        actor,
        SIGNOFF_ACTIONS[decision],
        signoff,
        changes={
            "decision": [None, decision],
            "content_hash": [None, digest],
            "record_version": [None, system.version],
            "conditions": [None, [c["text"] for c in signoff.conditions]],
            "identity_confirmed_with": [None, reauthenticated_with],
        },
        note=statement,
    )
    if decision in APPROVALS and system.needs_initial_assessment:
        system.needs_initial_assessment = False
        system.save(update_fields=["needs_initial_assessment", "updated_at"])
        audit.record(
            actor,
            "system.initial_assessment_completed",
            system,
            changes={"needs_initial_assessment": [True, False]},
        )
    _notify_signoff(system, signoff)
    return signoff


def _notify_signoff(system: AlgorithmicSystem, signoff: SignOff) -> None:
    url = link("oversight:signoff_detail", system.uuid, signoff.uuid)
    manager = signoff.signed_by

    def subject():
        return _("%(decision)s: %(system)s") % {
            "decision": Decision(signoff.decision).label,
            "system": system.name,
        }

    def body():
        text = _("%(manager)s recorded their decision on “%(system)s”: %(decision)s.") % {
            "manager": manager,
            "system": system.name,
            "decision": Decision(signoff.decision).label,
        }
        if signoff.conditions:
            text += (
                "\n\n"
                + _("Conditions:")
                + "\n"
                + "\n".join(
                    f"- {c['text']} ({c['owner']}, {c['due_date']})" for c in signoff.conditions
                )
            )
        return text

    notify(
        [*hr_officers(system.organisation_id), *involved_reps(system)],
        event=SIGNOFF_ACTIONS[signoff.decision],
        subject=bilingual(subject, separator=" / "),
        body=bilingual(body),
        url=url,
    )


# --- What changed since a signature --------------------------------------------------------------


@dataclass
class ChangeRow:
    """One line of "what changed since your signature"."""

    what: str
    at_signature: str
    now: str
    who: str
    when: dt.datetime
    changed_back: bool = False


def _display(model, name: str, value: Any, users: dict[int, str]) -> str:
    if value in (None, "", [], {}):
        return "–"
    try:
        field_ = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a key that is not a field (e.g. "update") shows as is
        return str(value)
    options = getattr(field_, "options", None)
    if options is not None and isinstance(value, list):
        lookup = dict(options)
        return ", ".join(str(lookup.get(v, v)) for v in value)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value))
    if field_.is_relation and field_.related_model is User:
        return users.get(value, str(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _label(model, name: str) -> str:
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001
        label = name
    return label[:1].upper() + label[1:]


def changes_since(events: list[AuditEvent]) -> list[ChangeRow]:
    """Field by field, what material changes the audit log records after a signature: the
    value at the signature, the value now, and who made the latest change and when."""
    from registers.models import DataSpecification, ModelSpecification

    user_ids: set[int] = set()
    for event in events:
        if event.action == "system.updated":
            for name, pair in _pairs(event):
                if name == "accountable_manager":
                    user_ids.update(v for v in pair if isinstance(v, int))
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    rows: dict[tuple[str, str], ChangeRow] = {}
    firsts: dict[tuple[str, str], Any] = {}
    lasts: dict[tuple[str, str], Any] = {}
    for event in events:
        who = str(event.actor) if event.actor_id else event.actor_label
        if event.action == "system.updated":
            model, prefix = AlgorithmicSystem, ""
        elif event.action.startswith("specification."):
            model = (
                ModelSpecification
                if event.object_type == "registers.modelspecification"
                else DataSpecification
            )
            kind = (
                _("Model specification") if model is ModelSpecification else _("Data specification")
            )
            prefix = f"{kind} “{event.object_repr}”: "
            if event.action != "specification.updated":
                key = (event.object_type + event.object_id, "")
                rows[key] = ChangeRow(
                    what=f"{kind} “{event.object_repr}”",
                    at_signature="–" if event.action == "specification.created" else _("Present"),
                    now=_("Added") if event.action == "specification.created" else _("Removed"),
                    who=who,
                    when=event.created_at,
                )
                continue
        else:
            key = (event.object_type + event.object_id, event.action)
            rows[key] = ChangeRow(
                what=event.get_action_label(),
                at_signature="–",
                now=event.object_repr,
                who=who,
                when=event.created_at,
            )
            continue
        for name, (old, new) in _pairs(event):
            if event.action == "system.updated" and name not in _material_names():
                continue
            key = (event.object_type + event.object_id, name)
            firsts.setdefault(key, old)
            lasts[key] = new
            rows[key] = ChangeRow(
                what=prefix + _label(model, name),
                at_signature=_display(model, name, firsts[key], users),
                now=_display(model, name, new, users),
                who=who,
                when=event.created_at,
            )
    for key, row in rows.items():
        if key in firsts and firsts[key] == lasts[key]:
            row.changed_back = True
    return list(rows.values())


def _pairs(event: AuditEvent):
    for name, values in (event.changes or {}).items():
        if isinstance(values, list) and len(values) == 2:
            yield name, (values[0], values[1])


def _material_names() -> frozenset[str]:
    from .hashing import MATERIAL_FIELDS

    return frozenset(MATERIAL_FIELDS)


def notify_stale_signoffs() -> int:
    """Tell each accountable manager, once per sign-off, that a material change has made their
    sign-off out of date. Run by Celery beat every few minutes; returns how many were sent."""
    later_signoff = SignOff.objects.filter(system_id=OuterRef("system_id")).filter(
        Q(signed_at__gt=OuterRef("signed_at"))
        | Q(signed_at=OuterRef("signed_at"), pk__gt=OuterRef("pk"))
    )
    changed = AuditEvent.objects.filter(
        system_id=OuterRef("system_id"), position__gt=OuterRef("audit_position")
    ).filter(MATERIAL_EVENTS)
    told = Reminder.objects.filter(
        kind=ReminderKind.RESIGN, object_id=OuterRef("pk"), threshold=Threshold.STALE
    )
    candidates = list(
        SignOff.objects.filter(decision__in=APPROVALS)
        .filter(~Exists(later_signoff), Exists(changed), ~Exists(told))
        .values_list("pk", flat=True)
    )
    sent = 0
    for signoff_id in candidates:
        with transaction.atomic():
            signoff = SignOff.objects.select_related("system", "signed_by").get(pk=signoff_id)
            reminder, created = _claim_reminder(
                kind=ReminderKind.RESIGN,
                object_id=signoff.pk,
                due_date=signoff.signed_at.date(),
                threshold=Threshold.STALE,
                system=signoff.system,
            )
            if not created:
                continue
            system = signoff.system
            people = [p for p in [system.accountable_manager or signoff.signed_by] if p]
            notify(
                people,
                event="system.resign_required",
                subject=bilingual(
                    lambda system=system: (
                        _("Re-sign required: %(system)s") % {"system": system.name}
                    ),
                    separator=" / ",
                ),
                body=bilingual(
                    lambda system=system, signoff=signoff: (
                        _(
                            "“%(system)s” has changed since it was signed off on %(date)s, so the "
                            "sign-off is out of date and the system cannot move to pilot or use until "
                            "it is signed again. The sign-off page shows what changed."
                        )
                        % {"system": system.name, "date": date_format(signoff.signed_at, "j F Y")}
                    )
                ),
                url=link("oversight:signoff", system.uuid),
            )
            Reminder.objects.filter(pk=reminder.pk).update(recipients=len(people))
            sent += 1
    return sent


def _claim_reminder(**values) -> tuple[Reminder, bool]:
    """Insert the reminder row unless it exists (the unique constraint decides under races)."""
    existing = Reminder.objects.filter(
        kind=values["kind"],
        object_id=values["object_id"],
        due_date=values["due_date"],
        threshold=values["threshold"],
    ).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return Reminder.objects.create(**values), True
    except IntegrityError:
        return Reminder.objects.get(
            kind=values["kind"],
            object_id=values["object_id"],
            due_date=values["due_date"],
            threshold=values["threshold"],
        ), False


# --- Lifecycle ---------------------------------------------------------------------------------

TRANSITION_ACTIONS = {
    TransitionKind.CHANGE: "system.stage_changed",
    TransitionKind.PAUSE: "system.paused",
    TransitionKind.RETIRE: "system.retired",
    TransitionKind.RESTART: "system.restarted",
}


def _require_gate(system: AlgorithmicSystem, to_stage: str) -> SignOff:
    result = gate(system)
    if not result.passed:
        raise WorkflowError(
            _("The system cannot move to “%(stage)s” until these are done:")
            % {"stage": _stage_label(to_stage)},
            result.missing,
        )
    return latest_signoff(system)


def _move(
    system: AlgorithmicSystem,
    *,
    actor,
    kind: str,
    to_stage: str,
    reason: str,
    signoff: SignOff | None = None,
) -> LifecycleTransition:
    from_stage = system.lifecycle_stage
    before = audit.snapshot(system, ["lifecycle_stage", "next_review_date"])
    transition = LifecycleTransition.objects.create(
        system=system,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_user_label(actor)[:254],
        at=timezone.now(),
        signoff=signoff,
    )
    system.lifecycle_stage = to_stage
    if to_stage == LifecycleStage.RETIRED:
        system.next_review_date = None
    elif to_stage in LIVE_STAGES and (
        from_stage not in LIVE_STAGES or system.next_review_date is None
    ):
        first = from_stage in PRE_USE_STAGES
        due = add_months(timezone.localdate(), review_months(system, first=first))
        if system.next_review_date is None or system.next_review_date > due or first:
            system.next_review_date = due
    system.save(update_fields=["lifecycle_stage", "next_review_date", "updated_at"])
    audit.record(
        actor,
        TRANSITION_ACTIONS[kind],
        system,
        changes=audit.diff(before, audit.snapshot(system, ["lifecycle_stage", "next_review_date"])),
        note=reason,
    )
    return transition


def _notify_move(system: AlgorithmicSystem, transition: LifecycleTransition, people) -> None:
    kind = TransitionKind(transition.kind)

    def subject():
        if kind == TransitionKind.PAUSE:
            return _("Paused: %(system)s") % {"system": system.name}
        if kind == TransitionKind.RETIRE:
            return _("Stopped and retired: %(system)s") % {"system": system.name}
        if kind == TransitionKind.RESTART:
            return _("Restarted: %(system)s") % {"system": system.name}
        return _("Now in “%(stage)s”: %(system)s") % {
            "stage": _stage_label(transition.to_stage),
            "system": system.name,
        }

    def body():
        if kind == TransitionKind.PAUSE:
            lead = _(
                "%(who)s has paused “%(system)s” with immediate effect. It must not be used to "
                "make or support decisions about workers until it is restarted."
            )
        elif kind == TransitionKind.RETIRE:
            lead = _(
                "%(who)s has stopped “%(system)s” with immediate effect. It is retired and must "
                "no longer be used."
            )
        elif kind == TransitionKind.RESTART:
            lead = _("%(who)s has restarted “%(system)s”: it is now in “%(stage)s”.")
        else:
            lead = _("%(who)s has moved “%(system)s” from “%(from)s” to “%(stage)s”.")
        text = lead % {
            "who": transition.actor or transition.actor_label,
            "system": system.name,
            "stage": _stage_label(transition.to_stage),
            "from": _stage_label(transition.from_stage),
        }
        return text + "\n\n" + _("Reason:") + " " + transition.reason

    notify(
        people,
        event=TRANSITION_ACTIONS[kind],
        subject=bilingual(subject, separator=" / "),
        body=bilingual(body),
        url=link("registers:system_detail", system.uuid) + "#oversight",
    )


@transaction.atomic
def change_stage(
    system: AlgorithmicSystem, *, actor, to_stage: str, reason: str
) -> LifecycleTransition:
    """Move the system to another stage. Moves into pilot or use need the gate to pass; moves
    before that need no gate. Pausing and retiring are ``pause`` and ``retire``."""
    system = _lock(system)
    permissions.require(actor, "change_stage", system)
    reason = _text(reason, label=_("the reason for the move"))
    current = system.lifecycle_stage
    if to_stage not in LifecycleStage.values:
        raise WorkflowError(_("Choose the stage to move the system to."))
    if to_stage in (LifecycleStage.PAUSED, LifecycleStage.RETIRED):
        raise WorkflowError(_("Only the accountable senior manager can pause or stop a system."))
    if to_stage not in FORWARD_MOVES.get(current, ()):
        raise WorkflowError(
            _("A system in “%(current)s” cannot move to “%(stage)s”.")
            % {"current": _stage_label(current), "stage": _stage_label(to_stage)}
        )
    signoff = _require_gate(system, to_stage) if to_stage in LIVE_STAGES else None
    transition = _move(
        system,
        actor=actor,
        kind=TransitionKind.CHANGE,
        to_stage=to_stage,
        reason=reason,
        signoff=signoff,
    )
    people = [p for p in [system.accountable_manager] if p and p.pk != getattr(actor, "pk", None)]
    _notify_move(system, transition, [*people, *involved_reps(system)])
    return transition


@transaction.atomic
def pause(system: AlgorithmicSystem, *, actor, reason: str) -> LifecycleTransition:
    """Pause the system at once (no gate). HR and the unions' reps are told."""
    system = _lock(system)
    permissions.require(actor, "pause", system)
    reason = _text(reason, label=_("the reason for pausing"))
    if system.lifecycle_stage in (LifecycleStage.PAUSED, LifecycleStage.RETIRED):
        raise WorkflowError(
            _("The system is already “%(stage)s”.")
            % {"stage": _stage_label(system.lifecycle_stage)}
        )
    transition = _move(
        system,
        actor=actor,
        kind=TransitionKind.PAUSE,
        to_stage=LifecycleStage.PAUSED,
        reason=reason,
    )
    _notify_move(system, transition, [*hr_officers(system.organisation_id), *involved_reps(system)])
    return transition


@transaction.atomic
def retire(system: AlgorithmicSystem, *, actor, reason: str) -> LifecycleTransition:
    """Stop the system and retire it, at once, from any stage (no gate)."""
    system = _lock(system)
    permissions.require(actor, "retire", system)
    reason = _text(reason, label=_("the reason for stopping"))
    if system.lifecycle_stage == LifecycleStage.RETIRED:
        raise WorkflowError(_("The system is already retired."))
    transition = _move(
        system,
        actor=actor,
        kind=TransitionKind.RETIRE,
        to_stage=LifecycleStage.RETIRED,
        reason=reason,
    )
    _notify_move(system, transition, [*hr_officers(system.organisation_id), *involved_reps(system)])
    return transition


@transaction.atomic
def restart(system: AlgorithmicSystem, *, actor, to_stage: str, reason: str) -> LifecycleTransition:
    """Restart a paused system. Restarting into pilot or use needs the gate to pass."""
    system = _lock(system)
    permissions.require(actor, "restart", system)
    reason = _text(reason, label=_("the reason for restarting"))
    if system.lifecycle_stage != LifecycleStage.PAUSED:
        raise WorkflowError(_("Only a paused system can be restarted."))
    if to_stage not in restart_targets(system):
        raise WorkflowError(
            _("The system cannot restart in “%(stage)s”.")
            % {"stage": _stage_label(to_stage) if to_stage in LifecycleStage.values else to_stage}
        )
    signoff = _require_gate(system, to_stage) if to_stage in LIVE_STAGES else None
    transition = _move(
        system,
        actor=actor,
        kind=TransitionKind.RESTART,
        to_stage=to_stage,
        reason=reason,
        signoff=signoff,
    )
    _notify_move(system, transition, [*hr_officers(system.organisation_id), *involved_reps(system)])
    return transition


@transaction.atomic
def schedule_review(system: AlgorithmicSystem, *, actor, due: dt.date | None = None) -> dt.date:
    """Set the next review date of a system in pilot or use: ``due``, or from the body's
    review intervals and the system's impact level (for a system recorded as already in use,
    which entered its stage without a move)."""
    system = _lock(system)
    permissions.require(actor, "change_stage", system)
    if system.lifecycle_stage not in LIVE_STAGES:
        raise WorkflowError(_("Only a system in pilot or in use has a review date."))
    due = due or add_months(timezone.localdate(), review_months(system))
    if system.next_review_date != due:
        before = system.next_review_date
        system.next_review_date = due
        system.save(update_fields=["next_review_date", "updated_at"])
        audit.record(
            actor,
            "system.review_scheduled",
            system,
            changes={"next_review_date": [before, due]},
        )
    return due


# --- Review intervals ---------------------------------------------------------------------------

POLICY_FIELDS = tuple(ReviewPolicy.DEFAULTS)


@transaction.atomic
def update_review_policy(
    organisation: Organisation, *, actor, data: dict[str, int]
) -> ReviewPolicy:
    """Set the body's review intervals. Dates already set are kept; new ones follow these."""
    permissions.require(actor, "configure_reviews", organisation)
    policy, _created = ReviewPolicy.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    before = audit.snapshot(policy, list(POLICY_FIELDS))
    for name in POLICY_FIELDS:
        if name in data:
            setattr(policy, name, data[name])
    policy.full_clean(exclude=["organisation", "updated_by"])
    changes = audit.diff(before, audit.snapshot(policy, list(POLICY_FIELDS)))
    if not changes:
        return policy
    policy.updated_by = actor
    policy.save()
    audit.record(
        actor, "review_policy.updated", policy, changes=changes, organisation_id=organisation.pk
    )
    return policy


# --- Post-deployment audits ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    question: str
    rating: str
    evidence: str
    follow_up: str = ""


@dataclass(frozen=True)
class BiasRow:
    characteristic: str
    groups: str
    metric: str
    value: Any
    threshold: Any
    passes_when: str = ""
    method: str = ""


def _decimal(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            {"bias": _("Enter the %(name)s as a number") % {"name": name}}
        ) from exc


def needs_bias_audit(system: AlgorithmicSystem) -> bool:
    return bool(DECISIONS_NEEDING_BIAS_AUDIT.intersection(system.employment_decisions or []))


def _check_answers(answers: list[Answer]) -> list[Answer]:
    by_question = {a.question: a for a in answers}
    errors = {}
    for question in AuditQuestion:
        answer = by_question.get(question.value)
        if answer is None or answer.rating not in Rating.values:
            errors[f"{question.value}_rating"] = _("Choose a rating for “%(q)s”") % {
                "q": question.label
            }
            continue
        if not (answer.evidence or "").strip():
            errors[f"{question.value}_evidence"] = _("Give the evidence for “%(q)s”") % {
                "q": question.label
            }
        if answer.rating != Rating.YES and not (answer.follow_up or "").strip():
            errors[f"{question.value}_follow_up"] = _(
                "Say what will be done about “%(q)s”, as the answer is not “Yes”"
            ) % {"q": question.label}
    if errors:
        raise ValidationError(errors)
    return [by_question[q.value] for q in AuditQuestion]


@transaction.atomic
def record_audit(
    system: AlgorithmicSystem,
    *,
    actor,
    period_start: dt.date,
    period_end: dt.date,
    conducted_on: dt.date,
    conducted_by: str,
    answers: Iterable[Answer],
    bias_rows: Iterable[BiasRow] = (),
    worker_feedback: str,
    feedback_sources: list[str] = (),
    rep_access: str = "",
    outcome: str,
    outcome_reasons: str,
    next_review_date: dt.date | None = None,
) -> PostDeploymentAudit:
    """Record a completed post-deployment audit. It sets the next review date; an outcome of
    pause or stop pauses or retires the system at once (which only its accountable manager
    may do)."""
    system = _lock(system)
    permissions.require(actor, "record_audit", system)
    if system.lifecycle_stage not in (*LIVE_STAGES, LifecycleStage.PAUSED):
        raise WorkflowError(
            _("Only a system in pilot, in use or paused can be audited after deployment.")
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the audit")})
    needed = {Outcome.PAUSE: "pause", Outcome.STOP: "retire"}.get(outcome)
    if needed and not permissions.can(actor, needed, system):
        raise WorkflowError(
            _(
                "Only the system's accountable senior manager can record an audit whose outcome "
                "is to pause or stop it, because that takes effect at once. Choose another "
                "outcome and tell them, or ask them to record the audit."
            )
        )
    if outcome == Outcome.PAUSE and system.lifecycle_stage == LifecycleStage.PAUSED:
        raise ValidationError({"outcome": _("The system is already paused")})
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if period_start and period_end and period_start > period_end:
        errors["period_end"] = _("The end of the period must be on or after its start")
    if conducted_on and conducted_on > today:
        errors["conducted_on"] = _("The date of the audit must be today or in the past")
    if next_review_date and conducted_on and next_review_date <= conducted_on:
        errors["next_review_date"] = _("The next review must be after the audit")
    if errors:
        raise ValidationError(errors)
    checked = _check_answers(list(answers))
    rows = list(bias_rows)
    if not rows and needs_bias_audit(system):
        raise ValidationError(
            {
                "bias": _(
                    "Record at least one bias-audit result: the system takes or supports "
                    "decisions about individual workers"
                )
            }
        )
    level = impact_level(system)
    if next_review_date is None and outcome != Outcome.STOP:
        next_review_date = add_months(conducted_on, review_months(system))
    record = PostDeploymentAudit(
        system=system,
        period_start=period_start,
        period_end=period_end,
        conducted_on=conducted_on,
        conducted_by=_text(conducted_by, label=_("who carried out the audit"), limit=2000),
        worker_feedback=_text(worker_feedback, label=_("the summary of worker feedback")),
        feedback_sources=list(feedback_sources),
        rep_access=_text(rep_access, label=_("the reps' access"), required=False),
        outcome=outcome,
        outcome_reasons=_text(outcome_reasons, label=_("the reasons for the outcome")),
        impact_level=level,
        next_review_date=None if outcome == Outcome.STOP else next_review_date,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    record.full_clean(exclude=["system", "recorded_by"])
    record.save()
    for position, answer in enumerate(checked, start=1):
        AuditAnswer.objects.create(
            audit=record,
            position=position,
            question=answer.question,
            rating=answer.rating,
            evidence=answer.evidence.strip(),
            follow_up=(answer.follow_up or "").strip(),
        )
    for position, row in enumerate(rows, start=1):
        passes_when = row.passes_when or DEFAULT_PASSES_WHEN.get(row.metric, PassesWhen.AT_LEAST)
        value, threshold = _decimal(row.value, "value"), _decimal(row.threshold, "threshold")
        result = BiasResult(
            audit=record,
            position=position,
            characteristic=row.characteristic,
            groups=row.groups.strip(),
            metric=row.metric,
            value=value,
            threshold=threshold,
            passes_when=passes_when,
            passed=BiasResult.evaluate(value, threshold, passes_when),
            method=(row.method or "").strip(),
        )
        result.full_clean(exclude=["audit"])
        result.save()
    audit.record(
        actor,
        "post_deployment_audit.recorded",
        record,
        changes={
            "conducted_on": [None, conducted_on],
            "outcome": [None, outcome],
            "ratings": [None, {a.question: a.rating for a in checked}],
            "bias_results_failed": [
                None,
                sum(1 for r in record.bias_results.all() if not r.passed),
            ],
            "next_review_date": [None, record.next_review_date],
        },
        note=record.outcome_reasons,
    )
    reason = _("Post-deployment audit of %(date)s: %(reasons)s") % {
        "date": date_format(conducted_on, "j F Y"),
        "reasons": record.outcome_reasons,
    }
    if outcome == Outcome.STOP:
        retire(system, actor=actor, reason=reason[:MAX_TEXT])
    else:
        if system.next_review_date != record.next_review_date:
            before = system.next_review_date
            system.next_review_date = record.next_review_date
            system.save(update_fields=["next_review_date", "updated_at"])
            audit.record(
                actor,
                "system.review_scheduled",
                system,
                changes={"next_review_date": [before, system.next_review_date]},
                note=_("Set by the post-deployment audit of %(date)s")
                % {"date": date_format(conducted_on, "j F Y")},
            )
        if outcome == Outcome.PAUSE:
            pause(system, actor=actor, reason=reason[:MAX_TEXT])
    _notify_audit(system, record)
    return record


def _notify_audit(system: AlgorithmicSystem, record: PostDeploymentAudit) -> None:
    people = [*hr_officers(system.organisation_id), *involved_reps(system)]
    if system.accountable_manager:
        people.insert(0, system.accountable_manager)
    notify(
        [p for p in people if p.pk != record.recorded_by_id],
        event="post_deployment_audit.recorded",
        subject=bilingual(
            lambda: _("Post-deployment audit recorded: %(system)s") % {"system": system.name},
            separator=" / ",
        ),
        body=bilingual(
            lambda: (
                _(
                    "The post-deployment audit of “%(system)s” carried out on %(date)s has been "
                    "recorded. Outcome: %(outcome)s."
                )
                % {
                    "system": system.name,
                    "date": date_format(record.conducted_on, "j F Y"),
                    "outcome": Outcome(record.outcome).label,
                }
            )
        ),
        url=link("oversight:audit_detail", system.uuid, record.uuid),
    )


# --- Reminders -----------------------------------------------------------------------------------


def threshold_for(due: dt.date, today: dt.date) -> str | None:
    """Which reminder a due date calls for today: a week before (2–7 days ahead), a day before
    (today or tomorrow) or overdue. Windows, not exact days, so a day the job did not run loses
    no reminder; the unique reminder row makes each one go out once."""
    days = (due - today).days
    if days < 0:
        return Threshold.OVERDUE
    if days <= 1:
        return Threshold.DAY
    if days <= 7:
        return Threshold.WEEK
    return None


@dataclass
class _Item:
    kind: str
    object_id: int
    threshold: str
    due: dt.date
    system: AlgorithmicSystem
    label: str
    url: str


def _reminder_line(item: _Item) -> str:
    due = date_format(item.due, "j F Y")
    if item.threshold == Threshold.OVERDUE:
        when = _("overdue since %(date)s") % {"date": due}
    elif item.threshold == Threshold.DAY:
        when = _("due %(date)s (tomorrow or today)") % {"date": due}
    else:
        when = _("due %(date)s (within a week)") % {"date": due}
    kind = {
        ReminderKind.REVIEW: _("Review"),
        ReminderKind.ACTION: _("Action"),
        ReminderKind.CONCERN: _("Response to a concern"),
    }[item.kind]
    return f"- {kind}: {item.label} – {when}"


def _due_items(today: dt.date) -> list[tuple[_Item, list[User]]]:
    horizon = today + dt.timedelta(days=7)
    out: list[tuple[_Item, list[User]]] = []
    hr_cache: dict[int, list[User]] = {}

    def hr(org_id: int) -> list[User]:
        if org_id not in hr_cache:
            hr_cache[org_id] = hr_officers(org_id)
        return hr_cache[org_id]

    systems = (
        AlgorithmicSystem.objects.filter(
            lifecycle_stage__in=LIVE_STAGES, next_review_date__lte=horizon
        )
        .select_related("organisation", "accountable_manager")
        .order_by("next_review_date", "pk")
    )
    for system in systems:
        threshold = threshold_for(system.next_review_date, today)
        item = _Item(
            ReminderKind.REVIEW,
            system.pk,
            threshold,
            system.next_review_date,
            system,
            _("“%(system)s” (%(body)s)")
            % {"system": system.name, "body": system.organisation.name},
            link("registers:system_detail", system.uuid) + "#oversight",
        )
        people = [p for p in [system.accountable_manager] if p] + hr(system.organisation_id)
        out.append((item, people))
    actions = (
        Action.objects.filter(due_date__lte=horizon)
        .exclude(progress=Progress.ACHIEVED)
        .exclude(system__lifecycle_stage=LifecycleStage.RETIRED)
        .select_related("system__organisation", "system__accountable_manager")
        .order_by("due_date", "pk")
    )
    for action in actions:
        threshold = threshold_for(action.due_date, today)
        item = _Item(
            ReminderKind.ACTION,
            action.pk,
            threshold,
            action.due_date,
            action.system,
            _("%(ref)s “%(text)s” for “%(system)s” (lead: %(owner)s)")
            % {
                "ref": action.reference,
                "text": action.description[:80],
                "system": action.system.name,
                "owner": action.owner,
            },
            link("assessments:action_detail", action.system.uuid, action.uuid),
        )
        people = list(hr(action.system.organisation_id))
        if threshold == Threshold.OVERDUE and action.system.accountable_manager:
            people.append(action.system.accountable_manager)
        out.append((item, people))
    # Concerns: the week and day before the response is due. An overdue response is flagged,
    # once, by ``consultations.services.flag_overdue_concerns`` (its own beat entry).
    concerns = (
        Concern.objects.filter(status__in=AWAITING_RESPONSE, due_on__gte=today, due_on__lte=horizon)
        .select_related("system__organisation")
        .order_by("due_on", "pk")
    )
    for concern in concerns:
        threshold = threshold_for(concern.due_on, today)
        item = _Item(
            ReminderKind.CONCERN,
            concern.pk,
            threshold,
            concern.due_on,
            concern.system,
            _("%(ref)s “%(summary)s” about “%(system)s”")
            % {"ref": concern.reference, "summary": concern.summary, "system": concern.system.name},
            link("consultations:concern_detail", concern.system.uuid, concern.uuid),
        )
        out.append((item, hr(concern.system.organisation_id)))
    return out


def send_reminders(today: dt.date | None = None) -> int:
    """The daily job: remind people of reviews, actions and concern responses coming due (a
    week and a day before) and of reviews and actions overdue. Each (object, due date,
    threshold) is reminded once, ever: the ``Reminder`` row is inserted first and only a new
    row leads to a message. Each person gets one message listing all their new reminders.
    Returns how many reminders were sent."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = _due_items(today)
        by_person: dict[int, tuple[User, list[_Item]]] = {}
        sent = 0
        for item, people in due:
            _reminder, created = _claim_reminder(
                kind=item.kind,
                object_id=item.object_id,
                due_date=item.due,
                threshold=item.threshold,
                system=item.system,
                recipients=len({p.pk for p in people}),
            )
            if not created:
                continue
            sent += 1
            for person in people:
                by_person.setdefault(person.pk, (person, []))[1].append(item)
        for person, items in by_person.values():
            _send_digest(person, items)
    return sent


def _send_digest(person: User, items: list[_Item]) -> None:
    overdue = sum(1 for i in items if i.threshold == Threshold.OVERDUE)

    def subject():
        if overdue:
            return _("GovReg: %(n)d overdue, %(m)d coming due") % {
                "n": overdue,
                "m": len(items) - overdue,
            }
        return _("GovReg: %(n)d coming due") % {"n": len(items)}

    def body():
        lines = [_("These are due or overdue in the bodies where you have a role:"), ""]
        lines += [_reminder_line(i) + "\n  " + i.url for i in items]
        return "\n".join(lines)

    notify(
        [person],
        event="oversight.reminders",
        subject=bilingual(subject, separator=" / "),
        body=bilingual(body, separator="\n\n---\n\n"),
        url=link("dashboard"),
    )

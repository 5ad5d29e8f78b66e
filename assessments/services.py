"""Every write of the assessments app: each locks, checks permission, validates, writes and
audits in one transaction. Reads that other apps need are here too: ``approved_snapshot``
(what a sign-off binds to) and ``current_assessments`` (the gate and the system page).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from registers.models import AlgorithmicSystem
from registers.services import changed_since, fingerprint

from . import aia
from . import questionnaire as engine
from .choices import Kind, Progress, QuestionnaireStatus, RiskStatus, Status
from .models import Action, ActionUpdate, Assessment, Questionnaire, Risk
from .schema import (
    APPROVE,
    SUBMIT,
    Problem,
    RuleContext,
    new_row_id,
    row_by_id,
    rows_of,
)


class WorkflowError(Exception):
    """A workflow step that cannot happen now; shown to the user, never a 500."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class Conflict(Exception):
    """Someone else saved the same part while the form was open."""

    def __init__(self, changed: list[str]):
        super().__init__("changed by someone else")
        self.changed = changed


# --- reading ----------------------------------------------------------------------------------


def current_assessments(system: AlgorithmicSystem) -> list[Assessment]:
    """The system's non-superseded versions, fetched once per system object (one query).

    The system page's panels and the gate share this list. Code that changes assessments and
    then reads the gate on the same object calls ``forget_current_assessments(system)``.
    """
    cached = getattr(system, "_current_assessments", None)
    if cached is None:
        cached = list(Assessment.objects.filter(system=system).for_panel())
        system._current_assessments = cached
    return cached


def forget_current_assessments(system: AlgorithmicSystem) -> None:
    system.__dict__.pop("_current_assessments", None)


def by_kind(system: AlgorithmicSystem) -> dict[str, dict[str, Assessment | None]]:
    """{kind: {"open": draft/in-review version, "approved": approved version}}."""
    out = {kind: {"open": None, "approved": None} for kind in Kind.values}
    for assessment in current_assessments(system):
        slot = "approved" if assessment.status == Status.APPROVED else "open"
        out[assessment.kind][slot] = assessment
    return out


def approved_snapshot(system: AlgorithmicSystem, *, public_ids: bool = False) -> dict[str, Any]:
    """The currently approved version of each kind of assessment, JSON-ready.

    ``{"dpia": {"type", "id", "version", "content_hash", "approved_at", …} | None, "eqia": …,
    "aia": …}``. A sign-off stores this (or a hash of it): a later approval of another
    version changes it, which is how a material change is detected. ``id`` is the version's
    database key, or with ``public_ids`` its public identifier (the format of the sign-offs'
    content, ``oversight.hashing``). The version's own ``content_hash`` is the same either way.
    """
    out: dict[str, Any] = dict.fromkeys(Kind.values)
    for assessment in Assessment.objects.filter(system=system, status=Status.APPROVED).order_by(
        "kind"
    ):
        entry = {
            "type": assessment.kind,
            "id": str(assessment.uuid) if public_ids else assessment.pk,
            "version": assessment.version,
            "content_hash": assessment.content_hash,
            "approved_at": assessment.approved_at.isoformat(),
        }
        if assessment.kind == Kind.AIA:
            entry["level"] = assessment.level
        if assessment.kind == Kind.DPIA:
            entry["screened_out"] = bool(assessment.result.get("screened_out"))
        out[assessment.kind] = entry
    return out


def earliest_review_due(system: AlgorithmicSystem) -> dt.date | None:
    """The earliest next-review date over the approved assessments (assessments.md §7)."""
    dates = [
        a.next_review_due
        for a in current_assessments(system)
        if a.status == Status.APPROVED and a.next_review_due
    ]
    return min(dates) if dates else None


def rule_context(system: AlgorithmicSystem, kind: str) -> RuleContext:
    """What the kind's rules need beyond the content (one query for the action links)."""
    refs = set()
    for ref in Action.objects.filter(system=system, assessment_kind=kind).values_list(
        "source_ref", flat=True
    ):
        refs.add(ref or kind)
    return RuleContext(system=system, organisation_kind=system.organisation.kind, action_refs=refs)


@dataclass
class Check:
    """Everything the check-answers, review and task-list pages show about a version."""

    problems: list[Problem]
    warnings: list[str]
    derived: dict[str, Any]
    statuses: list[Any] = field(default_factory=list)

    @property
    def submit_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.stage == SUBMIT]

    @property
    def approve_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.stage == APPROVE]


def check(assessment: Assessment) -> Check:
    if assessment.kind == Kind.AIA:
        q = assessment.questionnaire.engine()
        answers = aia.answers_of(assessment)
        findings = aia.blocking_findings(q, answers)
        return Check(
            problems=aia.problems(q, answers),
            warnings=[f["message"] for f in findings],
            derived={"result": aia.compute_result(q, answers), "findings": findings},
            statuses=aia.section_statuses(q, answers),
        )
    definition = assessment.definition
    ctx = rule_context(assessment.system, assessment.kind)
    problems = definition.problems(assessment.content, ctx)
    return Check(
        problems=problems,
        warnings=definition.warnings(assessment.content, ctx),
        derived=definition.derived(assessment.content, ctx),
        statuses=definition.statuses(assessment.content, ctx, problems),
    )


# --- assessments: starting and editing ----------------------------------------------------------


def _lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("system__organisation", "questionnaire")
        .get(pk=assessment.pk)
    )


def _editable(assessment: Assessment, actor) -> None:
    require(actor, "edit_assessment", assessment)
    if assessment.status != Status.DRAFT:
        raise WorkflowError(
            _("Version %(version)d is %(status)s and can no longer be changed.")
            % {"version": assessment.version, "status": assessment.get_status_display().lower()}
        )


@transaction.atomic
def start_assessment(system: AlgorithmicSystem, *, actor, kind: str) -> Assessment:
    """Open a draft: version 1, or the next version copying the approved one.

    Returns the existing draft or in-review version if there is one (never two open versions).
    """
    if kind not in Kind.values:
        raise WorkflowError(_("Unknown kind of assessment."))
    system = (
        AlgorithmicSystem.objects.select_for_update()
        .select_related("organisation")
        .get(pk=system.pk)
    )
    require(actor, "edit_assessment", system)
    existing = Assessment.objects.filter(
        system=system, kind=kind, status__in=[Status.DRAFT, Status.IN_REVIEW]
    ).first()
    if existing:
        return existing
    latest = Assessment.objects.filter(system=system, kind=kind).order_by("-version").first()
    approved = Assessment.objects.filter(system=system, kind=kind, status=Status.APPROVED).first()
    questionnaire = None
    if kind == Kind.AIA:
        slug = approved.questionnaire.slug if approved else None
        questionnaire = (
            Questionnaire.objects.latest_published(slug) or Questionnaire.objects.latest_published()
        )
        if questionnaire is None:
            raise WorkflowError(
                _(
                    "No AIA questionnaire has been published yet. An administrator loads one "
                    "with “manage.py load_questionnaire”."
                )
            )
    if approved:
        content = copy.deepcopy(approved.content)
        if kind == Kind.AIA and questionnaire.pk != approved.questionnaire_id:
            content = {
                "answers": aia.usable_answers(questionnaire.engine(), aia.answers_of(approved))
            }
    elif kind == Kind.AIA:
        content = {"answers": {}}
    else:
        from .definitions import definition_for

        content = definition_for(kind).initial(system)
    assessment = Assessment.objects.create(
        system=system,
        kind=kind,
        version=(latest.version + 1) if latest else 1,
        status=Status.DRAFT,
        content=content,
        questionnaire=questionnaire,
        prepared_by=actor,
    )
    assessment.contributors.add(actor)
    audit.record(
        actor,
        "assessment.version_started" if approved else "assessment.started",
        assessment,
        changes={
            "kind": [None, kind],
            "version": [None, assessment.version],
            **(
                {"questionnaire": [None, f"{questionnaire.slug} v{questionnaire.version}"]}
                if questionnaire
                else {}
            ),
        },
        note=_("Copied from approved version %(version)d") % {"version": approved.version}
        if approved
        else "",
    )
    return assessment


def _labelled(changes: dict[str, Any], fields) -> dict[str, Any]:
    """Audit changes keyed by the question as the person saw it (in English, for the record)."""
    with translation.override("en"):
        labels = {f.name: str(f.label) for f in fields}
    return {labels.get(name, name): value for name, value in changes.items()}


def section_fingerprint(values: dict[str, Any]) -> str:
    return fingerprint(values)


@transaction.atomic
def save_section(
    assessment: Assessment,
    *,
    actor,
    section_slug: str,
    values: dict[str, Any],
    expected_fingerprint: str | None = None,
) -> Assessment:
    """Save the fields of one section (saved as you go: nothing is required here)."""
    assessment = _lock(assessment)
    _editable(assessment, actor)
    section = assessment.definition.section(section_slug)
    if section is None or section.rows:
        raise WorkflowError(_("Unknown section."))
    names = [f.name for f in section.fields]
    unknown = set(values) - set(names)
    if unknown:
        raise WorkflowError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    before = {name: assessment.content.get(name) for name in names}
    if expected_fingerprint:
        if changed := changed_since(before, expected_fingerprint):
            raise Conflict(changed)
    content = dict(assessment.content)
    for name in names:
        if name not in values:
            continue
        if values[name] is None:
            content.pop(name, None)
        else:
            content[name] = values[name]
    after = {name: content.get(name) for name in names}
    changes = audit.diff(before, after)
    if not changes:
        return assessment
    assessment.content = content
    assessment.save(update_fields=["content", "updated_at"])
    assessment.contributors.add(actor)
    audit.record(
        actor,
        "assessment.section_saved",
        assessment,
        changes=_labelled(changes, section.fields),
        note=str(section.title),
    )
    return assessment


@transaction.atomic
def save_row(
    assessment: Assessment,
    *,
    actor,
    section_slug: str,
    row_id: str | None,
    values: dict[str, Any],
    expected_fingerprint: str | None = None,
) -> str:
    """Add a row (``row_id`` None) or change one; returns the row's id."""
    assessment = _lock(assessment)
    _editable(assessment, actor)
    section = assessment.definition.section(section_slug)
    if section is None or not section.rows:
        raise WorkflowError(_("Unknown section."))
    spec = section.rows
    names = {f.name for f in spec.fields}
    if set(values) - names:
        raise WorkflowError(_("Unknown fields."))
    rows = [dict(r) for r in rows_of(assessment.content, section)]
    if row_id is None:
        if spec.fixed:
            raise WorkflowError(_("These rows cannot be added to."))
        row = {"id": new_row_id()}
        rows.append(row)
        before: dict[str, Any] = {}
    else:
        row = next((r for r in rows if r.get("id") == row_id), None)
        if row is None:
            raise WorkflowError(_("That row no longer exists: someone may have removed it."))
        before = {k: v for k, v in row.items() if k != "id"}
        current = {name: row.get(name) for name in names}
        if expected_fingerprint and (changed := changed_since(current, expected_fingerprint)):
            raise Conflict(changed)
    if spec.validate:
        errors = spec.validate(values, assessment.content, row["id"])
        if errors:
            raise ValidationError(errors)
    for name, value in values.items():
        if value is None:
            row.pop(name, None)
        else:
            row[name] = value
    after = {k: v for k, v in row.items() if k != "id"}
    changes = audit.diff(before, after)
    if not changes and row_id is not None:
        return row["id"]
    content = dict(assessment.content)
    content[section.slug] = rows
    assessment.content = content
    assessment.save(update_fields=["content", "updated_at"])
    assessment.contributors.add(actor)
    audit.record(
        actor,
        "assessment.row_added" if row_id is None else "assessment.row_changed",
        assessment,
        changes=_labelled(changes, spec.fields),
        note="{}: {}".format(section.title, row["id"]),
    )
    return row["id"]


@transaction.atomic
def delete_row(assessment: Assessment, *, actor, section_slug: str, row_id: str) -> None:
    assessment = _lock(assessment)
    _editable(assessment, actor)
    section = assessment.definition.section(section_slug)
    if section is None or not section.rows or section.rows.fixed:
        raise WorkflowError(_("These rows cannot be removed."))
    rows = list(assessment.content.get(section.slug) or [])
    row = next((r for r in rows if r.get("id") == row_id), None)
    if row is None:
        return
    if section.slug == "risks":
        linked = [m for m in assessment.content.get("measures") or [] if m.get("risk") == row_id]
        if linked:
            raise WorkflowError(
                _(
                    "This risk has %(n)d measure(s). Remove them, or point them at another risk, first."
                )
                % {"n": len(linked)}
            )
    content = dict(assessment.content)
    content[section.slug] = [r for r in rows if r.get("id") != row_id]
    assessment.content = content
    assessment.save(update_fields=["content", "updated_at"])
    assessment.contributors.add(actor)
    audit.record(
        actor,
        "assessment.row_removed",
        assessment,
        changes=_labelled(
            audit.diff({k: v for k, v in row.items() if k != "id"}, {}), section.rows.fields
        ),
        note=f"{section.title}: {row_id}",
    )


@transaction.atomic
def save_answers(
    assessment: Assessment,
    *,
    actor,
    answers: dict[str, Any],
    expected_fingerprint: str | None = None,
) -> Assessment:
    """Save AIA answers (one section's). Answers to questions that become hidden are dropped."""
    assessment = _lock(assessment)
    _editable(assessment, actor)
    if assessment.kind != Kind.AIA:
        raise WorkflowError(_("Only an AIA has questionnaire answers."))
    q = assessment.questionnaire.engine()
    current = aia.answers_of(assessment)
    before_section = {code: current.get(code) for code in answers}
    if expected_fingerprint and (changed := changed_since(before_section, expected_fingerprint)):
        raise Conflict(changed)
    merged = dict(current)
    for code, value in answers.items():
        if code not in q:
            raise WorkflowError(_("Unknown question."))
        if value is None:
            merged.pop(code, None)
        else:
            merged[code] = value
    try:
        engine.score(q, merged)
    except engine.AnswerError as error:
        raise ValidationError(
            {
                aia.field_name(code): _("This answer is not one of the choices.")
                for code in error.errors
            }
        ) from error
    cleaned = engine.clean_answers(q, merged)
    changes = audit.diff(current, cleaned)
    if not changes:
        return assessment
    assessment.content = {**assessment.content, "answers": cleaned}
    assessment.save(update_fields=["content", "updated_at"])
    assessment.contributors.add(actor)
    audit.record(actor, "assessment.answers_saved", assessment, changes=changes)
    return assessment


# --- assessments: the workflow ------------------------------------------------------------------


@transaction.atomic
def submit(assessment: Assessment, *, actor) -> Assessment:
    """Draft → in review, when everything needed for submission is there."""
    assessment = _lock(assessment)
    require(actor, "submit_assessment", assessment)
    if assessment.status != Status.DRAFT:
        raise WorkflowError(_("Only a draft can be submitted for review."))
    result = check(assessment)
    if result.submit_problems:
        raise WorkflowError(_("The assessment is not ready to submit."), result.submit_problems)
    assessment.status = Status.IN_REVIEW
    assessment.submitted_by = actor
    assessment.submitted_at = timezone.now()
    assessment.returned_comment = ""
    assessment.save(
        update_fields=["status", "submitted_by", "submitted_at", "returned_comment", "updated_at"]
    )
    assessment.contributors.add(actor)
    audit.record(
        actor,
        "assessment.submitted",
        assessment,
        changes={"status": [Status.DRAFT, Status.IN_REVIEW]},
    )
    return assessment


@transaction.atomic
def return_for_changes(assessment: Assessment, *, actor, comment: str) -> Assessment:
    """In review → draft, with the reviewer's comment (required)."""
    assessment = _lock(assessment)
    require(actor, "approve_assessment", assessment)
    if assessment.status != Status.IN_REVIEW:
        raise WorkflowError(_("Only a version in review can be returned for changes."))
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("Say what needs to change."))
    assessment.status = Status.DRAFT
    assessment.returned_comment = comment
    assessment.save(update_fields=["status", "returned_comment", "updated_at"])
    audit.record(
        actor,
        "assessment.returned",
        assessment,
        changes={"status": [Status.IN_REVIEW, Status.DRAFT], "returned_comment": [None, comment]},
    )
    return assessment


def preparers(assessment: Assessment) -> set[int]:
    ids = set(assessment.contributors.values_list("pk", flat=True))
    ids.add(assessment.prepared_by_id)
    if assessment.submitted_by_id:
        ids.add(assessment.submitted_by_id)
    return ids


@transaction.atomic
def approve(assessment: Assessment, *, actor) -> Assessment:
    """In review → approved: freeze the version, supersede the previously approved one."""
    AlgorithmicSystem.objects.select_for_update().filter(pk=assessment.system_id).first()
    assessment = _lock(assessment)
    require(actor, "approve_assessment", assessment)
    if assessment.status != Status.IN_REVIEW:
        raise WorkflowError(_("Only a version in review can be approved."))
    if actor.pk in preparers(assessment):
        raise WorkflowError(
            _("You prepared or edited this version, so someone else must approve it.")
        )
    result = check(assessment)
    if result.problems:
        raise WorkflowError(_("The assessment cannot be approved yet."), result.problems)
    today = timezone.localdate()
    if assessment.kind == Kind.AIA:
        findings = result.derived["findings"]
        if findings:
            raise WorkflowError(
                _("The AIA has blocking findings, so it cannot be approved."),
                [Problem("", f["message"], APPROVE) for f in findings],
            )
        stored = result.derived["result"]
        assessment.level = stored["level"]
        months = engine.requirements_for_level(stored["level"]).review_interval_months
        from .dpia import add_months

        assessment.next_review_due = add_months(today, months)
        assessment.result = stored
    else:
        from .schema import parse_date

        assessment.next_review_due = parse_date(assessment.content.get("next_review_due"))
        assessment.result = result.derived
    previous = (
        Assessment.objects.select_for_update()
        .filter(system_id=assessment.system_id, kind=assessment.kind, status=Status.APPROVED)
        .first()
    )
    if previous:
        previous.status = Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        audit.record(
            actor,
            "assessment.superseded",
            previous,
            changes={"status": [Status.APPROVED, Status.SUPERSEDED]},
            note=_("Replaced by version %(version)d") % {"version": assessment.version},
        )
    assessment.status = Status.APPROVED
    assessment.approved_by = actor
    assessment.approved_at = timezone.now()
    assessment.content_hash = assessment.compute_hash()
    assessment.save()
    audit.record(
        actor,
        "assessment.approved",
        assessment,
        changes={
            "status": [Status.IN_REVIEW, Status.APPROVED],
            "content_hash": [None, assessment.content_hash],
            **({"level": [None, assessment.level]} if assessment.level else {}),
        },
    )
    return assessment


# --- risks ------------------------------------------------------------------------------------

RISK_FIELDS = (
    "category",
    "gwc_principle",
    "description",
    "affected_groups",
    "likelihood",
    "impact",
    "owner",
    "mitigation",
    "residual_likelihood",
    "residual_impact",
    "status",
    "review_due",
)


def _check_future(value: dt.date | None, field_name: str, *, changed: bool = True) -> None:
    if value and changed and value < timezone.localdate():
        raise ValidationError({field_name: _("The date must be today or in the future.")})


def _next_number(model, system: AlgorithmicSystem) -> int:
    return (model.objects.filter(system=system).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def create_risk(
    system: AlgorithmicSystem,
    *,
    actor,
    data: dict[str, Any],
    assessment: Assessment | None = None,
    source_ref: str = "",
) -> Risk:
    system = AlgorithmicSystem.objects.select_for_update().get(pk=system.pk)
    require(actor, "manage_risks", system)
    values = {k: v for k, v in data.items() if k in RISK_FIELDS}
    if values.get("status") == RiskStatus.ACCEPTED:
        raise ValidationError({"status": _("Record an acceptance with “Accept this risk”.")})
    _check_future(values.get("review_due"), "review_due")
    if assessment is not None and assessment.system_id != system.pk:
        raise WorkflowError(_("That assessment belongs to another system."))
    risk = Risk(
        system=system,
        number=_next_number(Risk, system),
        created_by=actor,
        assessment=assessment,
        source_ref=source_ref,
        **values,
    )
    risk.full_clean()
    risk.save()
    audit.record(
        actor, "risk.created", risk, changes=audit.diff({}, audit.snapshot(risk, list(RISK_FIELDS)))
    )
    return risk


@transaction.atomic
def update_risk(
    risk: Risk, *, actor, data: dict[str, Any], expected_revision: int | None = None
) -> Risk:
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    require(actor, "manage_risks", risk)
    if expected_revision is not None and expected_revision != risk.revision:
        raise Conflict([])
    before = audit.snapshot(
        risk, list(RISK_FIELDS) + ["accepted_by", "accepted_until", "acceptance_reason"]
    )
    values = {k: v for k, v in data.items() if k in RISK_FIELDS}
    new_status = values.get("status", risk.status)
    if new_status == RiskStatus.ACCEPTED and risk.status != RiskStatus.ACCEPTED:
        raise ValidationError({"status": _("Record an acceptance with “Accept this risk”.")})
    _check_future(
        values.get("review_due"), "review_due", changed=values.get("review_due") != risk.review_due
    )
    for name, value in values.items():
        setattr(risk, name, value)
    if risk.status != RiskStatus.ACCEPTED:
        risk.accepted_by = None
        risk.accepted_at = None
        risk.accepted_until = None
        risk.acceptance_reason = ""
    risk.full_clean()
    after = audit.snapshot(
        risk, list(RISK_FIELDS) + ["accepted_by", "accepted_until", "acceptance_reason"]
    )
    changes = audit.diff(before, after)
    if not changes:
        return risk
    risk.revision += 1
    risk.save()
    audit.record(actor, "risk.updated", risk, changes=changes)
    return risk


@transaction.atomic
def accept_risk(risk: Risk, *, actor, reason: str, until: dt.date) -> Risk:
    """Accept a risk: records who accepted it, why, and until when."""
    risk = Risk.objects.select_for_update().select_related("system").get(pk=risk.pk)
    require(actor, "accept_risk", risk)
    if risk.status == RiskStatus.CLOSED:
        raise WorkflowError(_("A closed risk cannot be accepted."))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the risk is accepted.")
    if until is None:
        errors["until"] = _("Enter the date the acceptance lasts until.")
    elif until <= timezone.localdate():
        errors["until"] = _("The acceptance must last until a date in the future.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(risk, ["status", "accepted_by", "accepted_until", "acceptance_reason"])
    risk.status = RiskStatus.ACCEPTED
    risk.accepted_by = actor
    risk.accepted_at = timezone.now()
    risk.acceptance_reason = reason
    risk.accepted_until = until
    risk.revision += 1
    risk.save()
    audit.record(
        actor,
        "risk.accepted",
        risk,
        changes=audit.diff(
            before,
            audit.snapshot(risk, ["status", "accepted_by", "accepted_until", "acceptance_reason"]),
        ),
    )
    return risk


@transaction.atomic
def reopen_expired_acceptances(today: dt.date | None = None) -> int:
    """Reopen every risk whose acceptance has expired (run daily by Celery beat)."""
    today = today or timezone.localdate()
    count = 0
    for risk in Risk.objects.select_for_update().acceptance_expired(today):
        before = audit.snapshot(
            risk, ["status", "accepted_by", "accepted_until", "acceptance_reason"]
        )
        risk.status = RiskStatus.OPEN
        risk.accepted_by = None
        risk.accepted_at = None
        risk.accepted_until = None
        risk.acceptance_reason = ""
        risk.revision += 1
        risk.save()
        audit.record(
            None,
            "risk.acceptance_expired",
            risk,
            changes=audit.diff(
                before,
                audit.snapshot(
                    risk, ["status", "accepted_by", "accepted_until", "acceptance_reason"]
                ),
            ),
            note=_("Acceptance expired on %(date)s") % {"date": before["accepted_until"]},
        )
        count += 1
    return count


# DPIA three-point scales on the register's five-point scales.
_DPIA_LIKELIHOOD = {"remote": 2, "possible": 3, "probable": 4}
_DPIA_SEVERITY = {"minimal": 2, "significant": 3, "severe": 5}
_EQIA_SEVERITY = {"low": 2, "medium": 3, "high": 4}


def register_prefill(assessment: Assessment, source_ref: str) -> dict[str, Any]:
    """Starting values for a register risk taken from an assessment row."""
    from . import eqia

    section_slug, _sep, row_id = source_ref.partition("/")
    section = assessment.definition.section(section_slug) if assessment.definition else None
    row = row_by_id(assessment.content, section, row_id) if section and section.rows else None
    if row is None:
        raise WorkflowError(_("That part of the assessment no longer exists."))
    if assessment.kind == Kind.DPIA and section_slug == "risks":
        return {
            "category": row.get("category", ""),
            "description": row.get("description", ""),
            "likelihood": _DPIA_LIKELIHOOD.get(row.get("likelihood"), 3),
            "impact": _DPIA_SEVERITY.get(row.get("severity"), 3),
        }
    if assessment.kind == Kind.EQIA and section_slug == "characteristics":
        label = dict(eqia.CHARACTERISTICS)[row_id]
        return {
            "category": "DISCRIM",
            "description": _("Negative impact on %(c)s: %(evidence)s")
            % {"c": label, "evidence": row.get("evidence", "")},
            "affected_groups": str(label),
            "likelihood": 3,
            "impact": _EQIA_SEVERITY.get(row.get("negative_severity"), 3),
            "mitigation": row.get("mitigation", ""),
        }
    raise WorkflowError(_("Only DPIA risks and EqIA impacts can be added to the register."))


# --- actions ----------------------------------------------------------------------------------

ACTION_FIELDS = ("description", "owner", "due_date", "risk")


@transaction.atomic
def create_action(
    system: AlgorithmicSystem,
    *,
    actor,
    data: dict[str, Any],
    assessment: Assessment | None = None,
    source_ref: str = "",
    permission: str = "manage_risks",
    note: str = "",
) -> Action:
    """Add an action to the system's plan. Other workflows that create actions under their own
    permission (a sign-off's conditions: ``sign_off``) say so with ``permission``."""
    system = AlgorithmicSystem.objects.select_for_update().get(pk=system.pk)
    require(actor, permission, system)
    values = {k: v for k, v in data.items() if k in ACTION_FIELDS}
    _check_future(values.get("due_date"), "due_date")
    if values.get("risk") is not None and values["risk"].system_id != system.pk:
        raise ValidationError({"risk": _("Choose a risk of this system.")})
    if assessment is not None and assessment.system_id != system.pk:
        raise WorkflowError(_("That assessment belongs to another system."))
    action = Action(
        system=system,
        number=_next_number(Action, system),
        created_by=actor,
        assessment=assessment,
        assessment_kind=assessment.kind if assessment else "",
        source_ref=source_ref,
        **values,
    )
    action.full_clean()
    action.save()
    audit.record(
        actor,
        "action.created",
        action,
        changes=audit.diff(
            {},
            audit.snapshot(
                action, ["description", "owner", "due_date", "risk", "progress", "source_ref"]
            ),
        ),
        note=note,
    )
    return action


@transaction.atomic
def update_action(
    action: Action, *, actor, data: dict[str, Any], expected_revision: int | None = None
) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    require(actor, "manage_risks", action)
    if expected_revision is not None and expected_revision != action.revision:
        raise Conflict([])
    values = {k: v for k, v in data.items() if k in ACTION_FIELDS}
    _check_future(
        values.get("due_date"), "due_date", changed=values.get("due_date") != action.due_date
    )
    if values.get("risk") is not None and values["risk"].system_id != action.system_id:
        raise ValidationError({"risk": _("Choose a risk of this system.")})
    before = audit.snapshot(action, list(ACTION_FIELDS))
    for name, value in values.items():
        setattr(action, name, value)
    action.full_clean()
    changes = audit.diff(before, audit.snapshot(action, list(ACTION_FIELDS)))
    if not changes:
        return action
    action.revision += 1
    action.save()
    audit.record(actor, "action.updated", action, changes=changes)
    return action


@transaction.atomic
def add_progress_update(
    action: Action, *, actor, on: dt.date, progress: str, note: str
) -> ActionUpdate:
    """Record dated progress (kept as history); the action takes the latest progress."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    require(actor, "manage_risks", action)
    errors = {}
    if progress not in Progress.values:
        errors["progress"] = _("Choose the progress.")
    if not (note or "").strip():
        errors["note"] = _("Say what has happened.")
    if on is None:
        errors["on"] = _("Enter the date of the update.")
    elif on > timezone.localdate():
        errors["on"] = _("The date must be today or in the past.")
    if errors:
        raise ValidationError(errors)
    update = ActionUpdate.objects.create(
        action=action, on=on, progress=progress, note=note.strip(), author=actor
    )
    before = {"progress": action.progress, "completed_on": action.completed_on}
    latest = action.updates.order_by("-on", "-id").first()
    action.progress = latest.progress
    action.completed_on = latest.on if latest.progress == Progress.ACHIEVED else None
    action.revision += 1
    action.save(update_fields=["progress", "completed_on", "revision", "updated_at"])
    audit.record(
        actor,
        "action.progress_updated",
        action,
        changes={
            **audit.diff(
                audit.to_jsonable(before),
                audit.to_jsonable(
                    {"progress": action.progress, "completed_on": action.completed_on}
                ),
            ),
            "update": [None, {"on": on.isoformat(), "progress": progress, "note": update.note}],
        },
    )
    return update


# --- questionnaires -----------------------------------------------------------------------------


@transaction.atomic
def load_questionnaire(
    definition: dict, *, publish: bool = False, phase: str | None = None
) -> tuple[Questionnaire, str]:
    """Validate and store a questionnaire definition; returns (questionnaire, what happened).

    A Canadian SurveyJS file is converted to GovReg's format first. The same slug and version
    again is a no-op when the definition is identical, replaces a draft, and is refused for a
    published or retired questionnaire (published questionnaires are immutable).
    """
    if isinstance(definition, dict) and "pages" in definition:
        definition = engine.convert_surveyjs(definition, phase=phase or "design")
    loaded = engine.load_definition(definition)
    digest = engine_digest(definition)
    existing = (
        Questionnaire.objects.select_for_update()
        .filter(slug=loaded.slug, version=loaded.version)
        .first()
    )
    fields = {
        "title": loaded.title.en,
        "title_cy": loaded.title.cy or "",
        "attribution": loaded.source.attribution,
        "definition": definition,
        "sha256": digest,
        "max_raw": loaded.max_raw,
        "max_mitigation": loaded.max_mitigation,
    }
    if existing is None:
        q = Questionnaire.objects.create(slug=loaded.slug, version=loaded.version, **fields)
        audit.record(
            None,
            "questionnaire.loaded",
            q,
            changes={
                "slug": [None, q.slug],
                "version": [None, q.version],
                "sha256": [None, digest],
            },
        )
        outcome = "created"
    elif existing.sha256 == digest:
        q, outcome = existing, "unchanged"
    elif existing.status != QuestionnaireStatus.DRAFT:
        raise WorkflowError(
            _(
                "Questionnaire %(slug)s version %(version)s is %(status)s and cannot change. "
                "Give the new definition a new version."
            )
            % {
                "slug": existing.slug,
                "version": existing.version,
                "status": existing.get_status_display().lower(),
            }
        )
    else:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        audit.record(None, "questionnaire.replaced", existing, changes={"sha256": [None, digest]})
        q, outcome = existing, "replaced"
    if publish and q.status == QuestionnaireStatus.DRAFT:
        q.status = QuestionnaireStatus.PUBLISHED
        q.published_at = timezone.now()
        q.save(update_fields=["status", "published_at"])
        audit.record(None, "questionnaire.published", q, changes={"status": ["draft", "published"]})
        outcome += ", published"
    return q, outcome


def engine_digest(definition: dict) -> str:
    from .schema import sha256

    return sha256(definition)

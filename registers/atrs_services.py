"""Writing an ATRS import: every record is checked first, then all are written in one
transaction through the register's services, so each change is in the audit log.

A file is all or nothing: if any record has a problem, nothing is written and every problem is
returned (``ImportRejected``). Records are matched to existing systems by GovReg reference, else
by name within the organisation; a matched system is updated (one "Record changed" event with
the note "ATRS import", plus one event per specification changed), and an unchanged record
writes nothing at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, Role, User
from accounts.permissions import require
from audit import services as audit

from . import services
from .atrs import (
    IMPORTED_FIELDS,
    STAGE_FOR_PHASE,
    ParsedFile,
    Problem,
    Record,
    is_empty_marker,
    sorted_problems,
    stage_allows_phase,
)
from .choices import LifecycleStage
from .models import AlgorithmicSystem, DataSpecification, ModelSpecification
from .sections import ATRS, Section

# The fields an import sets, as one section: ``services.update_section`` locks, diffs, validates
# and audits them together (its title becomes the audit event's note).
IMPORT_SECTION = Section("atrs-import", gettext_lazy("ATRS import"), ATRS, fields=IMPORTED_FIELDS)

SPEC_MODELS = {
    "model": (ModelSpecification, "model_specifications"),
    "data": (DataSpecification, "data_specifications"),
}


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Outcome:
    line: int
    action: str  # "created", "updated" or "unchanged"
    reference: str
    name: str


@dataclass
class ImportResult:
    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)


@dataclass
class _Plan:
    record: Record
    system: AlgorithmicSystem | None
    values: dict[str, Any]
    reference: str
    stage: str


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def import_atrs(
    *, organisation: Organisation, parsed: ParsedFile, actor, dry_run: bool = False
) -> ImportResult:
    """Check every record of ``parsed`` against the organisation's register, then write them.

    Raises ``ImportRejected`` with every problem (nothing written) and ``PermissionDenied`` if
    ``actor`` may not record systems in ``organisation``. With ``dry_run`` everything is checked
    and written, then rolled back, so the result says what an import would do.
    """
    with transaction.atomic():
        # One import per organisation at a time: the matching below must not go stale.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        require(actor, "create_system", organisation)
        problems = list(parsed.all_problems)
        plans = _plan_all(organisation, parsed.records, problems)
        if problems:
            raise ImportRejected(sorted_problems(problems))
        result = ImportResult(warnings=parsed.all_warnings, dry_run=dry_run)
        for plan in plans:
            result.outcomes.append(_write(plan, organisation=organisation, actor=actor))
        if dry_run:
            transaction.set_rollback(True)
    return result


def _plan_all(
    organisation: Organisation, records: list[Record], problems: list[Problem]
) -> list[_Plan]:
    existing = list(AlgorithmicSystem.objects.filter(organisation=organisation).order_by("id"))
    by_reference = {s.reference: s for s in existing}
    by_name: dict[str, list[AlgorithmicSystem]] = defaultdict(list)
    for system in existing:
        by_name[_name_key(system.name)].append(system)
    managers = {
        user.email.lower(): user
        for user in User.objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.SENIOR_MANAGER,
            memberships__is_active=True,
        ).distinct()
    }
    taken = set(by_reference) | {r.reference for r in records if r.reference}
    matched: dict[int, int] = {}
    plans = []
    for record in records:
        before = len(record.problems)
        plan = _plan(record, organisation, by_reference, by_name, managers, taken, matched)
        problems += record.problems[before:]
        plans.append(plan)
    return plans


def _plan(record, organisation, by_reference, by_name, managers, taken, matched) -> _Plan:
    if record.organisation and record.organisation != organisation.slug:
        record.error(
            "organisation",
            _(
                "this record belongs to the organisation '{source}', not '{target}'. To copy "
                "records from one body to another, remove this field and import again"
            ).format(source=record.organisation, target=organisation.slug),
        )

    system = _match(record, by_reference, by_name)
    if system is not None:
        if system.pk in matched:
            record.error(
                "reference" if record.reference else "name",
                _("line {other} already updates '{name}' (reference '{reference}')").format(
                    other=matched[system.pk], name=system.name, reference=system.reference
                ),
            )
        matched[system.pk] = record.line

    stage = _stage(record, system)
    values = dict(record.values)
    if record.accountable_manager is not None:
        if not record.accountable_manager:
            values["accountable_manager"] = None
        elif manager := managers.get(record.accountable_manager):
            values["accountable_manager"] = manager
        else:
            record.error(
                "accountable_manager",
                _(
                    "'{email}' is not a senior accountable manager of {organisation} (the "
                    "accountable manager must hold that role there)"
                ).format(email=record.accountable_manager, organisation=organisation.name),
            )
    if system is None:
        values.setdefault("standard_version", record.inferred_version)
        reference = record.reference or _new_reference(record.name, taken)
    else:
        reference = system.reference
        # Keep what is recorded where the file says the same thing differently: an empty value
        # for a recorded "N/A", or a name differing only in spacing (names are read collapsed).
        for name, value in list(values.items()):
            current = getattr(system, name)
            if value == "" and is_empty_marker(current):
                del values[name]
            elif name == "name" and " ".join(str(current).split()) == value:
                del values[name]
    _validate(record, organisation, system, values, stage)
    return _Plan(record=record, system=system, values=values, reference=reference, stage=stage)


def _match(record: Record, by_reference, by_name) -> AlgorithmicSystem | None:
    same_name = by_name.get(_name_key(record.name), []) if record.name else []
    if record.reference:
        system = by_reference.get(record.reference)
        if system is None and same_name:
            other = same_name[0]
            record.error(
                "reference",
                _(
                    "no system has the reference '{reference}', but '{name}' already exists "
                    "with the reference '{other}': give that reference to update it, or "
                    "another name to record a new system"
                ).format(reference=record.reference, name=other.name, other=other.reference),
            )
        return system
    if len(same_name) > 1:
        record.error(
            "name",
            _(
                "several systems are called '{name}' (references {references}): add a "
                "govreg_reference to say which one this record updates"
            ).format(name=record.name, references=", ".join(s.reference for s in same_name)),
        )
        return None
    return same_name[0] if same_name else None


def _stage(record: Record, system: AlgorithmicSystem | None) -> str:
    if system is None:
        return record.stage or STAGE_FOR_PHASE.get(record.phase) or LifecycleStage.PLANNING
    current = system.lifecycle_stage
    if record.stage and record.stage != current:
        record.error(
            "lifecycle_stage",
            _(
                "'{name}' is at the stage '{current}'; an import does not change a recorded "
                "system's stage (use the system's page, which checks the gate and records the "
                "decision)"
            ).format(name=system.name, current=current),
        )
    elif not record.stage and record.phase and not stage_allows_phase(current, record.phase):
        record.error(
            "phase",
            _(
                "'{phase}' does not describe '{name}', which is at the stage '{current}'; an "
                "import does not change a recorded system's stage (use the system's page)"
            ).format(phase=record.phase, name=system.name, current=current),
        )
    return current


def _new_reference(name: str, taken: set[str]) -> str:
    base = slugify(name)[:70] or "system"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _quoted(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _validate(record, organisation, system, values, stage) -> None:
    """The model's own validation (lengths, e-mail and URL formats, choices) on every value."""
    if system is None:
        instance = AlgorithmicSystem(organisation=organisation, lifecycle_stage=stage)
    else:
        instance = AlgorithmicSystem(
            **{f.attname: getattr(system, f.attname) for f in system._meta.concrete_fields}
        )
    for name, value in values.items():
        if name != "accountable_manager":
            setattr(instance, name, value)
    _full_clean(
        record,
        instance,
        exclude=["organisation", "created_by", "accountable_manager", "reference"],
        label=lambda name: name,
        given=values,
    )
    for kind, rows in (("model", record.models), ("data", record.data)):
        model, _related = SPEC_MODELS[kind]
        for position, row in enumerate(rows or [], start=1):
            index = record.spec_indexes[kind][position - 1]
            _full_clean(
                record,
                model(position=position, **row),
                exclude=["system"],
                label=lambda name, kind=kind, index=index: f"{kind}:{index}:{name}",
                given=row,
            )


def _full_clean(record, instance, *, exclude, label, given) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name != NON_FIELD_ERRORS and name not in given:
                continue  # a value already recorded, not one from this file
            message = " ".join(messages)
            value = given.get(name)
            if value not in (None, "", []):
                message = _("{message} (given: '{value}')").format(
                    message=message, value=_quoted(value)
                )
            record.error(label(name), message)


def _write(plan: _Plan, *, organisation: Organisation, actor) -> Outcome:
    record = plan.record
    values = dict(plan.values)
    try:
        if plan.system is None:
            name = values.pop("name")
            system = services.create_system(
                actor=actor,
                organisation=organisation,
                name=name,
                lifecycle_stage=plan.stage,
                one_sentence_description=values.pop("one_sentence_description", ""),
                reference=plan.reference,
                **values,
            )
            action = "created"
        else:
            version = plan.system.version
            system = services.update_section(
                plan.system,
                actor=actor,
                section=IMPORT_SECTION,
                data=values,
                expected_fingerprint=None,
            )
            action = "updated" if system.version != version else "unchanged"
        for kind, rows in (("model", record.models), ("data", record.data)):
            if rows is not None and _sync_specifications(system, kind=kind, rows=rows, actor=actor):
                action = "created" if action == "created" else "updated"
    except ValidationError as exc:
        # Only a value already in the register can fail here (the file's values were checked).
        raise ImportRejected(
            [
                Problem(record.line, record.label(name), " ".join(messages))
                for name, messages in exc.message_dict.items()
            ]
        ) from exc
    return Outcome(line=record.line, action=action, reference=system.reference, name=system.name)


def _sync_specifications(system: AlgorithmicSystem, *, kind: str, rows, actor) -> bool:
    """Make the system's model (or data) specifications the file's list, in order; audit each
    one created, changed or removed. Returns whether anything changed."""
    model, related_name = SPEC_MODELS[kind]
    locked = AlgorithmicSystem.objects.select_for_update().get(pk=system.pk)
    require(actor, "edit_system", locked)
    existing = list(getattr(locked, related_name).order_by("position", "id"))
    note = str(IMPORT_SECTION.title)
    changed = False
    for position, row in enumerate(rows, start=1):
        if position <= len(existing):
            spec = existing[position - 1]
            before = audit.snapshot(spec)
            spec.position = position
            for name, value in row.items():
                setattr(spec, name, value)
            changes = audit.diff(before, audit.snapshot(spec))
            if not changes:
                continue
            spec.full_clean(exclude=["system"])
            spec.save()
            audit.record(actor, "specification.updated", spec, changes=changes, note=note)
        else:
            spec = model(system=locked, position=position, **row)
            spec.full_clean(exclude=["system"])
            spec.save()
            audit.record(
                actor,
                "specification.created",
                spec,
                changes=audit.diff({}, audit.snapshot(spec)),
                note=note,
            )
        changed = True
    for spec in existing[len(rows) :]:
        audit.record(
            actor,
            "specification.deleted",
            spec,
            changes=audit.diff(audit.snapshot(spec), {}),
            note=note,
        )
        spec.delete()
        changed = True
    if changed:
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    return changed

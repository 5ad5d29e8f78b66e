"""Every write to the register: each checks permission, writes and audits in one transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require
from audit import services as audit

from .choices import LifecycleStage
from .evidence import check_upload
from .models import AlgorithmicSystem, Attachment
from .sections import Section


class SectionConflict(Exception):
    """Someone else changed the section after the form was loaded."""

    def __init__(self, changed_fields: list[str]):
        super().__init__("section changed by someone else")
        self.changed_fields = changed_fields


def section_values(system: AlgorithmicSystem, section: Section) -> dict[str, Any]:
    return audit.snapshot(system, list(section.fields))


def fingerprint(values: dict[str, Any]) -> str:
    """Short hashes of each field's value, sent with the form to detect lost updates."""
    return json.dumps(
        {name: _short_hash(value) for name, value in sorted(values.items())},
        separators=(",", ":"),
    )


def _short_hash(value: Any) -> str:
    blob = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def changed_since(values: dict[str, Any], expected_fingerprint: str) -> list[str]:
    """Fields whose current value differs from the one the form was loaded with."""
    try:
        expected = json.loads(expected_fingerprint)
    except ValueError:
        expected = {}
    if not isinstance(expected, dict):
        expected = {}
    return [name for name, value in values.items() if expected.get(name) != _short_hash(value)]


def unique_reference(organisation: Organisation, name: str) -> str:
    base = slugify(name)[:70] or "system"
    taken = set(
        AlgorithmicSystem.objects.filter(
            organisation=organisation, reference__startswith=base
        ).values_list("reference", flat=True)
    )
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


@transaction.atomic
def create_system(
    *,
    actor,
    organisation: Organisation,
    name: str,
    lifecycle_stage: str = LifecycleStage.PLANNING,
    one_sentence_description: str = "",
    **fields: Any,
) -> AlgorithmicSystem:
    """Record a new system. One already in use or in pilot is flagged for assessment."""
    require(actor, "create_system", organisation)
    fields.setdefault("organisation_or_department", organisation.name)
    system = AlgorithmicSystem(
        organisation=organisation,
        name=name,
        one_sentence_description=one_sentence_description,
        lifecycle_stage=lifecycle_stage,
        needs_initial_assessment=lifecycle_stage
        in (LifecycleStage.PILOT, LifecycleStage.IN_USE, LifecycleStage.PAUSED),
        created_by=actor if getattr(actor, "pk", None) else None,  # None for a SystemActor
        **fields,
    )
    system.reference = fields.get("reference") or unique_reference(organisation, name)
    system.full_clean()
    system.save()
    audit.record(actor, "system.created", system, changes=audit.diff({}, audit.snapshot(system)))
    return system


@transaction.atomic
def update_section(
    system: AlgorithmicSystem,
    *,
    actor,
    section: Section,
    data: dict[str, Any],
    expected_fingerprint: str | None,
) -> AlgorithmicSystem:
    """Save one section's fields, refusing if someone else changed them meanwhile."""
    system = AlgorithmicSystem.objects.select_for_update().get(pk=system.pk)
    require(actor, "edit_system", system)
    before = section_values(system, section)
    if expected_fingerprint is not None:
        if changed := changed_since(before, expected_fingerprint):
            raise SectionConflict(changed)
    for name in section.fields:
        if name in data:
            setattr(system, name, data[name])
    changes = audit.diff(before, section_values(system, section))
    if not changes:
        return system
    system.version += 1
    system.full_clean(exclude=["organisation", "created_by"])
    system.save()
    audit.record(actor, "system.updated", system, changes=changes, note=str(section.title))
    return system


@transaction.atomic
def save_specifications(system: AlgorithmicSystem, *, actor, formset) -> None:
    """Save the model or data specifications formset, auditing each create, change and delete."""
    locked = AlgorithmicSystem.objects.select_for_update().get(pk=system.pk)
    require(actor, "edit_system", locked)
    changed = False
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        instance = form.instance
        if formset.can_delete and formset._should_delete_form(form):
            if instance.pk:
                audit.record(
                    actor,
                    "specification.deleted",
                    instance,
                    changes=audit.diff(audit.snapshot(instance), {}),
                )
                instance.delete()
                changed = True
            continue
        before = audit.snapshot(type(instance).objects.get(pk=instance.pk)) if instance.pk else {}
        created = instance.pk is None
        obj = form.save(commit=False)
        obj.system = locked
        obj.save()
        changes = audit.diff(before, audit.snapshot(obj))
        if changes:
            audit.record(
                actor,
                "specification.created" if created else "specification.updated",
                obj,
                changes=changes,
            )
            changed = True
    if changed:
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])


@transaction.atomic
def add_attachment(system: AlgorithmicSystem, *, actor, title: str, uploaded) -> Attachment:
    """Store an evidence file as a new revision of ``title``; nothing is ever overwritten."""
    system = AlgorithmicSystem.objects.select_for_update().get(pk=system.pk)
    require(actor, "upload_evidence", system)
    checked = check_upload(uploaded)
    latest = system.attachments.filter(title=title).aggregate(n=Max("revision"))["n"] or 0
    attachment = Attachment(
        system=system,
        uuid=uuid.uuid4(),
        title=title,
        revision=latest + 1,
        original_name=uploaded.name[-255:],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    attachment.file.save(f"{attachment.uuid}.{checked.extension}", uploaded, save=False)
    attachment.save()
    audit.record(
        actor,
        "evidence.uploaded",
        attachment,
        changes={"title": [None, title], "revision": [None, attachment.revision],
                 "sha256": [None, checked.sha256]},
    )
    return attachment


def describe_conflict(changed: list[str]) -> str:
    names = ", ".join(
        str(AlgorithmicSystem._meta.get_field(name).verbose_name) for name in changed
    )
    return _(
        "Someone else saved changes to this section while you were editing it (%(fields)s). "
        "Your changes have not been saved yet and are shown below: check them against the "
        "current record and save again."
    ) % {"fields": names}

"""The register's part of a pack: the system record as ATRS Tier 1 and Tier 2, the Welsh
guidance sections, model and data specifications, evidence files (with their SHA-256) and
the lifecycle history. A contributor in the sense of ``packs/snapshot.py``; printed by
``templates/packs/pdf/registers.html``.
"""

from __future__ import annotations

from collections import defaultdict

from audit.models import AuditEvent
from packs.snapshot import choice_label
from registers.choices import LifecycleStage
from registers.display import display_value, field_label
from registers.models import AlgorithmicSystem, Attachment, DataSpecification, ModelSpecification
from registers.sections import (
    DATA_SPEC_FIELDS,
    GUIDANCE,
    MODEL_SPEC_FIELDS,
    SECTIONS,
    STATUS_LABELS,
)

# Sections printed in full in body and council packs (the rest as statuses there).
SUMMARY_SECTIONS = ("summary", "workers", "oversight")


def field_entry(instance, name: str) -> dict:
    field = instance._meta.get_field(name)
    return {
        "name": name,
        "label": field_label(instance, name),
        "value": getattr(instance, field.attname),
        "display": display_value(instance, name),
    }


def _specs(specs, names) -> list[dict]:
    return [
        {"title": str(spec), "fields": [field_entry(spec, n) for n in names if getattr(spec, n)]}
        for spec in specs
    ]


def snapshot_many(systems: list[AlgorithmicSystem]) -> dict[int, dict]:
    """The record part of each system: four queries whatever the number of systems."""
    ids = [s.pk for s in systems]
    models_by, data_by, evidence_by, lifecycle_by = (defaultdict(list) for _i in range(4))
    for spec in ModelSpecification.objects.filter(system_id__in=ids):
        models_by[spec.system_id].append(spec)
    for spec in DataSpecification.objects.filter(system_id__in=ids):
        data_by[spec.system_id].append(spec)
    for item in (
        Attachment.objects.filter(system_id__in=ids)
        .select_related("uploaded_by")
        .order_by("title", "-revision")
    ):
        evidence_by[item.system_id].append(item)
    for event in (
        AuditEvent.objects.filter(system_id__in=ids, changes__has_key="lifecycle_stage")
        .select_related("actor")
        .order_by("position")
    ):
        lifecycle_by[event.system_id].append(event)

    result = {}
    for system in systems:
        counts = {
            "model_specifications": len(models_by[system.pk]),
            "data_specifications": len(data_by[system.pk]),
        }
        sections = []
        for section in SECTIONS:
            status = section.status(system, counts.get(section.related_name))
            sections.append(
                {
                    "slug": section.slug,
                    "title": str(section.title),
                    "group": "guidance" if section.group == GUIDANCE else "atrs",
                    "tier": 1 if section.slug == "summary" else 2,
                    "status": status,
                    "status_label": str(STATUS_LABELS[status]),
                    "related": section.related_name or "",
                    "in_summary": section.slug in SUMMARY_SECTIONS,
                    "fields": [field_entry(system, name) for name in section.fields],
                }
            )
        result[system.pk] = {
            "sections": sections,
            "models": _specs(models_by[system.pk], MODEL_SPEC_FIELDS),
            "data": _specs(data_by[system.pk], DATA_SPEC_FIELDS),
            "evidence": [
                {
                    "title": a.title,
                    "revision": a.revision,
                    "file_name": a.original_name,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "uploaded_at": a.uploaded_at,
                    "uploaded_by": a.uploaded_by.get_full_name(),
                }
                for a in evidence_by[system.pk]
            ],
            "lifecycle": [
                {
                    "position": e.position,
                    "at": e.created_at,
                    "by": e.actor.get_full_name() if e.actor else e.actor_label,
                    "from": choice_label(
                        LifecycleStage, (e.changes["lifecycle_stage"] + [None, None])[0]
                    ),
                    "to": choice_label(
                        LifecycleStage, (e.changes["lifecycle_stage"] + [None, None])[1]
                    ),
                    "action": e.get_action_label(),
                }
                for e in lifecycle_by[system.pk]
                if isinstance(e.changes.get("lifecycle_stage"), list)
            ],
        }
    return result


def snapshot(system: AlgorithmicSystem) -> dict:
    return snapshot_many([system])[system.pk]

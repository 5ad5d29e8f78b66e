"""What a sign-off binds to, and its SHA-256.

The *material content* of a system is:

- every field of the record's ATRS and Welsh-guidance sections (``registers.sections.
  FIELD_SECTIONS``), foreign keys as ids;
- its model and data specifications, in order;
- the approved version of each assessment, with that version's own content hash
  (``assessments.services.approved_snapshot``);
- the outcome of each concluded union consultation.

``content_hash(system)`` serialises that as canonical JSON (sorted keys, no insignificant white
space, UTF-8 with ``ensure_ascii=False``) and hashes it. The same content always gives the same
hash, in any process, so an auditor can recompute it from a sign-off's stored snapshot.

The audit log is the other half of the binding: ``MATERIAL_EVENTS`` selects the audit events
that change this content, which is how a change made after a signature is found even when the
value is later put back (``oversight.services.signoff_status``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db.models import Q

from assessments.services import approved_snapshot
from audit.services import snapshot as audit_snapshot
from audit.services import to_jsonable
from consultations.choices import ConsultationStatus
from consultations.models import Consultation
from registers.sections import FIELD_SECTIONS

# The record fields whose change is material, in the order of the record's sections.
MATERIAL_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(name for section in FIELD_SECTIONS for name in section.fields)
)

# Audit actions that change the material content (whatever fields they touch).
MATERIAL_ACTIONS: tuple[str, ...] = (
    "specification.created",
    "specification.updated",
    "specification.deleted",
    "assessment.approved",
    "consultation.concluded",
)

# Audit events that change the material content: a change to a record field of a section, or
# one of the actions above. (A change of stage, publication or review date is not material.)
MATERIAL_EVENTS = Q(action="system.updated", changes__has_any_keys=list(MATERIAL_FIELDS)) | Q(
    action__in=MATERIAL_ACTIONS
)

# Audit events by which someone prepares the record itself (for separation of duties).
RECORD_PREPARATION_EVENTS = Q(
    action__in=(
        "system.created",
        "specification.created",
        "specification.updated",
        "specification.deleted",
    )
) | Q(action="system.updated", changes__has_any_keys=list(MATERIAL_FIELDS))

_SPEC_EXCLUDED = ("id", "system")


def _spec(instance) -> dict[str, Any]:
    values = audit_snapshot(instance)
    for name in _SPEC_EXCLUDED:
        values.pop(name, None)
    return values


def material_snapshot(system) -> dict[str, Any]:
    """The material content of ``system`` now, JSON-ready (three or five queries: the
    specifications come from ``prefetch_related`` when the caller made one)."""
    meta = type(system)._meta
    record = {
        name: to_jsonable(getattr(system, meta.get_field(name).attname)) for name in MATERIAL_FIELDS
    }
    consultations = [
        {
            "id": row["pk"],
            "stage": row["stage"],
            "outcome": row["outcome"],
            "outcome_summary": row["outcome_summary"],
            "concluded_at": to_jsonable(row["concluded_at"]),
        }
        for row in Consultation.objects.filter(
            system_id=system.pk, status=ConsultationStatus.CONCLUDED
        )
        .order_by("concluded_at", "pk")
        .values("pk", "stage", "outcome", "outcome_summary", "concluded_at")
    ]
    return {
        "record": record,
        "model_specifications": [_spec(s) for s in system.model_specifications.all()],
        "data_specifications": [_spec(s) for s in system.data_specifications.all()],
        "assessments": approved_snapshot(system),
        "consultations": consultations,
    }


def canonical(snapshot: dict[str, Any]) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def hash_of(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def content_hash(system) -> tuple[str, dict[str, Any]]:
    """``(SHA-256 hex digest, snapshot)`` of the system's material content now."""
    snapshot = material_snapshot(system)
    return hash_of(snapshot), snapshot

"""What a sign-off binds to, and its SHA-256.

The *material content* of a system is:

- every field of the record's ATRS and Welsh-guidance sections (``registers.sections.
  FIELD_SECTIONS``);
- its model and data specifications, in order (without their keys: they are parts of the
  record, not objects of their own);
- the approved version of each assessment, with that version's own content hash
  (``assessments.services.approved_snapshot``);
- the outcome of each concluded union consultation.

``content_hash(system, version)`` serialises that as canonical JSON (sorted keys, no
insignificant white space, UTF-8 with ``ensure_ascii=False``) and hashes it. The same content
always gives the same hash, in any process, so an auditor can recompute it from a sign-off's
stored snapshot.

The snapshot has two formats (``SignOff.snapshot_version``, ``choices.SnapshotVersion``):

1. the first: a record field that is a foreign key (the accountable manager), an approved
   assessment version and a concluded consultation are named by their database keys;
2. the current one: they are named by their public identifiers (``govreg/public_ids.py``: the
   UUID, or the slug of a model that has no UUID), and ``"format": 2`` is part of the content.

A sign-off is hashed in the current format when it is recorded and keeps its format for good:
whether it still holds is decided by recomputing the hash of the content now *in the sign-off's
own format* (``version=signoff.snapshot_version``), so the sign-offs recorded in version 1 keep
their hashes. ``with_public_ids`` presents a version-1 snapshot with public identifiers in place
of the keys (for the API, which never names an object by its key).

The audit log is the other half of the binding: ``MATERIAL_EVENTS`` selects the audit events
that change this content, which is how a change made after a signature is found even when the
value is later put back (``oversight.services.signoff_status``).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import defaultdict
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q

from assessments.models import Assessment
from assessments.services import approved_snapshot
from audit.services import snapshot as audit_snapshot
from audit.services import to_jsonable
from consultations.choices import ConsultationStatus
from consultations.models import Consultation
from govreg.public_ids import public_id_of
from registers.models import AlgorithmicSystem
from registers.sections import FIELD_SECTIONS

from .choices import SNAPSHOT_VERSION, SnapshotVersion

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


def _record(system, version: int) -> dict[str, Any]:
    meta = type(system)._meta
    record = {}
    for name in MATERIAL_FIELDS:
        field = meta.get_field(name)
        value = getattr(system, field.attname)
        if field.is_relation and value is not None and version >= SnapshotVersion.PUBLIC_IDS:
            value = public_id_of(getattr(system, name))  # the related row (cached when selected)
        record[name] = to_jsonable(value)
    return record


def material_snapshot(system, version: int = SNAPSHOT_VERSION) -> dict[str, Any]:
    """The material content of ``system`` now, JSON-ready, in format ``version`` (three or five
    queries: the specifications come from ``prefetch_related`` when the caller made one; in
    version 2, one more for the accountable manager unless the system came with it).

    Version 1 is exactly the content the sign-offs recorded before version 2 were hashed over:
    do not change it, or those sign-offs would all look out of date."""
    if version not in SnapshotVersion.values:
        raise ValueError(f"unknown snapshot version {version!r}")
    public = version >= SnapshotVersion.PUBLIC_IDS
    consultations = [
        {
            "id": str(row["uuid"]) if public else row["pk"],
            "stage": row["stage"],
            "outcome": row["outcome"],
            "outcome_summary": row["outcome_summary"],
            "concluded_at": to_jsonable(row["concluded_at"]),
        }
        for row in Consultation.objects.filter(
            system_id=system.pk, status=ConsultationStatus.CONCLUDED
        )
        .order_by("concluded_at", "pk")
        .values("pk", "uuid", "stage", "outcome", "outcome_summary", "concluded_at")
    ]
    snapshot = {
        "record": _record(system, version),
        "model_specifications": [_spec(s) for s in system.model_specifications.all()],
        "data_specifications": [_spec(s) for s in system.data_specifications.all()],
        "assessments": approved_snapshot(system, public_ids=public),
        "consultations": consultations,
    }
    if public:
        snapshot["format"] = version
    return snapshot


def with_public_ids(snapshot: dict[str, Any], version: int) -> dict[str, Any]:
    """``snapshot`` (stored in format ``version``) naming objects by their public identifiers.

    A version-2 snapshot already does: it is returned as it is, and hashes to the sign-off's
    ``content_hash``. In a version-1 snapshot each database key (a record field that is a
    foreign key, an assessment's or a consultation's ``id``) is replaced by the public
    identifier of the object it names, or ``None`` if that object is no longer there (at most
    three queries). The result is for reading: it no longer hashes to ``content_hash``, which is
    recomputed from the snapshot as stored (``hash_of(signoff.snapshot)``).
    """
    if version >= SnapshotVersion.PUBLIC_IDS:
        return snapshot
    out = copy.deepcopy(snapshot)
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    places: list[tuple[dict, str, type[models.Model]]] = []

    def name_by_key(container: dict, key: str, model: type[models.Model]) -> None:
        value = container.get(key)
        if type(value) is int:
            wanted[model].add(value)
            places.append((container, key, model))

    meta = AlgorithmicSystem._meta
    record = out.get("record") or {}
    for name in list(record):
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.is_relation and field.many_to_one:
            name_by_key(record, name, field.related_model)
    for entry in (out.get("assessments") or {}).values():
        if isinstance(entry, dict):
            name_by_key(entry, "id", Assessment)
    for row in out.get("consultations") or []:
        if isinstance(row, dict):
            name_by_key(row, "id", Consultation)
    found = {
        model: {obj.pk: public_id_of(obj) for obj in model._base_manager.filter(pk__in=keys)}
        for model, keys in wanted.items()
    }
    for container, key, model in places:
        container[key] = found[model].get(container[key])
    return out


def canonical(snapshot: dict[str, Any]) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def hash_of(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def content_hash(system, version: int = SNAPSHOT_VERSION) -> tuple[str, dict[str, Any]]:
    """``(SHA-256 hex digest, snapshot)`` of the system's material content now, in format
    ``version`` (a sign-off is compared with the content now in its own ``snapshot_version``)."""
    snapshot = material_snapshot(system, version)
    return hash_of(snapshot), snapshot

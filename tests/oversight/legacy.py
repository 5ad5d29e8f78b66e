"""Sign-offs as they were recorded before content format 2: the content hashed with database
keys (``SignOff.snapshot_version`` 1). The functions are the code of that time, verbatim, so
the tests can check that version 1 is still exactly what those sign-offs were hashed over."""

from __future__ import annotations

from typing import Any
from unittest import mock

from assessments.choices import Kind
from assessments.choices import Status as AssessmentStatus
from assessments.models import Assessment
from audit.services import snapshot as audit_snapshot
from audit.services import to_jsonable
from consultations.choices import ConsultationStatus
from consultations.models import Consultation
from oversight import hashing, services
from oversight.choices import SnapshotVersion
from oversight.models import SignOff

from .conftest import sign


def legacy_approved_snapshot(system) -> dict[str, Any]:
    """``assessments.services.approved_snapshot`` as it was before version 2 (verbatim)."""
    out: dict[str, Any] = dict.fromkeys(Kind.values)
    for assessment in Assessment.objects.filter(
        system=system, status=AssessmentStatus.APPROVED
    ).order_by("kind"):
        entry = {
            "type": assessment.kind,
            "id": assessment.pk,
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


def legacy_material_snapshot(system) -> dict[str, Any]:
    """``oversight.hashing.material_snapshot`` as it was before version 2 (verbatim)."""

    def spec(instance):
        values = audit_snapshot(instance)
        for name in ("id", "system"):
            values.pop(name, None)
        return values

    meta = type(system)._meta
    record = {
        name: to_jsonable(getattr(system, meta.get_field(name).attname))
        for name in hashing.MATERIAL_FIELDS
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
        "model_specifications": [spec(s) for s in system.model_specifications.all()],
        "data_specifications": [spec(s) for s in system.data_specifications.all()],
        "assessments": legacy_approved_snapshot(system),
        "consultations": consultations,
    }


def sign_in_version_1(system, manager, **kwargs) -> SignOff:
    """A sign-off recorded as before version 2: hashed over the content with database keys. (The
    migration that added ``snapshot_version`` gave the sign-offs already recorded version 1.)"""
    with mock.patch.object(services, "SNAPSHOT_VERSION", SnapshotVersion.DATABASE_KEYS):
        signoff = sign(system, manager, **kwargs)
    signoff.refresh_from_db()
    return signoff

"""Published systems with a secret planted in every field that must never be public."""

from __future__ import annotations

import uuid

from registers.choices import PublicationStatus
from registers.models import DataSpecification, ModelSpecification
from tests.factories import SystemFactory, UserFactory

# GovReg's own fields that stay inside the body (docs/open-data.md).
PRIVATE_TEXT_FIELDS = (
    "readiness_check",
    "worker_groups",
    "human_in_the_loop",
    "human_in_command",
    "override_and_switch_off",
    "training_plan",
    "contract_reference",
    "exit_plan",
)


def secret() -> str:
    return f"secret{uuid.uuid4().hex[:10]}"


def published_system(organisation, *, marker: str, **fields):
    """A published system whose non-public fields (and manager) all carry ``marker``."""
    manager = UserFactory(email=f"{marker}@example.org", full_name=f"Manager {marker}")
    values = {
        "publication_status": PublicationStatus.PUBLISHED,
        "accountable_manager": manager,
        **{name: f"{name} {marker}" for name in PRIVATE_TEXT_FIELDS},
        **fields,
    }
    system = SystemFactory(organisation=organisation, **values)
    ModelSpecification.objects.create(system=system, model_name="Public model")
    DataSpecification.objects.create(system=system, source_data_name="Public data")
    return system


def unpublished_system(organisation, *, marker: str, status=PublicationStatus.DRAFT):
    """A system that is not published: nothing of it may appear in public."""
    return SystemFactory(
        organisation=organisation,
        name=f"Unpublished {marker}",
        reference=f"unpublished-{uuid.uuid4().hex[:8]}",
        one_sentence_description=marker,
        description=marker,
        publication_status=status,
    )

"""Oversight state built with the real services: approved assessments (the assessments app's
own content builders), concluded consultations, sign-offs and lifecycle moves."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pytest

from accounts.models import Membership, Role
from assessments import questionnaire as engine
from assessments import services as assessment_services
from consultations import services as consultation_services
from consultations.choices import STAGE_FOR_LIFECYCLE, Agreement
from oversight import services
from oversight.choices import Decision
from registers import services as register_services
from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG
from tests.assessments.conftest import approve, complete_aia, complete_dpia, complete_eqia

PASSWORD = "correct-horse-battery-staple"  # tests.factories.PASSWORD


@pytest.fixture
def questionnaire(db):
    definition = json.loads((engine.DATA_DIR / engine.DEFAULT_FILE).read_text(encoding="utf-8"))
    q, _outcome = assessment_services.load_questionnaire(definition, publish=True)
    return q


def rep_union(cast):
    return Membership.objects.get(user=cast.rep, role=Role.UNION_REP).union


def fresh(system) -> AlgorithmicSystem:
    """A new instance (caches such as the current assessments are per instance)."""
    return AlgorithmicSystem.objects.get(pk=system.pk)


def approve_assessments(system, cast, questionnaire) -> dict:
    """DPIA, EqIA and AIA prepared by HR and approved by the organisation's administrator."""
    return {
        "dpia": approve(complete_dpia(system, cast.hr), cast.hr, cast.admin),
        "eqia": approve(complete_eqia(system, cast.hr), cast.hr, cast.admin),
        "aia": approve(complete_aia(system, cast.hr, questionnaire), cast.hr, cast.admin),
    }


def conclude_consultation(system, cast, *, stage=None, outcome=Agreement.AGREED):
    """The consultation for the system's current stage (or ``stage``), concluded."""
    stage = stage or STAGE_FOR_LIFECYCLE[fresh(system).lifecycle_stage]
    consultation = consultation_services.create_consultation(
        actor=cast.hr, system=system, stage=stage, unions=[rep_union(cast)], summary="Going ahead."
    )
    consultation_services.open_consultation(consultation, actor=cast.hr)
    consultation_services.record_position(
        consultation,
        actor=cast.rep,
        position=outcome,
        statement="Our members' view.",
        conditions="Quarterly review." if outcome == Agreement.AGREED_WITH_CONDITIONS else "",
    )
    return consultation_services.conclude_consultation(
        consultation, actor=cast.hr, outcome=outcome, outcome_summary="Agreed at the meeting."
    )


def make_ready(system, cast, questionnaire) -> AlgorithmicSystem:
    """Everything the gate needs except the sign-off."""
    approve_assessments(system, cast, questionnaire)
    conclude_consultation(system, cast)
    return fresh(system)


def sign(system, manager, decision=Decision.APPROVED, **kwargs):
    kwargs.setdefault("statement", "I have read the record and the assessments.")
    kwargs.setdefault("reauthenticated_with", "password")
    return services.sign_off(fresh(system), actor=manager, decision=decision, **kwargs)


def edit(system, actor, section: str, **values) -> AlgorithmicSystem:
    return register_services.update_section(
        fresh(system), actor=actor, section=BY_SLUG[section], data=values, expected_fingerprint=None
    )


def move(system, actor, *stages: Iterable[str], reason="Agreed at the project board."):
    for stage in stages:
        services.change_stage(fresh(system), actor=actor, to_stage=stage, reason=reason)
    return fresh(system)


@pytest.fixture
def ready_system(system, cast, questionnaire):
    """``system`` in development, with approved assessments and a concluded consultation."""
    move(system, cast.hr, "tender_award", "development")
    return make_ready(system, cast, questionnaire)


@pytest.fixture
def signed_system(ready_system, cast):
    sign(ready_system, cast.manager)
    return fresh(ready_system)

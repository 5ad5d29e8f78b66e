"""Fixtures of the assessments tests: a published questionnaire and assessments built with the
real services (the same content builders as the demo data)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts.models import Role
from assessments import demo, services
from assessments import questionnaire as engine
from assessments.choices import Kind
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def questionnaire(db):
    definition = json.loads((engine.DATA_DIR / engine.DEFAULT_FILE).read_text(encoding="utf-8"))
    q, _outcome = services.load_questionnaire(definition, publish=True)
    return q


@pytest.fixture
def second_manager(cast):
    """A senior manager of the same body who is not accountable for ``system``."""
    person = UserFactory(email="manager2@body.example")
    MembershipFactory(user=person, organisation=cast.organisation, role=Role.SENIOR_MANAGER)
    return person


def today() -> dt.date:
    return timezone.localdate()


def start(system, kind, actor):
    return services.start_assessment(system, actor=actor, kind=kind)


def complete_dpia(system, actor, **kwargs):
    return demo._fill(start(system, Kind.DPIA, actor), actor, demo.dpia_content(system, **kwargs))


def complete_eqia(system, actor, *, outcome="adjust"):
    eqia = demo._fill(
        start(system, Kind.EQIA, actor), actor, demo.eqia_content(system, outcome=outcome)
    )
    services.create_action(
        system,
        actor=actor,
        data={
            "description": "Parity report",
            "owner": "HR",
            "due_date": today() + dt.timedelta(days=30),
        },
        assessment=eqia,
        source_ref="characteristics/disability" if outcome != "stop" else "characteristics/sex",
    )
    eqia.refresh_from_db()
    return eqia


def complete_aia(system, actor, questionnaire, overrides=None, mitigation="good"):
    aia = start(system, Kind.AIA, actor)
    answers = demo._answer_all(
        questionnaire.engine(), overrides or demo.HOME_CARE_AIA, mitigation=mitigation
    )
    return services.save_answers(aia, actor=actor, answers=answers)


def approve(assessment, preparer, approver):
    services.submit(assessment, actor=preparer)
    return services.approve(assessment, actor=approver)


@pytest.fixture
def approved_set(system, cast, questionnaire):
    """DPIA, EqIA and AIA of ``system``, each approved by the accountable manager."""
    return {
        "dpia": approve(complete_dpia(system, cast.hr), cast.hr, cast.manager),
        "eqia": approve(complete_eqia(system, cast.hr), cast.hr, cast.manager),
        "aia": approve(complete_aia(system, cast.hr, questionnaire), cast.hr, cast.manager),
    }

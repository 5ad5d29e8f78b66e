"""The gate's consultation condition: the consultation for the current stage concluded, with
the union position recorded."""

import pytest

from consultations import gate, services
from consultations.choices import Agreement, Stage
from registers.choices import LifecycleStage
from registers.gates import GateItem
from registers.gates import gate as whole_gate

from .conftest import open_one, plan

pytestmark = pytest.mark.django_db


def item(system) -> GateItem:
    (only,) = gate.items(system)
    return only


@pytest.mark.parametrize(
    ("lifecycle", "stage"),
    [
        (LifecycleStage.PLANNING, Stage.PLANNING),
        (LifecycleStage.TENDER, Stage.TENDER),
        (LifecycleStage.DEVELOPMENT, Stage.DEVELOPMENT),
        (LifecycleStage.PILOT, Stage.DEPLOYMENT),
        (LifecycleStage.IN_USE, Stage.DEPLOYMENT),
        (LifecycleStage.PAUSED, Stage.DEPLOYMENT),
        (LifecycleStage.RETIRED, Stage.OVERSIGHT),
    ],
)
def test_the_current_stage_follows_the_lifecycle(system, lifecycle, stage):
    system.lifecycle_stage = lifecycle
    assert gate.current_stage(system) == stage


def test_not_done_without_a_consultation_for_the_current_stage(cast, system):
    system.lifecycle_stage = LifecycleStage.DEVELOPMENT
    system.save()
    plan(cast, system, Stage.PLANNING)  # another stage does not count
    result = item(system)
    assert result.key == "consultation" and not result.done
    assert "No consultation" in str(result.detail)
    assert result.url == f"/systems/{system.uuid}/consultation/"


def test_not_done_while_open_and_names_the_unions_still_to_answer(cast, system):
    system.lifecycle_stage = LifecycleStage.PILOT
    system.save()
    consultation = open_one(cast, system, Stage.DEPLOYMENT)
    result = item(system)
    assert not result.done and "waiting for the position" in str(result.detail)
    services.record_position(
        consultation, actor=cast.rep, position=Agreement.AGREED, statement="Yes."
    )
    result = item(system)
    assert not result.done and "has not concluded" in str(result.detail)


@pytest.mark.parametrize("outcome", [Agreement.AGREED, Agreement.NOT_AGREED])
def test_done_once_concluded_with_the_position_recorded_whatever_the_outcome(cast, system, outcome):
    system.lifecycle_stage = LifecycleStage.PILOT
    system.save()
    consultation = open_one(cast, system, Stage.DEPLOYMENT)
    services.record_position(consultation, actor=cast.rep, position=outcome, statement="Our view.")
    services.conclude_consultation(
        consultation, actor=cast.hr, outcome=outcome, outcome_summary="As it is."
    )
    result = item(system)
    assert result.done
    assert str(Agreement(outcome).label) in str(result.detail)
    assert result.url == consultation.get_absolute_url()


def test_a_new_consultation_for_the_stage_reopens_the_question(cast, system):
    system.lifecycle_stage = LifecycleStage.PILOT
    system.save()
    first = open_one(cast, system, Stage.DEPLOYMENT)
    services.record_position(first, actor=cast.rep, position=Agreement.AGREED, statement="Yes.")
    services.conclude_consultation(
        first, actor=cast.hr, outcome=Agreement.AGREED, outcome_summary=""
    )
    assert item(system).done
    plan(cast, system, Stage.DEPLOYMENT)
    assert not item(system).done


def test_the_gate_uses_this_condition(cast, system):
    keys = [i.key for i in whole_gate(system).items]
    assert "consultation" in keys
    (consultation_item,) = [i for i in whole_gate(system).items if i.key == "consultation"]
    assert not consultation_item.done

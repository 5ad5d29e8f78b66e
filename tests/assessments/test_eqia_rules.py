"""The EqIA's rules for Welsh bodies (assessments.md §2.4)."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Organisation
from assessments import demo, eqia, services
from assessments.choices import Kind
from assessments.schema import RuleContext

from .conftest import approve, complete_eqia, start

pytestmark = pytest.mark.django_db


def _ctx(system, kind=Organisation.Kind.LOCAL_AUTHORITY, refs=()):
    return RuleContext(system=system, organisation_kind=kind, action_refs=set(refs))


def _fields(problems, stage=None):
    return {(p.section, p.field or p.row) for p in problems if stage is None or p.stage == stage}


def test_submission_needs_an_impact_for_each_of_the_nine_characteristics(system, cast):
    draft = start(system, Kind.EQIA, cast.hr)
    with pytest.raises(services.WorkflowError) as caught:
        services.submit(draft, actor=cast.hr)
    rows = {p.row for p in caught.value.problems if p.section == "characteristics"}
    assert rows == {key for key, _label in eqia.CHARACTERISTICS}
    assert len(rows) == 9


def test_a_negative_impact_needs_severity_and_evidence_to_be_saved(system, cast):
    draft = start(system, Kind.EQIA, cast.hr)
    with pytest.raises(ValidationError) as caught:
        services.save_row(
            draft,
            actor=cast.hr,
            section_slug="characteristics",
            row_id="age",
            values={"impact": "negative"},
        )
    assert {"negative_severity", "evidence"} <= set(caught.value.message_dict)


def test_only_the_first_general_duty_aim_applies_to_marriage_and_civil_partnership(system, cast):
    draft = start(system, Kind.EQIA, cast.hr)
    with pytest.raises(ValidationError) as caught:
        services.save_row(
            draft,
            actor=cast.hr,
            section_slug="characteristics",
            row_id="marriage_and_civil_partnership",
            values={"impact": "neutral", "psed_aims_affected": ["foster_good_relations"]},
        )
    assert "psed_aims_affected" in caught.value.message_dict


def test_fixed_rows_cannot_be_added_or_removed(system, cast):
    draft = start(system, Kind.EQIA, cast.hr)
    with pytest.raises(services.WorkflowError):
        services.save_row(
            draft,
            actor=cast.hr,
            section_slug="characteristics",
            row_id=None,
            values={"impact": "neutral"},
        )
    with pytest.raises(services.WorkflowError):
        services.delete_row(draft, actor=cast.hr, section_slug="characteristics", row_id="age")


def test_negative_needs_mitigation_and_remaining_harm_needs_justification(system):
    content = demo.eqia_content(system)
    row = next(r for r in content["characteristics"] if r["id"] == "disability")
    row.pop("mitigation")
    row["residual_adverse"] = "yes"
    problems = eqia.DEFINITION.problems(content, _ctx(system, refs={"characteristics/disability"}))
    messages = " ".join(p.message for p in problems if p.row == "disability")
    assert "mitigation" in messages and "justify" in messages


def test_an_unknown_impact_needs_an_evidence_gathering_action(system):
    content = demo.eqia_content(system)
    age = next(r for r in content["characteristics"] if r["id"] == "age")
    age["impact"] = "unknown"
    problems = eqia.DEFINITION.problems(content, _ctx(system, refs={"characteristics/disability"}))
    assert ("characteristics", "age") in _fields(problems, "approve")
    problems = eqia.DEFINITION.problems(
        content, _ctx(system, refs={"characteristics/disability", "characteristics/age"})
    )
    assert ("characteristics", "age") not in _fields(problems, "approve")


def test_no_major_change_is_refused_while_a_negative_impact_has_no_mitigation(system):
    content = demo.eqia_content(system, outcome="no_major_change")
    next(r for r in content["characteristics"] if r["id"] == "disability").pop("mitigation")
    problems = eqia.DEFINITION.problems(content, _ctx(system, refs={"eqia"}))
    assert ("outcome", "outcome") in _fields(problems)


def test_continue_with_justification_and_stop_need_a_justification(system):
    content = demo.eqia_content(system, outcome="continue_with_justification")
    problems = eqia.DEFINITION.problems(content, _ctx(system, refs={"eqia"}))
    assert ("outcome", "outcome_justification") in _fields(problems)


def test_adjust_or_a_negative_impact_needs_an_action_in_the_plan(system):
    content = demo.eqia_content(system)
    assert ("monitoring", "") in _fields(eqia.DEFINITION.problems(content, _ctx(system)))
    assert ("monitoring", "") not in _fields(
        eqia.DEFINITION.problems(content, _ctx(system, refs={"eqia"}))
    )


def test_a_substantial_impact_needs_the_published_report(system):
    content = demo.eqia_content(system)
    content["substantial_impact"] = "yes"
    problems = eqia.DEFINITION.problems(content, _ctx(system, refs={"eqia"}))
    assert {("publication", "published_url"), ("publication", "report_results")} <= _fields(
        problems
    )
    assert eqia.DEFINITION.applies(eqia.DEFINITION.section("publication"), content, _ctx(system))


@pytest.mark.parametrize(
    ("kind", "strategic", "applies"),
    [
        (Organisation.Kind.LOCAL_AUTHORITY, "yes", True),
        (Organisation.Kind.NHS_BODY, "yes", True),
        (Organisation.Kind.LOCAL_AUTHORITY, "no", False),
        (Organisation.Kind.ARMS_LENGTH_BODY, "yes", False),
    ],
)
def test_the_socio_economic_duty_applies_to_strategic_decisions_of_named_bodies(
    system, kind, strategic, applies
):
    content = {"strategic_decision": strategic}
    assert eqia.se_applicable(content, _ctx(system, kind)) is applies


def test_the_welsh_language_and_goal_sections_are_needed_when_the_standards_apply(system):
    content = demo.eqia_content(system)
    content.pop("wl_reduce_adverse")
    content["wellbeing_goals"] = []
    problems = eqia.DEFINITION.problems(content, _ctx(system, refs={"eqia"}))
    assert ("welsh_language", "wl_reduce_adverse") in _fields(problems)
    assert any(p.section == "wellbeing_goals" for p in problems)
    content["policy_decision_welsh_standards"] = "no"
    problems = eqia.DEFINITION.problems(content, _ctx(system, refs={"eqia"}))
    assert not any(
        p.section in ("welsh_language", "wellbeing_goals", "ways_of_working") for p in problems
    )


def test_engagement_and_evidence_are_needed_before_approval(system):
    content = demo.eqia_content(system)
    content["engagement"] = []
    content["evidence"] = []
    sections = {
        p.section
        for p in eqia.DEFINITION.problems(content, _ctx(system, refs={"eqia"}))
        if p.stage == "approve"
    }
    assert {"engagement", "evidence"} <= sections


def test_a_complete_eqia_is_approved(system, cast):
    approved = approve(complete_eqia(system, cast.hr), cast.hr, cast.manager)
    assert approved.result["outcome"] == "adjust"
    assert approved.next_review_due is not None

"""The DPIA's domain rules (assessments.md §1): screening, scoring, measures, prior consultation."""

import pytest
from django.core.exceptions import ValidationError

from assessments import dpia, services
from assessments.choices import Kind, Status
from assessments.schema import RuleContext

from .conftest import approve, complete_dpia, start

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("art35", "ico", "wp248", "expected"),
    [
        ([], [], [], "not_required"),
        ([], [], ["vulnerable_data_subjects"], "not_required"),
        ([], [], ["vulnerable_data_subjects", "evaluation_or_scoring"], "required"),
        (["large_scale_public_monitoring"], [], [], "required"),
        ([], ["tracking"], [], "required"),  # an ICO item that needs nothing else
        ([], ["innovative_technology"], [], "not_required"),  # † needs a criterion as well
        ([], ["biometric_data"], ["systematic_monitoring"], "required"),
        ([], ["invisible_processing", "genetic_data"], [], "not_required"),
    ],
)
def test_the_screening_rule(art35, ico, wp248, expected):
    content = {"art35_3": art35, "ico_list": ico, "wp248_criteria": wp248}
    assert dpia.screening_decision(content) == expected


@pytest.mark.parametrize(
    ("likelihood", "severity", "level"),
    [
        ("remote", "minimal", "low"),
        ("remote", "significant", "low"),
        ("remote", "severe", "medium"),
        ("possible", "significant", "medium"),
        ("possible", "severe", "high"),
        ("probable", "minimal", "medium"),
        ("probable", "significant", "high"),
        ("probable", "severe", "high"),
    ],
)
def test_overall_risk_is_likelihood_times_severity(likelihood, severity, level):
    assert dpia.risk_overall({"likelihood": likelihood, "severity": severity}) == level


def test_an_override_of_the_overall_risk_needs_a_reason(system, cast):
    draft = start(system, Kind.DPIA, cast.hr)
    values = {
        "description": "x",
        "category": "SURV",
        "likelihood": "remote",
        "severity": "minimal",
        "overall_override": "high",
    }
    with pytest.raises(ValidationError) as caught:
        services.save_row(draft, actor=cast.hr, section_slug="risks", row_id=None, values=values)
    assert "override_reason" in caught.value.message_dict
    row = services.save_row(
        draft,
        actor=cast.hr,
        section_slug="risks",
        row_id=None,
        values={**values, "override_reason": "Union evidence"},
    )
    draft.refresh_from_db()
    assert dpia.risk_overall(dpia.row_by_id(draft.content, dpia.RISKS, row)) == "high"


def _draft_with_risk(system, cast, likelihood="possible", severity="severe"):
    draft = start(system, Kind.DPIA, cast.hr)
    risk = services.save_row(
        draft,
        actor=cast.hr,
        section_slug="risks",
        row_id=None,
        values={
            "description": "Bias",
            "category": "DISCRIM",
            "likelihood": likelihood,
            "severity": severity,
        },
    )
    draft.refresh_from_db()
    return draft, risk


@pytest.mark.parametrize(
    ("effect", "residual", "ok"),
    [
        ("eliminated", "medium", False),  # eliminated ⇒ low
        ("eliminated", "low", True),
        ("accepted", "medium", False),  # accepted ⇒ residual = overall (high)
        ("accepted", "high", True),
        ("reduced", "medium", True),
    ],
)
def test_measure_consistency_rules(system, cast, effect, residual, ok):
    draft, risk = _draft_with_risk(system, cast)
    values = {
        "risk": risk,
        "option": "Parity check",
        "effect": effect,
        "residual_risk": residual,
        "approved": "yes",
        "in_place": "yes",
    }
    if ok:
        services.save_row(draft, actor=cast.hr, section_slug="measures", row_id=None, values=values)
    else:
        with pytest.raises(ValidationError) as caught:
            services.save_row(
                draft, actor=cast.hr, section_slug="measures", row_id=None, values=values
            )
        assert "residual_risk" in caught.value.message_dict


def test_a_residual_risk_is_never_higher_than_the_overall_risk(system, cast):
    draft, risk = _draft_with_risk(system, cast, "remote", "minimal")  # low
    with pytest.raises(ValidationError):
        services.save_row(
            draft,
            actor=cast.hr,
            section_slug="measures",
            row_id=None,
            values={
                "risk": risk,
                "option": "x",
                "effect": "reduced",
                "residual_risk": "medium",
                "approved": "yes",
            },
        )


def test_residual_is_the_lowest_approved_measure_and_drives_prior_consultation(system, cast):
    draft, risk = _draft_with_risk(system, cast)
    content = draft.content
    assert dpia.residual_overall(content) == "high"  # no measure yet: the overall level
    assert dpia.ico_consultation_required(content)
    services.save_row(
        draft,
        actor=cast.hr,
        section_slug="measures",
        row_id=None,
        values={
            "risk": risk,
            "option": "a",
            "effect": "reduced",
            "residual_risk": "medium",
            "approved": "no",
        },
    )
    draft.refresh_from_db()
    assert dpia.residual_overall(draft.content) == "high"  # unapproved measures do not count
    services.save_row(
        draft,
        actor=cast.hr,
        section_slug="measures",
        row_id=None,
        values={
            "risk": risk,
            "option": "b",
            "effect": "reduced",
            "residual_risk": "low",
            "approved": "yes",
        },
    )
    draft.refresh_from_db()
    assert dpia.residual_overall(draft.content) == "low"
    assert not dpia.ico_consultation_required(draft.content)


def test_a_risk_with_measures_cannot_be_removed(system, cast):
    draft, risk = _draft_with_risk(system, cast)
    services.save_row(
        draft,
        actor=cast.hr,
        section_slug="measures",
        row_id=None,
        values={
            "risk": risk,
            "option": "a",
            "effect": "reduced",
            "residual_risk": "medium",
            "approved": "yes",
        },
    )
    with pytest.raises(services.WorkflowError):
        services.delete_row(draft, actor=cast.hr, section_slug="risks", row_id=risk)


def test_medium_and_high_risks_need_a_measure_before_approval(system, cast):
    content = dpia.DEFINITION.initial(system)
    content["risks"] = [
        {
            "id": "r",
            "description": "x",
            "category": "JUDGE",
            "likelihood": "possible",
            "severity": "significant",
        }
    ]
    problems = dpia.DEFINITION.problems(content, RuleContext(system=system))
    assert any(p.section == "measures" and p.row == "r" and p.stage == "approve" for p in problems)


def test_an_approved_measure_not_in_place_needs_an_action(system, cast):
    draft = complete_dpia(system, cast.hr)
    measure = draft.content["measures"][0]["id"]
    services.save_row(
        draft, actor=cast.hr, section_slug="measures", row_id=measure, values={"in_place": "no"}
    )
    draft.refresh_from_db()
    check = services.check(draft)
    assert any(p.row == measure for p in check.approve_problems)
    services.create_action(
        system,
        actor=cast.hr,
        data={
            "description": "Build parity report",
            "owner": "HR",
            "due_date": draft.created_at.date(),
        },
        assessment=draft,
        source_ref=f"measures/{measure}",
    )
    assert not any(p.row == measure for p in services.check(draft).approve_problems)


def test_special_category_data_needs_article_9_and_schedule_1(system, cast):
    draft = complete_dpia(system, cast.hr)
    services.save_section(
        draft,
        actor=cast.hr,
        section_slug="scope",
        values={"data_categories": ["employment_record", "health"]},
    )
    draft.refresh_from_db()
    fields = {p.field for p in services.check(draft).problems}
    assert "art9_condition" in fields
    services.save_section(
        draft, actor=cast.hr, section_slug="necessity", values={"art9_condition": "b"}
    )
    draft.refresh_from_db()
    fields = {p.field for p in services.check(draft).problems}
    assert {"dpa2018_sch1_condition", "appropriate_policy_document"} <= fields


def test_automated_significant_decisions_need_all_four_safeguards(system, cast):
    draft = complete_dpia(system, cast.hr)
    services.save_section(
        draft,
        actor=cast.hr,
        section_slug="necessity",
        values={
            "solely_automated_significant_decisions": "some",
            "art22c_safeguards": ["inform", "contest"],
        },
    )
    draft.refresh_from_db()
    assert "art22c_safeguards" in {p.field for p in services.check(draft).approve_problems}


def test_step_3_needs_exactly_one_of_how_views_were_sought_or_why_not(system, cast):
    draft = complete_dpia(system, cast.hr)
    services.save_section(
        draft,
        actor=cast.hr,
        section_slug="consultation",
        values={"views_not_sought_reason": "None"},
    )
    draft.refresh_from_db()
    assert "views_not_sought_reason" in {p.field for p in services.check(draft).approve_problems}


def test_an_overruled_dpo_needs_reasons(system, cast):
    draft = complete_dpia(system, cast.hr)
    services.save_section(
        draft, actor=cast.hr, section_slug="signoff", values={"dpo_advice_outcome": "overruled"}
    )
    draft.refresh_from_db()
    assert "overrule_reasons" in {p.field for p in services.check(draft).approve_problems}


def test_the_warning_on_legitimate_interests_for_a_public_authority(system, cast):
    draft = complete_dpia(system, cast.hr)
    services.save_section(
        draft,
        actor=cast.hr,
        section_slug="necessity",
        values={"lawful_basis_art6": ["legitimate_interests"]},
    )
    draft.refresh_from_db()
    assert any("legitimate interests" in w for w in services.check(draft).warnings)


def test_a_screened_out_dpia_needs_reasons_and_dpo_advice_and_nothing_else(system, cast):
    draft = start(system, Kind.DPIA, cast.hr)
    services.save_section(
        draft,
        actor=cast.hr,
        section_slug="screening",
        values={
            "wp248_criteria": ["innovative_use_or_new_technology"],
            "screening_choice": "not_required",
        },
    )
    with pytest.raises(services.WorkflowError) as caught:
        services.submit(draft, actor=cast.hr)
    assert {p.field for p in caught.value.problems} == {
        "screening_reasons",
        "screening_dpo_advice",
        "screening_dpo_name",
        "screening_dpo_on",
    }
    services.save_section(
        draft,
        actor=cast.hr,
        section_slug="screening",
        values={
            "screening_reasons": "No personal data",
            "screening_dpo_advice": "Agree",
            "screening_dpo_name": "DPO",
            "screening_dpo_on": draft.created_at.date().isoformat(),
        },
    )
    approved = approve(draft, cast.hr, cast.manager)
    assert approved.result["screened_out"] is True
    statuses = {s.slug: st for s, st in services.check(approved).statuses}
    assert statuses["need"] == "not_applicable"


def test_screening_out_is_refused_where_the_criteria_require_a_dpia(system, cast):
    draft = start(system, Kind.DPIA, cast.hr)
    services.save_section(
        draft,
        actor=cast.hr,
        section_slug="screening",
        values={
            "wp248_criteria": ["vulnerable_data_subjects", "evaluation_or_scoring"],
            "screening_choice": "not_required",
            "screening_reasons": "We think not",
            "screening_dpo_advice": "x",
            "screening_dpo_name": "DPO",
            "screening_dpo_on": draft.created_at.date().isoformat(),
        },
    )
    draft.refresh_from_db()
    assert not dpia.screened_out(draft.content)
    with pytest.raises(services.WorkflowError) as caught:
        services.submit(draft, actor=cast.hr)
    assert any(p.field == "aims_and_processing_type" for p in caught.value.problems)


def test_a_residual_high_risk_flags_prior_consultation_with_the_ico(system, cast):
    approved = approve(complete_dpia(system, cast.hr, variant="health"), cast.hr, cast.manager)
    assert approved.status == Status.APPROVED
    assert approved.result["ico_prior_consultation_required"] is True
    assert approved.result["ico_blocks_go_live"] is True
    assert approved.result["ico_advice_due"]  # submitted + 8 weeks


def test_the_next_review_must_be_within_twelve_months(system, cast):
    draft = complete_dpia(system, cast.hr)
    services.save_section(
        draft, actor=cast.hr, section_slug="signoff", values={"next_review_due": "2099-01-01"}
    )
    draft.refresh_from_db()
    assert "next_review_due" in {p.field for p in services.check(draft).approve_problems}

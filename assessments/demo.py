"""Demo assessments in every state (draft, returned for changes, in review, approved,
superseded), a DPIA screened out, a DPIA needing prior consultation with the ICO, an AIA with a
blocking WPC finding, and risk registers and action plans. Built through the services, so
every step is in the audit log. Idempotent: a system that has assessments is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from audit import services as audit

from . import questionnaire as engine
from . import services
from .choices import Kind
from .eqia import CHARACTERISTICS, GOALS, WAYS_OF_WORKING
from .models import Assessment, Questionnaire


def _today() -> dt.date:
    return timezone.localdate()


def _days(n: int) -> str:
    return (_today() + dt.timedelta(days=n)).isoformat()


# --- helpers ----------------------------------------------------------------------------------


def _fill(assessment: Assessment, actor, content: dict[str, Any]) -> Assessment:
    """Save ``content`` section by section, as a person working through the task list would."""
    definition = assessment.definition
    ids: dict[str, str] = {}
    for section in definition.sections:
        if section.rows:
            for row in content.get(section.slug, []):
                values = {k: v for k, v in row.items() if k != "id"}
                if "risk" in values:
                    values["risk"] = ids[values["risk"]]
                if section.rows.fixed:
                    services.save_row(
                        assessment,
                        actor=actor,
                        section_slug=section.slug,
                        row_id=row["id"],
                        values=values,
                    )
                else:
                    ids[row["id"]] = services.save_row(
                        assessment,
                        actor=actor,
                        section_slug=section.slug,
                        row_id=None,
                        values=values,
                    )
        else:
            values = {f.name: content[f.name] for f in section.fields if f.name in content}
            if values:
                services.save_section(
                    assessment, actor=actor, section_slug=section.slug, values=values
                )
    assessment.refresh_from_db()
    return assessment


def _answer_all(
    q: engine.Questionnaire, overrides: dict[str, Any], *, mitigation: str
) -> dict[str, Any]:
    """Answers to every visible question: ``overrides`` first; otherwise the lowest-weight
    impact answer and, for mitigation, the strongest ("good") or weakest ("weak") answer."""
    answers: dict[str, Any] = {}
    for question in q.questions:
        if question.code not in {qu.code for qu in engine.visible_questions(q, answers)}:
            continue
        if question.code in overrides:
            answers[question.code] = overrides[question.code]
            continue
        kind = q.section_of(question.code).kind
        if question.type == "text":
            continue
        choices = list(question.choices)
        strongest = kind == "mitigation" and mitigation == "good"
        if question.type == "single":
            pick = (
                max(choices, key=lambda c: c.weight)
                if strongest
                else min(choices, key=lambda c: c.weight)
            )
            answers[question.code] = pick.value
        else:
            plain = [c.value for c in choices if not c.exclusive]
            exclusive = [c.value for c in choices if c.exclusive]
            if strongest:
                answers[question.code] = plain
            else:
                answers[question.code] = exclusive[:1] or [
                    min(choices, key=lambda c: c.weight).value
                ]
    return answers


def _submit_and_approve(assessment, preparer, approver) -> Assessment:
    services.submit(assessment, actor=preparer)
    return services.approve(assessment, actor=approver)


# --- content ----------------------------------------------------------------------------------


def dpia_content(system, *, variant: str = "standard") -> dict[str, Any]:
    """A complete DPIA for a workforce system. ``variant``: standard, health (special
    category data, residual high risk and prior consultation with the ICO)."""
    health = variant == "health"
    content: dict[str, Any] = {
        "art35_3": [],
        "ico_list": ["innovative_technology"] if health else [],
        "wp248_criteria": ["evaluation_or_scoring", "vulnerable_data_subjects"]
        + (["sensitive_or_highly_personal_data"] if health else []),
        "aims_and_processing_type": f"{system.description} The DPIA covers the processing of workers' personal data by the system.",
        "why_dpia_needed": "Evaluation or scoring of workers; employees are vulnerable data subjects because of the power imbalance.",
        "collection_and_use": "Data is imported nightly from the HR system, used to produce proposals for managers and deleted on the retention schedule.",
        "data_sources": ["hr_payroll_system", "manager_input"]
        + (["inferred_by_system"] if health else []),
        "retention": "Outputs kept 2 years after the date they relate to, then deleted.",
        "security_measures": "Single sign-on, role-based access, encryption in transit and at rest, supplier ISO 27001 certification.",
        "data_categories": ["identity_contact", "employment_record", "attendance_absence"]
        + (["health"] if health else []),
        "individuals_count": system.workers_affected or 100,
        "individual_groups": ["employees"],
        "frequency": "periodic",
        "relationship": "Employer and employees.",
        "reasonable_expectation": "partly",
        "reasonable_expectation_detail": "Staff expect HR data to be used to organise work, but not necessarily by an automated tool; the staff notice explains it.",
        "purposes": "To organise work fairly and efficiently, and to support managers' decisions.",
        "intended_effect_on_individuals": "Proposals that a manager checks and can change; no decision is taken without a person.",
        "views_sought": "yes",
        "views_sought_how_when": "Consulted the recognised trade unions at the partnership forum and ran a staff survey before go-live.",
        "lawful_basis_art6": ["public_task", "contract"],
        "achieves_purpose": "Yes: the pilot showed proposals managers accepted in most cases after review.",
        "less_intrusive_alternatives": "Manual scheduling was considered and remains the fallback.",
        "function_creep_prevention": "The data processing agreement limits use to this purpose; any new use needs a new DPIA version.",
        "data_quality": "Monthly reconciliation with the HR system; staff can correct their data through their manager.",
        "data_minimisation": "Only the fields the system needs are imported.",
        "information_to_individuals": "Staff privacy notice updated; briefing for all affected staff.",
        "supporting_rights": "Requests go to the information governance team and are logged in GovReg.",
        "processor_compliance": "Article 28 contract; annual supplier assurance review.",
        "international_transfers": "none",
        "solely_automated_significant_decisions": "no",
        "processors": [
            {
                "id": "p1",
                "name": system.external_supplier or "Supplier Ltd",
                "art28_contract": "yes",
                "location": "UK",
            }
        ],
        "risks": [
            {
                "id": "r1",
                "description": "The system learns from past patterns and could disadvantage staff with caring responsibilities or disabilities (indirect discrimination).",
                "category": "DISCRIM",
                "likelihood": "possible",
                "severity": "severe" if not health else "severe",
            },
            {
                "id": "r2",
                "description": "Managers accept proposals without checking them (automation bias).",
                "category": "JUDGE",
                "likelihood": "possible",
                "severity": "significant",
            },
        ],
        "measures": [
            {
                "id": "m1",
                "risk": "r1",
                "option": "Exclude absence and caring-related features; monthly outcome parity check by disability status and sex.",
                "effect": "reduced",
                "residual_risk": "high" if health else "medium",
                "approved": "yes",
                "in_place": "yes",
            },
            {
                "id": "m2",
                "risk": "r2",
                "option": "Training on when to override; overrides logged and reviewed quarterly with the unions.",
                "effect": "reduced",
                "residual_risk": "low",
                "approved": "yes",
                "in_place": "yes",
            },
        ],
        "measures_approved_by_name": "Siân Griffiths",
        "measures_approved_by_role": "Director of People",
        "measures_approved_by_on": _days(-3),
        "residual_risks_approved_by_name": "Siân Griffiths",
        "residual_risks_approved_by_role": "Director of People",
        "residual_risks_approved_by_on": _days(-3),
        "dpo_advice_name": "Data Protection Officer",
        "dpo_advice_on": _days(-5),
        "dpo_advice_summary": "Processing can proceed with the measures in step 6 and a review within 12 months.",
        "dpo_recommendation": "consult_ico" if health else "proceed_with_conditions",
        "dpo_advice_outcome": "accepted",
        "consultation_responses_reviewed_by_name": "Rhian Evans",
        "consultation_responses_reviewed_by_role": "HR Business Partner",
        "consultation_responses_reviewed_by_on": _days(-4),
        "departs_from_views": "no",
        "kept_under_review_by": "Data Protection Officer and HR Business Partner",
        "next_review_due": _days(330),
    }
    if health:
        content.update(
            {
                "art9_condition": "b",
                "dpa2018_sch1_condition": "Sch 1 Pt 1 para 1 (employment)",
                "appropriate_policy_document": "yes",
                "ico_submitted_on": _days(-10),
                "ico_reference": "RFA0123456",
                "ico_information_checklist": [
                    "responsibilities",
                    "purposes_and_means",
                    "measures_and_safeguards",
                    "dpo_contact",
                    "dpia",
                ],
            }
        )
    return content


def screened_out_dpia() -> dict[str, Any]:
    return {
        "art35_3": [],
        "ico_list": [],
        "wp248_criteria": ["innovative_use_or_new_technology"],
        "screening_choice": "not_required",
        "screening_reasons": "The tool checks the wording of job adverts before publication. It processes no personal data about applicants or staff: adverts are drafted by managers and contain no personal details.",
        "screening_dpo_advice": "Agree that no DPIA is needed while the tool processes advert text only. Re-screen if it is ever connected to applications or applicant data.",
        "screening_dpo_name": "Data Protection Officer",
        "screening_dpo_on": _days(-7),
    }


def eqia_content(system, *, outcome: str = "adjust") -> dict[str, Any]:
    rows = []
    for key, _label in CHARACTERISTICS:
        if key == "disability":
            rows.append(
                {
                    "id": key,
                    "impact": "negative",
                    "negative_severity": "medium",
                    "psed_aims_affected": [
                        "eliminate_discrimination",
                        "advance_equality_of_opportunity",
                    ],
                    "evidence": "Disabled Staff Network workshop: worry that the tool ignores reasonable adjustments.",
                    "mitigation": "Reasonable-adjustment flag overrides the tool; monthly parity report.",
                    "residual_adverse": "no",
                }
            )
        elif key == "sex":
            rows.append(
                {
                    "id": key,
                    "impact": "negative" if outcome == "stop" else "neutral",
                    **(
                        {
                            "negative_severity": "high",
                            "evidence": "Review with the RCN found the reliability score penalised staff with caring responsibilities, who are mostly women.",
                            "mitigation": "None adequate: the score cannot be fixed without redesign.",
                            "residual_adverse": "yes",
                            "justification": "No justification: the system is stopped.",
                        }
                        if outcome == "stop"
                        else {
                            "evidence": "Workforce profile shows no difference by sex in the pilot."
                        }
                    ),
                }
            )
        else:
            rows.append(
                {
                    "id": key,
                    "impact": "neutral",
                    "evidence": "No differential impact found in the workforce data.",
                }
            )
    content: dict[str, Any] = {
        "lead_officer": "Rhian Evans, HR Business Partner",
        "department": "People and Organisational Development",
        "start_date": _days(-30),
        "assessment_type": "review_of_existing"
        if system.needs_initial_assessment
        else "new_proposal",
        "psed_reason": "The system affects how workers are managed.",
        "strategic_decision": "yes",
        "strategic_decision_reason": "Board-level procurement decision.",
        "policy_decision_welsh_standards": "yes",
        "aims": system.description,
        "who_is_affected": ["employees", "managers"],
        "headcount": system.workers_affected or 100,
        "evidence": [
            {
                "id": "e1",
                "source": "Workforce profile by protected characteristic, 2025",
                "type": "workforce_data",
                "date": _days(-40),
            }
        ],
        "engagement": [
            {
                "id": "g1",
                "group": "Disabled Staff Network",
                "represents": ["disability"],
                "method": "Workshop",
                "date": _days(-20),
                "views": "Worried the tool ignores reasonable adjustments.",
                "response": "Adjustment flag added; monthly parity report agreed.",
            },
            {
                "id": "g2",
                "group": "Recognised trade unions",
                "method": "Partnership forum",
                "date": _days(-15),
                "views": "Support the proposal if every output is checked by a person.",
            },
        ],
        "characteristics": rows,
        "intersectional_considerations": "Considered disabled women with caring responsibilities, who are over-represented in part-time roles.",
        "psed_eliminate": "Parity monitoring and human review guard against indirect discrimination.",
        "psed_advance": "Fairer allocation of preferred work to part-time staff.",
        "psed_foster": "Transparent rules agreed with staff networks.",
        "se_communities_of_interest": "Staff on the lowest pay bands, who rely on predictable hours.",
        "se_communities_of_place": "Staff living in rural areas with poor public transport.",
        "se_evidence": "Pay band and home postcode analysis.",
        "se_impact": "positive",
        "se_how_reduces_inequality": "Travel time and predictable hours are weighted in the tool's proposals.",
        "wl_effect_opportunities": "negative",
        "wl_effect_opportunities_detail": "The interface is English-only, so Welsh-medium teams work in English.",
        "wl_effect_no_less_favourable": "negative",
        "wl_effect_no_less_favourable_detail": "Notices to staff are generated in English only.",
        "wl_increase_positive": "Ask the supplier for a Welsh interface in the next release.",
        "wl_reduce_adverse": "Managers send Welsh versions of notices to staff who prefer Welsh.",
        "wl_mitigation": "Bilingual notice templates maintained by the Welsh language team.",
        "wl_interface": "none",
        "wl_outputs": "partial",
        "wl_factors_considered": ["technology_and_resources", "internal_communications"],
        "wellbeing_goals": [
            {
                "id": key,
                "contribution": "positive" if key in ("prosperous", "more_equal") else "neutral",
            }
            for key, _label in GOALS
        ],
        **{
            name: "Discussed with unions and staff networks at the planning stage."
            for name, _l in WAYS_OF_WORKING
        },
        "outcome": outcome,
        "outcome_justification": "Actual or potential unlawful discrimination against staff with caring responsibilities."
        if outcome == "stop"
        else "",
        "substantial_impact": "no",
        "monitoring_arrangements": "Quarterly parity report to the partnership forum.",
        "completed_by_name": "Rhian Evans",
        "completed_by_role": "HR Business Partner",
        "completed_by_on": _days(-2),
        "equality_lead_reviewed_by_name": "Equality and Diversity Lead",
        "equality_lead_reviewed_by_role": "Equality Lead",
        "equality_lead_reviewed_by_on": _days(-1),
        "next_review_due": _days(360),
    }
    if not content["outcome_justification"]:
        del content["outcome_justification"]
    return content


HOME_CARE_AIA = {
    "R1.1": "yes",
    "R2.1": "no",
    "R2.2": "yes",
    "R2.3": "mitigated",
    "R3.1": "supplier",
    "R3.2": "cots",
    "R3.6": "partial",
    "R4.3": "no",
    "R5.1": ["allocation"],
    "R6.1": "partial",
    "R6.2": "yes",
    "R6.5": "likely",
    "R6.6": "months",
    "R6.7": "moderate",
    "R6.8": "moderate",
    "R6.9": "moderate",
    "R6.10": "moderate",
    "R6.12": "mitigated",
    "R6.13": "moderate",
    "R7.1": "yes",
    "R7.2": "no",
    "R7.3": ["within", "supplier"],
    "R7.7": "supplier",
    "R7.8": "yes",
    "R7.10": "yes",
}
CV_AIA = {
    **HOME_CARE_AIA,
    "R2.1": "yes",
    "R4.2": "yes",
    "R4.3": "yes",
    "R5.1": ["recruitment"],
    "R6.1": "full",
    "R6.4": "yes",
    "R7.11": ["audio_text"],
}


# --- risks and actions ------------------------------------------------------------------------

HOME_CARE_RISKS = [
    (
        "INTENS",
        "Rotas packed with visits leave no slack for travel delays or breaks.",
        4,
        4,
        "Head of Home Care",
        "Maximum visits per shift agreed with UNISON; travel buffer of 10 minutes.",
        3,
        3,
        "mitigating",
    ),
    (
        "DISCRIM",
        "Staff with caring responsibilities get fewer preferred shifts.",
        3,
        4,
        "HR Business Partner",
        "Preferences weighted equally; monthly parity report.",
        2,
        3,
        "mitigating",
    ),
    (
        "WELSH",
        "English-only interface pushes Welsh-speaking teams into English.",
        4,
        2,
        "Welsh Language Officer",
        "Supplier roadmap item for a Welsh interface.",
        None,
        None,
        "open",
    ),
    (
        "ACCURACY",
        "Travel times wrong in rural areas.",
        3,
        3,
        "Scheduling Manager",
        "Officers correct travel times; supplier map update.",
        2,
        2,
        "accepted",
    ),
    (
        "LOCKIN",
        "Rota history held in the supplier's format.",
        2,
        3,
        "Head of Digital",
        "Monthly CSV export kept by the council.",
        1,
        3,
        "mitigating",
    ),
    (
        "SURV",
        "Visit timings used to monitor individual workers' pace.",
        2,
        4,
        "Head of Home Care",
        "Contract forbids individual performance use; audited quarterly.",
        1,
        4,
        "open",
    ),
]


def _risks_and_actions(system, hr, manager) -> None:
    risks = []
    for (
        category,
        description,
        likelihood,
        impact,
        owner,
        mitigation,
        rl,
        ri,
        status,
    ) in HOME_CARE_RISKS:
        risk = services.create_risk(
            system,
            actor=hr,
            data={
                "category": category,
                "description": description,
                "affected_groups": "Home-care workers",
                "likelihood": likelihood,
                "impact": impact,
                "owner": owner,
                "mitigation": mitigation,
                "residual_likelihood": rl,
                "residual_impact": ri,
                "status": "open" if status == "accepted" else status,
                "review_due": _today() + dt.timedelta(days=90),
            },
        )
        if status == "accepted":
            services.accept_risk(
                risk,
                actor=manager,
                reason="Officers correct every rural rota by hand; the remaining error is small and visible.",
                until=_today() + dt.timedelta(days=180),
            )
        risks.append(risk)
    plan = [
        (
            "Agree a maximum number of visits per shift with UNISON.",
            "Head of Home Care",
            60,
            risks[0],
            [(-20, "progressing", "Draft limits shared with UNISON branch.")],
        ),
        (
            "Publish a monthly parity report of preferred shifts by sex, disability and caring responsibility.",
            "HR Business Partner",
            30,
            risks[1],
            [(-10, "achieved", "First report published to the partnership forum.")],
        ),
        (
            "Ask the supplier for a Welsh-language interface.",
            "Welsh Language Officer",
            120,
            risks[2],
            [(-5, "no_progress", "Supplier has not replied; escalated to the contract manager.")],
        ),
        (
            "Quarterly audit that visit timings are not used to judge individual pace.",
            "Head of Home Care",
            45,
            risks[5],
            [],
        ),
    ]
    for description, owner, due, risk, updates in plan:
        action = services.create_action(
            system,
            actor=hr,
            data={
                "description": description,
                "owner": owner,
                "due_date": _today() + dt.timedelta(days=due),
                "risk": risk,
            },
        )
        for days, progress, note in updates:
            services.add_progress_update(
                action,
                actor=hr,
                on=_today() + dt.timedelta(days=days),
                progress=progress,
                note=note,
            )
    overdue = services.create_action(
        system,
        actor=hr,
        data={
            "description": "Update the staff privacy notice to describe the rota planner.",
            "owner": "Information Governance Manager",
            "due_date": _today(),
            "risk": None,
        },
    )
    # Demo history: an action recorded months ago whose due date has now passed.
    before = overdue.due_date
    overdue.due_date = _today() - dt.timedelta(days=14)
    overdue.save(update_fields=["due_date"])
    audit.record(
        hr,
        "action.updated",
        overdue,
        changes={"due_date": [before.isoformat(), overdue.due_date.isoformat()]},
        note="demo history",
    )


# --- build ------------------------------------------------------------------------------------


def build(demo: dict) -> None:
    services.load_questionnaire(_default_definition(), publish=True)
    systems = demo.get("systems", {})
    users = demo["users"]

    def people(org_slug):
        return users[(org_slug, "hr")], users[(org_slug, "manager")], users[(org_slug, "admin")]

    def fresh(reference):
        system = systems.get(reference)
        if system is None or Assessment.objects.filter(system=system).exists():
            return None
        return system

    if system := fresh("home-care-rota-planner"):
        hr, manager, admin = people("demo-council")
        # DPIA: version 1 approved, then version 2 approved (v1 superseded): a diff to compare.
        dpia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.DPIA), hr, dpia_content(system)
        )
        _submit_and_approve(dpia, hr, manager)
        dpia2 = services.start_assessment(system, actor=hr, kind=Kind.DPIA)
        services.save_section(
            dpia2,
            actor=hr,
            section_slug="nature",
            values={
                "retention": "Rotas kept 18 months after the rota week, then deleted (shortened after the UNISON review)."
            },
        )
        services.save_row(
            dpia2,
            actor=hr,
            section_slug="risks",
            row_id=None,
            values={
                "description": "Home postcodes of staff visible to all scheduling officers.",
                "category": "SURV",
                "likelihood": "remote",
                "severity": "significant",
            },
        )
        _submit_and_approve(dpia2, hr, manager)
        eqia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.EQIA), hr, eqia_content(system)
        )
        eqia_action = services.create_action(
            system,
            actor=hr,
            data={
                "description": "Add a reasonable-adjustment flag that overrides the rota proposal.",
                "owner": "Scheduling Manager",
                "due_date": _today() + dt.timedelta(days=21),
            },
            assessment=eqia,
            source_ref="characteristics/disability",
        )
        services.add_progress_update(
            eqia_action,
            actor=hr,
            on=_today(),
            progress="progressing",
            note="Flag built in the test environment.",
        )
        _submit_and_approve(eqia, hr, admin)
        q = Questionnaire.objects.latest_published()
        aia = services.start_assessment(system, actor=hr, kind=Kind.AIA)
        services.save_answers(
            aia, actor=hr, answers=_answer_all(q.engine(), HOME_CARE_AIA, mitigation="good")
        )
        _submit_and_approve(aia, hr, manager)
        _risks_and_actions(system, hr, manager)

    if system := fresh("cv-shortlisting"):
        hr, manager, admin = people("demo-council")
        dpia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.DPIA), hr, dpia_content(system)
        )
        services.submit(dpia, actor=hr)  # in review
        q = Questionnaire.objects.latest_published()
        aia = services.start_assessment(system, actor=hr, kind=Kind.AIA)
        answers = _answer_all(q.engine(), CV_AIA, mitigation="weak")
        answers = {k: v for k, v in answers.items() if not k.startswith("M3")}  # still in progress
        services.save_answers(aia, actor=hr, answers=answers)  # draft with a blocking finding
        services.start_assessment(system, actor=hr, kind=Kind.EQIA)  # not started

    if system := fresh("contact-centre-productivity"):
        hr, manager, admin = people("demo-council")
        dpia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.DPIA), hr, dpia_content(system)
        )
        _submit_and_approve(dpia, hr, admin)
        q = Questionnaire.objects.latest_published()
        aia = services.start_assessment(system, actor=hr, kind=Kind.AIA)
        services.save_answers(
            aia,
            actor=hr,
            answers=_answer_all(
                q.engine(),
                {**HOME_CARE_AIA, "R5.1": ["performance", "monitoring"], "R7.9": "yes"},
                mitigation="weak",
            ),
        )
        services.submit(aia, actor=hr)
        services.return_for_changes(
            aia,
            actor=manager,
            comment="The answers on monitoring do not match UNISON's concerns about idle-time tracking. Revisit the impact section with the branch before resubmitting.",
        )

    if system := fresh("inclusive-recruitment-pilot"):
        hr, manager, admin = people("demo-council")
        dpia = services.start_assessment(system, actor=hr, kind=Kind.DPIA)
        services.save_section(dpia, actor=hr, section_slug="screening", values=screened_out_dpia())
        _submit_and_approve(dpia, hr, admin)

    if system := fresh("nurse-e-rostering"):
        hr, manager, admin = people("demo-health-board")
        dpia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.DPIA), hr, dpia_content(system)
        )
        _submit_and_approve(dpia, hr, manager)
        eqia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.EQIA), hr, eqia_content(system)
        )
        services.create_action(
            system,
            actor=hr,
            data={
                "description": "Monthly parity report of rostering outcomes by disability.",
                "owner": "Workforce Informatics Lead",
                "due_date": _today() + dt.timedelta(days=30),
            },
            assessment=eqia,
            source_ref="characteristics/disability",
        )
        _submit_and_approve(eqia, hr, manager)
        q = Questionnaire.objects.latest_published()
        aia = services.start_assessment(system, actor=hr, kind=Kind.AIA)
        services.save_answers(
            aia,
            actor=hr,
            answers=_answer_all(
                q.engine(), {**HOME_CARE_AIA, "R2.1": "yes", "R6.9": "high"}, mitigation="good"
            ),
        )
        _submit_and_approve(aia, hr, admin)
        for category, description, likelihood, impact, owner in (
            (
                "INTENS",
                "Auto-rostering fills every gap and removes slack on wards.",
                4,
                4,
                "Deputy Director of Nursing",
            ),
            ("HSW", "Short-notice changes harm rest between shifts.", 3, 4, "Head of Workforce"),
            (
                "DISCRIM",
                "Part-time staff, mostly women, get fewer preferred shifts.",
                3,
                3,
                "Workforce Informatics Lead",
            ),
        ):
            services.create_risk(
                system,
                actor=hr,
                data={
                    "category": category,
                    "description": description,
                    "likelihood": likelihood,
                    "impact": impact,
                    "owner": owner,
                    "status": "open",
                },
            )

    if system := fresh("absence-analytics"):
        hr, manager, admin = people("demo-health-board")
        dpia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.DPIA),
            hr,
            dpia_content(system, variant="health"),
        )
        _submit_and_approve(
            dpia, hr, manager
        )  # residual high: prior consultation with the ICO pending
        eqia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.EQIA), hr, eqia_content(system)
        )
        services.create_action(
            system,
            actor=hr,
            data={
                "description": "Check with the Disabled Staff Network that flags do not trigger absence procedures.",
                "owner": "Head of Occupational Health",
                "due_date": _today() + dt.timedelta(days=14),
            },
            assessment=eqia,
            source_ref="characteristics/disability",
        )
        services.submit(eqia, actor=hr)  # in review
        services.create_risk(
            system,
            actor=hr,
            data={
                "category": "SURV",
                "description": "Health data used beyond occupational health support.",
                "likelihood": 3,
                "impact": 5,
                "owner": "Data Protection Officer",
                "status": "open",
            },
        )

    if system := fresh("staff-bank-matching"):
        hr, manager, admin = people("demo-health-board")
        eqia = _fill(
            services.start_assessment(system, actor=hr, kind=Kind.EQIA),
            hr,
            eqia_content(system, outcome="stop"),
        )
        services.create_action(
            system,
            actor=hr,
            data={
                "description": "Retire the reliability score and return to manual bank allocation.",
                "owner": "Head of Temporary Staffing",
                "due_date": _today() + dt.timedelta(days=7),
            },
            assessment=eqia,
            source_ref="characteristics/sex",
        )
        _submit_and_approve(eqia, hr, admin)

    if system := fresh("hr-policy-chatbot"):
        hr, manager, admin = people("demo-agency")
        q = Questionnaire.objects.latest_published()
        aia = services.start_assessment(system, actor=hr, kind=Kind.AIA)
        answers = _answer_all(
            q.engine(), {"R3.6": "full", "R5.1": ["none"], "R6.1": "partial"}, mitigation="good"
        )
        services.save_answers(
            aia, actor=hr, answers={k: v for k, v in answers.items() if k[:2] in ("R1", "R2", "R3")}
        )


def _default_definition() -> dict:
    import json

    return json.loads((engine.DATA_DIR / engine.DEFAULT_FILE).read_text(encoding="utf-8"))

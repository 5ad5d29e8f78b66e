"""Equality impact assessment for Welsh public bodies (assessments.md §2).

The Equality Act 2010 general duty and the Wales specific duties (SI 2011/1064), integrated
with the socio-economic duty, the Welsh language policy-making standards and the Well-being of
Future Generations (Wales) Act 2015, as Welsh bodies' integrated impact assessments do.
"""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation

from .choices import Kind
from .schema import (
    APPROVE,
    CHOICE,
    DATE,
    INT,
    MULTI,
    TEXT,
    TEXTAREA,
    URL,
    YESNO,
    Definition,
    Field,
    Problem,
    Rows,
    RuleContext,
    Section,
    filled,
    need_person,
    parse_date,
    rows_of,
)

CHARACTERISTICS = (
    ("age", _("Age")),
    ("disability", _("Disability")),
    ("gender_reassignment", _("Gender reassignment")),
    ("marriage_and_civil_partnership", _("Marriage and civil partnership")),
    ("pregnancy_and_maternity", _("Pregnancy and maternity")),
    ("race", _("Race")),
    ("religion_or_belief", _("Religion or belief")),
    ("sex", _("Sex")),
    ("sexual_orientation", _("Sexual orientation")),
)
IMPACTS = (
    ("positive", _("Positive")),
    ("negative", _("Negative")),
    ("neutral", _("Neutral")),
    ("unknown", _("Not known")),
)
SEVERITIES = (("low", _("Low")), ("medium", _("Medium")), ("high", _("High")))
PSED_AIMS = (
    ("eliminate_discrimination", _("Eliminate discrimination, harassment and victimisation")),
    ("advance_equality_of_opportunity", _("Advance equality of opportunity")),
    ("foster_good_relations", _("Foster good relations")),
)
ASSESSMENT_TYPES = (
    ("new_proposal", _("A new proposal")),
    ("revision", _("A revision of an existing policy or practice")),
    ("review_of_existing", _("A review of something already in place")),
)
WHO_AFFECTED = (
    ("employees", _("Employees")),
    ("agency_workers", _("Agency workers")),
    ("applicants", _("Job applicants")),
    ("managers", _("Managers")),
    ("service_users", _("Service users")),
)
EVIDENCE_TYPES = (
    ("workforce_data", _("Workforce data")),
    ("staff_survey", _("Staff survey")),
    ("pay_gap", _("Pay gap analysis")),
    ("research", _("Research")),
    ("supplier_testing", _("Supplier testing")),
    ("engagement", _("Engagement")),
    ("complaints_concerns", _("Complaints and concerns")),
    ("other", _("Other")),
)
WL_EFFECTS = (
    ("positive", _("Positive")),
    ("negative", _("Negative")),
    ("neutral", _("Neutral")),
    ("unknown", _("Not known")),
)
WL_CAPABILITY = (
    ("full", _("Full")),
    ("partial", _("Partial")),
    ("none", _("None")),
    ("unknown", _("Not known")),
    ("n_a", _("Not applicable")),
)
WL_FACTORS = (
    ("number_of_speakers", _("Number of Welsh speakers")),
    ("workplace_informal_use", _("Informal and social use of Welsh at work")),
    ("internal_communications", _("Internal communications")),
    ("team_structure", _("Team structure")),
    (
        "technology_and_resources",
        _("Technology and resources (e.g. proofreading software, device interface)"),
    ),
    ("language_awareness", _("Staff language awareness")),
    ("welsh_services_to_public", _("Welsh-language services to the public")),
    ("transmission", _("Passing the language on")),
    ("other", _("Other")),
)
GOALS = (
    ("prosperous", _("A prosperous Wales")),
    ("resilient", _("A resilient Wales")),
    ("healthier", _("A healthier Wales")),
    ("more_equal", _("A more equal Wales")),
    ("cohesive_communities", _("A Wales of cohesive communities")),
    (
        "vibrant_culture_thriving_welsh_language",
        _("A Wales of vibrant culture and thriving Welsh language"),
    ),
    ("globally_responsible", _("A globally responsible Wales")),
)
GOAL_CONTRIBUTIONS = (
    ("positive", _("Positive")),
    ("negative", _("Negative")),
    ("neutral", _("Neutral")),
    ("not_relevant", _("Not relevant")),
)
WAYS_OF_WORKING = (
    ("wow_long_term", _("Long term")),
    ("wow_prevention", _("Prevention")),
    ("wow_integration", _("Integration")),
    ("wow_collaboration", _("Collaboration")),
    ("wow_involvement", _("Involvement")),
)
HUMAN_RIGHTS_ARTICLES = (
    ("art8_private_life", _("Article 8: private and family life")),
    ("art10_expression", _("Article 10: freedom of expression")),
    ("art11_assembly_association", _("Article 11: freedom of assembly and association")),
    ("art14_discrimination", _("Article 14: protection from discrimination")),
    ("other", _("Other")),
)
OUTCOMES = (
    (
        "no_major_change",
        _("No major change: no potential for discrimination or adverse impact was found"),
    ),
    ("adjust", _("Adjust: change the proposal to remove barriers or better advance equality")),
    (
        "continue_with_justification",
        _(
            "Continue with justification: go on despite a potential adverse impact, with the justification and monitoring recorded"
        ),
    ),
    ("stop", _("Stop: actual or potential unlawful discrimination; stop and rethink")),
)
# Bodies the socio-economic duty applies to (Equality Act 2010 s.1, in force in Wales 2021).
SED_KINDS = {
    Organisation.Kind.LOCAL_AUTHORITY,
    Organisation.Kind.NHS_BODY,
    Organisation.Kind.WELSH_GOVERNMENT,
}


def _person(prefix: str, item, hint="") -> tuple[Field, ...]:
    return (
        Field(f"{prefix}_name", format_lazy("{}: {}", item, _("name")), TEXT, hint=hint),
        Field(f"{prefix}_role", format_lazy("{}: {}", item, _("position")), TEXT),
        Field(f"{prefix}_on", format_lazy("{}: {}", item, _("date")), DATE, date_rule="past"),
    )


def _validate_characteristic(values: dict, content: dict, row_id: str) -> dict[str, str]:
    errors = {}
    if row_id == "marriage_and_civil_partnership":
        if set(values.get("psed_aims_affected") or []) - {"eliminate_discrimination"}:
            errors["psed_aims_affected"] = gettext(
                "For marriage and civil partnership only the aim to eliminate discrimination "
                "applies (Equality Act 2010 s.149(7))."
            )
    if values.get("impact") == "negative" and not values.get("negative_severity"):
        errors["negative_severity"] = gettext("Choose how severe the negative impact is.")
    if values.get("impact") not in (None, "", "neutral") and not filled(values.get("evidence")):
        errors["evidence"] = gettext("Give the evidence for this impact.")
    return errors


CHARACTERISTIC_FIELDS = (
    Field("impact", _("Impact"), CHOICE, IMPACTS, required=True, error=_("Choose the impact.")),
    Field(
        "negative_severity",
        _("If negative, how severe?"),
        CHOICE,
        SEVERITIES,
    ),
    Field(
        "psed_aims_affected",
        _("Which aims of the general equality duty does it bear on?"),
        MULTI,
        PSED_AIMS,
        optional=True,
    ),
    Field(
        "evidence",
        _("Evidence"),
        TEXTAREA,
        hint=_(
            "What the assessment of this impact rests on. Needed unless the impact is neutral; a one-line rationale is still advised."
        ),
    ),
    Field(
        "mitigation",
        _("Mitigation"),
        TEXTAREA,
        hint=_("Needed for a negative impact."),
    ),
    Field(
        "residual_adverse",
        _("After mitigation, does an adverse impact remain?"),
        YESNO,
    ),
    Field(
        "justification",
        _("Justification"),
        TEXTAREA,
        hint=_(
            "Where an adverse impact remains: the legitimate aim, and why the means are proportionate (Equality Act 2010 s.19(2)(d))."
        ),
    ),
)

ABOUT = _("About the assessment")
AIMS = _("Aims, evidence and engagement")
IMPACTS_GROUP = _("Impacts")
DECISION = _("Decision and monitoring")

SECTIONS = (
    Section(
        "header",
        _("Assessment details"),
        ABOUT,
        fields=(
            Field("lead_officer", _("Lead officer"), TEXT),
            Field("department", _("Department"), TEXT, optional=True),
            Field("start_date", _("Start date of the assessment"), DATE, date_rule="past"),
            Field("assessment_type", _("What is being assessed?"), CHOICE, ASSESSMENT_TYPES),
        ),
    ),
    Section(
        "screening",
        _("Which duties apply"),
        ABOUT,
        fields=(
            Field(
                "psed_reason",
                _("Why the general equality duty is relevant"),
                TEXTAREA,
                hint=_("It always applies to a system that manages workers."),
                optional=True,
            ),
            Field(
                "strategic_decision",
                _("Is this a decision of a strategic nature?"),
                YESNO,
                hint=_(
                    "Strategic decisions of the bodies named in the socio-economic duty need section F."
                ),
            ),
            Field("strategic_decision_reason", _("Why?"), TEXTAREA, optional=True),
            Field(
                "policy_decision_welsh_standards",
                _("Do the Welsh language policy-making standards apply?"),
                YESNO,
            ),
        ),
    ),
    Section(
        "aims",
        _("Aims and people affected"),
        AIMS,
        fields=(
            Field("aims", _("What are the aims of the system?"), TEXTAREA),
            Field("who_is_affected", _("Who is affected?"), MULTI, WHO_AFFECTED),
            Field(
                "headcount",
                _("How many people are affected?"),
                INT,
                min_value=0,
                max_value=10_000_000,
            ),
        ),
    ),
    Section(
        "evidence",
        _("Evidence used"),
        AIMS,
        rows=Rows(
            _("evidence source"),
            (
                Field("source", _("Source"), TEXT, required=True, error=_("Enter the source.")),
                Field(
                    "type",
                    _("Type"),
                    CHOICE,
                    EVIDENCE_TYPES,
                    required=True,
                    error=_("Choose the type of evidence."),
                ),
                Field("date", _("Date"), DATE, date_rule="past", optional=True),
                Field("link", _("Link"), URL, optional=True),
            ),
            title_field="source",
        ),
        hint=_("Relevant information the body holds (regulation 8(3)(b))."),
    ),
    Section(
        "engagement",
        _("Engagement"),
        AIMS,
        rows=Rows(
            _("engagement record"),
            (
                Field(
                    "group",
                    _("Group or organisation"),
                    TEXT,
                    required=True,
                    error=_("Enter the group or organisation."),
                    hint=_("For example staff networks or the recognised unions."),
                ),
                Field(
                    "represents",
                    _("Which protected characteristics does it represent?"),
                    MULTI,
                    CHARACTERISTICS,
                    optional=True,
                ),
                Field(
                    "method",
                    _("Method"),
                    TEXT,
                    required=True,
                    error=_("Enter the method."),
                    hint=_("For example workshop, survey, meeting."),
                ),
                Field(
                    "date",
                    _("Date"),
                    DATE,
                    required=True,
                    error=_("Enter the date."),
                    date_rule="past",
                ),
                Field(
                    "views",
                    _("Summary of their views"),
                    TEXTAREA,
                    required=True,
                    error=_("Summarise their views."),
                ),
                Field("response", _("Your response"), TEXTAREA, optional=True),
            ),
            title_field="group",
        ),
        hint=_("People who represent those sharing protected characteristics (regulation 5)."),
    ),
    Section(
        "characteristics",
        _("Protected characteristics"),
        IMPACTS_GROUP,
        rows=Rows(
            _("protected characteristic"),
            CHARACTERISTIC_FIELDS,
            title_field="impact",
            fixed=CHARACTERISTICS,
            validate=_validate_characteristic,
        ),
        hint=_("The impact on each of the nine protected characteristics (Equality Act 2010 s.4)."),
    ),
    Section(
        "general_duty",
        _("Intersection and the general duty"),
        IMPACTS_GROUP,
        fields=(
            Field(
                "intersectional_considerations",
                _("Intersection between characteristics"),
                TEXTAREA,
                hint=_(
                    "For example older disabled women, or young Black men. Audit Wales found this is often missed."
                ),
                optional=True,
            ),
            Field(
                "psed_eliminate",
                _(
                    "How does the proposal bear on eliminating discrimination, harassment and victimisation?"
                ),
                TEXTAREA,
            ),
            Field(
                "psed_advance",
                _("How does it bear on advancing equality of opportunity?"),
                TEXTAREA,
            ),
            Field("psed_foster", _("How does it bear on fostering good relations?"), TEXTAREA),
        ),
    ),
    Section(
        "other_groups",
        _("Other groups"),
        IMPACTS_GROUP,
        rows=Rows(
            _("group"),
            (
                Field(
                    "group",
                    _("Group"),
                    TEXT,
                    required=True,
                    error=_("Enter the group."),
                    hint=_(
                        "For example carers, care-experienced people, the armed forces community."
                    ),
                ),
                Field(
                    "impact",
                    _("Impact"),
                    CHOICE,
                    IMPACTS,
                    required=True,
                    error=_("Choose the impact."),
                ),
                Field("evidence", _("Evidence"), TEXTAREA, optional=True),
                Field("mitigation", _("Mitigation"), TEXTAREA, optional=True),
            ),
            title_field="group",
        ),
        optional=True,
        hint=_("Groups your local policy asks about."),
    ),
    Section(
        "socio_economic",
        _("Socio-economic disadvantage"),
        IMPACTS_GROUP,
        fields=(
            Field(
                "se_communities_of_interest",
                _("Communities of interest affected"),
                TEXTAREA,
                hint=_("For example staff on the lowest pay bands."),
            ),
            Field(
                "se_communities_of_place",
                _("Communities of place affected"),
                TEXTAREA,
                hint=_("For example staff at sites with poor public transport."),
            ),
            Field("se_evidence", _("Evidence"), TEXTAREA),
            Field("se_impact", _("Impact"), CHOICE, IMPACTS),
            Field(
                "se_how_reduces_inequality",
                _("How could the decision reduce inequalities of outcome?"),
                TEXTAREA,
            ),
            Field(
                "se_mitigation", _("Mitigation"), TEXTAREA, hint=_("Needed for a negative impact.")
            ),
        ),
        hint=_(
            "The socio-economic duty: strategic decisions must have due regard to reducing inequalities of outcome."
        ),
    ),
    Section(
        "welsh_language",
        _("Welsh language"),
        IMPACTS_GROUP,
        fields=(
            Field(
                "wl_effect_opportunities",
                _("Effect on opportunities for people to use Welsh"),
                CHOICE,
                WL_EFFECTS,
            ),
            Field(
                "wl_effect_opportunities_detail",
                _("Explain the effect on opportunities to use Welsh"),
                TEXTAREA,
            ),
            Field(
                "wl_effect_no_less_favourable",
                _("Effect on treating Welsh no less favourably than English"),
                CHOICE,
                WL_EFFECTS,
            ),
            Field(
                "wl_effect_no_less_favourable_detail",
                _("Explain the effect on treating Welsh no less favourably"),
                TEXTAREA,
            ),
            Field(
                "wl_increase_positive",
                _("How could the system have positive effects, or more positive effects?"),
                TEXTAREA,
            ),
            Field(
                "wl_reduce_adverse",
                _("How could it have no adverse effects, or smaller ones?"),
                TEXTAREA,
            ),
            Field(
                "wl_mitigation", _("Mitigation"), TEXTAREA, hint=_("Needed for a negative effect.")
            ),
            Field(
                "wl_interface",
                _("Welsh-language capability: interface"),
                CHOICE,
                WL_CAPABILITY,
                optional=True,
            ),
            Field(
                "wl_outputs",
                _("Welsh-language capability: outputs and notices"),
                CHOICE,
                WL_CAPABILITY,
                optional=True,
            ),
            Field(
                "wl_processing_input",
                _("Welsh-language capability: processing Welsh text or speech"),
                CHOICE,
                WL_CAPABILITY,
                optional=True,
            ),
            Field(
                "wl_factors_considered",
                _("Factors considered"),
                MULTI,
                WL_FACTORS,
                optional=True,
                hint=_("From the Welsh Language Commissioner's list."),
            ),
            Field(
                "wl_consultation_doc_published",
                _("Was a consultation document published?"),
                YESNO,
                optional=True,
            ),
            Field(
                "wl_consultation_doc_considered",
                _("Did it consider and seek views on the effects on the Welsh language?"),
                YESNO,
                optional=True,
            ),
        ),
        hint=_(
            "The policy-making standards: effects on opportunities to use Welsh and on treating Welsh no less favourably than English."
        ),
    ),
    Section(
        "wellbeing_goals",
        _("Well-being goals"),
        IMPACTS_GROUP,
        rows=Rows(
            _("well-being goal"),
            (
                Field(
                    "contribution",
                    _("Contribution to the goal"),
                    CHOICE,
                    GOAL_CONTRIBUTIONS,
                    required=True,
                    error=_("Choose the contribution to the goal."),
                ),
                Field("explanation", _("Explain"), TEXTAREA, optional=True),
                Field(
                    "mitigation",
                    _("Mitigation of a negative contribution"),
                    TEXTAREA,
                    optional=True,
                ),
            ),
            title_field="contribution",
            fixed=GOALS,
        ),
        hint=_("The seven goals of the Well-being of Future Generations (Wales) Act 2015."),
    ),
    Section(
        "ways_of_working",
        _("Five ways of working"),
        IMPACTS_GROUP,
        fields=(
            *(
                Field(name, label, TEXTAREA, hint=_("How was this way of working applied?"))
                for name, label in WAYS_OF_WORKING
            ),
            Field(
                "wellbeing_objectives",
                _("Link to the body's well-being objectives"),
                TEXTAREA,
                optional=True,
            ),
        ),
    ),
    Section(
        "human_rights",
        _("Human rights"),
        IMPACTS_GROUP,
        rows=Rows(
            _("article"),
            (
                Field(
                    "article",
                    _("Article"),
                    CHOICE,
                    HUMAN_RIGHTS_ARTICLES,
                    required=True,
                    error=_("Choose the article."),
                ),
                Field(
                    "impact",
                    _("Impact"),
                    CHOICE,
                    IMPACTS,
                    required=True,
                    error=_("Choose the impact."),
                ),
                Field("mitigation", _("Mitigation"), TEXTAREA, optional=True),
            ),
            title_field="article",
        ),
        optional=True,
        hint=_("Recommended for systems that monitor workers."),
    ),
    Section(
        "outcome",
        _("Outcome"),
        DECISION,
        fields=(
            Field("outcome", _("What is the outcome of the assessment?"), CHOICE, OUTCOMES),
            Field(
                "outcome_justification",
                _("Justification"),
                TEXTAREA,
                hint=_("Needed when you continue with justification or stop."),
            ),
            Field(
                "substantial_impact",
                _("Does the assessment show a substantial impact, or a likely one?"),
                YESNO,
                hint=_("If so, a report of the assessment must be published (regulation 8(1)(d))."),
            ),
        ),
    ),
    Section(
        "monitoring",
        _("Action plan and monitoring"),
        DECISION,
        fields=(
            Field(
                "monitoring_arrangements",
                _("How will the real impact be monitored?"),
                TEXTAREA,
                hint=_(
                    "For example a quarterly parity report to the partnership forum (regulation 8(1)(c)). Actions go in the system's action plan."
                ),
            ),
        ),
    ),
    Section(
        "publication",
        _("Publication"),
        DECISION,
        fields=(
            Field("report_purpose", _("The purpose of what was assessed"), TEXTAREA),
            Field("report_steps", _("Summary of the steps taken to assess it"), TEXTAREA),
            Field(
                "report_information", _("Summary of the information taken into account"), TEXTAREA
            ),
            Field("report_results", _("The results of the assessment"), TEXTAREA),
            Field("report_decisions", _("Decisions taken in relation to the results"), TEXTAREA),
            Field("published_url", _("Where the report is published"), URL),
            Field("published_on", _("Date published"), DATE, date_rule="past"),
        ),
        hint=_("Needed when the impact is substantial (regulation 8(2))."),
    ),
    Section(
        "signoff",
        _("Sign-off"),
        DECISION,
        fields=(
            *_person("completed_by", _("Completed by")),
            *_person("equality_lead_reviewed_by", _("Reviewed by the equality lead")),
            Field("next_review_due", _("Next review due"), DATE, date_rule="future"),
        ),
    ),
)


def se_applicable(content: dict, ctx: RuleContext) -> bool:
    """Section F applies to strategic decisions of the bodies named in the duty."""
    return ctx.organisation_kind in SED_KINDS and content.get("strategic_decision") == "yes"


def wl_applicable(content: dict) -> bool:
    return content.get("policy_decision_welsh_standards") != "no"


def characteristic_rows(content: dict) -> list[dict]:
    return rows_of(content, DEFINITION.section("characteristics"))


class EqiaDefinition(Definition):
    kind = Kind.EQIA
    sections = SECTIONS

    def initial(self, system) -> dict[str, Any]:
        content: dict[str, Any] = {
            # GovReg default: a system that manages workers is always relevant to the duty.
            "psed_relevant": "yes",
            "policy_decision_welsh_standards": "yes",
            "who_is_affected": ["employees"],
            "assessment_type": "review_of_existing"
            if system.needs_initial_assessment
            else "new_proposal",
        }
        if system.workers_affected:
            content["headcount"] = system.workers_affected
        return content

    def applies(self, section: Section, content: dict, ctx: RuleContext) -> bool:
        if section.slug == "socio_economic":
            return se_applicable(content, ctx)
        if section.slug == "welsh_language":
            return wl_applicable(content)
        if section.slug == "publication":
            return content.get("substantial_impact") == "yes"
        return True

    def derived(self, content: dict, ctx: RuleContext) -> dict[str, Any]:
        rows = characteristic_rows(content)
        return {
            "outcome": content.get("outcome"),
            "se_applicable": se_applicable(content, ctx),
            "negative": [r["id"] for r in rows if r.get("impact") == "negative"],
            "unknown": [r["id"] for r in rows if r.get("impact") == "unknown"],
        }

    def warnings(self, content: dict, ctx: RuleContext) -> list[str]:
        out = []
        if content.get("outcome") == "stop":
            out.append(
                gettext(
                    "The outcome is “stop”: the system cannot move to pilot or use. Consider "
                    "pausing or retiring it."
                )
            )
        if not filled(content.get("intersectional_considerations")):
            out.append(
                gettext("Consider the intersection between characteristics (Audit Wales finding).")
            )
        return out

    def problems(self, content: dict, ctx: RuleContext) -> list[Problem]:
        p: list[Problem] = []

        def need(section, name, message, stage="submit"):
            if not filled(content.get(name)):
                p.append(Problem(section, str(message), stage, name))

        need("header", "lead_officer", _("Name the lead officer."))
        need("header", "start_date", _("Give the start date."))
        need("header", "assessment_type", _("Say what is being assessed."))
        need("screening", "strategic_decision", _("Say whether this is a strategic decision."))
        need(
            "screening",
            "policy_decision_welsh_standards",
            _("Say whether the Welsh language policy-making standards apply."),
        )
        need("aims", "aims", _("Describe the aims."))
        need("aims", "who_is_affected", _("Choose who is affected."))
        need("aims", "headcount", _("Enter how many people are affected."))

        rows = characteristic_rows(content)
        for row in rows:
            label = dict(CHARACTERISTICS)[row["id"]]
            impact = row.get("impact")
            if not impact:
                p.append(
                    Problem(
                        "characteristics",
                        gettext("%(c)s: choose the impact.") % {"c": label},
                        "submit",
                        row=row["id"],
                    )
                )
                continue
            for message in _validate_characteristic(row, content, row["id"]).values():
                p.append(Problem("characteristics", f"{label}: {message}", "submit", row=row["id"]))
            if impact == "negative":
                if not filled(row.get("mitigation")):
                    p.append(
                        Problem(
                            "characteristics",
                            gettext("%(c)s: describe the mitigation of the negative impact.")
                            % {"c": label},
                            APPROVE,
                            row=row["id"],
                        )
                    )
                if not row.get("residual_adverse"):
                    p.append(
                        Problem(
                            "characteristics",
                            gettext(
                                "%(c)s: say whether an adverse impact remains after mitigation."
                            )
                            % {"c": label},
                            APPROVE,
                            row=row["id"],
                        )
                    )
                elif row.get("residual_adverse") == "yes" and not filled(row.get("justification")):
                    p.append(
                        Problem(
                            "characteristics",
                            gettext("%(c)s: justify the remaining adverse impact.") % {"c": label},
                            APPROVE,
                            row=row["id"],
                        )
                    )
            if impact == "unknown" and f"characteristics/{row['id']}" not in ctx.action_refs:
                p.append(
                    Problem(
                        "characteristics",
                        gettext(
                            "%(c)s: the impact is not known, so add an action to gather the evidence."
                        )
                        % {"c": label},
                        APPROVE,
                        row=row["id"],
                    )
                )

        if not content.get("evidence"):
            p.append(Problem("evidence", gettext("Add at least one evidence source."), APPROVE))
        if not content.get("engagement"):
            p.append(Problem("engagement", gettext("Add at least one engagement record."), APPROVE))
        need(
            "general_duty",
            "psed_eliminate",
            _("Say how the proposal bears on eliminating discrimination."),
            APPROVE,
        )
        need(
            "general_duty",
            "psed_advance",
            _("Say how it bears on advancing equality of opportunity."),
            APPROVE,
        )
        need(
            "general_duty",
            "psed_foster",
            _("Say how it bears on fostering good relations."),
            APPROVE,
        )

        negatives_unmitigated = [
            r for r in rows if r.get("impact") == "negative" and not filled(r.get("mitigation"))
        ]
        if se_applicable(content, ctx):
            for name, message in (
                ("se_communities_of_interest", _("Describe the communities of interest affected.")),
                ("se_communities_of_place", _("Describe the communities of place affected.")),
                ("se_evidence", _("Give the evidence on socio-economic disadvantage.")),
                ("se_impact", _("Choose the socio-economic impact.")),
                (
                    "se_how_reduces_inequality",
                    _("Say how the decision could reduce inequalities of outcome."),
                ),
            ):
                need("socio_economic", name, message, APPROVE)
            if content.get("se_impact") == "negative":
                need(
                    "socio_economic",
                    "se_mitigation",
                    _("Describe the mitigation of the socio-economic impact."),
                    APPROVE,
                )
                if not filled(content.get("se_mitigation")):
                    negatives_unmitigated.append({"id": "socio_economic"})
        if wl_applicable(content):
            for name, message in (
                ("wl_effect_opportunities", _("Choose the effect on opportunities to use Welsh.")),
                (
                    "wl_effect_opportunities_detail",
                    _("Explain the effect on opportunities to use Welsh."),
                ),
                (
                    "wl_effect_no_less_favourable",
                    _("Choose the effect on treating Welsh no less favourably."),
                ),
                (
                    "wl_effect_no_less_favourable_detail",
                    _("Explain the effect on treating Welsh no less favourably."),
                ),
                ("wl_increase_positive", _("Say how the effects could be more positive.")),
                ("wl_reduce_adverse", _("Say how adverse effects could be avoided or reduced.")),
            ):
                need("welsh_language", name, message, APPROVE)
            if "negative" in (
                content.get("wl_effect_opportunities"),
                content.get("wl_effect_no_less_favourable"),
            ):
                need(
                    "welsh_language",
                    "wl_mitigation",
                    _("Describe the mitigation of the negative effect on Welsh."),
                    APPROVE,
                )
                if not filled(content.get("wl_mitigation")):
                    negatives_unmitigated.append({"id": "welsh_language"})
            if (
                content.get("wl_consultation_doc_published") == "yes"
                and content.get("wl_consultation_doc_considered") != "yes"
            ):
                p.append(
                    Problem(
                        "welsh_language",
                        gettext(
                            "A published consultation document must consider and seek views on the effects on Welsh."
                        ),
                        APPROVE,
                        "wl_consultation_doc_considered",
                    )
                )
            for row in rows_of(content, DEFINITION.section("wellbeing_goals")):
                if not row.get("contribution"):
                    p.append(
                        Problem(
                            "wellbeing_goals",
                            gettext("%(goal)s: choose the contribution.")
                            % {"goal": dict(GOALS)[row["id"]]},
                            APPROVE,
                            row=row["id"],
                        )
                    )
            for name, label in WAYS_OF_WORKING:
                need(
                    "ways_of_working",
                    name,
                    _("Say how “%(way)s” was applied.") % {"way": label},
                    APPROVE,
                )

        outcome = content.get("outcome")
        need("outcome", "outcome", _("Choose the outcome."), APPROVE)
        if outcome in ("continue_with_justification", "stop"):
            need(
                "outcome",
                "outcome_justification",
                _("Give the justification for the outcome."),
                APPROVE,
            )
        if outcome == "no_major_change" and negatives_unmitigated:
            p.append(
                Problem(
                    "outcome",
                    gettext(
                        "“No major change” cannot be chosen while a negative impact has no mitigation."
                    ),
                    APPROVE,
                    "outcome",
                )
            )
        need("outcome", "substantial_impact", _("Say whether the impact is substantial."), APPROVE)
        needs_action = outcome == "adjust" or any(
            r.get("impact") in ("negative", "unknown") for r in rows
        )
        if needs_action and not ctx.action_refs:
            p.append(
                Problem(
                    "monitoring", gettext("Add at least one action to the action plan."), APPROVE
                )
            )
        need(
            "monitoring",
            "monitoring_arrangements",
            _("Describe how the impact will be monitored."),
            APPROVE,
        )
        if content.get("substantial_impact") == "yes":
            for name, message in (
                ("report_purpose", _("Give the purpose of what was assessed.")),
                ("report_steps", _("Summarise the steps taken.")),
                ("report_information", _("Summarise the information taken into account.")),
                ("report_results", _("Give the results.")),
                ("report_decisions", _("Give the decisions taken.")),
                ("published_url", _("Give the address of the published report.")),
                ("published_on", _("Give the date of publication.")),
            ):
                need("publication", name, message, APPROVE)
        need_person(p, content, "signoff", "completed_by", _("Completed by"))
        need_person(
            p, content, "signoff", "equality_lead_reviewed_by", _("Reviewed by the equality lead")
        )
        need("signoff", "next_review_due", _("Give the date of the next review."), APPROVE)
        review = parse_date(content.get("next_review_due"))
        if review and review < ctx.today:
            p.append(
                Problem(
                    "signoff",
                    gettext("The next review date is in the past."),
                    APPROVE,
                    "next_review_due",
                )
            )
        return p


DEFINITION = EqiaDefinition()

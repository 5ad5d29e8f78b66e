"""What a public system page shows: the ATRS Tier 1 summary and Tier 2 detail, as rows of
plain-language labels and values (English fallback marked as English on Welsh pages)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registers.display import display_value, field_label
from registers.models import AlgorithmicSystem
from registers.sections import DATA_SPEC_FIELDS, MODEL_SPEC_FIELDS


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    lang: str = ""  # "en" when English content is shown on a Welsh page
    kind: str = "text"  # "url" or "email" are shown as links


@dataclass(frozen=True)
class Part:
    slug: str
    title: Promise
    intro: Promise
    rows: list[Row]


# Tier 2 parts: (slug, title, plain-language intro, fields). The accountable manager (a person)
# is never shown; the senior responsible owner is a role title.
TIER2 = (
    (
        "owner",
        _("Who is responsible"),
        _("The body and team responsible for the tool, and any supplier involved."),
        (
            "organisation_or_department",
            "team",
            "senior_responsible_owner",
            "external_supplier_involvement",
            "external_supplier",
            "companies_house_number",
            "external_supplier_role",
            "procurement_procedure_type",
            "data_access_terms",
        ),
    ),
    (
        "rationale",
        _("What it does and why"),
        _("How the tool works, what it is for and what was done before."),
        ("detailed_description", "scope", "benefit", "previous_process", "alternatives_considered"),
    ),
    (
        "deployment",
        _("How it is used in decisions"),
        _("Where the tool fits in the work, what people see, and how people check its results."),
        (
            "process_integration",
            "provided_information",
            "frequency_and_scale_of_usage",
            "human_decisions_and_review",
            "required_training",
            "appeals_and_review",
        ),
    ),
    (
        "tool",
        _("The technology"),
        _("What goes in and comes out of the tool, and how it is maintained."),
        (
            "system_architecture",
            "system_level_input",
            "system_level_output",
            "maintenance",
            "tool_models",
        ),
    ),
    (
        "risks",
        _("Risks and impact assessments"),
        _("The assessments made and the risks found, with how each is reduced."),
        ("impact_assessment", "risks_and_mitigations"),
    ),
)


def rows(instance, names, *, lang: str = "") -> list[Row]:
    return [Row(field_label(type(instance), n), display_value(instance, n), lang) for n in names]


def english_marker() -> str:
    """``"en"`` on Welsh pages, where record text the body wrote in English is shown."""
    return "en" if get_language() == "cy" else ""


def welsh_or_english(system: AlgorithmicSystem, name: str) -> Row:
    """A Tier 1 text in Welsh on Welsh pages when the body gave one, else in English."""
    english = getattr(system, name)
    welsh = getattr(system, f"{name}_cy", "")
    if get_language() == "cy" and welsh:
        return Row(field_label(AlgorithmicSystem, name), welsh, "")
    return Row(field_label(AlgorithmicSystem, name), english, english_marker())


def tier1(system: AlgorithmicSystem) -> list[Row]:
    return [
        welsh_or_english(system, "description"),
        Row(
            field_label(AlgorithmicSystem, "website_url"),
            system.website_url,
            kind="url"
            if system.website_url.lower().startswith(("https://", "http://"))
            else "text",
        ),
        Row(field_label(AlgorithmicSystem, "contact_email"), system.contact_email, kind="email"),
        Row(field_label(AlgorithmicSystem, "region"), display_value(system, "region")),
        Row(field_label(AlgorithmicSystem, "capability"), display_value(system, "capability")),
        Row(
            _("Decisions about workers it takes or supports"),
            display_value(system, "employment_decisions"),
        ),
    ]


def tier2(system: AlgorithmicSystem) -> list[Part]:
    marker = english_marker()
    return [
        Part(slug, title, intro, rows(system, names, lang=marker))
        for slug, title, intro, names in TIER2
    ]


def specifications(system: AlgorithmicSystem) -> tuple[list[list[Row]], list[list[Row]]]:
    """Rows of each model and data specification (prefetched: no queries per item)."""
    marker = english_marker()
    models = [
        rows(spec, MODEL_SPEC_FIELDS, lang=marker) for spec in system.model_specifications.all()
    ]
    data = [rows(spec, DATA_SPEC_FIELDS, lang=marker) for spec in system.data_specifications.all()]
    return models, data

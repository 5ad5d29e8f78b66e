"""The record's sections: the ATRS sections plus the Welsh-guidance sections.

Each section has its own form page in the task list (GOV.UK task-list pattern) and a
completion status derived from which of its fields are filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
NOT_APPLICABLE = "not_applicable"

STATUS_LABELS = {
    NOT_STARTED: _("Not yet started"),
    IN_PROGRESS: _("In progress"),
    COMPLETED: _("Completed"),
    NOT_APPLICABLE: _("Not applicable"),
}


@dataclass(frozen=True)
class Section:
    slug: str
    title: Promise
    group: Promise
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    hint: Promise | str = ""
    # For sections of repeating blocks (model and data specifications).
    related_name: str | None = None
    optional: bool = False
    applies_if: tuple[str, str] | None = field(default=None)

    def applies(self, system) -> bool:
        if self.applies_if is None:
            return True
        name, value = self.applies_if
        return getattr(system, name) == value

    def status(self, system, related_count: int | None = None) -> str:
        if not self.applies(system):
            return NOT_APPLICABLE
        if self.related_name:
            if related_count:
                return COMPLETED
            return NOT_APPLICABLE if self.optional else NOT_STARTED
        filled = [name for name in self.fields if _filled(getattr(system, name))]
        if all(_filled(getattr(system, name)) for name in self.required) and filled:
            return COMPLETED
        return IN_PROGRESS if filled else NOT_STARTED

    def missing(self, system) -> list[str]:
        """Verbose names of the required fields still empty."""
        if not self.applies(system) or self.related_name:
            return []
        meta = type(system)._meta
        return [
            str(meta.get_field(name).verbose_name)
            for name in self.required
            if not _filled(getattr(system, name))
        ]


def _filled(value) -> bool:
    return value not in (None, "", [], {})


# ATRS Tier 2 repeating parts (the "models" and "data" sections): the fields of each block,
# in the standard's order. The import/export keys, the system page, the public register and
# the packs all read them from here.
MODEL_SPEC_FIELDS = (
    "model_name",
    "model_version",
    "model_task",
    "model_input",
    "model_output",
    "model_architecture",
    "model_performance",
    "datasets",
    "dataset_purposes",
)
DATA_SPEC_FIELDS = (
    "source_data_name",
    "data_modality",
    "data_description",
    "data_quantities",
    "sensitive_attributes",
    "data_completeness_and_representativeness",
    "source_data_url",
    "data_collection",
    "data_cleaning",
    "data_sharing_agreements",
    "data_access_and_storage",
)

ATRS = _("ATRS record")
GUIDANCE = _("Welsh guidance: managing technology that manages people")

SECTIONS: tuple[Section, ...] = (
    Section(
        "summary",
        _("Summary information (Tier 1)"),
        ATRS,
        fields=(
            "name",
            "one_sentence_description",
            "description",
            "website_url",
            "contact_email",
            "region",
            "capability",
        ),
        required=("name", "one_sentence_description", "description", "contact_email"),
        hint=_("The short public summary of the tool."),
    ),
    Section(
        "owner",
        _("Owner and responsibility"),
        ATRS,
        fields=(
            "organisation_or_department",
            "team",
            "senior_responsible_owner",
            "accountable_manager",
            "external_supplier_involvement",
            "external_supplier",
            "companies_house_number",
            "external_supplier_role",
            "procurement_procedure_type",
            "data_access_terms",
        ),
        required=(
            "organisation_or_department",
            "team",
            "senior_responsible_owner",
            "accountable_manager",
            "external_supplier_involvement",
        ),
    ),
    Section(
        "rationale",
        _("Description and rationale"),
        ATRS,
        fields=(
            "detailed_description",
            "scope",
            "benefit",
            "previous_process",
            "alternatives_considered",
        ),
        required=("detailed_description", "scope", "benefit"),
    ),
    Section(
        "deployment",
        _("Deployment context"),
        ATRS,
        fields=(
            "process_integration",
            "provided_information",
            "frequency_and_scale_of_usage",
            "human_decisions_and_review",
            "required_training",
            "appeals_and_review",
        ),
        required=(
            "process_integration",
            "provided_information",
            "frequency_and_scale_of_usage",
            "human_decisions_and_review",
            "required_training",
        ),
    ),
    Section(
        "tool",
        _("Tool specification"),
        ATRS,
        fields=(
            "system_architecture",
            "system_level_input",
            "system_level_output",
            "maintenance",
            "tool_models",
        ),
        required=(
            "system_architecture",
            "system_level_input",
            "system_level_output",
            "maintenance",
        ),
    ),
    Section(
        "models",
        _("Model specifications"),
        ATRS,
        related_name="model_specifications",
        optional=True,
        hint=_(
            "One for each model inside the tool. Leave empty for off-the-shelf tools you have not trained."
        ),
    ),
    Section(
        "data",
        _("Data specifications"),
        ATRS,
        related_name="data_specifications",
        optional=True,
        hint=_("One for each dataset used to develop or run the tool."),
    ),
    Section(
        "risks",
        _("Risks, mitigations and impact assessments"),
        ATRS,
        fields=("impact_assessment", "risks_and_mitigations"),
        required=("impact_assessment", "risks_and_mitigations"),
    ),
    Section(
        "readiness",
        _("Build or buy, and readiness"),
        GUIDANCE,
        fields=("build_or_buy", "readiness_check"),
        required=("build_or_buy", "readiness_check"),
    ),
    Section(
        "workers",
        _("Workers and decisions affected"),
        GUIDANCE,
        fields=("worker_groups", "workers_affected", "employment_decisions"),
        required=("worker_groups", "workers_affected", "employment_decisions"),
    ),
    Section(
        "oversight",
        _("Human oversight"),
        GUIDANCE,
        fields=(
            "human_in_the_loop",
            "human_in_command",
            "override_and_switch_off",
            "training_plan",
        ),
        required=(
            "human_in_the_loop",
            "human_in_command",
            "override_and_switch_off",
            "training_plan",
        ),
    ),
    Section(
        "supplier",
        _("Supplier and contract"),
        GUIDANCE,
        fields=("contract_reference", "contract_end_date", "supplier_welsh_language", "exit_plan"),
        required=("supplier_welsh_language", "exit_plan"),
        applies_if=("external_supplier_involvement", "yes"),
    ),
    Section(
        "welsh",
        _("Welsh-language summary"),
        GUIDANCE,
        fields=("name_cy", "one_sentence_description_cy", "description_cy"),
        required=("name_cy", "one_sentence_description_cy", "description_cy"),
        hint=_("The Tier 1 summary in Welsh, shown on the Welsh public register."),
    ),
)

BY_SLUG = {section.slug: section for section in SECTIONS}
FIELD_SECTIONS = tuple(s for s in SECTIONS if not s.related_name)


def section_statuses(system) -> list[tuple[Section, str]]:
    """Each section with its status; uses prefetched specifications when present."""
    rows = []
    for section in SECTIONS:
        count = None
        if section.related_name:
            count = len(getattr(system, section.related_name).all())
        rows.append((section, section.status(system, count)))
    return rows

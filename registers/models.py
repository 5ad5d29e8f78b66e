"""The register: an ATRS-style record of each algorithmic system, with its evidence.

Field names of ``AlgorithmicSystem`` are the canonical ATRS v3.0 attribute names
(``domain/atrs.md`` §4) plus the v4.0 additions ``system_level_input``/``system_level_output``,
so import and export map one to one. GovReg's own fields (Welsh guidance) follow them.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from govreg.public_ids import PublicIdModel

from .choices import (
    ATRS_PHASE_FOR_STAGE,
    BuildOrBuy,
    Capability,
    DataModality,
    EmploymentDecision,
    LifecycleStage,
    PublicationStatus,
    Region,
    WelshLanguageCapability,
    YesNo,
)
from .fields import MultipleChoiceField

# The register's columns (the page and the API's list), read as ``values()`` rows: one flat
# row per system instead of a system, its body and its manager as model instances.
REGISTER_COLUMNS = (
    "uuid",
    "reference",
    "name",
    "name_cy",
    "one_sentence_description",
    "one_sentence_description_cy",
    "organisation__slug",
    "organisation__name",
    "organisation__name_cy",
    "lifecycle_stage",
    "publication_status",
    "accountable_manager__uuid",
    "accountable_manager__full_name",
    "accountable_manager__email",
    "next_review_date",
    "updated_at",
)


class AlgorithmicSystemQuerySet(models.QuerySet):
    def for_register(self):
        """Rows of the register list: one query, no per-row lookups."""
        return self.select_related("organisation", "accountable_manager").only(
            "id", "organisation__id", "accountable_manager__id", *REGISTER_COLUMNS
        )

    def for_detail(self):
        return self.select_related("organisation", "accountable_manager").prefetch_related(
            "model_specifications", "data_specifications"
        )

    def published(self):
        return self.filter(publication_status=PublicationStatus.PUBLISHED)


class AlgorithmicSystem(PublicIdModel):
    """One algorithmic or AI system that manages workers, as the body records it."""

    tenant_path = "organisation"

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="systems",
        verbose_name=_("organisation"),
    )
    reference = models.SlugField(
        _("reference"),
        max_length=80,
        help_text=_("The body's stable reference for this record, used in imports and exports."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    # --- ATRS metadata / title information
    one_sentence_description = models.CharField(
        _("one sentence description"),
        max_length=300,
        blank=True,
        help_text=_("Shown under the record's title in the register."),
    )
    region = models.CharField(
        _("region"), max_length=32, choices=Region.choices, default=Region.WALES
    )
    capability = MultipleChoiceField(
        _("capability"), options=Capability.choices, help_text=_("Broad kind of capability.")
    )
    standard_version = models.CharField(
        _("ATRS version"), max_length=8, default="3.0", editable=False
    )

    # --- Tier 1
    name = models.CharField(_("name"), max_length=200, help_text=_("The everyday name of the tool."))
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the tool is for and why it is used, in two or three plain sentences."),
    )
    website_url = models.URLField(_("website URL"), blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("A team mailbox, not a named person.")
    )

    # --- Tier 2: owner and responsibility
    organisation_or_department = models.CharField(
        _("organisation or department"), max_length=200, blank=True
    )
    team = models.CharField(_("team"), max_length=200, blank=True)
    senior_responsible_owner = models.CharField(
        _("senior responsible owner"),
        max_length=200,
        blank=True,
        help_text=_("The accountable senior role (a role title, not a name)."),
    )
    external_supplier_involvement = models.CharField(
        _("third-party involvement"), max_length=3, choices=YesNo.choices, blank=True
    )
    external_supplier = models.CharField(_("third party"), max_length=500, blank=True)
    companies_house_number = models.CharField(
        _("Companies House number"), max_length=200, blank=True
    )
    external_supplier_role = models.TextField(_("third-party role"), blank=True)
    procurement_procedure_type = models.CharField(
        _("procurement procedure type"), max_length=200, blank=True
    )
    data_access_terms = models.TextField(_("third-party data access terms"), blank=True)

    # --- Tier 2: description and rationale
    detailed_description = models.TextField(_("detailed description"), blank=True)
    scope = models.TextField(
        _("scope"), blank=True, help_text=_("What the tool is and is not designed to do.")
    )
    benefit = models.TextField(_("benefits"), blank=True)
    previous_process = models.TextField(_("previous process"), blank=True)
    alternatives_considered = models.TextField(_("alternatives considered"), blank=True)

    # --- Tier 2: deployment context (decision-making process)
    process_integration = models.TextField(
        _("integration into the wider process"), blank=True
    )
    provided_information = models.TextField(_("information given to decision-makers"), blank=True)
    frequency_and_scale_of_usage = models.TextField(_("frequency and scale of use"), blank=True)
    human_decisions_and_review = models.TextField(_("human decisions and review"), blank=True)
    required_training = models.TextField(_("required training"), blank=True)
    appeals_and_review = models.TextField(_("appeals and review"), blank=True)

    # --- Tier 2: tool specification
    system_architecture = models.TextField(_("system architecture"), blank=True)
    system_level_input = models.TextField(_("system-level input"), blank=True)
    system_level_output = models.TextField(_("system-level output"), blank=True)
    maintenance = models.TextField(_("maintenance"), blank=True)
    # ATRS ``models`` (renamed: ``models`` would shadow django.db.models in this class body).
    tool_models = models.TextField(
        _("models"), blank=True, help_text=_("The models inside the tool.")
    )

    # --- Tier 2: risks, mitigations and impact assessments
    impact_assessment = models.TextField(_("impact assessments"), blank=True)
    risks_and_mitigations = models.TextField(_("risks and mitigations"), blank=True)

    # --- Welsh guidance: lifecycle and decision to build or buy
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.PLANNING,
    )
    needs_initial_assessment = models.BooleanField(
        _("already in use when first recorded (needs assessment)"), default=False
    )
    build_or_buy = models.CharField(
        _("build or buy"), max_length=20, choices=BuildOrBuy.choices, blank=True
    )
    readiness_check = models.TextField(
        _("readiness check"),
        blank=True,
        help_text=_(
            "Is the organisation ready: the problem to solve, data, skills, budget, and "
            "whether a non-algorithmic option would do."
        ),
    )

    # --- Welsh guidance: workers affected
    worker_groups = models.TextField(_("worker groups affected"), blank=True)
    workers_affected = models.PositiveIntegerField(
        _("number of workers affected"), null=True, blank=True
    )
    employment_decisions = MultipleChoiceField(
        _("employment decisions it takes or supports"), options=EmploymentDecision.choices
    )

    # --- Welsh guidance: human oversight
    human_in_the_loop = models.TextField(
        _("human in the loop"),
        blank=True,
        help_text=_("How a person takes part in significant decisions about individuals."),
    )
    human_in_command = models.TextField(
        _("human in command"),
        blank=True,
        help_text=_("How senior managers stay accountable for the system and decisions made with it."),
    )
    override_and_switch_off = models.TextField(
        _("override and switch-off"),
        blank=True,
        help_text=_("How a manager overrides an output, or pauses or switches the system off."),
    )
    training_plan = models.TextField(_("training plan"), blank=True)

    # --- Welsh guidance: supplier and contract
    contract_reference = models.CharField(_("contract reference"), max_length=200, blank=True)
    contract_end_date = models.DateField(_("contract end date"), null=True, blank=True)
    supplier_welsh_language = models.CharField(
        _("supplier's Welsh-language capability"),
        max_length=10,
        choices=WelshLanguageCapability.choices,
        blank=True,
    )
    exit_plan = models.TextField(
        _("exit plan"),
        blank=True,
        help_text=_("How the body would leave the contract and keep its data and service."),
    )

    # --- Accountability and publication
    accountable_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountable_systems",
        verbose_name=_("accountable senior manager"),
    )
    next_review_date = models.DateField(_("next review date"), null=True, blank=True)
    publication_status = models.CharField(
        _("publication status"),
        max_length=12,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )

    # --- Welsh-language content of the public record
    name_cy = models.CharField(_("name (Welsh)"), max_length=200, blank=True)
    one_sentence_description_cy = models.CharField(
        _("one sentence description (Welsh)"), max_length=300, blank=True
    )
    description_cy = models.TextField(_("description (Welsh)"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = AlgorithmicSystemQuerySet.as_manager()

    class Meta:
        verbose_name = _("algorithmic system")
        verbose_name_plural = _("algorithmic systems")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="unique_reference_per_organisation"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "lifecycle_stage"]),
            models.Index(fields=["publication_status"]),
            # The register's order: a page of 50 is read from the index, not sorted from the
            # whole table (one body's register, and an auditor's across many bodies).
            models.Index(fields=["organisation", "name", "id"], name="system_org_name_idx"),
            models.Index(fields=["name", "id"], name="system_name_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registers:system_detail", args=[self.uuid])

    @property
    def display_name(self) -> str:
        return self.name_cy if get_language() == "cy" and self.name_cy else self.name

    @property
    def display_summary(self) -> str:
        if get_language() == "cy" and self.one_sentence_description_cy:
            return self.one_sentence_description_cy
        return self.one_sentence_description

    @property
    def atrs_phase(self) -> str:
        return ATRS_PHASE_FOR_STAGE[self.lifecycle_stage]

    @property
    def title(self) -> str:
        """The ATRS record title: 'Organisation: Tool'."""
        return f"{self.organisation.name}: {self.name}"


class ModelSpecification(models.Model):
    """ATRS Tier 2 model specification (one per model in the tool)."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        AlgorithmicSystem, on_delete=models.CASCADE, related_name="model_specifications"
    )
    position = models.PositiveSmallIntegerField(default=1)
    model_name = models.CharField(_("model name"), max_length=200)
    model_version = models.CharField(_("model version"), max_length=100, blank=True)
    model_task = models.TextField(_("model task"), blank=True)
    model_input = models.TextField(_("model input"), blank=True)
    model_output = models.TextField(_("model output"), blank=True)
    model_architecture = models.TextField(_("model architecture"), blank=True)
    model_performance = models.TextField(_("model performance"), blank=True)
    datasets = models.TextField(_("datasets"), blank=True)
    dataset_purposes = models.TextField(_("dataset purposes"), blank=True)

    class Meta:
        verbose_name = _("model specification")
        verbose_name_plural = _("model specifications")
        ordering = ["position", "id"]

    def __str__(self):
        return self.model_name


class DataSpecification(models.Model):
    """ATRS Tier 2 data specification (one per dataset)."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        AlgorithmicSystem, on_delete=models.CASCADE, related_name="data_specifications"
    )
    position = models.PositiveSmallIntegerField(default=1)
    source_data_name = models.CharField(_("source data name"), max_length=200)
    data_modality = models.CharField(
        _("data modality"), max_length=20, choices=DataModality.choices, blank=True
    )
    data_description = models.TextField(_("data description"), blank=True)
    data_quantities = models.TextField(_("data quantities"), blank=True)
    sensitive_attributes = models.TextField(_("sensitive attributes"), blank=True)
    data_completeness_and_representativeness = models.TextField(
        _("data completeness and representativeness"), blank=True
    )
    source_data_url = models.URLField(_("source data URL"), blank=True)
    data_collection = models.TextField(_("data collection"), blank=True)
    data_cleaning = models.TextField(_("data cleaning"), blank=True)
    data_sharing_agreements = models.TextField(_("data sharing agreements"), blank=True)
    data_access_and_storage = models.TextField(_("data access and storage"), blank=True)

    class Meta:
        verbose_name = _("data specification")
        verbose_name_plural = _("data specifications")
        ordering = ["position", "id"]

    def __str__(self):
        return self.source_data_name


def evidence_path(instance, filename):
    # A fresh UUID per upload: a stored file is never overwritten, whatever it was called.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"evidence/{instance.system.organisation_id}/{instance.uuid}.{extension}"


class Attachment(models.Model):
    """An evidence file. A new upload under the same title is a new revision; none is replaced."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        AlgorithmicSystem, on_delete=models.CASCADE, related_name="attachments"
    )
    uuid = models.UUIDField(unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["title", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "title", "revision"], name="unique_attachment_revision"
            )
        ]

    def __str__(self):
        return f"{self.title} (r{self.revision})"

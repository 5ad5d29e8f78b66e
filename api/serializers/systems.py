"""Systems: the register list, the full record, recording a new system and changing fields."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from accounts.models import Organisation, Role, User
from govreg.links import id_url
from registers.choices import Capability, EmploymentDecision, LifecycleStage
from registers.models import (
    REGISTER_COLUMNS,
    AlgorithmicSystem,
    DataSpecification,
    ModelSpecification,
)
from registers.sections import FIELD_SECTIONS

from .common import (
    ChoiceListField,
    GovRegModelSerializer,
    OrganisationRefSerializer,
    PublicIdRelatedField,
    StrictFieldsMixin,
    UserRefSerializer,
)

# Every field a section of the task list edits, in task-list order.
SECTION_FIELDS: list[str] = [name for section in FIELD_SECTIONS for name in section.fields]


class SystemLinksSerializer(serializers.Serializer):
    api = serializers.CharField(help_text=_("This record in the API."))
    atrs = serializers.CharField(help_text=_("The record in ATRS field names."))
    web = serializers.CharField(help_text=_("The record's page in GovReg."))


class SystemLinksMixin(serializers.Serializer):
    links = serializers.SerializerMethodField()

    @cached_property
    def _link_urls(self) -> dict:
        # Made once per serializer (one request; a list's rows share it), in its language.
        return {
            "api": id_url("api:system-detail"),
            "atrs": id_url("api:system-atrs"),
            "web": id_url("registers:system_detail"),
        }

    def links_for(self, public_id) -> dict:
        return {name: url(public_id) for name, url in self._link_urls.items()}

    @extend_schema_field(SystemLinksSerializer)
    def get_links(self, system) -> dict:
        return self.links_for(system.uuid)


# Dates and times written as a model serializer's fields write them (ISO 8601, in the site's
# time zone), without building a serializer's fields for each request.
DATE = serializers.DateField(read_only=True)
DATE_TIME = serializers.DateTimeField(read_only=True)


class SystemListSerializer(SystemLinksMixin, GovRegModelSerializer):
    """One row of the register (what the register page lists). Response only."""

    # The list reads its page as ``values()`` rows of the register's columns
    # (``SystemViewSet.page_values``). ``to_representation`` makes the JSON of the fields below
    # from such a row; the fields document it in the OpenAPI schema, and
    # tests/api/test_systems.py checks each row against the record's own fields.
    COLUMNS = REGISTER_COLUMNS

    organisation = OrganisationRefSerializer(read_only=True)
    accountable_manager = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AlgorithmicSystem
        fields = [
            "id",
            "reference",
            "name",
            "name_cy",
            "one_sentence_description",
            "one_sentence_description_cy",
            "organisation",
            "lifecycle_stage",
            "publication_status",
            "accountable_manager",
            "next_review_date",
            "updated_at",
            "links",
        ]

    def to_representation(self, row: dict) -> dict:
        manager = row["accountable_manager__uuid"]
        return {
            "id": str(row["uuid"]),
            "reference": row["reference"],
            "name": row["name"],
            "name_cy": row["name_cy"],
            "one_sentence_description": row["one_sentence_description"],
            "one_sentence_description_cy": row["one_sentence_description_cy"],
            "organisation": {
                "slug": row["organisation__slug"],
                "name": row["organisation__name"],
                "name_cy": row["organisation__name_cy"],
            },
            "lifecycle_stage": row["lifecycle_stage"],
            "publication_status": row["publication_status"],
            "accountable_manager": None
            if manager is None
            else {
                "id": str(manager),
                # User.get_full_name()
                "name": row["accountable_manager__full_name"] or row["accountable_manager__email"],
                "email": row["accountable_manager__email"],
            },
            "next_review_date": DATE.to_representation(row["next_review_date"]),
            "updated_at": DATE_TIME.to_representation(row["updated_at"]),
            "links": self.links_for(row["uuid"]),
        }


class SystemExportSerializer(GovRegModelSerializer):
    """One row of the register download (CSV and JSON): flat, the same columns as the page."""

    organisation = serializers.CharField(source="organisation.name", read_only=True)
    organisation_slug = serializers.CharField(source="organisation.slug", read_only=True)
    accountable_manager = serializers.SerializerMethodField()
    accountable_manager_email = serializers.SerializerMethodField()

    class Meta:
        model = AlgorithmicSystem
        fields = [
            "id",
            "reference",
            "name",
            "name_cy",
            "one_sentence_description",
            "organisation",
            "organisation_slug",
            "lifecycle_stage",
            "publication_status",
            "accountable_manager",
            "accountable_manager_email",
            "next_review_date",
            "updated_at",
        ]

    def get_accountable_manager(self, system) -> str:
        manager = system.accountable_manager
        return manager.get_full_name() if manager else ""

    def get_accountable_manager_email(self, system) -> str:
        manager = system.accountable_manager
        return manager.email if manager else ""


class ModelSpecificationSerializer(GovRegModelSerializer):
    class Meta:
        model = ModelSpecification
        exclude = ["id", "system"]


class DataSpecificationSerializer(GovRegModelSerializer):
    class Meta:
        model = DataSpecification
        exclude = ["id", "system"]


class SystemDetailSerializer(SystemLinksMixin, GovRegModelSerializer):
    """The whole record, as the system's page shows it to the bodies' members."""

    organisation = OrganisationRefSerializer(read_only=True)
    accountable_manager = UserRefSerializer(read_only=True, allow_null=True)
    capability = serializers.ListField(
        child=serializers.ChoiceField(choices=Capability.choices), read_only=True
    )
    employment_decisions = serializers.ListField(
        child=serializers.ChoiceField(choices=EmploymentDecision.choices), read_only=True
    )
    atrs_phase = serializers.CharField(read_only=True)
    model_specifications = ModelSpecificationSerializer(many=True, read_only=True)
    data_specifications = DataSpecificationSerializer(many=True, read_only=True)

    class Meta:
        model = AlgorithmicSystem
        fields = [
            "id",
            "reference",
            "version",
            "organisation",
            *SECTION_FIELDS,
            "lifecycle_stage",
            "atrs_phase",
            "needs_initial_assessment",
            "publication_status",
            "next_review_date",
            "standard_version",
            "created_at",
            "updated_at",
            "model_specifications",
            "data_specifications",
            "links",
        ]


class SystemCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """The first page of recording a system; the rest is filled in with PATCH."""

    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.none(),
        help_text=_("Slug of the body that uses the system (one where you may record systems)."),
    )
    name = serializers.CharField(max_length=200, help_text=_("The everyday name of the system."))
    one_sentence_description = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    lifecycle_stage = serializers.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in LifecycleStage
            if s not in (LifecycleStage.PAUSED, LifecycleStage.RETIRED)
        ],
        default=LifecycleStage.PLANNING,
        help_text=_(
            "A system already in pilot or in use is recorded as it is and flagged for assessment."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organisation"].queryset = permissions.organisations(request.user)


class SystemUpdateSerializer(StrictFieldsMixin, GovRegModelSerializer):
    """Fields of any sections of the record. Send only the fields you change.

    Send the ``version`` you read (or an ``If-Match`` header with the record's ETag): if the
    record changed since, nothing is saved and the answer is 409 (or 412)."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The version of the record your change is based on."),
    )
    accountable_manager = PublicIdRelatedField(
        queryset=User.objects.none(),
        allow_null=True,
        required=False,
        help_text=_("Id of a senior accountable manager of the system's body."),
    )
    capability = ChoiceListField(choices=Capability.choices, required=False)
    employment_decisions = ChoiceListField(choices=EmploymentDecision.choices, required=False)

    class Meta:
        model = AlgorithmicSystem
        fields = ["version", *SECTION_FIELDS]
        extra_kwargs = {"name": {"allow_blank": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        system = self.instance
        if system is not None:
            # As on the "Owner and responsibility" page: a senior manager of the system's body.
            self.fields["accountable_manager"].queryset = User.objects.filter(
                memberships__organisation_id=system.organisation_id,
                memberships__role=Role.SENIOR_MANAGER,
                memberships__is_active=True,
            ).distinct()

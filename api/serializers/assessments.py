"""Assessments (DPIA, EqIA, AIA versions) and their sections; the risk register; action plans."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from assessments.choices import (
    Band,
    GoodWorkPrinciple,
    Kind,
    Progress,
    RiskCategory,
    RiskStatus,
)
from assessments.models import Action, ActionUpdate, Assessment, Questionnaire, Risk
from govreg.links import url_with_id
from registers.models import AlgorithmicSystem

from .common import (
    GovRegModelSerializer,
    ProblemSerializer,
    PublicIdRelatedField,
    RevisionedChangeMixin,
    StrictFieldsMixin,
    SystemRefSerializer,
    UserRefSerializer,
)

JSON_OBJECT = {"type": "object", "additionalProperties": True}


class LinksSerializer(serializers.Serializer):
    api = serializers.CharField(help_text=_("This object in the API."))
    web = serializers.CharField(help_text=_("Its page in GovReg."))


def links(api_name: str, obj) -> dict[str, str]:
    return {"api": url_with_id(api_name, obj.uuid), "web": obj.get_absolute_url()}


class SystemField(PublicIdRelatedField):
    """``system``: the id of a system of the user's bodies (another body's is refused as an
    unknown id)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", AlgorithmicSystem.objects.none())
        kwargs.setdefault("help_text", _("Id of the system (one of your bodies')."))
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return AlgorithmicSystem.objects.none()
        return permissions.visible(request.user, AlgorithmicSystem).select_related("organisation")


# --- Assessments ------------------------------------------------------------------------------


class QuestionnaireRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Questionnaire
        fields = ["slug", "version", "title", "sha256"]
        read_only_fields = fields


class AssessmentListSerializer(GovRegModelSerializer):
    """One version of an assessment, without its content."""

    system = SystemRefSerializer(read_only=True)
    prepared_by = UserRefSerializer(read_only=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)
    questionnaire = QuestionnaireRefSerializer(read_only=True, allow_null=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "system",
            "kind",
            "version",
            "status",
            "questionnaire",
            "prepared_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "content_hash",
            "level",
            "next_review_due",
            "created_at",
            "updated_at",
            "links",
        ]

    @extend_schema_field(LinksSerializer)
    def get_links(self, assessment) -> dict:
        return links("api:assessment-detail", assessment)


class SectionSummarySerializer(serializers.Serializer):
    slug = serializers.CharField(help_text=_("Use it in …/sections/{section}/."))
    title = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["fields", "rows", "questions"],
        help_text=_(
            "`fields`: questions saved together; `rows`: repeatable rows (risks, measures, …); "
            "`questions`: a page of the AIA questionnaire."
        ),
    )
    status = serializers.CharField(
        help_text=_("not_started, in_progress, completed, not_applicable or optional.")
    )


class AssessmentDetailSerializer(AssessmentListSerializer):
    """The whole version: its content, its sections and what stops it going further."""

    submitted_by = UserRefSerializer(read_only=True, allow_null=True)
    content = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta(AssessmentListSerializer.Meta):
        fields = AssessmentListSerializer.Meta.fields + [
            "submitted_by",
            "returned_comment",
            "content",
            "result",
            "sections",
            "problems",
            "warnings",
        ]

    @extend_schema_field(JSON_OBJECT)
    def get_content(self, assessment) -> dict:
        return assessment.content

    @extend_schema_field(JSON_OBJECT)
    def get_result(self, assessment) -> dict:
        """Stored when approved; worked out from the answers until then."""
        if assessment.result:
            return assessment.result
        derived = self.context["check"].derived
        return derived.get("result", derived) if assessment.kind == Kind.AIA else derived

    @extend_schema_field(SectionSummarySerializer(many=True))
    def get_sections(self, assessment) -> list:
        return self.context["sections"]

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, assessment) -> list:
        return [
            {"section": p.section, "field": p.field, "message": str(p.message), "stage": p.stage}
            for p in self.context["check"].problems
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, assessment) -> list:
        return [str(w) for w in self.context["check"].warnings]


class AssessmentCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    system = SystemField()
    kind = serializers.ChoiceField(choices=Kind.choices)


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


FIELD_KINDS = ["text", "textarea", "choice", "multi", "yesno", "date", "int", "url", "rowref"]


class SectionFieldSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The key to send in `values`."))
    label = serializers.CharField()
    kind = serializers.ChoiceField(
        choices=FIELD_KINDS,
        help_text=_(
            "The JSON type to send: a string (text, textarea, choice, yesno, url, rowref; a date "
            "as YYYY-MM-DD), a list of strings (multi), a whole number (int); null clears it."
        ),
    )
    required = serializers.BooleanField()
    hint = serializers.CharField()
    choices = ChoiceSerializer(many=True)
    min_value = serializers.IntegerField(allow_null=True)
    max_value = serializers.IntegerField(allow_null=True)


class SectionRowSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    values = serializers.DictField(help_text=_("The row's answers by field name."))
    fingerprint = serializers.CharField(
        help_text=_("Send it back with a change to be told if someone else changed the row.")
    )


class SectionSerializer(SectionSummarySerializer):
    """One section of a version: its questions (with their types and choices) and answers."""

    group = serializers.CharField()
    fingerprint = serializers.CharField(
        allow_null=True,
        help_text=_(
            "Send it back with a change to be told if someone else saved the section meanwhile "
            "(null for sections of rows: each row has its own)."
        ),
    )
    fields = SectionFieldSerializer(many=True)
    values = serializers.DictField(
        allow_null=True, help_text=_("The answers by field name (null for sections of rows).")
    )
    rows = SectionRowSerializer(many=True, allow_null=True)
    can_add_rows = serializers.BooleanField(
        help_text=_("Rows can be added (false for fixed rows such as the nine characteristics).")
    )


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "anyOf": [
                {"type": "string"},
                {"type": "integer"},
                {"type": "array", "items": {"type": "string"}},
            ],
            "nullable": True,
        },
        "description": str(
            _(
                "Answers by field name (see GET of the section for the names and types); null "
                "clears an answer. Fields not sent keep their answers."
            )
        ),
    }
)
class ValuesField(serializers.DictField):
    pass


class SectionUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    values = ValuesField()
    fingerprint = serializers.CharField(
        required=False,
        help_text=_("The fingerprint from GET: if the section changed since, nothing is saved."),
    )


class RowCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    values = ValuesField()


class ReturnSerializer(StrictFieldsMixin, serializers.Serializer):
    comment = serializers.CharField(
        max_length=5000, help_text=_("What needs to change (the preparer sees it).")
    )


# --- Risks ------------------------------------------------------------------------------------


class RiskSerializer(GovRegModelSerializer):
    """A risk of the register, with its score and band (likelihood × impact)."""

    system = SystemRefSerializer(read_only=True)
    reference = serializers.CharField(read_only=True)
    score = serializers.IntegerField(read_only=True)
    band = serializers.ChoiceField(choices=Band.choices, read_only=True, allow_null=True)
    residual_score = serializers.IntegerField(read_only=True, allow_null=True)
    residual_band = serializers.ChoiceField(choices=Band.choices, read_only=True, allow_null=True)
    accepted_by = UserRefSerializer(read_only=True, allow_null=True)
    assessment = PublicIdRelatedField(read_only=True, allow_null=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "system",
            "number",
            "reference",
            "revision",
            "category",
            "gwc_principle",
            "description",
            "affected_groups",
            "likelihood",
            "impact",
            "score",
            "band",
            "owner",
            "mitigation",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "residual_band",
            "status",
            "review_due",
            "accepted_by",
            "accepted_at",
            "acceptance_reason",
            "accepted_until",
            "assessment",
            "source_ref",
            "created_at",
            "updated_at",
            "links",
        ]

    @extend_schema_field(LinksSerializer)
    def get_links(self, risk) -> dict:
        return links("api:risk-detail", risk)


class RiskExportSerializer(GovRegModelSerializer):
    """One row of the risk register download."""

    system_reference = serializers.CharField(source="system.reference", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    reference = serializers.CharField(read_only=True)
    score = serializers.IntegerField(read_only=True)
    band = serializers.CharField(read_only=True, allow_null=True)
    residual_score = serializers.IntegerField(read_only=True, allow_null=True)
    accepted_by = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "system_reference",
            "system_name",
            "reference",
            "category",
            "gwc_principle",
            "description",
            "affected_groups",
            "likelihood",
            "impact",
            "score",
            "band",
            "owner",
            "mitigation",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "status",
            "review_due",
            "accepted_by",
            "accepted_until",
            "acceptance_reason",
            "updated_at",
        ]

    def get_accepted_by(self, risk) -> str:
        return risk.accepted_by.get_full_name() if risk.accepted_by else ""


SCALE_HELP = _("1 (lowest) to 5 (highest).")

SETTABLE_RISK_STATUSES = [
    (value, label) for value, label in RiskStatus.choices if value != RiskStatus.ACCEPTED
]


class RiskWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """The fields of the risk form. Accepting a risk is its own operation (…/accept/)."""

    category = serializers.ChoiceField(choices=RiskCategory.choices)
    gwc_principle = serializers.ChoiceField(
        choices=GoodWorkPrinciple.choices, required=False, allow_blank=True
    )
    description = serializers.CharField(max_length=5000)
    affected_groups = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    likelihood = serializers.IntegerField(min_value=1, max_value=5, help_text=SCALE_HELP)
    impact = serializers.IntegerField(min_value=1, max_value=5, help_text=SCALE_HELP)
    owner = serializers.CharField(max_length=200)
    mitigation = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    residual_likelihood = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True
    )
    residual_impact = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=SETTABLE_RISK_STATUSES,
        required=False,
        help_text=_("Open, mitigating or closed (accepting is …/accept/)."),
    )
    review_due = serializers.DateField(required=False, allow_null=True)


class RiskCreateSerializer(RiskWriteSerializer):
    system = SystemField()


class RiskUpdateSerializer(RevisionedChangeMixin, RiskWriteSerializer):
    pass


class RiskAcceptSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text=_("Why the risk is accepted."))
    until = serializers.DateField(help_text=_("The acceptance lasts until this date."))


# --- Actions ------------------------------------------------------------------------------------


class ActionUpdateSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["on", "progress", "note", "author", "created_at"]
        read_only_fields = fields


class ActionSerializer(GovRegModelSerializer):
    """An action of the plan; the detail also lists its dated progress updates."""

    system = SystemRefSerializer(read_only=True)
    reference = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    risk = PublicIdRelatedField(read_only=True, allow_null=True)
    assessment = PublicIdRelatedField(read_only=True, allow_null=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "system",
            "number",
            "reference",
            "revision",
            "description",
            "owner",
            "due_date",
            "progress",
            "completed_on",
            "is_overdue",
            "risk",
            "assessment",
            "assessment_kind",
            "source_ref",
            "created_at",
            "updated_at",
            "links",
        ]

    @extend_schema_field(LinksSerializer)
    def get_links(self, action) -> dict:
        return links("api:action-detail", action)


class ActionDetailSerializer(ActionSerializer):
    updates = ActionUpdateSerializer(many=True, read_only=True)

    class Meta(ActionSerializer.Meta):
        fields = ActionSerializer.Meta.fields + ["updates"]


class ActionExportSerializer(GovRegModelSerializer):
    """One row of the action plan download."""

    system_reference = serializers.CharField(source="system.reference", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    reference = serializers.CharField(read_only=True)
    risk = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "system_reference",
            "system_name",
            "reference",
            "description",
            "owner",
            "due_date",
            "progress",
            "completed_on",
            "is_overdue",
            "risk",
            "assessment_kind",
            "updated_at",
        ]

    def get_risk(self, action) -> str:
        return action.risk.reference if action.risk_id else ""


class RiskRefField(PublicIdRelatedField):
    """A risk of the same system (checked by the service)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Risk.objects.none())
        kwargs.setdefault("help_text", _("Id of the risk of this system it mitigates."))
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Risk.objects.none()
        return permissions.visible(request.user, Risk)


class ActionWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    owner = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    risk = RiskRefField()


class ActionCreateSerializer(ActionWriteSerializer):
    system = SystemField()


class ActionChangeSerializer(RevisionedChangeMixin, ActionWriteSerializer):
    pass


class ProgressUpdateCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    on = serializers.DateField(help_text=_("The date of the update (today or earlier)."))
    progress = serializers.ChoiceField(choices=Progress.choices)
    note = serializers.CharField(max_length=5000, help_text=_("What has happened."))

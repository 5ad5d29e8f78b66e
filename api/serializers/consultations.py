"""Consultations (with their meetings, disclosures and union positions), comment threads,
concerns and rights requests."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from accounts.models import Union
from consultations.choices import RightsOutcome, RightsRequestKind, RiskCategory
from consultations.models import (
    Comment,
    Concern,
    ConcernUpdate,
    Consultation,
    Disclosure,
    DiscussionPoint,
    Meeting,
    MeetingAttendee,
    RightsRequest,
    UnionPosition,
)

from .assessments import LinksSerializer, SystemField, links
from .common import (
    GovRegModelSerializer,
    PartialChangeMixin,
    PublicIdRelatedField,
    StrictFieldsMixin,
    SystemRefSerializer,
    UserRefSerializer,
)

# --- Consultations ------------------------------------------------------------------------------


class UnionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Union
        fields = ["slug", "name", "name_cy"]
        read_only_fields = fields


class ConsultationSerializer(GovRegModelSerializer):
    """A consultation with the recognised unions about one system at one stage."""

    system = SystemRefSerializer(read_only=True)
    unions = UnionRefSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "system",
            "stage",
            "status",
            "unions",
            "summary",
            "planned_start",
            "opened_at",
            "outcome",
            "outcome_summary",
            "concluded_at",
            "created_at",
            "updated_at",
            "links",
        ]

    @extend_schema_field(LinksSerializer)
    def get_links(self, consultation) -> dict:
        return links("api:consultation-detail", consultation)


class DiscussionPointSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text=_("The toolkit's prompt."))

    class Meta:
        model = DiscussionPoint
        fields = ["key", "text", "discussed", "notes", "updated_at"]
        read_only_fields = fields


class AttendeeSerializer(serializers.ModelSerializer):
    union = UnionRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MeetingAttendee
        fields = ["name", "role", "side", "union"]
        read_only_fields = fields


class MeetingSerializer(GovRegModelSerializer):
    attendees = AttendeeSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "held_on", "title", "minutes", "decisions", "attendees", "created_at"]
        read_only_fields = fields


class DisclosureSerializer(serializers.ModelSerializer):
    shared_by = UserRefSerializer(read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "kind",
            "label",
            "version",
            "sha256",
            "reference",
            "note",
            "shared_at",
            "shared_by",
        ]
        read_only_fields = fields


class PositionSerializer(serializers.ModelSerializer):
    union = UnionRefSerializer(read_only=True)
    recorded_by = UserRefSerializer(read_only=True)
    is_current = serializers.SerializerMethodField(
        help_text=_("The union's newest position (earlier ones are kept).")
    )

    class Meta:
        model = UnionPosition
        fields = [
            "union",
            "position",
            "statement",
            "conditions",
            "recorded_by",
            "recorded_at",
            "is_current",
        ]
        read_only_fields = fields

    def get_is_current(self, position) -> bool:
        return position.pk in self.context.get("current_positions", ())


class ConsultationDetailSerializer(ConsultationSerializer):
    """With the prompts for discussion, meetings, disclosures and every union position."""

    points = DiscussionPointSerializer(many=True, read_only=True)
    meetings = MeetingSerializer(many=True, read_only=True)
    disclosures = DisclosureSerializer(many=True, read_only=True)
    positions = PositionSerializer(many=True, read_only=True)

    class Meta(ConsultationSerializer.Meta):
        fields = ConsultationSerializer.Meta.fields + [
            "points",
            "meetings",
            "disclosures",
            "positions",
        ]


# --- Comments -----------------------------------------------------------------------------------


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("`app_label.model`, e.g. `assessments.risk`."))
    id = serializers.UUIDField(
        allow_null=True, help_text=_("The object's id (null if it has none, or no longer exists).")
    )
    label = serializers.CharField(help_text=_("How the object was named when the thread began."))


class ReplySerializer(GovRegModelSerializer):
    author = UserRefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class CommentThreadSerializer(GovRegModelSerializer):
    """A thread: its first comment, with the replies oldest first."""

    system = SystemRefSerializer(read_only=True)
    target = serializers.SerializerMethodField()
    author = UserRefSerializer(read_only=True)
    resolved_by = UserRefSerializer(read_only=True, allow_null=True)
    replies = ReplySerializer(many=True, read_only=True)
    concern = PublicIdRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("Id of the concern this comment became, if any."),
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "system",
            "target",
            "author",
            "body",
            "created_at",
            "resolved_at",
            "resolved_by",
            "reopened_at",
            "concern",
            "replies",
        ]
        read_only_fields = fields

    @extend_schema_field(TargetSerializer)
    def get_target(self, comment) -> dict:
        """The object as prefetched (``CommentViewSet``): only its ``uuid`` is loaded."""
        content_type = comment.content_type
        return {
            "type": f"{content_type.app_label}.{content_type.model}",
            "id": getattr(comment.target, "uuid", None),
            "label": comment.target_label,
        }


class CommentCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    system = SystemField()
    target_type = serializers.CharField(
        max_length=100,
        help_text=_(
            "What the comment is about, as `app_label.model`: `registers.algorithmicsystem` "
            "(the record), `assessments.assessment`, `assessments.risk`, `assessments.action`, "
            "`consultations.consultation`."
        ),
    )
    target_id = serializers.UUIDField(help_text=_("Its id (an object of `system`)."))
    body = serializers.CharField(max_length=5000)


class ReplyCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=5000)


# --- Concerns -----------------------------------------------------------------------------------


class ConcernUpdateSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ConcernUpdate
        fields = ["kind", "actor", "text", "created_at"]
        read_only_fields = fields


class ConcernSerializer(GovRegModelSerializer):
    """A concern about a system. An anonymous concern has no identity of any kind."""

    system = SystemRefSerializer(read_only=True)
    reference = serializers.CharField(read_only=True)
    raised_by = UserRefSerializer(read_only=True, allow_null=True)
    union = UnionRefSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = Concern
        fields = [
            "id",
            "reference",
            "system",
            "source",
            "raised_by",
            "union",
            "source_comment",
            "category",
            "summary",
            "details",
            "status",
            "raised_at",
            "due_on",
            "is_overdue",
            "resolved_at",
            "links",
        ]

    @extend_schema_field(LinksSerializer)
    def get_links(self, concern) -> dict:
        return links("api:concern-detail", concern)


class ConcernDetailSerializer(ConcernSerializer):
    updates = ConcernUpdateSerializer(many=True, read_only=True)

    class Meta(ConcernSerializer.Meta):
        fields = ConcernSerializer.Meta.fields + ["updates"]


class ConcernExportSerializer(GovRegModelSerializer):
    """One row of the concerns download."""

    system_reference = serializers.CharField(source="system.reference", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    reference = serializers.CharField(read_only=True)
    raised_by = serializers.SerializerMethodField()
    union = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Concern
        fields = [
            "id",
            "reference",
            "system_reference",
            "system_name",
            "source",
            "raised_by",
            "union",
            "category",
            "summary",
            "details",
            "status",
            "raised_at",
            "due_on",
            "is_overdue",
            "resolved_at",
        ]

    def get_raised_by(self, concern) -> str:
        return concern.raised_by.get_full_name() if concern.raised_by_id else ""

    def get_union(self, concern) -> str:
        return concern.union.name if concern.union_id else ""


class ConcernCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    system = SystemField()
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    summary = serializers.CharField(max_length=200, help_text=_("One line."))
    details = serializers.CharField(max_length=5000)


class ConcernRespondSerializer(StrictFieldsMixin, serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text=_("The employer's response."))
    category = serializers.ChoiceField(
        choices=RiskCategory.choices,
        required=False,
        allow_blank=True,
        help_text=_("Categorise (or re-categorise) the concern; empty: not categorised."),
    )


class ConcernReasonSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ConcernResolveSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text=_("How it was resolved.")
    )


# --- Rights requests ----------------------------------------------------------------------------


class RightsRequestSerializer(GovRegModelSerializer):
    """A worker-rights request. ``requester_details`` is shown only to those who handle rights
    requests (HR officers and administrators), as on the request's page; null for others."""

    system = SystemRefSerializer(read_only=True)
    recorded_by = UserRefSerializer(read_only=True)
    requester_details = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = RightsRequest
        fields = [
            "id",
            "system",
            "case_reference",
            "kind",
            "received_on",
            "due_on",
            "is_overdue",
            "extended",
            "extension_reason",
            "extension_notified_on",
            "decision_reference",
            "summary",
            "requester_details",
            "closed_on",
            "outcome",
            "outcome_notes",
            "recorded_by",
            "created_at",
            "updated_at",
            "links",
        ]

    def get_requester_details(self, rights_request) -> str | None:
        request = self.context.get("request")
        if request is None or not permissions.can(
            request.user, "manage_rights_requests", rights_request
        ):
            return None
        return rights_request.requester_details

    @extend_schema_field(LinksSerializer)
    def get_links(self, rights_request) -> dict:
        return links("api:rights-request-detail", rights_request)


class RightsRequestExportSerializer(RightsRequestSerializer):
    """One row of the rights requests download (the same rule for ``requester_details``)."""

    system_reference = serializers.CharField(source="system.reference", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta(RightsRequestSerializer.Meta):
        fields = [
            "id",
            "system_reference",
            "system_name",
            "case_reference",
            "kind",
            "received_on",
            "due_on",
            "is_overdue",
            "extended",
            "extension_notified_on",
            "decision_reference",
            "summary",
            "requester_details",
            "closed_on",
            "outcome",
            "outcome_notes",
            "recorded_by",
            "updated_at",
        ]

    def get_recorded_by(self, rights_request) -> str:
        return rights_request.recorded_by.get_full_name()


class RightsRequestWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    case_reference = serializers.CharField(
        max_length=50, help_text=_("Your case reference, not the person's name.")
    )
    kind = serializers.ChoiceField(choices=RightsRequestKind.choices)
    received_on = serializers.DateField(help_text=_("A response is due one calendar month later."))
    decision_reference = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    requester_details = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Only if you need them to handle the request."),
    )


class RightsRequestCreateSerializer(RightsRequestWriteSerializer):
    system = SystemField()


class RightsRequestUpdateSerializer(PartialChangeMixin, RightsRequestWriteSerializer):
    """Send only the fields you change."""


class RightsExtendSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text=_("Why the request is complex."))
    notified_on = serializers.DateField(help_text=_("The date the person was told."))


class RightsCloseSerializer(StrictFieldsMixin, serializers.Serializer):
    closed_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=RightsOutcome.choices)
    outcome_notes = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )

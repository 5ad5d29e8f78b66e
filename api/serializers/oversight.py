"""Sign-offs: the accountable senior manager's decisions, read only (they are never changed)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oversight.hashing import with_public_ids
from oversight.models import SignOff, with_condition_rows

from .assessments import JSON_OBJECT, LinksSerializer, links
from .common import GovRegModelSerializer, SystemRefSerializer, UserRefSerializer


class SignOffConditionSerializer(serializers.Serializer):
    text = serializers.CharField()
    owner = serializers.CharField()
    due_date = serializers.DateField()
    action_id = serializers.UUIDField(
        allow_null=True, help_text=_("Id of the action of the plan that tracks it.")
    )
    action_number = serializers.IntegerField()


class SignOffListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        # The public ids of the actions the page's conditions became: one query for all.
        return super().to_representation(with_condition_rows(data))


class SignOffSerializer(GovRegModelSerializer):
    """A decision on a system, bound to the SHA-256 of what was signed."""

    system = SystemRefSerializer(read_only=True)
    signed_by = UserRefSerializer(read_only=True)
    conditions = serializers.SerializerMethodField()
    snapshot_version = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "Format of the content signed. `2`: it names objects by their public identifiers, "
            "and `snapshot` is exactly what was hashed: `content_hash` is the SHA-256 of its "
            "canonical JSON. `1` (sign-offs recorded before public identifiers): it named them "
            "by database keys; `snapshot` shows their public identifiers instead, so it does "
            "not hash to `content_hash`."
        ),
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = SignOff
        fields = [
            "id",
            "system",
            "decision",
            "statement",
            "conditions",
            "content_hash",
            "snapshot_version",
            "record_version",
            "lifecycle_stage",
            "signed_by",
            "signed_at",
            "reauthenticated_with",
            "links",
        ]
        read_only_fields = fields
        list_serializer_class = SignOffListSerializer

    @extend_schema_field(SignOffConditionSerializer(many=True))
    def get_conditions(self, signoff) -> list:
        conditions = [{**row, "action_id": row["action_uuid"]} for row in signoff.condition_rows]
        return SignOffConditionSerializer(conditions, many=True).data

    @extend_schema_field(LinksSerializer)
    def get_links(self, signoff) -> dict:
        return links("api:sign-off-detail", signoff)


class SignOffDetailSerializer(SignOffSerializer):
    """With what was signed and whether the sign-off still holds."""

    snapshot = serializers.SerializerMethodField(
        help_text=_(
            "The content signed: the record's material fields, its model and data "
            "specifications, the approved assessment versions (each with its own "
            "`content_hash`) and the concluded consultations' outcomes, objects named by their "
            "public identifiers (see `snapshot_version`)."
        )
    )
    state = serializers.SerializerMethodField(
        help_text=_(
            "`current`: the latest sign-off and nothing material changed since; `stale`: "
            "material content changed since (re-sign required); `refused`: the latest decision "
            "is a refusal; `superseded`: a later decision was recorded."
        )
    )

    class Meta(SignOffSerializer.Meta):
        fields = SignOffSerializer.Meta.fields + ["state", "snapshot"]
        read_only_fields = fields

    @extend_schema_field(JSON_OBJECT)
    def get_snapshot(self, signoff) -> dict:
        return with_public_ids(signoff.snapshot, signoff.snapshot_version)

    @extend_schema_field(
        serializers.ChoiceField(choices=["current", "stale", "refused", "superseded"])
    )
    def get_state(self, signoff) -> str:
        return self.context["state"]

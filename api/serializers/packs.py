"""Audit packs: asking for one, following its progress, downloading the PDF."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from accounts.models import Organisation, PartnershipCouncil
from packs import services
from packs.models import AuditPack, PackScope

from .assessments import SystemField
from .common import (
    OrganisationRefSerializer,
    StrictFieldsMixin,
    SystemRefSerializer,
    UserRefSerializer,
)


class CouncilRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnershipCouncil
        fields = ["slug", "name", "name_cy"]
        read_only_fields = fields


class PackLinksSerializer(serializers.Serializer):
    api = serializers.CharField(help_text=_("The pack's status in the API."))
    download = serializers.CharField(
        allow_null=True, help_text=_("The PDF, once the pack is ready (null until then).")
    )
    web = serializers.CharField(help_text=_("The pack's page in GovReg."))


class PackSerializer(serializers.ModelSerializer):
    """A requested pack and where it has got to."""

    system = SystemRefSerializer(read_only=True, allow_null=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    council = CouncilRefSerializer(read_only=True, allow_null=True)
    organisations = OrganisationRefSerializer(many=True, read_only=True)
    requested_by = UserRefSerializer(read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = AuditPack
        fields = [
            "id",
            "scope",
            "title",
            "language",
            "system",
            "organisation",
            "council",
            "organisations",
            "status",
            "stage",
            "error",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "sha256",
            "page_count",
            "byte_size",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(PackLinksSerializer)
    def get_links(self, pack) -> dict:
        return {
            "api": reverse("api:pack-detail", args=[pack.pk]),
            "download": reverse("api:pack-download", args=[pack.pk]) if pack.is_ready else None,
            "web": pack.get_absolute_url(),
        }


class PackRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    """What the pack covers: one system, a whole body, or a partnership council."""

    scope = serializers.ChoiceField(choices=PackScope.choices)
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        help_text=_("`en` (English) or `cy` (Welsh)."),
    )
    system = SystemField(required=False, help_text=_("Id of the system (scope `system`)."))
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Slug of one of your bodies (scope `organisation`)."),
    )
    council = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=PartnershipCouncil.objects.none(),
        required=False,
        help_text=_("Slug of a partnership council (scope `council`)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organisation"].queryset = permissions.organisations(
                request.user, "request_pack"
            )
            self.fields["council"].queryset = services.councils_for(request.user)

    def validate(self, attrs):
        target = attrs["scope"]
        if attrs.get(target) is None:
            raise serializers.ValidationError({target: [_("Choose what the pack covers.")]})
        others = [name for name in PackScope.values if name != target and name in attrs]
        if others:
            raise serializers.ValidationError(
                {name: [_("Only the target of the scope may be given.")] for name in others}
            )
        return attrs

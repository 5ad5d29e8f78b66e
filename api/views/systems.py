"""``/api/v1/systems/``: the register, each record, recording and changing systems."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions
from registers import services as register_services
from registers.models import AlgorithmicSystem

from .. import services
from ..filters import StrictOrderingFilter, SystemFilter, UserFilterBackend
from ..schema import LIST_ERRORS, READ_ERRORS, error_responses, export_schema
from ..serializers.atrs import AtrsRecordSerializer, atrs_record
from ..serializers.systems import (
    SystemCreateSerializer,
    SystemDetailSerializer,
    SystemExportSerializer,
    SystemListSerializer,
    SystemUpdateSerializer,
)
from .base import ExportMixin, TenantViewSet

ETAG_VERSION = re.compile(r'^(?:W/)?"(\d+)"$')


def version_etag(system: AlgorithmicSystem) -> str:
    return f'"{system.version}"'


def conflict(status_code: int, code: str, current_version: int) -> Response:
    messages = {
        "version_conflict": _(
            "Someone else changed this record after you read it (it is now version "
            "%(version)d). Nothing was saved: fetch the record again, re-apply your change "
            "and send it with the new version."
        ),
        "precondition_failed": _(
            "This record changed since the ETag in If-Match (it is now version %(version)d). "
            "Nothing was saved: fetch the record again, re-apply your change and send it with "
            "the new ETag."
        ),
        "precondition_required": _(
            "Send the version your change is based on, in an If-Match header (the record's "
            'ETag) or as "version" in the body, so that nobody\'s change is overwritten. '
            "The record is now version %(version)d."
        ),
    }
    return Response(
        {
            "detail": messages[code] % {"version": current_version},
            "code": code,
            "current_version": current_version,
        },
        status=status_code,
    )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("The register: systems of the bodies where you have a role"),
        description=gettext_lazy(
            "The same filters as the register page (`q`, `organisation`, `lifecycle_stage`, "
            "`publication_status`, `accountable_manager`), paged and ordered."
        ),
        responses={200: SystemListSerializer(many=True), **error_responses(*LIST_ERRORS)},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One system's whole record"),
        description=gettext_lazy(
            "The `ETag` header is the record's version: send it back in `If-Match` to change it."
        ),
        responses={200: SystemDetailSerializer, **error_responses(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary=gettext_lazy("Record a new system"),
        request=SystemCreateSerializer,
        responses={201: SystemDetailSerializer, **error_responses(400, 401, 403, 429)},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change fields of a system's record"),
        description=gettext_lazy(
            "Send only the fields you change, with the version your change is based on: "
            "an `If-Match` header with the ETag from GET (412 if the record changed since), "
            "or `version` in the body (409 if it changed). Without either: 428. Each section "
            "of the record is saved and recorded in its history as on the pages."
        ),
        request=SystemUpdateSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=gettext_lazy('The record\'s ETag from GET, e.g. `"3"`.'),
            )
        ],
        responses={
            200: SystemDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 412, 428, 429),
        },
    ),
    atrs=extend_schema(
        summary=gettext_lazy("The record in ATRS field names"),
        description=gettext_lazy(
            "The record as `export_atrs` writes it: canonical ATRS keys, with GovReg's own "
            "fields in the `govreg` object."
        ),
        responses={200: AtrsRecordSerializer, **error_responses(*READ_ERRORS)},
    ),
    export=export_schema(SystemExportSerializer),
)
@extend_schema(tags=["systems"])
class SystemViewSet(ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = AlgorithmicSystem
    action_permissions = {"partial_update": "edit_system"}
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = SystemFilter
    ordering_fields = ["name", "reference", "lifecycle_stage", "next_review_date", "updated_at"]
    ordering = ["name", "id"]
    export_serializer_class = SystemExportSerializer
    detail_serializer_class = SystemDetailSerializer
    export_name = "register"
    # The list's page is read as these columns' values (api.pagination.ValuesPaginator).
    page_values = SystemListSerializer.COLUMNS

    def get_queryset(self):
        systems = super().get_queryset()
        if self.action == "list":
            return systems
        if self.action == "export":
            return systems.for_register()
        return systems.for_detail()

    def get_serializer_class(self):
        return {
            "list": SystemListSerializer,
            "create": SystemCreateSerializer,
            "partial_update": SystemUpdateSerializer,
            "export": SystemExportSerializer,
        }.get(self.action, SystemDetailSerializer)

    def retrieve(self, request, *args, **kwargs):
        system = self.get_object()
        return self.detail_response(system)

    def create(self, request, *args, **kwargs):
        if not permissions.organisation_ids(request.user, "create_system"):
            raise PermissionDenied("create_system")
        serializer = SystemCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        system = register_services.create_system(
            actor=request.user,
            organisation=data["organisation"],
            name=data["name"].strip(),
            one_sentence_description=data["one_sentence_description"],
            lifecycle_stage=data["lifecycle_stage"],
        )
        system = self.get_queryset().get(pk=system.pk)
        return self.created(self.detail_response(system))

    def partial_update(self, request, *args, **kwargs):
        system = self.get_object()
        serializer = SystemUpdateSerializer(system, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        body_version = data.pop("version", None)
        if_match = request.headers.get("If-Match")
        if if_match is not None:
            match = ETAG_VERSION.match(if_match.strip())
            if match is None or int(match.group(1)) != system.version:
                return conflict(412, "precondition_failed", system.version)
            expected, code, status_code = int(match.group(1)), "precondition_failed", 412
        elif body_version is not None:
            expected, code, status_code = body_version, "version_conflict", 409
        else:
            return conflict(428, "precondition_required", system.version)
        try:
            services.update_system(system, actor=request.user, data=data, expected_version=expected)
        except services.VersionConflict as exc:
            return conflict(status_code, code, exc.current_version)
        return self.detail_response(self.get_queryset().get(pk=system.pk))

    @action(detail=True, methods=["get"])
    def atrs(self, request, *args, **kwargs):
        return Response(atrs_record(self.get_object()))

    def etag(self, system) -> str:
        return version_etag(system)

"""OpenAPI helpers: the documented error responses, the token security scheme, and the
schemas that are not plain serializers (validation errors, ATRS records)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from .serializers.common import (
    ErrorSerializer,
    ValidationErrorSerializer,
    VersionConflictSerializer,
    WorkflowErrorSerializer,
)

ERROR_DESCRIPTIONS = {
    400: _("The request is not valid: the body lists each field's errors."),
    401: _("Not signed in: send a session cookie or an `Authorization: Bearer` token."),
    403: _("You may see this object, but your role in its body does not allow this action."),
    404: _("No such object among the bodies where you have a role (or no such page)."),
    409: _("The record changed since the version you sent: nothing was saved."),
    412: _("The record changed since the ETag in `If-Match`: nothing was saved."),
    428: _("Send the version your change is based on (`If-Match` header or `version`)."),
    429: _("Too many requests: wait for the number of seconds in `Retry-After`."),
}


WORKFLOW_CONFLICT = _(
    "Not possible in the object's current state (or someone else saved the same part since): "
    "nothing was saved. The body says why."
)


def error_responses(*codes: int, workflow: bool = False) -> dict[int, OpenApiResponse]:
    """Documented error responses for ``codes``. With ``workflow``, 409 is a workflow refusal
    (``WorkflowError``) rather than a stale version."""
    responses = {}
    for code in codes:
        if code == 409 and workflow:
            responses[code] = OpenApiResponse(
                WorkflowErrorSerializer, description=WORKFLOW_CONFLICT
            )
            continue
        if code == 400:
            serializer = ValidationErrorSerializer
        elif code in (409, 412, 428):
            serializer = VersionConflictSerializer
        else:
            serializer = ErrorSerializer
        responses[code] = OpenApiResponse(serializer, description=ERROR_DESCRIPTIONS[code])
    return responses


READ_ERRORS = (401, 403, 404, 429)
LIST_ERRORS = (400, 401, 403, 404, 429)
CREATE_ERRORS = (400, 401, 403, 429)
WRITE_ERRORS = (400, 401, 403, 404, 429)
REVISION_ERRORS = (400, 401, 403, 404, 409, 412, 428, 429)


def if_match_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description=_('The ETag from GET (the revision), e.g. `"3"`.'),
    )


def list_schema(serializer_class, summary, description=""):
    return extend_schema(
        summary=summary,
        description=description,
        responses={200: serializer_class(many=True), **error_responses(*LIST_ERRORS)},
    )


def read_schema(serializer_class, summary, description=""):
    return extend_schema(
        summary=summary,
        description=description,
        responses={200: serializer_class, **error_responses(*READ_ERRORS)},
    )


def export_schema(serializer_class):
    """The OpenAPI description of an ``ExportMixin.export`` operation."""
    return extend_schema(
        summary=_("Download the list as CSV or JSON"),
        description=_(
            "The whole list, with the same filters and ordering as the list operation and no "
            "paging (at most 10,000 rows), as a file. CSV is UTF-8 with a byte-order mark; "
            "cells that a spreadsheet would run as a formula start with an apostrophe."
        ),
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["csv", "json"],
                description=_("File format (JSON if not given)."),
            )
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                serializer_class(many=True), description=_("The list as a JSON array.")
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=_("The list as CSV, one row per object.")
            ),
            **error_responses(*LIST_ERRORS),
        },
    )


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A personal API token, created on your account page: "
                    "`Authorization: Bearer govreg_…`. It acts with your permissions."
                )
            ),
        }


class ValidationErrorSchema(OpenApiSerializerExtension):
    target_class = "api.serializers.common.ValidationErrorSerializer"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": str(
                _(
                    "Errors by field name; errors not about one field are in "
                    "`non_field_errors`. A body that is not valid JSON gets `detail` and `code`."
                )
            ),
            "properties": {
                "non_field_errors": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": {
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "additionalProperties": True},
                    {"type": "string"},
                ]
            },
        }


class EmptyBodySchema(OpenApiSerializerExtension):
    target_class = "api.serializers.common.EmptySerializer"

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": str(_("No fields: send `{}` or no body.")),
            "properties": {},
            "additionalProperties": False,
        }


class AtrsRecordSchema(OpenApiSerializerExtension):
    target_class = "api.serializers.atrs.AtrsRecordSerializer"

    def map_serializer(self, auto_schema, direction):
        from .serializers.atrs import atrs_record_schema, to_openapi_30

        return to_openapi_30(atrs_record_schema())


class _BlankableSchema(OpenApiSerializerFieldExtension):
    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not getattr(self.target, "allow_blank", False):
            return schema
        flags = {k: schema.pop(k) for k in ("readOnly", "writeOnly", "description") if k in schema}
        return {"oneOf": [schema, {"type": "string", "maxLength": 0}], **flags}


class BlankableURLSchema(_BlankableSchema):
    target_class = "api.serializers.common.BlankableURLField"


class BlankableEmailSchema(_BlankableSchema):
    target_class = "api.serializers.common.BlankableEmailField"

"""What every tenant endpoint shares: the permission layer, paging and list downloads.

A new area (assessments, consultations, packs, …) follows the same pattern::

    class RiskViewSet(ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      TenantViewSet):
        model = Risk                      # declares tenant_path
        action_permissions = {"create": "manage_risks", ...}
        serializer_class = RiskSerializer
        export_serializer_class = RiskExportSerializer

and writes call the area's ``services`` (which ``require()`` the action again).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts import permissions

from ..renderers import CSVRenderer

EXPORT_MAX_ROWS = 10_000
ETAG_VERSION = re.compile(r'^(?:W/)?"(\d+)"$')


class TenantViewSet(viewsets.GenericViewSet):
    """Fetches only through ``permissions.visible`` (another body's object: 404) and checks the
    action of ``action_permissions`` on the object (a disallowed action: 403)."""

    model = None
    parser_classes = [JSONParser]
    # ``…/{id}/``: an object is named by its public identifier (a UUID), never its primary key;
    # anything else in its place is no address of the API (404).
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"
    # view action -> accounts.permissions action checked on the object (default "view"); a
    # tuple of actions: any one of them.
    action_permissions: dict[str, str | tuple[str, ...]] = {}

    def get_queryset(self):
        return permissions.visible(self.request.user, self.model)

    def get_object(self):
        obj = super().get_object()
        self.require_action(obj)
        return obj

    def require_action(self, obj) -> None:
        """403 unless the user may take this view action's permission action on ``obj``. A
        tuple means any one of them (as ``AnyOfActionsMixin`` on the pages)."""
        wanted = self.action_permissions.get(self.action, "view")
        if isinstance(wanted, tuple):
            if not any(permissions.can(self.request.user, name, obj) for name in wanted):
                raise PermissionDenied(wanted[0])
        else:
            permissions.require(self.request.user, wanted, obj)

    def require_somewhere(self, action: str) -> None:
        """403 unless the user may ``action`` in at least one of their bodies (before a body
        names the object to act on, as for recording a system)."""
        if not permissions.organisation_ids(self.request.user, action):
            raise PermissionDenied(action)

    # The full representation that reads and writes of one object answer with.
    detail_serializer_class = None

    def etag(self, obj) -> str | None:
        """The object's revision as an ``ETag`` (for ``If-Match``), where it has one."""
        return None

    def detail_response(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        data = self.detail_serializer_class(obj, context={"request": self.request}).data
        tag = self.etag(obj)
        return Response(data, status=status_code, headers={"ETag": tag} if tag else None)

    def created(self, response: Response) -> Response:
        """The new object's representation as 201, its API address (``links.api``) in
        ``Location``."""
        response.status_code = status.HTTP_201_CREATED
        response["Location"] = response.data["links"]["api"]
        return response


class WorkflowConflict(APIException):
    """409 ``workflow_error``: not possible in the object's current state."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This is not possible now.")
    default_code = "workflow_error"


def form_data(values: dict) -> dict:
    """JSON values (already of the right types) as a page's form receives them."""
    data = {}
    for name, value in values.items():
        if value is None:
            continue
        data[name] = value.pk if isinstance(value, Model) else value
    return data


def checked_by_form(form) -> dict:
    """The cleaned data of one of the pages' forms: the same checks and messages as the page
    (400 with the errors by field otherwise)."""
    if not form.is_valid():
        raise DjangoValidationError(
            {name: list(messages) for name, messages in form.errors.items()}
        )
    return form.cleaned_data


def workflow_error(message: str, *, code: str = "workflow_error", **extra) -> Response:
    """409: the action is not possible in the object's current state (nothing was saved)."""
    return Response(
        {"detail": str(message), "code": code, **extra}, status=status.HTTP_409_CONFLICT
    )


class Precondition:
    """The revision a change is based on: ``If-Match: "<n>"`` (412 when stale) or a number in
    the body (409 when stale). Without either: 428. As for systems (``docs/api.md``)."""

    MESSAGES = {
        "version_conflict": gettext_lazy(
            "Someone else changed this after you read it (it is now revision %(version)d). "
            "Nothing was saved: fetch it again, re-apply your change and send it with the new "
            "revision."
        ),
        "precondition_failed": gettext_lazy(
            "This changed since the ETag in If-Match (it is now revision %(version)d). Nothing "
            "was saved: fetch it again, re-apply your change and send it with the new ETag."
        ),
        "precondition_required": gettext_lazy(
            "Send the revision your change is based on, in an If-Match header (the ETag) or as "
            '"revision" in the body, so that nobody\'s change is overwritten. It is now '
            "revision %(version)d."
        ),
    }

    def __init__(self, request, body_value: int | None, current: int):
        self.expected: int | None = None
        self.code, self.status_code = "", 0
        if_match = request.headers.get("If-Match")
        if if_match is not None:
            match = ETAG_VERSION.match(if_match.strip())
            self.code, self.status_code = "precondition_failed", 412
            if match is not None and int(match.group(1)) == current:
                self.expected = current
        elif body_value is not None:
            self.code, self.status_code = "version_conflict", 409
            self.expected = body_value
        else:
            self.code, self.status_code = "precondition_required", 428
        self.current = current

    @property
    def failed(self) -> bool:
        """Stale already (or missing): answer ``response()`` without calling the service."""
        return self.expected is None

    def response(self, current: int | None = None) -> Response:
        version = self.current if current is None else current
        return Response(
            {
                "detail": str(self.MESSAGES[self.code]) % {"version": version},
                "code": self.code,
                "current_version": version,
            },
            status=self.status_code,
        )


class ExportMixin:
    """``GET <list>/export/?format=csv|json``: the whole filtered list as a download.

    Same permissions and filters as the list; no paging (at most ``EXPORT_MAX_ROWS`` rows).
    Document it on the viewset with ``@extend_schema_view(export=export_schema(Serializer))``."""

    export_serializer_class = None
    export_name = "export"

    def export_columns(self) -> list[str]:
        return list(self.export_serializer_class().fields)

    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[JSONRenderer, CSVRenderer],
        pagination_class=None,
    )
    def export(self, request, *args, **kwargs):
        if request.query_params.get("format", "json") not in ("csv", "json"):
            raise ValidationError({"format": [_("Choose csv or json.")]})
        queryset = self.filter_queryset(self.get_queryset())[:EXPORT_MAX_ROWS]
        data = self.export_serializer_class(queryset, many=True, context={"request": request}).data
        fmt = request.accepted_renderer.format
        stamp = timezone.localdate().isoformat()
        return Response(
            data,
            headers={
                "Content-Disposition": f'attachment; filename="{self.export_name}-{stamp}.{fmt}"'
            },
        )

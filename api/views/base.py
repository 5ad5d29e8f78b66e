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

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts import permissions

from ..renderers import CSVRenderer

EXPORT_MAX_ROWS = 10_000


class TenantViewSet(viewsets.GenericViewSet):
    """Fetches only through ``permissions.visible`` (another body's object: 404) and checks the
    action of ``action_permissions`` on the object (a disallowed action: 403)."""

    model = None
    parser_classes = [JSONParser]
    # view action -> accounts.permissions action checked on the object (default "view").
    action_permissions: dict[str, str] = {}

    def get_queryset(self):
        return permissions.visible(self.request.user, self.model)

    def get_object(self):
        obj = super().get_object()
        permissions.require(
            self.request.user, self.action_permissions.get(self.action, "view"), obj
        )
        return obj


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

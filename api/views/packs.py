"""``/api/v1/packs/``: ask for an audit pack (202 with its address), follow it, download it.

Packs are fetched through ``packs.services.visible_packs`` (a role in every body the pack
covers: another body's pack is a 404) and the PDF needs ``download_pack`` in each of them
(``services.require_on_pack``, 403 otherwise), exactly as the pack pages.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from govreg.downloads import file_download
from packs import services
from packs.models import AuditPack

from ..filters import PackFilter, StrictOrderingFilter, UserFilterBackend
from ..schema import error_responses, list_schema, read_schema
from ..serializers.packs import PackRequestSerializer, PackSerializer
from .base import TenantViewSet, workflow_error


@extend_schema_view(
    list=list_schema(
        PackSerializer,
        gettext_lazy("Audit packs you can see"),
        gettext_lazy(
            "Packs all of whose bodies you have a role in, newest first. Filter by `system`, "
            "`scope` and `status`."
        ),
    ),
    retrieve=read_schema(
        PackSerializer,
        gettext_lazy("A pack's status"),
        gettext_lazy(
            "`queued` → `rendering` (with `stage`) → `ready` (with `links.download`) or "
            "`failed` (with `error`)."
        ),
    ),
    create=extend_schema(
        summary=gettext_lazy("Ask for an audit pack"),
        description=gettext_lazy(
            "Answers 202 at once with the pack's address in `Location`: the PDF is produced "
            "in the background. Asking again for exactly the same content returns the same "
            "pack. Too many requests in a short time, or a pack too large to produce: 429."
        ),
        request=PackRequestSerializer,
        responses={202: PackSerializer, **error_responses(400, 401, 403, 429)},
    ),
    download=extend_schema(
        summary=gettext_lazy("Download a ready pack (PDF)"),
        description=gettext_lazy(
            "Needs permission to download packs in every body the pack covers (HR officers "
            "may ask for packs but not download them). 409 while the pack is not ready."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description=gettext_lazy("The PDF.")
            ),
            **error_responses(401, 403, 404, 409, 429, workflow=True),
        },
    ),
)
@extend_schema(tags=["packs"])
class PackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = AuditPack
    lookup_field = "pk"  # a pack's primary key is already a UUID
    action_permissions = {"download": "download_pack"}
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = PackFilter
    ordering_fields = ["requested_at"]
    ordering = ["-requested_at", "-id"]
    serializer_class = PackSerializer

    def get_queryset(self):
        return (
            services.visible_packs(self.request.user)
            .select_related("requested_by", "system", "organisation", "council")
            .prefetch_related("organisations")
        )

    def require_action(self, obj) -> None:
        # A council pack spans several bodies: the action is needed in each of them.
        services.require_on_pack(
            self.request.user, self.action_permissions.get(self.action, "view"), obj
        )

    def perform_content_negotiation(self, request, force=False):
        if self.action == "download":  # the PDF, or a JSON error, whatever Accept says
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def create(self, request, *args, **kwargs):
        self.require_somewhere("request_pack")
        serializer = PackRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            result = services.request_pack(actor=request.user, **serializer.validated_data)
        except services.PackRequestRefused as refusal:
            raise Throttled(detail=str(refusal)) from None
        pack = self.get_queryset().get(pk=result.pack.pk)
        data = PackSerializer(pack, context={"request": request}).data
        return Response(
            data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["links"]["api"]}
        )

    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        pack = self.get_object()
        if not pack.is_ready or not pack.file:
            return workflow_error(
                _("This pack is not ready yet: its status is “%(status)s”.")
                % {"status": pack.get_status_display()},
                code="not_ready",
            )
        handle = services.open_download(request.user, pack, ip=request.META.get("REMOTE_ADDR", ""))
        if handle is None:
            raise NotFound()
        return file_download(
            handle, filename=pack.download_filename(), content_type="application/pdf"
        )

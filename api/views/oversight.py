"""``/api/v1/sign-offs/``: the accountable senior managers' decisions, read only.

A sign-off is written once and never changed or deleted (``oversight.models.AppendOnly``):
the API offers no operation that would, so PUT, PATCH and DELETE answer 405.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.response import Response

from oversight import services
from oversight.models import SignOff

from ..filters import SignOffFilter, StrictOrderingFilter, UserFilterBackend
from ..schema import list_schema, read_schema
from ..serializers.oversight import SignOffDetailSerializer, SignOffSerializer
from .base import TenantViewSet


@extend_schema_view(
    list=list_schema(
        SignOffSerializer,
        gettext_lazy("Sign-offs of the systems of your bodies"),
        gettext_lazy("Newest first. Filter by `system` and `decision`."),
    ),
    retrieve=read_schema(
        SignOffDetailSerializer,
        gettext_lazy("One sign-off: what was signed, and whether it still holds"),
    ),
)
@extend_schema(tags=["sign-offs"])
class SignOffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = SignOff
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = SignOffFilter
    ordering_fields = ["signed_at"]
    ordering = ["-signed_at", "-id"]

    def get_queryset(self):
        signoffs = super().get_queryset().select_related("system", "signed_by")
        if self.action == "list":
            return signoffs.defer("snapshot")
        return signoffs

    def get_serializer_class(self):
        return SignOffSerializer if self.action == "list" else SignOffDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        signoff = self.get_object()
        latest = services.latest_signoff(signoff.system)
        if latest is not None and latest.pk == signoff.pk:
            state = services.signoff_status(signoff.system, latest).state
        else:
            state = "superseded"
        context = {"request": request, "state": state}
        return Response(SignOffDetailSerializer(signoff, context=context).data)

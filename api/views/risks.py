"""``/api/v1/risks/`` and ``/api/v1/actions/``: the risk registers and action plans of the
systems of your bodies, recorded and changed through ``assessments.services``."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments import services
from assessments.forms import AcceptRiskForm, ActionForm, ProgressUpdateForm, RiskForm
from assessments.models import Action, ActionUpdate, Risk

from ..filters import ActionFilter, RiskFilter, StrictOrderingFilter, UserFilterBackend
from ..schema import (
    CREATE_ERRORS,
    REVISION_ERRORS,
    WRITE_ERRORS,
    error_responses,
    export_schema,
    if_match_parameter,
    list_schema,
)
from ..serializers.assessments import (
    ActionChangeSerializer,
    ActionCreateSerializer,
    ActionDetailSerializer,
    ActionExportSerializer,
    ActionSerializer,
    ActionUpdateSerializer,
    ProgressUpdateCreateSerializer,
    RiskAcceptSerializer,
    RiskCreateSerializer,
    RiskExportSerializer,
    RiskSerializer,
    RiskUpdateSerializer,
)
from .base import (
    ExportMixin,
    Precondition,
    TenantViewSet,
    checked_by_form,
    form_data,
    workflow_error,
)

REVISION_DESCRIPTION = gettext_lazy(
    "Send only the fields you change, with the revision your change is based on: an "
    "`If-Match` header with the ETag from GET (412 if it changed since) or `revision` in the "
    "body (409 if it changed). Without either: 428."
)


# Risks and actions name their assessment by its public id: its content is not needed.
ASSESSMENT_CONTENT = ("assessment__content", "assessment__result")


def revision_etag(obj) -> str:
    return f'"{obj.revision}"'


class RevisionMixin:
    """Changes based on a revision (``Precondition``), saved by a service that takes
    ``expected_revision`` and raises ``Conflict`` when it is stale."""

    def _change(self, obj, serializer_class, form, save) -> Response:
        """Check the fields sent with the page's ``form`` (over the object's current values),
        then save them with the service, if the object is still at the expected revision."""
        serializer = serializer_class(data=self.request.data, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        precondition = Precondition(self.request, data.pop("revision", None), obj.revision)
        if precondition.failed:
            return precondition.response()
        fields = form._meta.fields
        current = {name: obj.serializable_value(name) for name in fields}
        cleaned = checked_by_form(
            form(data=form_data({**current, **data}), **self._form_kwargs(obj))
        )
        data = {name: cleaned[name] for name in fields}
        try:
            save(data, precondition.expected)
        except services.Conflict:
            current = type(obj).objects.values_list("revision", flat=True).get(pk=obj.pk)
            return precondition.response(current)
        return self.detail_response(self.get_queryset().get(pk=obj.pk))


@extend_schema_view(
    list=list_schema(
        RiskSerializer,
        gettext_lazy("The risk registers of the systems of your bodies"),
        gettext_lazy(
            "Filter by `system`, `status`, `category` and `gwc_principle`; order by `score` "
            "(likelihood × impact) and more."
        ),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One risk"),
        description=gettext_lazy("The `ETag` header is the risk's revision."),
        responses={200: RiskSerializer, **error_responses(401, 403, 404, 429)},
    ),
    create=extend_schema(
        summary=gettext_lazy("Add a risk to a system's register"),
        request=RiskCreateSerializer,
        responses={201: RiskSerializer, **error_responses(*CREATE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a risk"),
        description=REVISION_DESCRIPTION,
        parameters=[if_match_parameter()],
        request=RiskUpdateSerializer,
        responses={200: RiskSerializer, **error_responses(*REVISION_ERRORS)},
    ),
    accept=extend_schema(
        summary=gettext_lazy("Accept a risk"),
        description=gettext_lazy(
            "By the system's accountable senior manager or an organisation administrator: "
            "records who accepted it, why and until when."
        ),
        request=RiskAcceptSerializer,
        responses={
            200: RiskSerializer,
            **error_responses(*WRITE_ERRORS, 409, workflow=True),
        },
    ),
    export=export_schema(RiskExportSerializer),
)
@extend_schema(tags=["risks"])
class RiskViewSet(
    RevisionMixin, ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):
    model = Risk
    action_permissions = {"partial_update": "manage_risks", "accept": "accept_risk"}
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = RiskFilter
    ordering_fields = ["number", "score", "likelihood", "impact", "review_due", "updated_at"]
    ordering_aliases = {"score": "risk_score"}
    ordering = ["system_id", "number"]
    export_serializer_class = RiskExportSerializer
    export_name = "risks"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("system", "accepted_by", "assessment")
            .defer(*ASSESSMENT_CONTENT)
            .annotate(risk_score=F("likelihood") * F("impact"))
        )

    def get_serializer_class(self):
        return {
            "create": RiskCreateSerializer,
            "partial_update": RiskUpdateSerializer,
            "accept": RiskAcceptSerializer,
            "export": RiskExportSerializer,
        }.get(self.action, RiskSerializer)

    def _form_kwargs(self, risk) -> dict:
        return {"instance": risk}

    detail_serializer_class = RiskSerializer

    def etag(self, obj) -> str:
        return revision_etag(obj)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def create(self, request, *args, **kwargs):
        self.require_somewhere("manage_risks")
        serializer = RiskCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        system = data.pop("system")
        cleaned = checked_by_form(RiskForm(data=form_data({"status": "open", **data})))
        data = {name: cleaned[name] for name in RiskForm._meta.fields}
        risk = services.create_risk(system, actor=request.user, data=data)
        return self.created(self.detail_response(self.get_queryset().get(pk=risk.pk)))

    def partial_update(self, request, *args, **kwargs):
        risk = self.get_object()
        return self._change(
            risk,
            RiskUpdateSerializer,
            RiskForm,
            lambda data, expected: services.update_risk(
                risk, actor=request.user, data=data, expected_revision=expected
            ),
        )

    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        risk = self.get_object()
        serializer = RiskAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cleaned = checked_by_form(AcceptRiskForm(data=form_data(serializer.validated_data)))
        try:
            services.accept_risk(risk, actor=request.user, **cleaned)
        except services.WorkflowError as error:
            return workflow_error(error.message)
        return self.detail_response(self.get_queryset().get(pk=risk.pk))


@extend_schema_view(
    list=list_schema(
        ActionSerializer,
        gettext_lazy("The action plans of the systems of your bodies"),
        gettext_lazy("Filter by `system`, `progress`, `risk` and `overdue`."),
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("One action, with its dated progress updates"),
        description=gettext_lazy("The `ETag` header is the action's revision."),
        responses={200: ActionDetailSerializer, **error_responses(401, 403, 404, 429)},
    ),
    create=extend_schema(
        summary=gettext_lazy("Add an action to a system's plan"),
        request=ActionCreateSerializer,
        responses={201: ActionDetailSerializer, **error_responses(*CREATE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change an action"),
        description=REVISION_DESCRIPTION,
        parameters=[if_match_parameter()],
        request=ActionChangeSerializer,
        responses={200: ActionDetailSerializer, **error_responses(*REVISION_ERRORS)},
    ),
    progress=extend_schema(
        summary=gettext_lazy("Record a dated progress update"),
        description=gettext_lazy(
            "Kept as history; the action takes the progress of its latest update."
        ),
        request=ProgressUpdateCreateSerializer,
        responses={201: ActionUpdateSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    export=export_schema(ActionExportSerializer),
)
@extend_schema(tags=["actions"])
class ActionViewSet(
    RevisionMixin, ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):
    model = Action
    action_permissions = {"partial_update": "manage_risks", "progress": "manage_risks"}
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = ActionFilter
    ordering_fields = ["number", "due_date", "progress", "updated_at"]
    ordering = ["system_id", "due_date", "number"]
    export_serializer_class = ActionExportSerializer
    export_name = "actions"

    def get_queryset(self):
        actions = (
            super()
            .get_queryset()
            .select_related("system", "risk", "assessment")
            .defer(*ASSESSMENT_CONTENT)
        )
        if self.action in ("retrieve", "partial_update", "create", "progress"):
            return actions.prefetch_related("updates__author")
        return actions

    def get_serializer_class(self):
        return {
            "list": ActionSerializer,
            "create": ActionCreateSerializer,
            "partial_update": ActionChangeSerializer,
            "progress": ProgressUpdateCreateSerializer,
            "export": ActionExportSerializer,
        }.get(self.action, ActionDetailSerializer)

    def _form_kwargs(self, action) -> dict:
        return {"instance": action, "system": action.system}

    detail_serializer_class = ActionDetailSerializer

    def etag(self, obj) -> str:
        return revision_etag(obj)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object())

    def create(self, request, *args, **kwargs):
        self.require_somewhere("manage_risks")
        serializer = ActionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        system = data.pop("system")
        cleaned = checked_by_form(ActionForm(data=form_data(data), system=system))
        data = {name: cleaned[name] for name in ActionForm._meta.fields}
        created = services.create_action(system, actor=request.user, data=data)
        return self.created(self.detail_response(self.get_queryset().get(pk=created.pk)))

    def partial_update(self, request, *args, **kwargs):
        plan_action = self.get_object()
        return self._change(
            plan_action,
            ActionChangeSerializer,
            ActionForm,
            lambda data, expected: services.update_action(
                plan_action, actor=request.user, data=data, expected_revision=expected
            ),
        )

    @action(detail=True, methods=["post"])
    def progress(self, request, *args, **kwargs):
        plan_action = self.get_object()
        serializer = ProgressUpdateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cleaned = checked_by_form(ProgressUpdateForm(data=form_data(serializer.validated_data)))
        update = services.add_progress_update(plan_action, actor=request.user, **cleaned)
        update = ActionUpdate.objects.select_related("author").get(pk=update.pk)
        return Response(ActionUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

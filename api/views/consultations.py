"""``/api/v1/consultations/``, ``/comments/``, ``/concerns/`` and ``/rights-requests/``: union
consultation and worker voice, written through ``consultations.services``."""

from __future__ import annotations

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from consultations import forms, services, targets
from consultations.models import Comment, Concern, Consultation, RightsRequest
from consultations.targets import commentable_models
from govreg.links import url_with_id

from ..filters import (
    CommentFilter,
    ConcernFilter,
    ConsultationFilter,
    RightsRequestFilter,
    StrictOrderingFilter,
    UserFilterBackend,
)
from ..schema import (
    CREATE_ERRORS,
    WRITE_ERRORS,
    error_responses,
    export_schema,
    list_schema,
    read_schema,
)
from ..serializers.common import EmptySerializer
from ..serializers.consultations import (
    CommentCreateSerializer,
    CommentThreadSerializer,
    ConcernCreateSerializer,
    ConcernDetailSerializer,
    ConcernExportSerializer,
    ConcernReasonSerializer,
    ConcernResolveSerializer,
    ConcernRespondSerializer,
    ConcernSerializer,
    ConsultationDetailSerializer,
    ConsultationSerializer,
    ReplyCreateSerializer,
    RightsCloseSerializer,
    RightsExtendSerializer,
    RightsRequestCreateSerializer,
    RightsRequestExportSerializer,
    RightsRequestSerializer,
    RightsRequestUpdateSerializer,
)
from .base import ExportMixin, TenantViewSet, checked_by_form, form_data, workflow_error

STATE_ERRORS = error_responses(*WRITE_ERRORS, 409, workflow=True)


def refused_as_invalid(error: services.WorkflowError):
    """A rights-request rule the form would have shown: 400, as a form error."""
    return DjangoValidationError(str(error))


# --- Consultations ------------------------------------------------------------------------------


@extend_schema_view(
    list=list_schema(
        ConsultationSerializer,
        gettext_lazy("Consultations with the unions about the systems of your bodies"),
        gettext_lazy("Filter by `system`, `stage` and `status`."),
    ),
    retrieve=read_schema(
        ConsultationDetailSerializer,
        gettext_lazy("One consultation: prompts, meetings, disclosures and union positions"),
    ),
)
@extend_schema(tags=["consultations"])
class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Consultation
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = ConsultationFilter
    ordering_fields = ["stage", "status", "created_at", "updated_at"]
    ordering = ["system_id", "created_at", "id"]

    def get_queryset(self):
        consultations = super().get_queryset()
        if self.action == "retrieve":
            return consultations.for_detail()
        return consultations.select_related("system").prefetch_related("unions")

    def get_serializer_class(self):
        return ConsultationDetailSerializer if self.action == "retrieve" else ConsultationSerializer

    def retrieve(self, request, *args, **kwargs):
        consultation = self.get_object()
        context = {
            "request": request,
            "current_positions": {p.pk for p in consultation.current_positions()},
        }
        return Response(ConsultationDetailSerializer(consultation, context=context).data)


# --- Comments -----------------------------------------------------------------------------------


@extend_schema_view(
    list=list_schema(
        CommentThreadSerializer,
        gettext_lazy("Comment threads on the records of the systems of your bodies"),
        gettext_lazy(
            "Each thread with its replies. The threads on one object: `target_type` and "
            "`target_id` (e.g. `assessments.risk` and its id); `resolved` for resolved ones."
        ),
    ),
    retrieve=read_schema(CommentThreadSerializer, gettext_lazy("One thread with its replies")),
    create=extend_schema(
        summary=gettext_lazy("Start a thread on a record of a system"),
        request=CommentCreateSerializer,
        responses={
            201: CommentThreadSerializer,
            **error_responses(*CREATE_ERRORS, 409, workflow=True),
        },
    ),
    reply=extend_schema(
        summary=gettext_lazy("Reply to a thread"),
        request=ReplyCreateSerializer,
        responses={201: CommentThreadSerializer, **STATE_ERRORS},
    ),
    resolve=extend_schema(
        summary=gettext_lazy("Mark a thread as resolved"),
        request=EmptySerializer,
        responses={200: CommentThreadSerializer, **STATE_ERRORS},
    ),
    reopen=extend_schema(
        summary=gettext_lazy("Reopen a resolved thread"),
        request=EmptySerializer,
        responses={200: CommentThreadSerializer, **STATE_ERRORS},
    ),
)
@extend_schema(tags=["comments"])
class CommentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Comment
    action_permissions = {"reply": "comment", "resolve": "comment", "reopen": "comment"}
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = CommentFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    serializer_class = CommentThreadSerializer

    def get_queryset(self):
        replies = Comment.objects.select_related("author").order_by("created_at", "id")
        # What each thread is about: only its public id, one query per kind of object.
        about = [model._default_manager.only("uuid") for model in commentable_models()]
        return (
            super()
            .get_queryset()
            .filter(parent__isnull=True)
            .select_related(
                "system", "content_type", "author", "resolved_by", "reopened_by", "concern"
            )
            .prefetch_related(
                Prefetch("replies", queryset=replies), GenericPrefetch("target", about)
            )
        )

    def _thread(self, pk, status_code=status.HTTP_200_OK) -> Response:
        thread = self.get_queryset().get(pk=pk)
        return Response(
            CommentThreadSerializer(thread, context={"request": self.request}).data,
            status=status_code,
        )

    def create(self, request, *args, **kwargs):
        self.require_somewhere("comment")
        serializer = CommentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        system = data["system"]
        body = checked_by_form(forms.CommentForm(data={"body": data["body"]}))["body"]
        try:
            target = targets.resolve(system, data["target_type"], data["target_id"])
        except ObjectDoesNotExist:
            raise DjangoValidationError(
                {"target_id": _("Choose a record, assessment, risk or consultation of the system.")}
            ) from None
        try:
            comment = services.add_comment(
                actor=request.user, system=system, target=target, body=body
            )
        except services.WorkflowError as error:
            return workflow_error(str(error))
        response = self._thread(comment.pk, status.HTTP_201_CREATED)
        response["Location"] = url_with_id("api:comment-detail", comment.uuid)
        return response

    @action(detail=True, methods=["post"])
    def reply(self, request, *args, **kwargs):
        thread = self.get_object()
        serializer = ReplyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cleaned = checked_by_form(forms.ReplyForm(data=form_data(serializer.validated_data)))
        try:
            services.add_comment(
                actor=request.user,
                system=thread.system,
                target=None,
                body=cleaned["body"],
                parent=thread,
            )
        except services.WorkflowError as error:
            return workflow_error(str(error))
        return self._thread(thread.pk, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        return self._thread_step(services.resolve_thread)

    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        return self._thread_step(services.reopen_thread)

    def _thread_step(self, service) -> Response:
        thread = self.get_object()
        EmptySerializer(data=self.request.data).is_valid(raise_exception=True)
        try:
            service(thread, actor=self.request.user)
        except services.WorkflowError as error:
            return workflow_error(str(error))
        return self._thread(thread.pk)


# --- Concerns -----------------------------------------------------------------------------------


@extend_schema_view(
    list=list_schema(
        ConcernSerializer,
        gettext_lazy("Concerns about the systems of your bodies"),
        gettext_lazy("Filter by `system`, `status`, `source`, `category` and `overdue`."),
    ),
    retrieve=read_schema(ConcernDetailSerializer, gettext_lazy("One concern, with its timeline")),
    create=extend_schema(
        summary=gettext_lazy("Raise a concern (union representatives)"),
        description=gettext_lazy("HR is told at once; a response is due in working days."),
        request=ConcernCreateSerializer,
        responses={201: ConcernDetailSerializer, **error_responses(*CREATE_ERRORS)},
    ),
    respond=extend_schema(
        summary=gettext_lazy("Respond to a concern on the employer's behalf (HR)"),
        request=ConcernRespondSerializer,
        responses={200: ConcernDetailSerializer, **STATE_ERRORS},
    ),
    escalate=extend_schema(
        summary=gettext_lazy("Escalate a concern: a fresh response is owed"),
        request=ConcernReasonSerializer,
        responses={200: ConcernDetailSerializer, **STATE_ERRORS},
    ),
    resolve=extend_schema(
        summary=gettext_lazy("Mark a concern as resolved"),
        request=ConcernResolveSerializer,
        responses={200: ConcernDetailSerializer, **STATE_ERRORS},
    ),
    reopen=extend_schema(
        summary=gettext_lazy("Reopen a resolved concern"),
        request=ConcernReasonSerializer,
        responses={200: ConcernDetailSerializer, **STATE_ERRORS},
    ),
    export=export_schema(ConcernExportSerializer),
)
@extend_schema(tags=["concerns"])
class ConcernViewSet(ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Concern
    # Escalating, resolving and reopening: the rep's side or HR's (as the concern's page).
    action_permissions = {
        "respond": "respond_concern",
        "escalate": ("raise_concern", "respond_concern"),
        "resolve": ("raise_concern", "respond_concern"),
        "reopen": ("raise_concern", "respond_concern"),
    }
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = ConcernFilter
    ordering_fields = ["raised_at", "due_on", "status"]
    ordering = ["-raised_at", "-id"]
    export_serializer_class = ConcernExportSerializer
    export_name = "concerns"

    def get_queryset(self):
        concerns = (
            super().get_queryset().select_related("system", "union", "raised_by", "source_comment")
        )
        if self.action not in ("list", "export"):
            return concerns.prefetch_related("updates__actor")
        return concerns

    def get_serializer_class(self):
        return {"list": ConcernSerializer, "export": ConcernExportSerializer}.get(
            self.action, ConcernDetailSerializer
        )

    detail_serializer_class = ConcernDetailSerializer

    def _detail(self, pk) -> Response:
        """The concern read again with what its full representation needs."""
        return self.detail_response(self.get_queryset().get(pk=pk))

    def create(self, request, *args, **kwargs):
        self.require_somewhere("raise_concern")
        serializer = ConcernCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        system = data.pop("system")
        cleaned = checked_by_form(forms.ConcernForm(data=form_data(data)))
        try:
            concern = services.raise_concern(actor=request.user, system=system, **cleaned)
        except services.WorkflowError as error:
            raise refused_as_invalid(error) from None
        return self.created(self._detail(concern.pk))

    @action(detail=True, methods=["post"])
    def respond(self, request, *args, **kwargs):
        serializer = ConcernRespondSerializer(data=request.data)
        # Not sent: the category stays as it is (the page's form starts from it).
        return self._step(
            serializer,
            services.respond_to_concern,
            forms.RespondForm,
            defaults=lambda concern: {"category": concern.category},
        )

    @action(detail=True, methods=["post"])
    def escalate(self, request, *args, **kwargs):
        return self._step(ConcernReasonSerializer(data=request.data), services.escalate_concern)

    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        return self._step(ConcernResolveSerializer(data=request.data), services.resolve_concern)

    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        return self._step(ConcernReasonSerializer(data=request.data), services.reopen_concern)

    def _step(self, serializer, service, form=None, defaults=None) -> Response:
        concern = self.get_object()
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        if form is not None:  # the page's form, as the page checks it
            values = {**(defaults(concern) if defaults else {}), **values}
            values = checked_by_form(form(data=form_data(values)))
        try:
            service(concern, actor=self.request.user, **values)
        except services.WorkflowError as error:
            return workflow_error(str(error))
        return self._detail(concern.pk)


# --- Rights requests ----------------------------------------------------------------------------


RIGHTS_FIELDS = (
    "case_reference",
    "kind",
    "received_on",
    "decision_reference",
    "requester_details",
    "summary",
)


@extend_schema_view(
    list=list_schema(
        RightsRequestSerializer,
        gettext_lazy("The rights requests log of the systems of your bodies"),
        gettext_lazy(
            "Filter by `system`, `kind`, `closed` and `overdue`. The details of the person "
            "are shown only to those who handle rights requests."
        ),
    ),
    retrieve=read_schema(RightsRequestSerializer, gettext_lazy("One rights request")),
    create=extend_schema(
        summary=gettext_lazy("Log a rights request (HR)"),
        request=RightsRequestCreateSerializer,
        responses={201: RightsRequestSerializer, **error_responses(*CREATE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change the details of a rights request (HR)"),
        description=gettext_lazy("Send only the fields you change."),
        request=RightsRequestUpdateSerializer,
        responses={200: RightsRequestSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    extend=extend_schema(
        summary=gettext_lazy("Extend the time to respond by two months (HR)"),
        request=RightsExtendSerializer,
        responses={200: RightsRequestSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    close=extend_schema(
        summary=gettext_lazy("Close a rights request with its outcome (HR)"),
        request=RightsCloseSerializer,
        responses={200: RightsRequestSerializer, **error_responses(*WRITE_ERRORS)},
    ),
    export=export_schema(RightsRequestExportSerializer),
)
@extend_schema(tags=["rights requests"])
class RightsRequestViewSet(
    ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet
):
    model = RightsRequest
    action_permissions = {
        "partial_update": "manage_rights_requests",
        "extend": "manage_rights_requests",
        "close": "manage_rights_requests",
    }
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = RightsRequestFilter
    ordering_fields = ["received_on", "due_on", "case_reference", "updated_at"]
    ordering = ["-received_on", "-id"]
    serializer_class = RightsRequestSerializer
    export_serializer_class = RightsRequestExportSerializer
    export_name = "rights-requests"

    def get_queryset(self):
        return super().get_queryset().select_related("system", "recorded_by")

    def get_serializer_class(self):
        return {
            "create": RightsRequestCreateSerializer,
            "partial_update": RightsRequestUpdateSerializer,
            "extend": RightsExtendSerializer,
            "close": RightsCloseSerializer,
            "export": RightsRequestExportSerializer,
        }.get(self.action, RightsRequestSerializer)

    detail_serializer_class = RightsRequestSerializer

    def _detail(self, pk) -> Response:
        """The rights request read again with what its full representation needs."""
        return self.detail_response(self.get_queryset().get(pk=pk))

    def create(self, request, *args, **kwargs):
        self.require_somewhere("manage_rights_requests")
        serializer = RightsRequestCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        system = data.pop("system")
        cleaned = checked_by_form(forms.RightsRequestForm(data=form_data(data)))
        try:
            logged = services.log_rights_request(actor=request.user, system=system, **cleaned)
        except services.WorkflowError as error:
            raise refused_as_invalid(error) from None
        return self.created(self._detail(logged.pk))

    def partial_update(self, request, *args, **kwargs):
        rights_request = self.get_object()
        serializer = RightsRequestUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {name: getattr(rights_request, name) for name in RIGHTS_FIELDS}
        fields.update(serializer.validated_data)
        fields = checked_by_form(forms.RightsRequestForm(data=form_data(fields)))
        return self._step(
            lambda: services.update_rights_request(rights_request, actor=request.user, **fields),
            rights_request,
        )

    @action(detail=True, methods=["post"])
    def extend(self, request, *args, **kwargs):
        rights_request = self.get_object()
        serializer = RightsExtendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cleaned = checked_by_form(forms.ExtendForm(data=form_data(serializer.validated_data)))
        return self._step(
            lambda: services.extend_rights_request(rights_request, actor=request.user, **cleaned),
            rights_request,
        )

    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        rights_request = self.get_object()
        serializer = RightsCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cleaned = checked_by_form(forms.CloseForm(data=form_data(serializer.validated_data)))
        return self._step(
            lambda: services.close_rights_request(rights_request, actor=request.user, **cleaned),
            rights_request,
        )

    def _step(self, step, rights_request) -> Response:
        try:
            step()
        except services.WorkflowError as error:
            raise refused_as_invalid(error) from None
        return self._detail(rights_request.pk)

"""``/api/v1/assessments/``: versions of DPIAs, EqIAs and AIAs; drafts and their sections.

Answers are checked by the same forms as the section pages (``assessments.schema.ContentForm``
for DPIA and EqIA sections and rows, ``assessments.aia.SectionForm`` for AIA pages) and saved
by ``assessments.services``; the workflow (submit, approve, return) is the services' too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from assessments import aia, schema, services
from assessments.choices import Kind, Status
from assessments.models import Assessment

from ..filters import AssessmentFilter, StrictOrderingFilter, UserFilterBackend
from ..schema import CREATE_ERRORS, READ_ERRORS, error_responses, list_schema, read_schema
from ..serializers.assessments import (
    AssessmentCreateSerializer,
    AssessmentDetailSerializer,
    AssessmentListSerializer,
    ReturnSerializer,
    RowCreateSerializer,
    SectionSerializer,
    SectionUpdateSerializer,
)
from ..serializers.common import EmptySerializer
from .base import TenantViewSet, WorkflowConflict, checked_by_form, form_data, workflow_error

AIA_KINDS = {"single": "choice", "multi": "multi", "text": "textarea"}
WRONG_TYPE = gettext_lazy("This value is of the wrong type.")
NOT_HERE = gettext_lazy("This field cannot be set here.")

# Sections and rows are parts of the assessment's content, named by their slugs (the URLs'
# ``<slug:…>``), not objects of their own.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
SECTION_PARAMETER = OpenApiParameter(
    "section",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=SLUG_PATTERN,
    description=gettext_lazy("The section's slug (from `sections` of the assessment)."),
)
ROW_PARAMETER = OpenApiParameter(
    "row",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=SLUG_PATTERN,
    description=gettext_lazy("The row's id (from `rows` of the section)."),
)

# --- Sections: reading ----------------------------------------------------------------------


def _field_spec(field: schema.Field, content: dict, sections) -> dict:
    if field.kind == schema.YESNO:
        choices = schema.YES_NO
    elif field.kind == schema.ROWREF:
        target = next(s for s in sections if s.slug == field.ref)
        choices = [
            (row["id"], schema.row_title(target, row)) for row in schema.rows_of(content, target)
        ]
    else:
        choices = field.choices
    return {
        "name": field.name,
        "label": str(field.label),
        "kind": field.kind,
        "required": field.required,
        "hint": str(field.hint),
        "choices": [{"value": value, "label": str(label)} for value, label in choices],
        "min_value": field.min_value,
        "max_value": field.max_value,
    }


def _question_spec(question) -> dict:
    return {
        "name": question.code,
        "label": aia.text(question.text),
        "kind": AIA_KINDS[question.type],
        "required": question.required,
        "hint": aia.text(question.help),
        "choices": [{"value": c.value, "label": aia.text(c.label)} for c in question.choices],
        "min_value": None,
        "max_value": None,
    }


def section_summaries(assessment: Assessment, check) -> list[dict]:
    if assessment.kind == Kind.AIA:
        return [
            {"slug": s["code"], "title": s["title"], "type": "questions", "status": s["status"]}
            for s in check.statuses
        ]
    return [
        {
            "slug": section.slug,
            "title": str(section.title),
            "type": "rows" if section.rows else "fields",
            "status": state,
        }
        for section, state in check.statuses
    ]


def section_data(assessment: Assessment, slug: str) -> dict:
    """One section as ``SectionSerializer`` describes it (404 for an unknown slug)."""
    check = services.check(assessment)
    summary = next((s for s in section_summaries(assessment, check) if s["slug"] == slug), None)
    if summary is None:
        raise Http404
    content = assessment.content
    if assessment.kind == Kind.AIA:
        q = assessment.questionnaire.engine()
        section = next(s for s in q.sections if s.code == slug)
        answers = aia.answers_of(assessment)
        visible = aia.visible_codes(q, answers)
        values = {qu.code: answers.get(qu.code) for qu in section.questions}
        shown = [qu for qu in section.questions if qu.code in visible]
        return {
            **summary,
            "group": str(aia.KIND_LABELS[section.kind]),
            "fingerprint": services.section_fingerprint(values),
            "fields": [_question_spec(qu) for qu in shown],
            "values": {qu.code: answers.get(qu.code) for qu in shown},
            "rows": None,
            "can_add_rows": False,
        }
    definition = assessment.definition
    section = definition.section(slug)
    if section.rows:
        spec = section.rows
        names = [f.name for f in spec.fields]
        rows = [
            {
                "id": row.get("id"),
                "title": schema.row_title(section, row),
                "values": {name: row.get(name) for name in names},
                "fingerprint": services.section_fingerprint({n: row.get(n) for n in names}),
            }
            for row in schema.rows_of(content, section)
        ]
        return {
            **summary,
            "group": str(section.group),
            "fingerprint": None,
            "fields": [_field_spec(f, content, definition.sections) for f in spec.fields],
            "values": None,
            "rows": rows,
            "can_add_rows": not spec.fixed,
        }
    values = {f.name: content.get(f.name) for f in section.fields}
    return {
        **summary,
        "group": str(section.group),
        "fingerprint": services.section_fingerprint(values),
        "fields": [_field_spec(f, content, definition.sections) for f in section.fields],
        "values": values,
        "rows": None,
        "can_add_rows": False,
    }


# --- Sections: writing (the pages' forms check the answers) ----------------------------------

# The JSON type of each kind of field (AIA questions: "single" and "text" are strings).
JSON_TYPES = {schema.MULTI: list, schema.INT: int}


def _check_types(values: dict, kinds: dict[str, str]) -> None:
    """Unknown names and values of the wrong JSON type are refused, never coerced."""
    errors = {}
    for name, value in values.items():
        if name not in kinds:
            errors[name] = [str(NOT_HERE)]
            continue
        if value is None:
            continue
        expected = JSON_TYPES.get(kinds[name], str)
        wrong = not isinstance(value, expected) or isinstance(value, bool)
        if expected is list and not wrong:
            wrong = not all(isinstance(item, str) for item in value)
        if wrong:
            errors[name] = [str(WRONG_TYPE)]
    if errors:
        raise ValidationError(errors)


def save_fields(assessment: Assessment, section, *, actor, values: dict, fingerprint) -> None:
    _check_types(values, {f.name: f.kind for f in section.fields})
    current = {f.name: assessment.content.get(f.name) for f in section.fields}
    form = schema.ContentForm(
        data=form_data({**current, **values}),
        spec_fields=section.fields,
        content=assessment.content,
        sections=assessment.definition.sections,
    )
    checked_by_form(form)
    cleaned = form.values()
    services.save_section(
        assessment,
        actor=actor,
        section_slug=section.slug,
        values={name: cleaned[name] for name in values},
        expected_fingerprint=fingerprint,
    )


def save_answers(assessment: Assessment, code: str, *, actor, values: dict, fingerprint) -> None:
    q = assessment.questionnaire.engine()
    section = next(s for s in q.sections if s.code == code)
    _check_types(values, {qu.code: qu.type for qu in section.questions})
    current = aia.answers_of(assessment)
    merged = {**current, **values}
    form = aia.SectionForm(
        data=form_data({aia.field_name(qu.code): merged.get(qu.code) for qu in section.questions}),
        questionnaire=q,
        section=section,
        answers={k: v for k, v in merged.items() if v is not None},
    )
    hidden = {c for c in values if c not in {qu.code for qu in form.questions}}
    if hidden:
        raise ValidationError(
            {c: [_("This question does not apply with the other answers.")] for c in hidden}
        )
    if not form.is_valid():
        by_code = {aia.field_name(qu.code): qu.code for qu in form.questions}
        raise ValidationError(
            {by_code.get(name, "__all__"): list(messages) for name, messages in form.errors.items()}
        )
    services.save_answers(
        assessment, actor=actor, answers=form.answers(), expected_fingerprint=fingerprint
    )


def save_row(
    assessment: Assessment, section, *, actor, row_id: str | None, values: dict, fingerprint
) -> str:
    spec = section.rows
    _check_types(values, {f.name: f.kind for f in spec.fields})
    current = {}
    if row_id is not None:
        row = schema.row_by_id(assessment.content, section, row_id) or {}
        current = {f.name: row.get(f.name) for f in spec.fields}
    form = schema.ContentForm(
        data=form_data({**current, **values}),
        spec_fields=spec.fields,
        content=assessment.content,
        sections=assessment.definition.sections,
    )
    checked_by_form(form)
    return services.save_row(
        assessment,
        actor=actor,
        section_slug=section.slug,
        row_id=row_id,
        values=form.values(),
        expected_fingerprint=fingerprint,
    )


# --- The viewset ------------------------------------------------------------------------------

SECTION_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 429, workflow=True)


UPDATE_SECTION_SCHEMA = extend_schema(
    summary=gettext_lazy("Save answers of a section of a draft"),
    description=gettext_lazy(
        "Send only the answers you change (null clears one). They are checked as on the "
        "section's page. With the section's `fingerprint`, nothing is saved if someone "
        "else saved the same answers since (409, `section_conflict`). Sections of rows "
        "are changed row by row (…/rows/)."
    ),
    parameters=[SECTION_PARAMETER],
    request=SectionUpdateSerializer,
    responses={200: SectionSerializer, **SECTION_WRITE_ERRORS},
)

DELETE_ROW_SCHEMA = extend_schema(
    summary=gettext_lazy("Remove a row of a draft"),
    parameters=[SECTION_PARAMETER, ROW_PARAMETER],
    responses={
        204: None,
        **error_responses(401, 403, 404, 409, 429, workflow=True),
    },
)


@extend_schema_view(
    list=list_schema(
        AssessmentListSerializer,
        gettext_lazy("Assessment versions of the systems of your bodies"),
        gettext_lazy(
            "Every version (draft, in review, approved, superseded), newest first per kind. "
            "Filter by `system`, `kind` and `status` (e.g. `status=approved` for the approved "
            "versions)."
        ),
    ),
    retrieve=read_schema(
        AssessmentDetailSerializer,
        gettext_lazy("One version: its content, sections and what stops it going further"),
        gettext_lazy(
            "Approved and superseded versions are frozen (`content_hash`). `problems` lists "
            "what must be put right before submission and before approval."
        ),
    ),
    create=extend_schema(
        summary=gettext_lazy("Start a draft"),
        description=gettext_lazy(
            "Version 1, or the next version copying the approved one. If a draft or a version "
            "in review already exists, that version is returned (200) instead of a new one."
        ),
        request=AssessmentCreateSerializer,
        responses={
            201: AssessmentDetailSerializer,
            200: AssessmentDetailSerializer,
            **error_responses(*CREATE_ERRORS, 409, workflow=True),
        },
    ),
    section=extend_schema(
        summary=gettext_lazy("One section: its questions, their types and the answers"),
        parameters=[SECTION_PARAMETER],
        responses={200: SectionSerializer, **error_responses(*READ_ERRORS)},
    ),
    add_row=extend_schema(
        summary=gettext_lazy("Add a row to a section of rows of a draft"),
        parameters=[SECTION_PARAMETER],
        request=RowCreateSerializer,
        responses={201: SectionSerializer, **SECTION_WRITE_ERRORS},
    ),
    update_row=extend_schema(
        summary=gettext_lazy("Change a row of a draft"),
        description=gettext_lazy(
            "Send only the answers you change; with the row's `fingerprint`, nothing is saved "
            "if someone else changed the row since (409)."
        ),
        parameters=[SECTION_PARAMETER, ROW_PARAMETER],
        request=SectionUpdateSerializer,
        responses={200: SectionSerializer, **SECTION_WRITE_ERRORS},
    ),
    submit=extend_schema(
        summary=gettext_lazy("Submit a draft for review"),
        request=EmptySerializer,
        responses={
            200: AssessmentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 429, workflow=True),
        },
    ),
    approve=extend_schema(
        summary=gettext_lazy("Approve a version in review"),
        description=gettext_lazy(
            "By the system's accountable senior manager or an organisation administrator who "
            "neither prepared nor edited the version (403 otherwise). The version is frozen "
            "and the previously approved one superseded."
        ),
        request=EmptySerializer,
        responses={
            200: AssessmentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 429, workflow=True),
        },
    ),
    return_for_changes=extend_schema(
        summary=gettext_lazy("Return a version in review to its preparer for changes"),
        request=ReturnSerializer,
        responses={
            200: AssessmentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 429, workflow=True),
        },
    ),
)
@extend_schema(tags=["assessments"])
class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    model = Assessment
    action_permissions = {
        "update_section": "edit_assessment",
        "add_row": "edit_assessment",
        "update_row": "edit_assessment",
        "delete_row": "edit_assessment",
        "submit": "submit_assessment",
        "approve": "approve_assessment",
        "return_for_changes": "approve_assessment",
    }
    filter_backends = [UserFilterBackend, StrictOrderingFilter]
    filterset_class = AssessmentFilter
    ordering_fields = ["kind", "version", "status", "updated_at", "approved_at"]
    ordering = ["system_id", "kind", "-version"]
    serializer_class = AssessmentDetailSerializer

    def get_queryset(self):
        assessments = (
            super()
            .get_queryset()
            .select_related("system", "prepared_by", "approved_by", "submitted_by", "questionnaire")
        )
        if self.action == "list":
            return assessments.defer("content", "result", "questionnaire__definition")
        return assessments

    def get_serializer_class(self):
        return AssessmentListSerializer if self.action == "list" else AssessmentDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    def _detail(self, assessment: Assessment) -> dict:
        assessment = self.get_queryset().get(pk=assessment.pk)
        check = services.check(assessment)
        context = {
            "request": self.request,
            "check": check,
            "sections": section_summaries(assessment, check),
        }
        return AssessmentDetailSerializer(assessment, context=context).data

    def create(self, request, *args, **kwargs):
        self.require_somewhere("edit_assessment")
        serializer = AssessmentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        system, kind = serializer.validated_data["system"], serializer.validated_data["kind"]
        open_before = set(
            Assessment.objects.filter(
                system=system, kind=kind, status__in=[Status.DRAFT, Status.IN_REVIEW]
            ).values_list("pk", flat=True)
        )
        try:
            assessment = services.start_assessment(system, actor=request.user, kind=kind)
        except services.WorkflowError as error:
            return workflow_error(error.message)
        data = self._detail(assessment)
        if assessment.pk in open_before:
            return Response(data)
        return self.created(Response(data))

    # --- sections ---------------------------------------------------------------------------

    @action(detail=True, methods=["get"], url_path="sections/<slug:section>")
    def section(self, request, section, *args, **kwargs):
        return Response(section_data(self.get_object(), section))

    @UPDATE_SECTION_SCHEMA
    @section.mapping.patch
    def update_section(self, request, section, *args, **kwargs):
        assessment = self._draft()
        serializer = SectionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        section_data(assessment, section)  # 404 for an unknown section
        if assessment.kind == Kind.AIA:
            saver = lambda: save_answers(  # noqa: E731
                assessment,
                section,
                actor=request.user,
                values=data["values"],
                fingerprint=data.get("fingerprint"),
            )
        else:
            spec = assessment.definition.section(section)
            if spec.rows:
                raise ValidationError(
                    {"values": [_("Change the rows of this section one by one (…/rows/).")]}
                )
            saver = lambda: save_fields(  # noqa: E731
                assessment,
                spec,
                actor=request.user,
                values=data["values"],
                fingerprint=data.get("fingerprint"),
            )
        return self._write(assessment, saver, section)

    @action(detail=True, methods=["post"], url_path="sections/<slug:section>/rows")
    def add_row(self, request, section, *args, **kwargs):
        assessment = self._draft()
        spec = self._rows_section(assessment, section)
        if spec.rows.fixed:
            return workflow_error(_("These rows cannot be added to."))
        serializer = RowCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._write(
            assessment,
            lambda: save_row(
                assessment,
                spec,
                actor=request.user,
                row_id=None,
                values=serializer.validated_data["values"],
                fingerprint=None,
            ),
            section,
            created=True,
        )

    @action(
        detail=True,
        methods=["patch"],
        url_path="sections/<slug:section>/rows/<slug:row>",
    )
    def update_row(self, request, section, row, *args, **kwargs):
        assessment = self._draft()
        spec = self._rows_section(assessment, section)
        if schema.row_by_id(assessment.content, spec, row) is None:
            raise Http404
        serializer = SectionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._write(
            assessment,
            lambda: save_row(
                assessment,
                spec,
                actor=request.user,
                row_id=row,
                values=data["values"],
                fingerprint=data.get("fingerprint"),
            ),
            section,
        )

    @DELETE_ROW_SCHEMA
    @update_row.mapping.delete
    def delete_row(self, request, section, row, *args, **kwargs):
        assessment = self._draft()
        spec = self._rows_section(assessment, section)
        if schema.row_by_id(assessment.content, spec, row) is None:
            raise Http404
        if spec.rows.fixed:
            return workflow_error(_("These rows cannot be removed."))
        try:
            services.delete_row(assessment, actor=request.user, section_slug=section, row_id=row)
        except services.WorkflowError as error:
            return workflow_error(error.message)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _draft(self) -> Assessment:
        """The version, if it can still be changed (as the section pages check first)."""
        assessment = self.get_object()
        if assessment.status != Status.DRAFT:
            raise WorkflowConflict(
                _("Version %(v)d is %(status)s and can no longer be changed.")
                % {"v": assessment.version, "status": assessment.get_status_display().lower()}
            )
        return assessment

    def _rows_section(self, assessment: Assessment, slug: str):
        section = assessment.definition.section(slug) if assessment.definition else None
        if section is None or not section.rows:
            raise Http404
        return section

    def _write(
        self, assessment: Assessment, saver, slug: str, *, created: bool = False
    ) -> Response:
        try:
            saver()
        except services.Conflict as conflict:
            return workflow_error(
                _(
                    "Someone else saved this part while you were editing it. Nothing was "
                    "saved: fetch it again, check your answers against theirs and send them "
                    "again."
                ),
                code="section_conflict",
                changed=conflict.changed,
            )
        except services.WorkflowError as error:
            return workflow_error(error.message)
        assessment = Assessment.objects.select_related("system", "questionnaire").get(
            pk=assessment.pk
        )
        return Response(
            section_data(assessment, slug),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    # --- the workflow -------------------------------------------------------------------------

    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        assessment = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        return self._step(lambda: services.submit(assessment, actor=request.user), assessment)

    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        assessment = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        try:
            services.approve(assessment, actor=request.user)
        except services.WorkflowError as error:
            if request.user.pk in services.preparers(assessment):
                # As on the review page: whoever prepared or edited a version may not approve
                # it (the service's refusal, answered 403).
                return Response(
                    {"detail": error.message, "code": "permission_denied"},
                    status=status.HTTP_403_FORBIDDEN,
                )
            return self._refused(error)
        return Response(self._detail(assessment))

    @action(detail=True, methods=["post"], url_path="return")
    def return_for_changes(self, request, *args, **kwargs):
        assessment = self.get_object()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._step(
            lambda: services.return_for_changes(
                assessment, actor=request.user, comment=serializer.validated_data["comment"]
            ),
            assessment,
        )

    def _step(self, step, assessment: Assessment) -> Response:
        try:
            step()
        except services.WorkflowError as error:
            return self._refused(error)
        return Response(self._detail(assessment))

    @staticmethod
    def _refused(error: services.WorkflowError) -> Response:
        return workflow_error(
            error.message,
            problems=[
                {
                    "section": p.section,
                    "field": p.field,
                    "message": str(p.message),
                    "stage": p.stage,
                }
                for p in error.problems
            ],
        )

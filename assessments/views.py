"""Pages of the assessments app. Each view fetches through the permission layer (another
body's system is a 404), checks the action (403), validates with a form and calls one service."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from accounts import permissions
from audit.models import AuditEvent
from govreg.forms import add_service_errors
from govreg.public_ids import parse_public_id, public_id_or_404
from registers.mixins import SystemMixin

from . import aia, schema, services
from .choices import BAND_CSS, SHORT_NAMES, Kind, Status
from .forms import AcceptRiskForm, ActionForm, ProgressUpdateForm, ReturnForm, RiskForm
from .models import Action, Assessment, Risk
from .panels import heat_map

# --- assessments --------------------------------------------------------------------------------


class AssessmentMixin(SystemMixin):
    """Loads ``self.assessment`` (a version of one of ``self.system``'s assessments)."""

    assessment_action = "view"

    @cached_property
    def assessment(self) -> Assessment:
        assessment = get_object_or_404(
            Assessment.objects.filter(system=self.system).select_related(
                "questionnaire", "prepared_by", "submitted_by", "approved_by"
            ),
            uuid=self.kwargs["aid"],
        )
        assessment.system = self.system
        permissions.require(self.request.user, self.assessment_action, assessment)
        return assessment

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018 - 404/403 before the assessment
            self.assessment  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("assessment", self.assessment)
        kwargs.setdefault("kind_name", Kind(self.assessment.kind).label)
        return super().get_context_data(**kwargs)

    def back_to_task_list(self):
        return redirect("assessments:detail", self.system.uuid, self.assessment.uuid)


class OverviewView(SystemMixin, TemplateView):
    """All the system's assessments: each kind's approved and open versions, and the history."""

    template_name = "assessments/assessment_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        versions = list(
            Assessment.objects.filter(system=self.system)
            .select_related("prepared_by", "approved_by")
            .order_by("kind", "-version")
        )
        kinds = []
        for kind in Kind:
            mine = [v for v in versions if v.kind == kind]
            kinds.append(
                {
                    "kind": kind,
                    "short": SHORT_NAMES[kind],
                    "versions": mine,
                    "approved": next((v for v in mine if v.status == Status.APPROVED), None),
                    "open": next((v for v in mine if v.is_open), None),
                }
            )
        context["kinds"] = kinds
        context["can_edit"] = permissions.can(self.request.user, "edit_assessment", self.system)
        return context


class StartView(SystemMixin, TemplateView):
    """POST: open a draft of one kind (version 1, or a new version of the approved one)."""

    permission_action = "edit_assessment"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        kind = kwargs["kind"]
        if kind not in Kind.values:
            raise Http404
        try:
            assessment = services.start_assessment(self.system, actor=request.user, kind=kind)
        except services.WorkflowError as error:
            messages.error(request, error.message)
            return redirect("assessments:overview", self.system.uuid)
        return redirect("assessments:detail", self.system.uuid, assessment.uuid)


class DetailView(AssessmentMixin, TemplateView):
    """The task list of a draft, or the full record of a version in review or frozen."""

    template_name = "assessments/assessment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        a = self.assessment
        user = self.request.user
        result = services.check(a)
        can_edit = a.status == Status.DRAFT and permissions.can(user, "edit_assessment", a)
        context.update(
            check=result,
            can_edit=can_edit,
            can_submit=a.status == Status.DRAFT and permissions.can(user, "submit_assessment", a),
            can_review=a.status == Status.IN_REVIEW
            and permissions.can(user, "approve_assessment", a),
            can_start_new=a.status == Status.APPROVED
            and permissions.can(user, "edit_assessment", a)
            and not Assessment.objects.filter(
                system=self.system, kind=a.kind, status__in=[Status.DRAFT, Status.IN_REVIEW]
            ).exists(),
            status_labels=schema.STATUS_LABELS,
            previous=Assessment.objects.filter(
                system=self.system, kind=a.kind, version__lt=a.version
            )
            .order_by("-version")
            .only("pk", "uuid", "version")
            .first(),
        )
        if a.kind == Kind.AIA:
            q = a.questionnaire.engine()
            answers = aia.answers_of(a)
            context["aia_sections"] = result.statuses
            context["aia_summary"] = aia.summary(q, answers)
            counted = [s["status"] for s in result.statuses if s["status"] != "not_applicable"]
            context["completed"] = counted.count("completed")
            context["total"] = len(counted)
        else:
            context["sections"] = result.statuses
            context["summary"] = schema.summary(a.definition, a.content, result.statuses)
            counted = [st for _s, st in result.statuses if st not in ("not_applicable", "optional")]
            context["completed"] = counted.count("completed")
            context["total"] = len(counted)
            context["derived"] = result.derived
        return context


class SectionView(AssessmentMixin, FormView):
    """One section of a DPIA or EqIA (fields), or one page of an AIA questionnaire."""

    assessment_action = "edit_assessment"
    template_name = "assessments/assessment_section.html"

    def dispatch(self, request, *args, **kwargs):
        response = self._guard(request)
        return response or super().dispatch(request, *args, **kwargs)

    def _guard(self, request):
        if not request.user.is_authenticated:
            return None
        self.system  # noqa: B018
        a = self.assessment
        if a.status != Status.DRAFT:
            messages.error(
                request,
                _("Version %(v)d is %(status)s and can no longer be changed.")
                % {"v": a.version, "status": a.get_status_display().lower()},
            )
            return redirect("assessments:detail", self.system.uuid, a.uuid)
        slug = self.kwargs["section"]
        if a.kind == Kind.AIA:
            q = a.questionnaire.engine()
            self.aia_section = next((s for s in q.sections if s.code == slug), None)
            if self.aia_section is None:
                raise Http404
            self.section = None
        else:
            self.section = a.definition.section(slug)  # rows sections: see get()
            if self.section is None:
                raise Http404
        return None

    def get(self, request, *args, **kwargs):
        if self.section is not None and self.section.rows:
            return RowListView.as_view()(request, *args, **kwargs)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.section is not None and self.section.rows:
            raise Http404
        return super().post(request, *args, **kwargs)

    def current_values(self) -> dict:
        if self.section is None:
            answers = aia.answers_of(self.assessment)
            return {q.code: answers.get(q.code) for q in self.aia_section.questions}
        return {f.name: self.assessment.content.get(f.name) for f in self.section.fields}

    def get_form(self, form_class=None):
        kwargs = self.get_form_kwargs()
        kwargs.setdefault("initial", {})
        kwargs["initial"]["fingerprint"] = services.section_fingerprint(self.current_values())
        if self.section is None:
            return aia.SectionForm(
                questionnaire=self.assessment.questionnaire.engine(),
                section=self.aia_section,
                answers=aia.answers_of(self.assessment),
                **kwargs,
            )
        kwargs["initial"].update(schema.initial_for(self.section.fields, self.assessment.content))
        return schema.ContentForm(
            spec_fields=self.section.fields,
            content=self.assessment.content,
            sections=self.assessment.definition.sections,
            **kwargs,
        )

    def form_valid(self, form):
        expected = form.cleaned_data.get("fingerprint") or None
        try:
            if self.section is None:
                before = aia.visible_codes(
                    self.assessment.questionnaire.engine(), aia.answers_of(self.assessment)
                )
                updated = services.save_answers(
                    self.assessment,
                    actor=self.request.user,
                    answers=form.answers(),
                    expected_fingerprint=expected,
                )
                q = updated.questionnaire.engine()
                now_visible = aia.visible_codes(q, aia.answers_of(updated))
                new_here = [
                    qu
                    for qu in self.aia_section.questions
                    if qu.code in now_visible and qu.code not in before
                ]
                if new_here:
                    messages.info(
                        self.request,
                        _(
                            "Your answers mean more questions apply on this page. Answer them and save again."
                        ),
                    )
                    return redirect(self.request.path)
                title = aia.text(self.aia_section.title)
            else:
                services.save_section(
                    self.assessment,
                    actor=self.request.user,
                    section_slug=self.section.slug,
                    values=form.values(),
                    expected_fingerprint=expected,
                )
                title = self.section.title
        except services.Conflict:
            return self.conflict(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(section)s” saved.") % {"section": title})
        return self.back_to_task_list()

    def conflict(self, form):
        """Keep what the user typed; tell them someone else saved meanwhile."""
        fresh = Assessment.objects.get(pk=self.assessment.pk)
        self.assessment.content = fresh.content
        form.add_error(
            None,
            _(
                "Someone else saved this page while you were editing it. Your answers have not "
                "been saved yet and are shown below: check them against the saved answers and "
                "save again."
            ),
        )
        data = form.data.copy()
        data["fingerprint"] = services.section_fingerprint(self.current_values())
        form.data = data
        return self.render_to_response(self.get_context_data(form=form, conflict=True), status=409)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.section is None:
            context["title"] = aia.text(self.aia_section.title)
            context["intro"] = aia.text(self.aia_section.description)
            context["caption"] = aia.KIND_LABELS[self.aia_section.kind]
        else:
            context["title"] = self.section.title
            context["intro"] = self.section.hint
            context["caption"] = self.section.group
            if self.section.slug == "screening" and self.assessment.kind == Kind.DPIA:
                from .dpia import screening_decision

                context["screening_decision"] = screening_decision(self.assessment.content)
        return context


class RowListView(AssessmentMixin, TemplateView):
    """A section of repeatable (or fixed) rows: the rows with change and remove links."""

    assessment_action = "edit_assessment"
    template_name = "assessments/assessment_rows.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        section = self.assessment.definition.section(self.kwargs["section"])
        if section is None or not section.rows:
            raise Http404
        result = services.check(self.assessment)
        context["section"] = section
        context["rows"] = schema.summary(
            self.assessment.definition, self.assessment.content, [(section, "")]
        )[0]["rows"]
        context["problems"] = [p for p in result.problems if p.section == section.slug]
        in_register = set(
            Risk.objects.filter(
                system=self.system, assessment__kind=self.assessment.kind
            ).values_list("source_ref", flat=True)
        )
        with_action = set(
            Action.objects.filter(
                system=self.system, assessment_kind=self.assessment.kind
            ).values_list("source_ref", flat=True)
        )
        can_manage = permissions.can(self.request.user, "manage_risks", self.system)
        kind = self.assessment.kind
        for row in context["rows"]:
            raw, ref = row["raw"], f"{section.slug}/{row['id']}"
            row["ref"] = ref
            row["in_register"] = ref in in_register
            row["has_action"] = ref in with_action
            row["offer_register"] = (
                can_manage
                and not row["in_register"]
                and (
                    (kind == Kind.DPIA and section.slug == "risks")
                    or (
                        kind == Kind.EQIA
                        and section.slug == "characteristics"
                        and raw.get("impact") == "negative"
                    )
                )
            )
            row["offer_action"] = can_manage and (
                (
                    kind == Kind.DPIA
                    and section.slug == "measures"
                    and raw.get("approved") == "yes"
                    and raw.get("in_place") != "yes"
                )
                or (
                    kind == Kind.EQIA
                    and section.slug == "characteristics"
                    and raw.get("impact") in ("negative", "unknown")
                )
            )
        return context


class RowEditView(AssessmentMixin, FormView):
    """Add a row, or change one."""

    assessment_action = "edit_assessment"
    template_name = "assessments/assessment_row_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018
            a = self.assessment
            if a.status != Status.DRAFT:
                messages.error(request, _("This version can no longer be changed."))
                return redirect("assessments:detail", self.system.uuid, a.uuid)
            self.section = a.definition.section(kwargs["section"]) if a.definition else None
            if self.section is None or not self.section.rows:
                raise Http404
            self.row_id = kwargs.get("row")
            if self.row_id is not None:
                self.row = schema.row_by_id(a.content, self.section, self.row_id)
                if self.row is None:
                    raise Http404
            elif self.section.rows.fixed:
                raise Http404
            else:
                self.row = {}
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        kwargs = self.get_form_kwargs()
        kwargs.setdefault("initial", {})
        names = [f.name for f in self.section.rows.fields]
        kwargs["initial"].update(schema.initial_for(self.section.rows.fields, self.row))
        kwargs["initial"]["fingerprint"] = services.section_fingerprint(
            {n: self.row.get(n) for n in names}
        )
        return schema.ContentForm(
            spec_fields=self.section.rows.fields,
            content=self.assessment.content,
            sections=self.assessment.definition.sections,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.save_row(
                self.assessment,
                actor=self.request.user,
                section_slug=self.section.slug,
                row_id=self.row_id,
                values=form.values(),
                expected_fingerprint=form.cleaned_data.get("fingerprint") or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except services.Conflict:
            form.add_error(
                None,
                _(
                    "Someone else changed this %(noun)s while you were editing it. Your answers are shown below: check them and save again."
                )
                % {"noun": self.section.rows.noun},
            )
            fresh = Assessment.objects.get(pk=self.assessment.pk)
            row = schema.row_by_id(fresh.content, self.section, self.row_id) or {}
            data = form.data.copy()
            data["fingerprint"] = services.section_fingerprint(
                {f.name: row.get(f.name) for f in self.section.rows.fields}
            )
            form.data = data
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(
            "assessments:section", self.system.uuid, self.assessment.uuid, self.section.slug
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        context["row_title"] = schema.row_title(self.section, self.row) if self.row_id else ""
        context["adding"] = self.row_id is None
        if self.section.slug == "risks" and self.assessment.kind == Kind.DPIA:
            context["show_matrix"] = True
        return context


class RowDeleteView(AssessmentMixin, TemplateView):
    assessment_action = "edit_assessment"
    template_name = "assessments/assessment_row_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        section = (
            self.assessment.definition.section(self.kwargs["section"])
            if self.assessment.definition
            else None
        )
        if section is None or not section.rows or section.rows.fixed:
            raise Http404
        row = schema.row_by_id(self.assessment.content, section, self.kwargs["row"])
        if row is None:
            raise Http404
        context["section"] = section
        context["row_title"] = schema.row_title(section, row)
        return context

    def post(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        try:
            services.delete_row(
                self.assessment,
                actor=request.user,
                section_slug=context["section"].slug,
                row_id=kwargs["row"],
            )
        except services.WorkflowError as error:
            context["error"] = error.message
            return self.render_to_response(context, status=409)
        messages.success(request, _("Removed “%(title)s”.") % {"title": context["row_title"]})
        return redirect(
            "assessments:section", self.system.uuid, self.assessment.uuid, context["section"].slug
        )


def _summary_context(assessment: Assessment, result) -> dict:
    if assessment.kind == Kind.AIA:
        q = assessment.questionnaire.engine()
        return {
            "aia_summary": aia.summary(q, aia.answers_of(assessment)),
            "aia_result": aia.result_view(result.derived["result"]),
        }
    return {
        "summary": schema.summary(assessment.definition, assessment.content, result.statuses),
        "derived": result.derived,
    }


class CheckView(AssessmentMixin, TemplateView):
    """Check your answers, then submit for review."""

    assessment_action = "submit_assessment"
    template_name = "assessments/assessment_check.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = services.check(self.assessment)
        context["check"] = result
        context.update(_summary_context(self.assessment, result))
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.submit(self.assessment, actor=request.user)
        except services.WorkflowError as error:
            context = self.get_context_data(**kwargs)
            context["submit_error"] = error
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _(
                "%(name)s version %(v)d submitted for review. The accountable senior manager or an organisation administrator approves it."
            )
            % {"name": self.assessment.short_name, "v": self.assessment.version},
        )
        return self.back_to_task_list()


class ReviewView(AssessmentMixin, TemplateView):
    """Approve a version, or return it for changes with a comment."""

    assessment_action = "approve_assessment"
    template_name = "assessments/assessment_review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = services.check(self.assessment)
        context["check"] = result
        context.update(_summary_context(self.assessment, result))
        context["is_preparer"] = self.request.user.pk in services.preparers(self.assessment)
        context.setdefault("return_form", ReturnForm())
        return context

    def post(self, request, *args, **kwargs):
        decision = request.POST.get("decision")
        if decision == "approve":
            try:
                services.approve(self.assessment, actor=request.user)
            except services.WorkflowError as error:
                context = self.get_context_data(**kwargs)
                context["approve_error"] = error
                status = 403 if request.user.pk in services.preparers(self.assessment) else 400
                return self.render_to_response(context, status=status)
            messages.success(
                request,
                _(
                    "%(name)s version %(v)d approved. It is now frozen: later changes start a new version."
                )
                % {"name": self.assessment.short_name, "v": self.assessment.version},
            )
            return self.back_to_task_list()
        if decision == "return":
            form = ReturnForm(request.POST)
            if form.is_valid():
                try:
                    services.return_for_changes(
                        self.assessment, actor=request.user, comment=form.cleaned_data["comment"]
                    )
                except services.WorkflowError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("Returned to the preparer for changes."))
                    return self.back_to_task_list()
            return self.render_to_response(
                self.get_context_data(return_form=form, **kwargs), status=400
            )
        raise Http404


class ResultView(AssessmentMixin, TemplateView):
    """The AIA's score breakdown, its impact level and what the level requires."""

    template_name = "assessments/assessment_result.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        a = self.assessment
        if a.kind != Kind.AIA:
            raise Http404
        q = a.questionnaire.engine()
        answers = aia.answers_of(a)
        stored = a.result if a.status in (Status.APPROVED, Status.SUPERSEDED) and a.result else None
        raw = stored or aia.compute_result(q, answers)
        context["result"] = aia.result_view(raw)
        context["provisional"] = stored is None
        context["findings"] = aia.blocking_findings(q, answers)
        context["requirements"] = aia.requirements(raw["level"])
        context["unanswered"] = len(aia.problems(q, answers))
        context["questionnaire"] = a.questionnaire
        return context


class CompareView(AssessmentMixin, TemplateView):
    """What changed between two versions of the same assessment."""

    template_name = "assessments/assessment_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        a = self.assessment
        others = (
            Assessment.objects.filter(system=self.system, kind=a.kind)
            .exclude(pk=a.pk)
            .order_by("-version")
        )
        other_id = self.request.GET.get("with")
        if other_id:
            other = get_object_or_404(others, uuid=public_id_or_404(other_id))
        else:
            other = others.filter(version__lt=a.version).first()
            if other is None:
                raise Http404
        old, new = (other, a) if other.version < a.version else (a, other)
        context["old"], context["new"] = old, new
        context["versions"] = list(others.only("pk", "uuid", "version", "status"))
        if a.kind == Kind.AIA:
            context["changes"] = None
            context["aia_changes"] = _aia_changes(old, new)
        else:
            context["changes"] = schema.compare(a.definition, old.content, new.content)
        return context


def _aia_changes(old: Assessment, new: Assessment) -> list[dict]:
    q_new = new.questionnaire.engine()
    q_old = old.questionnaire.engine()
    old_rows = {
        r["code"]: r for s in aia.summary(q_old, aia.answers_of(old)) for r in s["questions"]
    }
    out = []
    for section in aia.summary(q_new, aia.answers_of(new)):
        rows = []
        for row in section["questions"]:
            before = old_rows.pop(row["code"], None)
            if before is None or before["value"] != row["value"]:
                rows.append(
                    {
                        "label": row["label"],
                        "old": before["value"] if before else "",
                        "new": row["value"],
                    }
                )
        if rows:
            out.append({"title": section["title"], "rows": rows})
    gone = [
        {"label": r["label"], "old": r["value"], "new": ""} for r in old_rows.values() if r["value"]
    ]
    if gone:
        out.append({"title": _("Questions no longer asked"), "rows": gone})
    return out


# --- risk register ------------------------------------------------------------------------------


class RiskListView(SystemMixin, TemplateView):
    template_name = "assessments/risk_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show_closed = self.request.GET.get("closed") == "1"
        risks = Risk.objects.filter(system=self.system).for_register()
        if not show_closed:
            risks = risks.live()
        context["risks"] = list(risks)
        context["show_closed"] = show_closed
        context["heat"] = heat_map(Risk.objects.filter(system=self.system).live().heat_counts())
        context["residual_heat"] = heat_map(
            _residual_counts(Risk.objects.filter(system=self.system).live())
        )
        context["can_manage"] = permissions.can(self.request.user, "manage_risks", self.system)
        context["band_css"] = BAND_CSS
        return context


def _residual_counts(risks) -> dict:
    counts: dict = {}
    for likelihood, impact in risks.exclude(residual_likelihood=None).values_list(
        "residual_likelihood", "residual_impact"
    ):
        counts[(likelihood, impact)] = counts.get((likelihood, impact), 0) + 1
    return counts


class RiskFormMixin:
    def source(self):
        """The assessment row a new risk is taken from (``?from=<id>&ref=risks/<row>``)."""
        aid, ref = self.request.GET.get("from"), self.request.GET.get("ref", "")
        if not aid:
            return None, ""
        assessment = get_object_or_404(
            Assessment.objects.filter(system=self.system), uuid=public_id_or_404(aid)
        )
        return assessment, ref[:80]


class RiskCreateView(RiskFormMixin, SystemMixin, FormView):
    permission_action = "manage_risks"
    template_name = "assessments/risk_form.html"
    form_class = RiskForm

    def get_initial(self):
        initial = super().get_initial()
        assessment, ref = self.source()
        if assessment is not None:
            try:
                initial.update(services.register_prefill(assessment, ref))
            except services.WorkflowError as error:
                messages.error(self.request, error.message)
        return initial

    def form_valid(self, form):
        assessment, ref = self.source()
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            risk = services.create_risk(
                self.system,
                actor=self.request.user,
                data=data,
                assessment=assessment,
                source_ref=ref,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Risk %(ref)s added to the register.") % {"ref": risk.reference}
        )
        return redirect(risk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = self.source()[0]
        return context


class RiskMixin(SystemMixin):
    risk_action = "view"

    @cached_property
    def risk(self) -> Risk:
        risk = get_object_or_404(
            Risk.objects.filter(system=self.system).select_related(
                "accepted_by", "assessment", "created_by"
            ),
            uuid=self.kwargs["rid"],
        )
        permissions.require(self.request.user, self.risk_action, risk)
        return risk

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018
            self.risk  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("risk", self.risk)
        return super().get_context_data(**kwargs)


class RiskDetailView(RiskMixin, TemplateView):
    template_name = "assessments/risk_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["actions"] = self.risk.actions.order_by("due_date")
        context["history"] = (
            AuditEvent.objects.filter(object_type="assessments.risk", object_id=str(self.risk.pk))
            .select_related("actor")
            .order_by("-position")[:50]
        )
        context["can_manage"] = permissions.can(user, "manage_risks", self.risk)
        context["can_accept"] = (
            permissions.can(user, "accept_risk", self.risk) and self.risk.status != "closed"
        )
        context["band_css"] = BAND_CSS
        return context


class RevisionedEditMixin:
    """Editing a risk or an action, each guarded by a revision number: when someone else saved
    first, the form comes back (409) with what this user typed, set against the new revision."""

    conflict_message = ""

    def edited(self):
        raise NotImplementedError

    def save(self, data: dict, expected_revision) -> None:
        raise NotImplementedError

    def saved_message(self) -> str:
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.edited()
        kwargs["initial"] = {"revision": self.edited().revision}
        return kwargs

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            self.save(data, form.cleaned_data.get("revision"))
        except services.Conflict:
            form.add_error(None, self.conflict_message)
            obj = self.edited()
            typed = form.data.copy()
            typed["revision"] = type(obj).objects.values_list("revision", flat=True).get(pk=obj.pk)
            form.data = typed
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.saved_message())
        return redirect(self.edited())


class RiskEditView(RiskMixin, RevisionedEditMixin, FormView):
    risk_action = "manage_risks"
    template_name = "assessments/risk_form.html"
    form_class = RiskForm
    conflict_message = gettext_lazy(
        "Someone else changed this risk while you were editing it. Your changes are shown below: check them against the register and save again."
    )

    def edited(self):
        return self.risk

    def save(self, data, expected_revision):
        services.update_risk(
            self.risk, actor=self.request.user, data=data, expected_revision=expected_revision
        )

    def saved_message(self):
        return _("Risk %(ref)s saved.") % {"ref": self.risk.reference}


class RiskAcceptView(RiskMixin, FormView):
    risk_action = "accept_risk"
    template_name = "assessments/risk_accept.html"
    form_class = AcceptRiskForm

    def form_valid(self, form):
        try:
            services.accept_risk(
                self.risk,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Risk %(ref)s accepted.") % {"ref": self.risk.reference})
        return redirect(self.risk)


# --- action plan --------------------------------------------------------------------------------


class ActionListView(SystemMixin, TemplateView):
    template_name = "assessments/action_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = list(Action.objects.filter(system=self.system).for_plan())
        today = timezone.localdate()
        context["open_actions"] = [a for a in actions if a.progress != "achieved"]
        context["achieved"] = [a for a in actions if a.progress == "achieved"]
        context["overdue_count"] = sum(
            1 for a in actions if a.progress != "achieved" and a.due_date < today
        )
        context["can_manage"] = permissions.can(self.request.user, "manage_risks", self.system)
        return context


class ActionCreateView(RiskFormMixin, SystemMixin, FormView):
    permission_action = "manage_risks"
    template_name = "assessments/action_form.html"
    form_class = ActionForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["system"] = self.system
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        risk_id = parse_public_id(self.request.GET.get("risk"))
        if risk_id:
            initial["risk"] = Risk.objects.filter(system=self.system, uuid=risk_id).first()
        return initial

    def form_valid(self, form):
        assessment, ref = self.source()
        data = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            action = services.create_action(
                self.system,
                actor=self.request.user,
                data=data,
                assessment=assessment,
                source_ref=ref,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Action %(ref)s added to the action plan.") % {"ref": action.reference}
        )
        if assessment is not None and assessment.status == Status.DRAFT:
            section = ref.partition("/")[0]
            return redirect("assessments:section", self.system.uuid, assessment.uuid, section)
        return redirect(action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = self.source()[0]
        return context


class ActionMixin(SystemMixin):
    action_permission = "view"

    @cached_property
    def action(self) -> Action:
        action = get_object_or_404(
            Action.objects.filter(system=self.system).select_related(
                "risk", "assessment", "created_by"
            ),
            uuid=self.kwargs["xid"],
        )
        permissions.require(self.request.user, self.action_permission, action)
        return action

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018
            self.action  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("action", self.action)
        return super().get_context_data(**kwargs)


class ActionDetailView(ActionMixin, FormView):
    """The action, its dated progress updates, and (for those who may) a form to add one."""

    template_name = "assessments/action_detail.html"
    form_class = ProgressUpdateForm

    def get_initial(self):
        return {"on": timezone.localdate(), "progress": self.action.progress}

    def post(self, request, *args, **kwargs):
        permissions.require(request.user, "manage_risks", self.action)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.add_progress_update(self.action, actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Progress update recorded."))
        return HttpResponseRedirect(
            reverse("assessments:action_detail", args=[self.system.uuid, self.action.uuid])
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["updates"] = self.action.updates.select_related("author").order_by("-on", "-id")
        context["can_manage"] = permissions.can(self.request.user, "manage_risks", self.action)
        return context


class ActionEditView(ActionMixin, RevisionedEditMixin, FormView):
    action_permission = "manage_risks"
    template_name = "assessments/action_form.html"
    form_class = ActionForm
    conflict_message = gettext_lazy(
        "Someone else changed this action while you were editing it. Your changes are shown below: check them and save again."
    )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "system": self.system}

    def edited(self):
        return self.action

    def save(self, data, expected_revision):
        services.update_action(
            self.action, actor=self.request.user, data=data, expected_revision=expected_revision
        )

    def saved_message(self):
        return _("Action %(ref)s saved.") % {"ref": self.action.reference}

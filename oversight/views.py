"""Pages of human oversight: sign-off, lifecycle moves, post-deployment audits, review
intervals. Each fetches the system through the permission layer (``SystemMixin``: another
body's system is a 404, a disallowed action a 403), validates with a form, calls one service
and redirects; a ``WorkflowError`` becomes an error on the page, keeping what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import ErrorDict, ErrorList
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from accounts import permissions
from audit.services import chain_head
from govreg.forms import add_service_errors
from registers.choices import LifecycleStage
from registers.gates import gate
from registers.mixins import SystemMixin
from registers.models import AlgorithmicSystem

from . import services
from .choices import LIVE_STAGES, Decision
from .forms import (
    AuditForm,
    BiasFormSet,
    ConditionFormSet,
    ReasonForm,
    ReviewPolicyForm,
    SignOffForm,
    StageForm,
    filled,
    grown,
)
from .models import MAX_CONDITIONS, PostDeploymentAudit, ReviewPolicy, SignOff


def quiet(*forms_or_formsets) -> None:
    """Show posted values again without validating them (for "add another row": no errors,
    and a password or code is not tried)."""
    for item in forms_or_formsets:
        if hasattr(item, "forms"):
            item._errors = []
            item._non_form_errors = ErrorList()
            quiet(*item.forms)
        else:
            item._errors = ErrorDict()


def signed_summary(snapshot: dict) -> dict:
    """The assessments and consultation outcomes of a content snapshot, labelled for people."""
    from assessments.choices import SHORT_NAMES, Kind
    from consultations.choices import Agreement, Stage

    assessments = snapshot.get("assessments") or {}
    consultations = []
    for row in snapshot.get("consultations") or []:
        consultations.append(
            {
                **row,
                "stage_label": Stage(row["stage"]).label
                if row["stage"] in Stage.values
                else row["stage"],
                "outcome_label": Agreement(row["outcome"]).label
                if row["outcome"] in Agreement.values
                else row["outcome"],
            }
        )
    return {
        "assessments": [(SHORT_NAMES[kind], assessments.get(kind)) for kind in Kind],
        "consultations": consultations,
        "models": len(snapshot.get("model_specifications") or []),
        "data": len(snapshot.get("data_specifications") or []),
    }


def _system_url(system, anchor: str = "oversight") -> str:
    return reverse("registers:system_detail", args=[system.uuid]) + f"#{anchor}"


def uses_mfa(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


# --- Sign-off ----------------------------------------------------------------------------------


class SignOffView(SystemMixin, TemplateView):
    """The accountable manager reviews what they sign, writes a statement, confirms who they
    are (password, or their two-factor code) and signs off, signs off with conditions or
    refuses."""

    permission_action = "sign_off"
    template_name = "oversight/signoff_form.html"

    def system_queryset(self):
        return permissions.visible(self.request.user, AlgorithmicSystem).for_detail()

    def build(self, data=None, *, digest: str, position: int, approvals_allowed: bool):
        form = SignOffForm(
            data,
            user=self.request.user,
            uses_mfa=uses_mfa(self.request.user),
            approvals_allowed=approvals_allowed,
            initial={"content_hash": digest, "seen_position": position},
        )
        formset = ConditionFormSet(data, prefix="conditions")
        return form, formset

    def page(self, form, formset, **extra):
        system = self.system
        status = services.signoff_status(system)
        digest, snapshot = services.content_hash(system)
        gate_items = services.gate_items_before_signoff(system)
        context = self.get_context_data(
            form=form,
            formset=formset,
            all_forms=[form, *formset.forms],
            has_errors=bool(
                form.errors or any(f.errors for f in formset.forms) or formset.non_form_errors()
            ),
            status=status,
            changes=services.changes_since(status.later_events) if status.later_events else [],
            digest=digest,
            signing=signed_summary(snapshot),
            gate_items=gate_items,
            approvals_allowed=all(item.done for item in gate_items),
            is_preparer=self.request.user.pk in services.preparer_ids(system),
            **extra,
        )
        return self.render_to_response(context)

    def _state(self):
        system = self.system
        digest, _snapshot = services.content_hash(system)
        position, _head = chain_head(system.organisation_id)  # the body's audit chain
        allowed = all(item.done for item in services.gate_items_before_signoff(system))
        return digest, position, allowed

    def get(self, request, *args, **kwargs):
        digest, position, allowed = self._state()
        form, formset = self.build(digest=digest, position=position, approvals_allowed=allowed)
        return self.page(form, formset)

    def post(self, request, *args, **kwargs):
        digest, position, allowed = self._state()
        if "add_condition" in request.POST:
            data = grown(request.POST, "conditions", MAX_CONDITIONS)
            form, formset = self.build(
                data, digest=digest, position=position, approvals_allowed=allowed
            )
            quiet(form, formset)
            return self.page(form, formset)
        form, formset = self.build(
            request.POST, digest=digest, position=position, approvals_allowed=allowed
        )
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if not (form_ok and formset_ok):
            return self.page(form, formset)
        decision = form.cleaned_data["decision"]
        rows = filled(formset)
        if decision != Decision.CONDITIONAL and rows:
            form.add_error(
                "decision",
                _(
                    "You entered conditions: choose “Signed off with conditions”, or remove the "
                    "conditions"
                ),
            )
            return self.page(form, formset)
        if decision == Decision.CONDITIONAL and not rows:
            form.add_error(None, _("Enter at least one condition, with its lead and due date"))
            return self.page(form, formset)
        try:
            signoff = services.sign_off(
                self.system,
                actor=request.user,
                decision=decision,
                statement=form.cleaned_data["statement"],
                conditions=[
                    services.Condition(text=r["text"], owner=r["owner"], due_date=r["due_date"])
                    for r in rows
                ],
                expected_hash=form.cleaned_data.get("content_hash") or None,
                reauthenticated_with="mfa" if form.uses_mfa else "password",
            )
        except services.ContentChanged as error:
            seen = form.cleaned_data.get("seen_position") or 0
            changed = services.changes_since(
                list(services.material_events_after(self.system.pk, seen))
            )
            data = request.POST.copy()
            data["content_hash"], data["seen_position"] = digest, str(position)
            form, formset = self.build(
                data, digest=digest, position=position, approvals_allowed=allowed
            )
            quiet(form, formset)
            form._errors[NON_FIELD_ERRORS] = ErrorList([error.message])
            return self.page(form, formset, changed_while_reviewing=changed)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.page(form, formset, missing=error.missing)
        messages.success(
            request,
            _("Your decision is recorded: %(decision)s. Content hash %(hash)s.")
            % {"decision": signoff.get_decision_display(), "hash": signoff.content_hash},
        )
        return redirect(signoff.get_absolute_url())


class SignOffDetailView(SystemMixin, TemplateView):
    """One sign-off as recorded: read-only (GET only), like the record it is."""

    template_name = "oversight/signoff_detail.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        signoff = get_object_or_404(
            SignOff.objects.filter(system_id=self.system.pk).select_related("signed_by"),
            uuid=self.kwargs["signoff_pk"],
        )
        latest = services.latest_signoff(self.system)
        status = (
            services.signoff_status(self.system) if latest and latest.pk == signoff.pk else None
        )
        context.update(
            signoff=signoff,
            is_latest=status is not None,
            status=status,
            changes=services.changes_since(status.later_events)
            if status and status.later_events
            else [],
            signing=signed_summary(signoff.snapshot),
        )
        return context


# --- Lifecycle ---------------------------------------------------------------------------------


class _WorkflowFormView(SystemMixin, FormView):
    """A small form that calls one lifecycle service and returns to the system page."""

    template_name = "oversight/stage_form.html"
    success_message = ""

    def call(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.call(form)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form, missing=error.missing))
        messages.success(self.request, self.success_message)
        return redirect(_system_url(self.system))


class StageChangeView(_WorkflowFormView):
    permission_action = "change_stage"
    form_class = StageForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["targets"] = services.stage_targets(self.system)
        return kwargs

    def get_context_data(self, **kwargs):
        targets = services.stage_targets(self.system)
        kwargs.setdefault("targets", targets)
        kwargs.setdefault("heading", _("Change the lifecycle stage"))
        kwargs.setdefault("submit", _("Move the system"))
        if any(t in LIVE_STAGES for t in targets):
            kwargs.setdefault("gate", gate(self.system))
        return super().get_context_data(**kwargs)

    def call(self, form):
        services.change_stage(
            self.system,
            actor=self.request.user,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
        )
        self.success_message = _("The system is now in “%(stage)s”.") % {
            "stage": LifecycleStage(form.cleaned_data["to_stage"]).label
        }


class RestartView(_WorkflowFormView):
    permission_action = "restart"
    form_class = StageForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["targets"] = services.restart_targets(self.system)
        kwargs["reason_label"] = _("Why it can restart")
        return kwargs

    def get_context_data(self, **kwargs):
        targets = services.restart_targets(self.system)
        kwargs.setdefault("targets", targets)
        kwargs.setdefault("heading", _("Restart the system"))
        kwargs.setdefault("submit", _("Restart the system"))
        kwargs.setdefault("not_available", _("Only a paused system can be restarted."))
        if any(t in LIVE_STAGES for t in targets):
            kwargs.setdefault("gate", gate(self.system))
        return super().get_context_data(**kwargs)

    def call(self, form):
        services.restart(
            self.system,
            actor=self.request.user,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
        )
        self.success_message = _("The system has restarted in “%(stage)s”.") % {
            "stage": LifecycleStage(form.cleaned_data["to_stage"]).label
        }


class PauseView(_WorkflowFormView):
    permission_action = "pause"
    form_class = ReasonForm
    template_name = "oversight/reason_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["reason_label"] = _("Why are you pausing it?")
        kwargs["reason_hint"] = _(
            "HR and the union representatives are told at once, with this reason."
        )
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("kind", "pause")
        kwargs.setdefault(
            "available",
            self.system.lifecycle_stage not in (LifecycleStage.PAUSED, LifecycleStage.RETIRED),
        )
        return super().get_context_data(**kwargs)

    def call(self, form):
        services.pause(self.system, actor=self.request.user, reason=form.cleaned_data["reason"])
        self.success_message = _(
            "The system is paused. HR and the union representatives have been told."
        )


class RetireView(_WorkflowFormView):
    permission_action = "retire"
    form_class = ReasonForm
    template_name = "oversight/reason_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["reason_label"] = _("Why are you stopping it?")
        kwargs["reason_hint"] = _(
            "HR and the union representatives are told at once, with this reason."
        )
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("kind", "retire")
        kwargs.setdefault("available", self.system.lifecycle_stage != LifecycleStage.RETIRED)
        return super().get_context_data(**kwargs)

    def call(self, form):
        services.retire(self.system, actor=self.request.user, reason=form.cleaned_data["reason"])
        self.success_message = _(
            "The system is stopped and retired. HR and the union representatives have been told."
        )


class ScheduleReviewView(SystemMixin, View):
    """Set the next review date of a live system that has none, from the review intervals."""

    permission_action = "change_stage"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            due = services.schedule_review(self.system, actor=request.user)
        except services.WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The next review is due on %(date)s.") % {"date": date_format(due, "j F Y")},
            )
        return redirect(_system_url(self.system))


# --- Post-deployment audits --------------------------------------------------------------------


class AuditCreateView(SystemMixin, TemplateView):
    permission_action = "record_audit"
    template_name = "oversight/audit_form.html"

    def available(self) -> bool:
        return self.system.lifecycle_stage in (*LIVE_STAGES, LifecycleStage.PAUSED)

    def page(self, form, formset, *, status=200):
        context = self.get_context_data(
            form=form,
            formset=formset,
            all_forms=[form, *formset.forms],
            has_errors=bool(form.errors or any(f.errors for f in formset.forms)),
            available=self.available(),
            needs_bias=services.needs_bias_audit(self.system),
            level=services.impact_level(self.system),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.page(AuditForm(), BiasFormSet(prefix="bias"))

    def post(self, request, *args, **kwargs):
        if not self.available():
            return self.page(AuditForm(), BiasFormSet(prefix="bias"))
        if "add_bias_row" in request.POST:
            data = grown(request.POST, "bias", 30)
            form, formset = AuditForm(data), BiasFormSet(data, prefix="bias")
            quiet(form, formset)
            return self.page(form, formset)
        form, formset = AuditForm(request.POST), BiasFormSet(request.POST, prefix="bias")
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if not (form_ok and formset_ok):
            return self.page(form, formset)
        data = form.cleaned_data
        try:
            record = services.record_audit(
                self.system,
                actor=request.user,
                period_start=data["period_start"],
                period_end=data["period_end"],
                conducted_on=data["conducted_on"],
                conducted_by=data["conducted_by"],
                answers=[
                    services.Answer(
                        question=question.value,
                        rating=data[f"{question.value}_rating"],
                        evidence=data[f"{question.value}_evidence"],
                        follow_up=data[f"{question.value}_follow_up"],
                    )
                    for _n, question, _fields in form.question_groups()
                ],
                bias_rows=[services.BiasRow(**row) for row in filled(formset)],
                worker_feedback=data["worker_feedback"],
                feedback_sources=data["feedback_sources"],
                rep_access=data["rep_access"],
                outcome=data["outcome"],
                outcome_reasons=data["outcome_reasons"],
                next_review_date=data["next_review_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.page(form, formset)
        except services.WorkflowError as error:
            form.add_error(None, error.message)
            return self.page(form, formset)
        messages.success(
            request,
            _("The audit is recorded. The next review is due on %(date)s.")
            % {"date": date_format(record.next_review_date, "j F Y")}
            if record.system.lifecycle_stage != LifecycleStage.RETIRED
            else _("The audit is recorded and the system is stopped."),
        )
        return redirect(record.get_absolute_url())


class AuditDetailView(SystemMixin, TemplateView):
    template_name = "oversight/audit_detail.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audit"] = get_object_or_404(
            PostDeploymentAudit.objects.filter(system_id=self.system.pk)
            .select_related("recorded_by")
            .prefetch_related("answers", "bias_results"),
            uuid=self.kwargs["audit_pk"],
        )
        return context


# --- Review intervals --------------------------------------------------------------------------


class ReviewPolicyView(LoginRequiredMixin, FormView):
    """A body's review intervals, changed by its administrators."""

    template_name = "oversight/review_policy_form.html"
    form_class = ReviewPolicyForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation = get_object_or_404(
                permissions.organisations(request.user, "view"), slug=kwargs["slug"]
            )
            permissions.require(request.user, "configure_reviews", self.organisation)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = ReviewPolicy.for_organisation(self.organisation.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("organisation", self.organisation)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            services.update_review_policy(
                self.organisation,
                actor=self.request.user,
                data={name: form.cleaned_data[name] for name in ReviewPolicy.DEFAULTS},
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Review intervals saved."))
        return redirect("oversight:review_policy", slug=self.organisation.slug)

"""Pages of consultation and worker voice. Each view fetches through the permission layer
(``SystemMixin``: another body's system is a 404, a disallowed action a 403), validates a
form, calls one service and redirects; a ``WorkflowError`` becomes a message on the form."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from accounts import permissions
from registers.mixins import SystemMixin
from registers.models import AlgorithmicSystem

from . import forms, public, services, targets, toolkit
from .choices import STAGE_FOR_LIFECYCLE, AttendeeSide, ConcernStatus, ConsultationStatus, Stage
from .comments import comments_context
from .models import (
    Comment,
    Concern,
    Consultation,
    Disclosure,
    Meeting,
    RightsRequest,
)
from .services import WorkflowError

# --- Shared pieces --------------------------------------------------------------------------


class AnyOfActionsMixin:
    """Allow the page when the user may take any one of ``permission_actions``."""

    permission_actions: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.permission_actions:
            if not any(
                permissions.can(request.user, a, self.system) for a in self.permission_actions
            ):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ServiceFormView(FormView):
    """A form whose ``perform(form)`` calls a service; a ``WorkflowError`` becomes an error
    at the top of the form and everything typed stays in it."""

    def form_valid(self, form):
        try:
            return self.perform(form)
        except WorkflowError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)

    def perform(self, form):  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class ConsultationMixin(SystemMixin):
    consultation_url_kwarg = "consultation_pk"

    def consultation_queryset(self):
        return Consultation.objects.filter(system=self.system).prefetch_related("unions")

    @cached_property
    def consultation(self) -> Consultation:
        return get_object_or_404(
            self.consultation_queryset(), uuid=self.kwargs[self.consultation_url_kwarg]
        )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018 - 404/403 on the system first
            self.consultation  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("consultation", self.consultation)
        return super().get_context_data(**kwargs)

    def detail_url(self, anchor: str = "") -> str:
        url = reverse("consultations:detail", args=[self.system.uuid, self.consultation.uuid])
        return url + anchor


def _safe_next(request, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


# --- Consultations --------------------------------------------------------------------------


class ConsultationListView(SystemMixin, TemplateView):
    """Every stage of the toolkit with the system's consultations at that stage."""

    template_name = "consultations/consultation_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        consultations = list(
            Consultation.objects.filter(system=self.system)
            .with_positions()
            .order_by("created_at", "id")
        )
        current = STAGE_FOR_LIFECYCLE.get(self.system.lifecycle_stage)
        context["stages"] = [
            {
                "stage": stage,
                "guide": toolkit.guide(stage),
                "consultations": [c for c in consultations if c.stage == stage],
                "is_current": stage == current,
                "has_unconcluded": any(
                    c.stage == stage and c.status != ConsultationStatus.CONCLUDED
                    for c in consultations
                ),
            }
            for stage in Stage
        ]
        context["can_manage"] = permissions.can(
            self.request.user, "manage_consultation", self.system
        )
        return context


class ConsultationCreateView(SystemMixin, ServiceFormView):
    template_name = "consultations/consultation_form.html"
    permission_action = "manage_consultation"
    form_class = forms.ConsultationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisation_id"] = self.system.organisation_id
        return kwargs

    def get_initial(self):
        stage = self.request.GET.get("stage")
        if stage not in Stage.values:
            stage = STAGE_FOR_LIFECYCLE.get(self.system.lifecycle_stage)
        return {"stage": stage}

    def perform(self, form):
        data = form.cleaned_data
        consultation = services.create_consultation(
            actor=self.request.user,
            system=self.system,
            stage=data["stage"],
            unions=data["unions"],
            summary=data["summary"],
            planned_start=data["planned_start"],
        )
        messages.success(
            self.request,
            _("Consultation planned. Open it when you are ready: the reps are told by e-mail."),
        )
        return redirect(consultation)


class ConsultationEditView(ConsultationMixin, ServiceFormView):
    template_name = "consultations/consultation_form.html"
    permission_action = "manage_consultation"
    form_class = forms.ConsultationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            organisation_id=self.system.organisation_id,
            with_stage=False,
            selected=list(self.consultation.unions.all()),
        )
        return kwargs

    def get_initial(self):
        c = self.consultation
        return {
            "unions": list(c.unions.all()),
            "summary": c.summary,
            "planned_start": c.planned_start,
        }

    def perform(self, form):
        data = form.cleaned_data
        services.update_consultation(
            self.consultation,
            actor=self.request.user,
            unions=data["unions"],
            summary=data["summary"],
            planned_start=data["planned_start"],
        )
        messages.success(self.request, _("Consultation changed."))
        return redirect(self.consultation)


class ConsultationDetailView(ConsultationMixin, TemplateView):
    template_name = "consultations/consultation_detail.html"

    def consultation_queryset(self):
        return Consultation.objects.filter(system=self.system).for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, c = self.request.user, self.consultation
        membership = services.rep_membership(user, self.system.organisation_id)
        union_ids = {u.pk for u in c.unions.all()}
        positions = list(c.positions.all())
        current = c.current_positions()
        context.update(
            guide=c.guide,
            points=list(c.points.all()),
            meetings=list(c.meetings.all()),
            disclosures=list(c.disclosures.all()),
            current_positions=current,
            earlier_positions=[p for p in positions if p not in current],
            waiting_for=c.unions_without_position(),
            can_manage=permissions.can(user, "manage_consultation", c),
            can_discuss=permissions.can(user, "discuss_consultation", c),
            can_record_position=(
                permissions.can(user, "record_position", c)
                and membership is not None
                and membership.union_id in union_ids
            ),
            comments=comments_context(c, self.system, user, self.request.get_full_path()),
        )
        context["discussed"] = sum(1 for p in context["points"] if p.discussed)
        return context


class ConsultationOpenView(ConsultationMixin, TemplateView):
    """POST only: open a planned consultation (the reps are e-mailed)."""

    permission_action = "manage_consultation"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.open_consultation(self.consultation, actor=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Consultation opened. The union reps have been told."))
        return redirect(self.consultation)


class ConsultationConcludeView(ConsultationMixin, ServiceFormView):
    template_name = "consultations/consultation_conclude.html"
    permission_action = "manage_consultation"
    form_class = forms.ConcludeForm

    def consultation_queryset(self):
        return Consultation.objects.filter(system=self.system).with_positions()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current_positions"] = self.consultation.current_positions()
        context["waiting_for"] = self.consultation.unions_without_position()
        return context

    def perform(self, form):
        services.conclude_consultation(
            self.consultation,
            actor=self.request.user,
            outcome=form.cleaned_data["outcome"],
            outcome_summary=form.cleaned_data["outcome_summary"],
        )
        messages.success(self.request, _("Consultation concluded and its outcome recorded."))
        return redirect(self.consultation)


class ChecklistView(ConsultationMixin, ServiceFormView):
    template_name = "consultations/checklist_form.html"
    permission_action = "discuss_consultation"
    form_class = forms.ChecklistForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["points"] = self.consultation.points.all()
        return kwargs

    def perform(self, form):
        changed = services.update_points(
            self.consultation, actor=self.request.user, values=form.values()
        )
        if changed:
            messages.success(self.request, _("Checklist saved."))
        return redirect(self.detail_url("#checklist"))


class MeetingFormView(ConsultationMixin, TemplateView):
    """Record a meeting (or change one): the meeting's details and its attendees."""

    template_name = "consultations/meeting_form.html"
    permission_action = "manage_consultation"

    @cached_property
    def meeting(self) -> Meeting | None:
        public_id = self.kwargs.get("meeting_pk")
        if public_id is None:
            return None
        return get_object_or_404(
            Meeting.objects.filter(consultation=self.consultation).prefetch_related("attendees"),
            uuid=public_id,
        )

    def forms(self, data=None):
        meeting = self.meeting
        initial, attendees = {}, []
        if meeting is not None:
            initial = {
                "held_on": meeting.held_on,
                "title": meeting.title,
                "minutes": meeting.minutes,
                "decisions": meeting.decisions,
            }
            attendees = [
                {"name": a.name, "role": a.role, "side": a.side, "union": a.union_id}
                for a in meeting.attendees.all()
            ]
        elif data is None:
            attendees = [
                {
                    "name": self.request.user.get_full_name(),
                    "role": self.request.user.job_title,
                    "side": AttendeeSide.EMPLOYER,
                }
            ]
        form = forms.MeetingForm(data, initial=initial)
        formset = forms.attendee_formset(data, initial=attendees, blank_rows=3 if attendees else 4)
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name")]
            arguments = {"actor": request.user, "attendees": rows, **form.cleaned_data}
            try:
                if self.meeting is None:
                    meeting = services.record_meeting(self.consultation, **arguments)
                    messages.success(request, _("Meeting recorded."))
                else:
                    meeting = services.update_meeting(self.meeting, **arguments)
                    messages.success(request, _("Meeting changed."))
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                return redirect(
                    "consultations:meeting_detail",
                    self.system.uuid,
                    self.consultation.uuid,
                    meeting.uuid,
                )
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting"] = self.meeting
        formset = context["formset"]
        context["all_forms"] = [context["form"], *formset.forms]
        context["has_errors"] = (
            bool(context["form"].errors)
            or any(f.errors for f in formset.forms)
            or bool(formset.non_form_errors())
        )
        return context


class MeetingDetailView(ConsultationMixin, TemplateView):
    template_name = "consultations/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meeting"] = get_object_or_404(
            Meeting.objects.filter(consultation=self.consultation)
            .select_related("recorded_by")
            .prefetch_related("attendees__union"),
            uuid=self.kwargs["meeting_pk"],
        )
        context["can_manage"] = permissions.can(
            self.request.user, "manage_consultation", self.consultation
        )
        return context


class ShareView(ConsultationMixin, TemplateView):
    """What can be shared with the reps in one click; POST shares one item."""

    template_name = "consultations/share.html"
    permission_action = "manage_consultation"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shared = {
            (d.content_type_id, d.object_id, d.sha256)
            for d in Disclosure.objects.filter(consultation=self.consultation)
        }
        rows = []
        for kind, obj in targets.disclosable(self.system):
            content_type = targets.content_type_for(obj)
            key = f"{content_type.app_label}.{content_type.model}:{obj.uuid}"
            already = (content_type.pk, str(obj.pk), targets.content_hash(obj)) in shared
            rows.append(
                {
                    "kind": kind,
                    "obj": obj,
                    "key": key,
                    "already": already,
                    "label": _share_label(kind, obj),
                }
            )
        context["rows"] = rows
        context.setdefault("document_form", forms.DocumentDisclosureForm())
        return context

    def post(self, request, *args, **kwargs):
        if "title" in request.POST:
            return self.share_document(request)
        form = forms.ShareForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose what to share."))
            return redirect("consultations:share", self.system.uuid, self.consultation.uuid)
        type_label, _sep, public_id = form.cleaned_data["target"].partition(":")
        try:
            obj = targets.shareable(self.system, type_label, public_id)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc
        try:
            disclosure, created = services.share(
                self.consultation, actor=request.user, obj=obj, note=form.cleaned_data["note"]
            )
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect("consultations:share", self.system.uuid, self.consultation.uuid)
        if created:
            messages.success(
                request, _("“%(label)s” shared with the union reps.") % {"label": disclosure.label}
            )
        else:
            messages.success(
                request,
                _("“%(label)s” was already shared on %(date)s; nothing has changed since.")
                % {"label": disclosure.label, "date": date_format(disclosure.shared_at, "j F Y")},
            )
        return redirect(self.detail_url("#disclosures"))

    def share_document(self, request):
        """Log another document (not held in GovReg) as shared."""
        form = forms.DocumentDisclosureForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                disclosure = services.share_document(
                    self.consultation,
                    actor=request.user,
                    title=data["title"],
                    reference=data["reference"],
                    note=data["note"],
                )
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("“%(label)s” logged as shared with the union reps.")
                    % {"label": disclosure.label},
                )
                return redirect(self.detail_url("#disclosures"))
        return self.render_to_response(self.get_context_data(document_form=form, form=form))


def _share_label(kind, obj) -> str:
    from .choices import DisclosureKind

    if kind == DisclosureKind.RECORD:
        return _("The system record as it is now (version %(version)s)") % {"version": obj.version}
    if kind == DisclosureKind.EVIDENCE:
        return _("Evidence: %(title)s (revision %(revision)s)") % {
            "title": obj.title,
            "revision": obj.revision,
        }
    return targets.versioned_label(obj)


class PositionView(ConsultationMixin, ServiceFormView):
    template_name = "consultations/position_form.html"
    permission_action = "record_position"
    form_class = forms.PositionForm

    def consultation_queryset(self):
        return Consultation.objects.filter(system=self.system).with_positions()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["membership"] = services.rep_membership(
            self.request.user, self.system.organisation_id
        )
        context["current_positions"] = self.consultation.current_positions()
        return context

    def perform(self, form):
        data = form.cleaned_data
        services.record_position(
            self.consultation,
            actor=self.request.user,
            position=data["position"],
            statement=data["statement"],
            conditions=data["conditions"],
        )
        messages.success(self.request, _("Your union's position is recorded."))
        return redirect(self.detail_url("#positions"))


# --- Comments -------------------------------------------------------------------------------


class CommentCreateView(SystemMixin, ServiceFormView):
    """Start a thread on an object of the system (the form is usually inline on that object's
    page; this page shows it again, with what was typed, when something needs fixing)."""

    template_name = "consultations/comment_form.html"
    permission_action = "comment"
    form_class = forms.CommentForm

    @cached_property
    def target(self):
        """What the comment is about: named by the form's hidden fields when posting, by
        ``?on=app.model:<public id>`` when showing the form; the system record by default."""
        if self.request.method == "POST":
            type_label = self.request.POST.get("target_type", "")
            object_id = self.request.POST.get("target_id", "")
        else:
            type_label, _sep, object_id = (self.request.GET.get("on") or "").partition(":")
            if not type_label:
                type_label, object_id = targets.type_key(self.system), str(self.system.uuid)
        try:
            return targets.resolve(self.system, type_label, object_id)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def get_initial(self):
        return {
            "target_type": targets.type_key(self.target),
            "target_id": str(self.target.uuid),
            "next": _safe_next(self.request, self.request.GET.get("next"), ""),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["target_label"] = targets.label_of(self.target)
        return context

    def perform(self, form):
        services.add_comment(
            actor=self.request.user,
            system=self.system,
            target=self.target,
            body=form.cleaned_data["body"],
        )
        messages.success(self.request, _("Comment added."))
        fallback = targets.url_of(self.target, self.system) + "#comments"
        return redirect(_safe_next(self.request, form.cleaned_data["next"], fallback))


class CommentThreadMixin(SystemMixin):
    @cached_property
    def comment(self) -> Comment:
        return get_object_or_404(
            Comment.objects.filter(system=self.system).select_related("author"),
            uuid=self.kwargs["comment_pk"],
        )

    def back_url(self, form_next: str | None = None) -> str:
        try:
            target = self.comment.target
        except ObjectDoesNotExist:
            target = None
        fallback = (
            targets.url_of(target, self.system) if target else self.system.get_absolute_url()
        ) + "#comments"
        return _safe_next(self.request, form_next or self.request.GET.get("next"), fallback)


class CommentReplyView(CommentThreadMixin, ServiceFormView):
    template_name = "consultations/comment_form.html"
    permission_action = "comment"
    form_class = forms.ReplyForm

    def get_initial(self):
        return {"next": _safe_next(self.request, self.request.GET.get("next"), "")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["thread"] = self.comment
        context["target_label"] = self.comment.target_label
        return context

    def perform(self, form):
        services.add_comment(
            actor=self.request.user,
            system=self.system,
            target=None,
            body=form.cleaned_data["body"],
            parent=self.comment,
        )
        messages.success(self.request, _("Reply added."))
        return redirect(self.back_url(form.cleaned_data["next"]))


class CommentThreadActionView(CommentThreadMixin, TemplateView):
    """POST only: resolve or reopen a thread."""

    permission_action = "comment"
    http_method_names = ["post"]
    action = "resolve"

    def post(self, request, *args, **kwargs):
        service = services.resolve_thread if self.action == "resolve" else services.reopen_thread
        try:
            service(self.comment, actor=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Thread resolved.") if self.action == "resolve" else _("Thread reopened."),
            )
        return redirect(self.back_url(request.POST.get("next")))


class MarkConcernView(CommentThreadMixin, ServiceFormView):
    template_name = "consultations/mark_concern_form.html"
    permission_action = "raise_concern"
    form_class = forms.MarkConcernForm

    def get_initial(self):
        first_line = self.comment.body.strip().splitlines()[0] if self.comment.body.strip() else ""
        return {"summary": first_line[:200]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["comment"] = self.comment
        return context

    def perform(self, form):
        concern = services.mark_comment_as_concern(
            self.comment,
            actor=self.request.user,
            category=form.cleaned_data["category"],
            summary=form.cleaned_data["summary"],
        )
        messages.success(
            self.request,
            _("The comment is now the formal concern %(reference)s. HR has been told.")
            % {"reference": concern.reference},
        )
        return redirect(concern)


# --- Concerns -------------------------------------------------------------------------------


class ConcernListView(SystemMixin, ListView):
    template_name = "consultations/concern_list.html"
    context_object_name = "concerns"
    paginate_by = 50

    def get_queryset(self):
        return Concern.objects.filter(system=self.system).select_related("union", "raised_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_raise"] = permissions.can(self.request.user, "raise_concern", self.system)
        return context


class ConcernCreateView(SystemMixin, ServiceFormView):
    template_name = "consultations/concern_form.html"
    permission_action = "raise_concern"
    form_class = forms.ConcernForm

    def perform(self, form):
        data = form.cleaned_data
        concern = services.raise_concern(
            actor=self.request.user,
            system=self.system,
            category=data["category"],
            summary=data["summary"],
            details=data["details"],
        )
        messages.success(
            self.request,
            _("Concern %(reference)s raised. HR has been told; a response is due by %(due)s.")
            % {"reference": concern.reference, "due": date_format(concern.due_on, "j F Y")},
        )
        return redirect(concern)


class ConcernMixin(SystemMixin):
    @cached_property
    def concern(self) -> Concern:
        return get_object_or_404(
            Concern.objects.filter(system=self.system).select_related(
                "union", "raised_by", "source_comment"
            ),
            uuid=self.kwargs["concern_pk"],
        )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018
            self.concern  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["concern"] = self.concern
        context["updates"] = list(self.concern.updates.select_related("actor"))
        return context


def _concern_permissions(user, concern) -> dict:
    can_respond = permissions.can(user, "respond_concern", concern)
    can_raise = permissions.can(user, "raise_concern", concern)
    status = concern.status
    return {
        "can_respond": can_respond and status != ConcernStatus.RESOLVED,
        "can_escalate": (can_raise or can_respond)
        and status in (ConcernStatus.OPEN, ConcernStatus.RESPONDED),
        "can_resolve": (can_raise or can_respond) and status != ConcernStatus.RESOLVED,
        "can_reopen": (can_raise or can_respond) and status == ConcernStatus.RESOLVED,
    }


class ConcernDetailView(ConcernMixin, TemplateView):
    template_name = "consultations/concern_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_concern_permissions(self.request.user, self.concern))
        context.setdefault(
            "respond_form", forms.RespondForm(initial={"category": self.concern.category})
        )
        return context


class ConcernRespondView(ConcernMixin, ServiceFormView):
    template_name = "consultations/concern_detail.html"
    permission_action = "respond_concern"
    form_class = forms.RespondForm

    def get(self, request, *args, **kwargs):
        return redirect(self.concern)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_concern_permissions(self.request.user, self.concern))
        context["respond_form"] = context["form"]
        return context

    def perform(self, form):
        services.respond_to_concern(
            self.concern,
            actor=self.request.user,
            text=form.cleaned_data["text"],
            category=form.cleaned_data["category"],
        )
        messages.success(self.request, _("Response recorded. The union reps have been told."))
        return redirect(self.concern)


CONCERN_ACTIONS = {
    # action: (service, its text argument, whether the text is required)
    "escalate": ("escalate_concern", "reason", True),
    "resolve": ("resolve_concern", "note", False),
    "reopen": ("reopen_concern", "reason", True),
}


class ConcernActionView(AnyOfActionsMixin, ConcernMixin, ServiceFormView):
    template_name = "consultations/concern_action_form.html"
    permission_actions = ("raise_concern", "respond_concern")
    action = "escalate"

    def labels(self):
        """(title, label of the text box, message when it is empty, message when done)"""
        return {
            "escalate": (
                _("Escalate the concern"),
                _("Why are you escalating it?"),
                _("Enter why you are escalating the concern."),
                _("Concern escalated. A new response is due by %(due)s."),
            ),
            "resolve": (
                _("Mark the concern as resolved"),
                _("How was it resolved?"),
                "",
                _("Concern marked as resolved."),
            ),
            "reopen": (
                _("Reopen the concern"),
                _("Why are you reopening it?"),
                _("Enter why you are reopening the concern."),
                _("Concern reopened. A response is due by %(due)s."),
            ),
        }[self.action]

    def get_form(self, form_class=None):
        _title, label, empty, _done = self.labels()
        return forms.ConcernActionForm(
            **self.get_form_kwargs(),
            label=label,
            required=CONCERN_ACTIONS[self.action][2],
            empty_message=empty,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.labels()[0]
        context["action"] = self.action
        return context

    def perform(self, form):
        service_name, argument, _required = CONCERN_ACTIONS[self.action]
        concern = getattr(services, service_name)(
            self.concern, actor=self.request.user, **{argument: form.cleaned_data["text"]}
        )
        messages.success(
            self.request, self.labels()[3] % {"due": date_format(concern.due_on, "j F Y")}
        )
        return redirect(concern)


# --- Rights requests ------------------------------------------------------------------------


class RightsListView(SystemMixin, ListView):
    template_name = "consultations/rights_list.html"
    context_object_name = "requests"
    paginate_by = 50

    def get_queryset(self):
        return RightsRequest.objects.filter(system=self.system).only(
            "id",
            "uuid",
            "system_id",
            "case_reference",
            "kind",
            "received_on",
            "due_on",
            "extended",
            "closed_on",
            "outcome",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can(
            self.request.user, "manage_rights_requests", self.system
        )
        return context


class RightsMixin(SystemMixin):
    @cached_property
    def rights_request(self) -> RightsRequest:
        return get_object_or_404(
            RightsRequest.objects.filter(system=self.system).select_related("recorded_by"),
            uuid=self.kwargs["request_pk"],
        )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018
            self.rights_request  # noqa: B018
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rights_request"] = self.rights_request
        return context


class RightsCreateView(SystemMixin, ServiceFormView):
    template_name = "consultations/rights_form.html"
    permission_action = "manage_rights_requests"
    form_class = forms.RightsRequestForm

    def perform(self, form):
        request = services.log_rights_request(
            actor=self.request.user, system=self.system, **form.cleaned_data
        )
        messages.success(
            self.request,
            _("Request %(reference)s logged. A response is due by %(due)s.")
            % {"reference": request.case_reference, "due": date_format(request.due_on, "j F Y")},
        )
        return redirect(request)


class RightsDetailView(RightsMixin, TemplateView):
    template_name = "consultations/rights_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = permissions.can(
            self.request.user, "manage_rights_requests", self.rights_request
        )
        return context


class RightsEditView(RightsMixin, ServiceFormView):
    template_name = "consultations/rights_form.html"
    permission_action = "manage_rights_requests"
    form_class = forms.RightsRequestForm

    def get_initial(self):
        r = self.rights_request
        return {name: getattr(r, name) for name in forms.RightsRequestForm.base_fields}

    def perform(self, form):
        request = services.update_rights_request(
            self.rights_request, actor=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Request changed."))
        return redirect(request)


class RightsExtendView(RightsMixin, ServiceFormView):
    template_name = "consultations/rights_action_form.html"
    permission_action = "manage_rights_requests"
    form_class = forms.ExtendForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Extend the time to respond")
        return context

    def perform(self, form):
        request = services.extend_rights_request(
            self.rights_request,
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
            notified_on=form.cleaned_data["notified_on"],
        )
        messages.success(
            self.request,
            _("Extended. A response is now due by %(due)s.")
            % {"due": date_format(request.due_on, "j F Y")},
        )
        return redirect(request)


class RightsCloseView(RightsMixin, ServiceFormView):
    template_name = "consultations/rights_action_form.html"
    permission_action = "manage_rights_requests"
    form_class = forms.CloseForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Close the request")
        return context

    def perform(self, form):
        request = services.close_rights_request(
            self.rights_request, actor=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Request closed."))
        return redirect(request)


# --- The public, anonymous concern form -----------------------------------------------------


def _published_system(organisation: str, reference: str) -> AlgorithmicSystem:
    return get_object_or_404(
        AlgorithmicSystem.objects.published().select_related("organisation"),
        organisation__slug=organisation,
        reference=reference,
    )


def public_concern(request, organisation: str, reference: str):
    """Raise a concern about a published system without signing in.

    Stores nothing about who sent it: it never reads ``request.user`` or the session, never
    writes the address, and counts attempts only under a daily-changing hashed key in the
    cache (``consultations/public.py``).
    """
    system = _published_system(organisation, reference)
    context = {"system": system}
    if request.method != "POST":
        context["form"] = forms.PublicConcernForm(system_pk=system.pk)
        return render(request, "consultations/public_concern_form.html", context)
    form = forms.PublicConcernForm(request.POST, system_pk=system.pk)
    context["form"] = form
    if not public.attempt_allowed(request) or not public.system_allowed(system.pk):
        form.refresh_token()
        context["limited"] = True
        return render(request, "consultations/public_concern_form.html", context, status=429)
    if form.is_honeypot_filled:
        # Looks like a machine: answer as if it worked, keep nothing.
        return redirect("public_concerns:sent", organisation, reference)
    if not form.is_valid():
        form.refresh_token()
        return render(request, "consultations/public_concern_form.html", context)
    try:
        services.raise_anonymous_concern(
            system=system,
            category=form.cleaned_data["category"],
            summary=form.cleaned_data["summary"],
            details=form.cleaned_data["details"],
        )
    except WorkflowError as error:
        form.add_error(None, str(error))
        form.refresh_token()
        return render(request, "consultations/public_concern_form.html", context)
    public.count_for_system(system.pk)
    return redirect("public_concerns:sent", organisation, reference)


def public_concern_sent(request, organisation: str, reference: str):
    system = _published_system(organisation, reference)
    return render(request, "consultations/public_concern_sent.html", {"system": system})

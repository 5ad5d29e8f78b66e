from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import FormView, ListView, TemplateView

from accounts import permissions
from audit.models import AuditEvent
from govreg.downloads import file_download
from govreg.paginator import ValuesPaginator

from . import services, uploads
from .filters import RegisterFilter
from .forms import FORMSETS, AttachmentForm, SystemCreateForm, section_form_class
from .mixins import SystemMixin
from .models import REGISTER_COLUMNS, AlgorithmicSystem, Attachment
from .panels import system_tabs
from .sections import BY_SLUG, DATA_SPEC_FIELDS, MODEL_SPEC_FIELDS, STATUS_LABELS, section_statuses

HISTORY_ON_PAGE = 20


class SystemListView(LoginRequiredMixin, ListView):
    template_name = "registers/system_list.html"
    paginate_by = 50
    context_object_name = "systems"

    def get_queryset(self):
        base = permissions.visible(self.request.user, AlgorithmicSystem)
        self.filterset = RegisterFilter(
            self.request.GET or None, queryset=base, user=self.request.user
        )
        return self.filterset.qs if self.filterset.is_bound else base

    def get_paginator(self, queryset, per_page, **kwargs):
        # The page's rows are the register's columns, read as values() rows.
        return ValuesPaginator(queryset, per_page, columns=REGISTER_COLUMNS, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["filter_choices"] = self.filterset.display_choices(self.request.user)
        context["can_create"] = bool(
            permissions.organisation_ids(self.request.user, "create_system")
        )
        return context


class SystemCreateView(LoginRequiredMixin, FormView):
    template_name = "registers/system_create.html"
    form_class = SystemCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.organisation_ids(
            request.user, "create_system"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = permissions.organisations(self.request.user, "create_system")
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        system = services.create_system(
            actor=self.request.user,
            organisation=data["organisation"],
            name=data["name"],
            one_sentence_description=data["one_sentence_description"],
            lifecycle_stage=data["lifecycle_stage"],
        )
        messages.success(
            self.request, _("System recorded. Now complete each section of the record.")
        )
        return redirect("registers:system_tasks", pk=system.uuid)


class SystemDetailView(SystemMixin, TemplateView):
    template_name = "registers/system_detail.html"

    def system_queryset(self):
        return permissions.visible(self.request.user, AlgorithmicSystem).for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        system = self.system
        user = self.request.user
        can_upload = permissions.can(user, "upload_evidence", system)
        context.update(
            sections=section_statuses(system),
            status_labels=STATUS_LABELS,
            attachments=system.attachments.select_related("uploaded_by").order_by(
                "title", "-revision"
            ),
            history=AuditEvent.objects.for_system(system.pk)[:HISTORY_ON_PAGE],
            can_edit=permissions.can(user, "edit_system", system),
            can_upload=can_upload,
            # The upload form is shown only to those who may upload.
            attachment_form=AttachmentForm() if can_upload else None,
            model_spec_fields=MODEL_SPEC_FIELDS,
            data_spec_fields=DATA_SPEC_FIELDS,
        )
        context["overview_panels"], context["tabs"] = system_tabs(system, user)
        return context


class SystemTaskListView(SystemMixin, TemplateView):
    template_name = "registers/system_tasks.html"
    permission_action = "edit_system"

    def system_queryset(self):
        return permissions.visible(self.request.user, AlgorithmicSystem).for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = section_statuses(self.system)
        context["sections"] = rows
        context["status_labels"] = STATUS_LABELS
        context["completed"] = sum(
            1 for _s, status in rows if status in ("completed", "not_applicable")
        )
        return context


class SectionEditView(SystemMixin, FormView):
    template_name = "registers/section_form.html"
    permission_action = "edit_system"

    def dispatch(self, request, *args, **kwargs):
        self.section = BY_SLUG.get(kwargs["section"])
        if self.section is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        if self.section.related_name:
            return ["registers/section_formset.html"]
        return [self.template_name]

    def get_form_class(self):
        if self.section.related_name:
            return FORMSETS[self.section.slug]
        return section_form_class(self.section)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.system
        if not self.section.related_name:
            kwargs["initial"] = {
                "fingerprint": services.fingerprint(
                    services.section_values(self.system, self.section)
                )
            }
        return kwargs

    def form_valid(self, form):
        if self.section.related_name:
            services.save_specifications(self.system, actor=self.request.user, formset=form)
        else:
            data = {name: form.cleaned_data[name] for name in self.section.fields}
            try:
                services.update_section(
                    self.system,
                    actor=self.request.user,
                    section=self.section,
                    data=data,
                    expected_fingerprint=form.cleaned_data.get("fingerprint") or None,
                )
            except services.SectionConflict as conflict:
                return self.conflict(form, conflict)
        messages.success(self.request, _("“%(section)s” saved.") % {"section": self.section.title})
        return redirect("registers:system_tasks", pk=self.system.uuid)

    def conflict(self, form, conflict):
        """Keep what the user typed, show what changed, and let them save again knowingly."""
        current = AlgorithmicSystem.objects.get(pk=self.system.pk)
        form.add_error(None, services.describe_conflict(conflict.changed_fields))
        data = form.data.copy()
        data["fingerprint"] = services.fingerprint(services.section_values(current, self.section))
        form.data = data
        context = self.get_context_data(form=form, conflict_values=current)
        return self.render_to_response(context, status=409)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        return context


@method_decorator(csrf_exempt, name="dispatch")
class EvidenceUploadView(SystemMixin, FormView):
    """The file's size is checked while it arrives (``registers/uploads.py``): the upload
    handler has to be in place before anything reads the request's body, so this view checks
    CSRF itself, once the handler is installed (``csrf_protect``), instead of the middleware."""

    permission_action = "upload_evidence"
    form_class = AttachmentForm
    template_name = "registers/evidence_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.size_limit = uploads.limit_upload_size(request, settings.EVIDENCE_MAX_BYTES)
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if self.size_limit.refused:
            # The file was dropped as it arrived: say why, and keep what else was typed.
            form.fields["file"].required = False
            form.is_valid()
            form.add_error("file", uploads.too_large_message(self.size_limit.limit))
            return self.form_invalid(form)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_valid(self, form):
        try:
            attachment = services.add_attachment(
                self.system,
                actor=self.request.user,
                title=form.cleaned_data["title"],
                uploaded=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Evidence “%(title)s” uploaded as revision %(revision)d.")
            % {"title": attachment.title, "revision": attachment.revision},
        )
        return redirect(reverse("registers:system_detail", args=[self.system.uuid]) + "#evidence")


class EvidenceDownloadView(SystemMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(
            Attachment.objects.filter(system=self.system), uuid=kwargs["attachment_pk"]
        )
        return file_download(
            attachment.file.open("rb"),
            filename=download_name(attachment),
            content_type=attachment.content_type,
        )


def download_name(attachment: Attachment) -> str:
    """The uploaded name with the extension of what the file is (checked by content when it was
    uploaded): text sent as ``page.html`` downloads as ``page.txt``, never as a web page."""
    stem = attachment.original_name.rsplit(".", 1)[0] or "evidence"
    return f"{stem}.{attachment.file.name.rsplit('.', 1)[-1]}"


class SystemHistoryView(SystemMixin, ListView):
    permission_action = "view_history"
    template_name = "registers/system_history.html"
    paginate_by = 100
    context_object_name = "events"

    def get_queryset(self):
        return AuditEvent.objects.for_system(self.system.pk)

"""Pages of audit packs: ask for one, follow its progress, download it.

Packs are fetched through ``services.visible_packs`` (a role in every body the pack covers),
so another body's pack is a 404 like a missing one; downloading needs ``download_pack`` in
each of those bodies (403 otherwise, e.g. for HR officers).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView

from accounts import permissions
from govreg.downloads import file_download
from registers.models import AlgorithmicSystem

from . import services
from .forms import CouncilPackForm, OrganisationPackForm, SystemPackForm
from .models import AuditPack, PackScope


class PackListView(LoginRequiredMixin, ListView):
    """Every pack the person can see, and the forms for body and council packs."""

    template_name = "packs/pack_list.html"
    context_object_name = "packs"
    paginate_by = 50
    organisation_form = None
    council_form = None

    def get_queryset(self):
        return services.visible_packs(self.request.user).for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        organisation_form = self.organisation_form or OrganisationPackForm(
            user=user, auto_id="body-%s"
        )
        council_form = self.council_form or CouncilPackForm(user=user, auto_id="council-%s")
        context.update(
            organisation_form=organisation_form
            if organisation_form.fields["organisation"].queryset.exists()
            else None,
            council_form=council_form if council_form.fields["council"].queryset.exists() else None,
            has_errors=bool(
                (self.organisation_form and self.organisation_form.errors)
                or (self.council_form and self.council_form.errors)
            ),
        )
        return context


@require_POST
@login_required
def request_system_pack(request, system_pk):
    system = get_object_or_404(permissions.visible(request.user, AlgorithmicSystem), uuid=system_pk)
    permissions.require(request.user, "request_pack", system)
    form = SystemPackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the language of the pack."))
        return redirect(reverse("registers:system_detail", args=[system.uuid]) + "#packs")
    return _request(
        request,
        scope=PackScope.SYSTEM,
        system=system,
        language=form.cleaned_data["language"],
    )


@require_POST
@login_required
def request_collection_pack(request):
    """A pack of a whole body or of a partnership council (choices limited to the person's)."""
    scope = request.POST.get("scope")
    if scope == PackScope.ORGANISATION:
        form = OrganisationPackForm(request.POST, user=request.user, auto_id="body-%s")
        if form.is_valid():
            return _request(
                request,
                scope=scope,
                organisation=form.cleaned_data["organisation"],
                language=form.cleaned_data["language"],
            )
        invalid = {"organisation_form": form}
    elif scope == PackScope.COUNCIL:
        form = CouncilPackForm(request.POST, user=request.user, auto_id="council-%s")
        if form.is_valid():
            return _request(
                request,
                scope=scope,
                council=form.cleaned_data["council"],
                language=form.cleaned_data["language"],
            )
        invalid = {"council_form": form}
    else:
        raise Http404
    view = PackListView(**invalid)
    view.setup(request)
    response = view.get(request)  # the list page again, with the form's errors
    response.status_code = 400
    return response


def _request(request, **kwargs):
    try:
        result = services.request_pack(actor=request.user, **kwargs)
    except services.PackRequestRefused as refusal:
        return render(request, "packs/request_refused.html", {"reason": str(refusal)}, status=429)
    pack = result.pack
    if not result.created:
        messages.info(
            request, _("A pack of exactly this content has already been asked for, so here it is.")
        )
    else:
        messages.success(request, _("Your pack has been asked for. This page shows its progress."))
    return redirect(pack)


def _visible_pack(request, pk) -> AuditPack:
    return get_object_or_404(
        services.visible_packs(request.user)
        .select_related("requested_by", "system", "organisation", "council")
        .prefetch_related("organisations"),
        pk=pk,
    )


def _status_context(request, pack: AuditPack) -> dict:
    return {
        "pack": pack,
        "can_download": services.can_on_pack(request.user, "download_pack", pack),
        "can_retry": pack.is_failed and services.can_on_pack(request.user, "request_pack", pack),
    }


class PackDetailView(LoginRequiredMixin, DetailView):
    template_name = "packs/pack_detail.html"
    context_object_name = "pack"

    def get_object(self, queryset=None):
        return _visible_pack(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_status_context(self.request, self.object))
        return context


@never_cache
@require_GET
@login_required
def pack_status(request, pk):
    """The status box alone, for the page's script to refresh it without a reload."""
    pack = _visible_pack(request, pk)
    return render(request, "packs/includes/pack_status.html", _status_context(request, pack))


@never_cache
@require_GET
@login_required
def download_pack(request, pk):
    pack = _visible_pack(request, pk)
    services.require_on_pack(request.user, "download_pack", pack)
    if not pack.is_ready or not pack.file:
        raise Http404
    handle = services.open_download(request.user, pack, ip=request.META.get("REMOTE_ADDR", ""))
    if handle is None:
        raise Http404
    return file_download(handle, filename=pack.download_filename(), content_type="application/pdf")


@require_POST
@login_required
def retry_pack(request, pk):
    pack = _visible_pack(request, pk)
    try:
        result = services.retry_pack(pack, actor=request.user)
    except services.PackRequestRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(pack)
    except PermissionDenied:
        raise
    if result.pack.pk != pack.pk:
        messages.info(
            request, _("A pack of exactly this content is already available, so here it is.")
        )
    else:
        messages.success(request, _("The pack will be tried again. This page shows its progress."))
    return redirect(result.pack)

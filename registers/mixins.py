"""Scoping for every page about one system: fetched through the permission layer."""

from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404

from accounts.permissions import require, visible

from .models import AlgorithmicSystem


class SystemMixin(LoginRequiredMixin):
    """Loads ``self.system`` from the URL's ``pk``: 404 outside the user's bodies, 403 if the
    user's role there does not allow ``permission_action``."""

    permission_action = "view"
    system_url_kwarg = "pk"

    def system_queryset(self):
        return visible(self.request.user, AlgorithmicSystem).select_related(
            "organisation", "accountable_manager"
        )

    @cached_property
    def system(self) -> AlgorithmicSystem:
        system = get_object_or_404(self.system_queryset(), uuid=self.kwargs[self.system_url_kwarg])
        require(self.request.user, self.permission_action, system)
        return system

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.system  # noqa: B018 - resolve (404/403) before any handler runs
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("system", self.system)
        return super().get_context_data(**kwargs)

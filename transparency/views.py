"""The public transparency register: published systems only, no sign-in."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG


class PublicRegisterView(ListView):
    template_name = "transparency/register.html"
    context_object_name = "systems"
    paginate_by = 50

    def get_queryset(self):
        return AlgorithmicSystem.objects.published().for_register().order_by("organisation__name", "name")


class PublicSystemView(DetailView):
    template_name = "transparency/system.html"
    context_object_name = "system"

    def get_object(self, queryset=None):
        return get_object_or_404(
            AlgorithmicSystem.objects.published().select_related("organisation"),
            organisation__slug=self.kwargs["organisation"],
            reference=self.kwargs["reference"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tier2_sections"] = [
            BY_SLUG[slug] for slug in ("owner", "rationale", "deployment", "tool", "risks")
        ]
        return context

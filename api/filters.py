"""Filter backends: the pages' own filtersets (given the requesting user), and strict ordering."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class UserFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` for filtersets that take ``user=`` (e.g. ``RegisterFilter``), so
    their choices (organisations, managers) are the user's own, as on the page."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["user"] = request.user
        return kwargs


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` one of the view's ``ordering_fields`` (``-`` for descending); anything
    else is a 400, not silently ignored."""

    ordering_description = gettext_lazy("Sort by this field; prefix with - for descending order.")

    def allowed(self, view) -> list[str]:
        names = list(getattr(view, "ordering_fields", []))
        return names + [f"-{name}" for name in names]

    def get_ordering(self, request, queryset, view):
        value = request.query_params.get(self.ordering_param)
        if value is None:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in value.split(",")]
        allowed = set(self.allowed(view))
        if not terms or any(term not in allowed for term in terms):
            raise ValidationError(
                {self.ordering_param: [_("Sort by one of: %s.") % ", ".join(self.allowed(view))]}
            )
        return terms

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(self.ordering_description),
                "schema": {"type": "string", "enum": self.allowed(view)},
            }
        ]

from functools import partial

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from govreg.paginator import ValuesPaginator


class Pagination(PageNumberPagination):
    """``?page=N`` (a whole number from 1, anything else: 400; past the last page: 404) and
    ``?page_size=`` from 1 to 200 (50 if not given; anything else: 400).

    A view with ``page_values`` (column names) gets its page as ``values()`` rows of those
    columns (``ValuesPaginator``), for a serializer that reads such rows."""

    def paginate_queryset(self, queryset, request, view=None):
        columns = getattr(view, "page_values", None)
        if columns:
            self.django_paginator_class = partial(ValuesPaginator, columns=columns)
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_query_param: [_("Enter a whole number from 1.")]})
        return raw

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Enter a whole number from 1 to %d.") % self.max_page_size
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

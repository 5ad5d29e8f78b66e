"""A paginator for pages of plain rows."""

from django.core.paginator import Paginator


class ValuesPaginator(Paginator):
    """Pages read as ``values(*columns)`` of their slice (dicts, not model instances), while the
    count is of the queryset as given: a ``values()`` queryset that follows relations keeps
    their joins in its count too, and on the register that turned an index-only count into a
    scan of the whole table."""

    def __init__(self, object_list, per_page, *, columns, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.columns = columns

    def _get_page(self, object_list, number, paginator):
        return super()._get_page(object_list.values(*self.columns), number, paginator)

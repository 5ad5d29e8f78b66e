"""Search and filters of the public register."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from registers.choices import LifecycleStage


class PublicRegisterFilter(django_filters.FilterSet):
    """Search (``q``), body (``organisation``, by slug) and lifecycle stage (``stage``)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=_("All organisations"),
        field_name="organisation",
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=LifecycleStage.choices,
        empty_label=_("All stages"),
        field_name="lifecycle_stage",
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisations

    def search(self, queryset, name, value):
        words = value.split()[:8]
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(name_cy__icontains=word)
                | Q(one_sentence_description__icontains=word)
                | Q(one_sentence_description_cy__icontains=word)
                | Q(description__icontains=word)
                | Q(description_cy__icontains=word)
                | Q(external_supplier__icontains=word)
                | Q(organisation__name__icontains=word)
                | Q(organisation__name_cy__icontains=word)
            )
        return queryset

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Organisation, User

from .choices import LifecycleStage, PublicationStatus
from .models import AlgorithmicSystem


class RegisterFilter(django_filters.FilterSet):
    """The register's search and filters (also used by the API)."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=_("All")
    )
    lifecycle_stage = django_filters.ChoiceFilter(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, empty_label=_("All")
    )
    publication_status = django_filters.ChoiceFilter(
        label=_("Publication"), choices=PublicationStatus.choices, empty_label=_("All")
    )
    accountable_manager = django_filters.ModelChoiceFilter(
        label=_("Accountable manager"), queryset=User.objects.none(), empty_label=_("All")
    )

    class Meta:
        model = AlgorithmicSystem
        fields = ["q", "organisation", "lifecycle_stage", "publication_status", "accountable_manager"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        org_ids = permissions.organisation_ids(user)
        self.filters["organisation"].queryset = Organisation.objects.filter(pk__in=org_ids)
        self.filters["accountable_manager"].queryset = User.objects.filter(
            accountable_systems__organisation_id__in=org_ids
        ).distinct()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(name_cy__icontains=value)
            | Q(reference__icontains=value)
            | Q(one_sentence_description__icontains=value)
            | Q(external_supplier__icontains=value)
        )

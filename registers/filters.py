import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import Membership, Organisation, Role, User

from .choices import LifecycleStage, PublicationStatus
from .models import AlgorithmicSystem


class RegisterFilter(django_filters.FilterSet):
    """The register's search and filters (also the API's, stricter: ``api.filters.SystemFilter``).
    Bodies are named by their slug and managers by their public identifier, never by a key."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=_("All"),
    )
    lifecycle_stage = django_filters.ChoiceFilter(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, empty_label=_("All")
    )
    publication_status = django_filters.ChoiceFilter(
        label=_("Publication"), choices=PublicationStatus.choices, empty_label=_("All")
    )
    accountable_manager = django_filters.ModelChoiceFilter(
        label=_("Accountable manager"),
        queryset=User.objects.none(),
        to_field_name="uuid",
        empty_label=_("All"),
    )

    class Meta:
        model = AlgorithmicSystem
        fields = ["q", "organisation", "lifecycle_stage", "publication_status", "accountable_manager"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        org_ids = permissions.organisation_ids(user)
        self.filters["organisation"].queryset = Organisation.objects.filter(pk__in=org_ids).only(
            "id", "slug", "name", "name_cy"
        )
        # Senior managers of those bodies (who can be named accountable), not a scan of systems.
        self.filters["accountable_manager"].queryset = (
            User.objects.filter(
                memberships__organisation_id__in=org_ids,
                memberships__role=Role.SENIOR_MANAGER,
                memberships__is_active=True,
            )
            .only("id", "uuid", "email", "full_name")
            .distinct()
            .order_by("full_name", "email")
        )

    def display_choices(self, user) -> dict[str, list[tuple]]:
        """Plain choice lists for the page's selects: the bodies from the user's memberships
        (already loaded) and the managers from one ``values_list`` query, instead of a model
        instance per option. Validation still goes through the querysets above."""
        bodies = {m.organisation_id: m.organisation for m in permissions.memberships(user)}
        organisations = [("", _("All"))] + sorted(
            ((org.slug, org.display_name) for org in bodies.values()), key=lambda c: str(c[1])
        )
        managers = (
            Membership.objects.filter(
                organisation_id__in=list(bodies), role=Role.SENIOR_MANAGER, is_active=True
            )
            .order_by("user__full_name", "user__email")
            .values_list("user__uuid", "user__full_name", "user__email")
            .distinct()
        )
        return {
            "organisation": organisations,
            "accountable_manager": [("", _("All"))]
            + [(public_id, name or email) for public_id, name, email in managers],
        }

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

"""Filter backends: the pages' own filtersets (given the requesting user), and strict ordering.

A filter that names an object takes its public identifier (a UUID; a body: its slug), as the
API's payloads give it."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from accounts import permissions
from accounts.models import Organisation, User
from assessments.choices import GoodWorkPrinciple, Kind, Progress, RiskCategory, RiskStatus, Status
from assessments.models import Action, Assessment, Risk
from consultations.choices import (
    AWAITING_RESPONSE,
    ConcernSource,
    ConcernStatus,
    ConsultationStatus,
    RightsRequestKind,
    Stage,
)
from consultations.models import Comment, Concern, Consultation, RightsRequest
from consultations.targets import commentable_models
from govreg.public_ids import parse_public_id
from oversight.choices import Decision
from oversight.models import SignOff
from packs.models import AuditPack, PackScope, PackStatus
from registers.filters import RegisterFilter
from registers.models import AlgorithmicSystem

# Query parameters that no filterset reads.
NOT_FILTERS = frozenset({"page", "page_size", "ordering", "format"})


class UserFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` for filtersets that take ``user=`` (e.g. ``RegisterFilter``), so
    their choices (organisations, managers) are the user's own, as on the page.

    A request with no parameters but paging and ordering filters nothing (no filter is
    required or has a default), so its filterset, a form with querysets for its choices, is
    not built for it."""

    def filter_queryset(self, request, queryset, view):
        if set(request.query_params) <= NOT_FILTERS:
            return queryset
        return super().filter_queryset(request, queryset, view)

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
        aliases = getattr(view, "ordering_aliases", {})
        return [
            ("-" if term.startswith("-") else "") + aliases.get(term.lstrip("-"), term.lstrip("-"))
            for term in terms
        ] + ["pk"]

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


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (absent: no filter); anything else is refused, never ignored."""

    widget = forms.TextInput

    def to_python(self, value):
        if value is None:
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(_("Enter true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class _RefuseEmpty:
    """An empty value (``?status=``) is refused like any value that is not offered."""

    def clean(self, value):
        if value == "":
            raise forms.ValidationError(
                _("Choose one of the values offered, or leave the filter out."),
                code="invalid_choice",
            )
        return super().clean(value)


class StrictChoiceField(_RefuseEmpty, django_filters.fields.ChoiceField):
    pass


class StrictModelChoiceField(_RefuseEmpty, django_filters.fields.ModelChoiceField):
    pass


class StrictUUIDField(_RefuseEmpty, forms.UUIDField):
    pass


class PublicIdChoiceField(StrictModelChoiceField):
    """An object of the queryset named by its public identifier: something that is not a UUID
    is refused as such, an unknown one as a choice that is not offered."""

    def to_python(self, value):
        if value not in self.empty_values and parse_public_id(value) is None:
            raise forms.ValidationError(_("Enter a valid UUID."), code="invalid")
        return super().to_python(value)


class StrictChoiceFilter(django_filters.ChoiceFilter):
    field_class = StrictChoiceField


class StrictModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = StrictModelChoiceField


class StrictUUIDFilter(django_filters.UUIDFilter):
    field_class = StrictUUIDField


class PublicIdFilter(django_filters.ModelChoiceFilter):
    """``?<name>=<id>``: an object of the queryset, by its public identifier."""

    field_class = PublicIdChoiceField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, to_field_name="uuid", **kwargs)


# --- The register (``RegisterFilter``, with bodies and managers named as in the payloads) -------


class SystemFilter(RegisterFilter):
    """The register page's filters, strict as the API's other filters are: an empty value, a
    malformed identifier or a body or manager that is not offered is a 400."""

    organisation = StrictModelChoiceFilter(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        help_text=gettext_lazy("Only this body's systems (its slug)."),
    )
    accountable_manager = PublicIdFilter(
        label=gettext_lazy("Accountable manager"),
        queryset=User.objects.none(),
        help_text=gettext_lazy(
            "Only the systems this senior manager is accountable for (their id)."
        ),
    )


# --- Filtersets of the areas under a system (``?system=<id>`` and the area's own filters) ------


class SystemScopedFilter(django_filters.FilterSet):
    """``?system=<id>``: one system of the user's bodies (another body's, or an unknown id, is a
    400 like any choice that is not offered)."""

    system = PublicIdFilter(
        label=gettext_lazy("System"),
        queryset=AlgorithmicSystem.objects.none(),
        help_text=gettext_lazy("Only this system's (its id)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["system"].queryset = permissions.visible(user, AlgorithmicSystem)


class AssessmentFilter(SystemScopedFilter):
    kind = StrictChoiceFilter(label=gettext_lazy("Kind of assessment"), choices=Kind.choices)
    status = StrictChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices)

    class Meta:
        model = Assessment
        fields = ["system", "kind", "status"]


class RiskFilter(SystemScopedFilter):
    status = StrictChoiceFilter(label=gettext_lazy("Status"), choices=RiskStatus.choices)
    category = StrictChoiceFilter(label=gettext_lazy("Category"), choices=RiskCategory.choices)
    gwc_principle = StrictChoiceFilter(
        label=gettext_lazy("Good Work Charter principle"), choices=GoodWorkPrinciple.choices
    )

    class Meta:
        model = Risk
        fields = ["system", "status", "category", "gwc_principle"]


class ActionFilter(SystemScopedFilter):
    progress = StrictChoiceFilter(label=gettext_lazy("Progress"), choices=Progress.choices)
    risk = PublicIdFilter(
        label=gettext_lazy("Risk"),
        queryset=Risk.objects.none(),
        help_text=gettext_lazy("Only the actions that mitigate this risk (its id)."),
    )
    overdue = StrictBooleanFilter(
        label=gettext_lazy("Overdue"),
        method="filter_overdue",
        help_text=gettext_lazy("Not achieved and past the due date (true), or not (false)."),
    )

    class Meta:
        model = Action
        fields = ["system", "progress", "risk", "overdue"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["risk"].queryset = permissions.visible(user, Risk)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(progress=Progress.ACHIEVED)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ConsultationFilter(SystemScopedFilter):
    stage = StrictChoiceFilter(label=gettext_lazy("Stage"), choices=Stage.choices)
    status = StrictChoiceFilter(label=gettext_lazy("Status"), choices=ConsultationStatus.choices)

    class Meta:
        model = Consultation
        fields = ["system", "stage", "status"]


class CommentFilter(SystemScopedFilter):
    target_type = django_filters.CharFilter(
        label=gettext_lazy("About (type)"),
        method="filter_target_type",
        help_text=gettext_lazy(
            "What the threads are about: `registers.algorithmicsystem`, `assessments.assessment`, "
            "`assessments.risk`, `assessments.action`, `consultations.consultation`, …"
        ),
    )
    target_id = StrictUUIDFilter(
        label=gettext_lazy("About (id)"),
        method="filter_target_id",
        help_text=gettext_lazy("The id of the object the threads are about."),
    )
    resolved = StrictBooleanFilter(
        label=gettext_lazy("Resolved"), field_name="resolved_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Comment
        fields = ["system", "target_type", "target_id", "resolved"]

    def filter_target_type(self, queryset, name, value):
        app_label, _sep, model = value.strip().lower().partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_target_id(self, queryset, name, value):
        # A comment stores its object's primary key: match the key of the object, of any
        # commentable kind, whose public identifier this is (subqueries of the list's query).
        about = Q()
        for model in commentable_models():
            keys = model._default_manager.filter(uuid=value).values(key=Cast("pk", CharField()))
            about |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=keys)
        return queryset.filter(about) if about else queryset.none()


class ConcernFilter(SystemScopedFilter):
    status = StrictChoiceFilter(label=gettext_lazy("Status"), choices=ConcernStatus.choices)
    source = StrictChoiceFilter(label=gettext_lazy("Raised"), choices=ConcernSource.choices)
    category = StrictChoiceFilter(label=gettext_lazy("Category"), choices=RiskCategory.choices)
    overdue = StrictBooleanFilter(
        label=gettext_lazy("Overdue"),
        method="filter_overdue",
        help_text=gettext_lazy("Awaiting a response past its due date (true), or not (false)."),
    )

    class Meta:
        model = Concern
        fields = ["system", "status", "source", "category", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=AWAITING_RESPONSE, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class RightsRequestFilter(SystemScopedFilter):
    kind = StrictChoiceFilter(
        label=gettext_lazy("Type of request"), choices=RightsRequestKind.choices
    )
    closed = StrictBooleanFilter(
        label=gettext_lazy("Closed"), field_name="closed_on", lookup_expr="isnull", exclude=True
    )
    overdue = StrictBooleanFilter(
        label=gettext_lazy("Overdue"),
        method="filter_overdue",
        help_text=gettext_lazy("Open and past its due date (true), or not (false)."),
    )

    class Meta:
        model = RightsRequest
        fields = ["system", "kind", "closed", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(closed_on__isnull=True, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class SignOffFilter(SystemScopedFilter):
    decision = StrictChoiceFilter(label=gettext_lazy("Decision"), choices=Decision.choices)

    class Meta:
        model = SignOff
        fields = ["system", "decision"]


class PackFilter(SystemScopedFilter):
    scope = StrictChoiceFilter(label=gettext_lazy("Scope"), choices=PackScope.choices)
    status = StrictChoiceFilter(label=gettext_lazy("Status"), choices=PackStatus.choices)

    class Meta:
        model = AuditPack
        fields = ["system", "scope", "status"]

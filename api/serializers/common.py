"""Building blocks shared by every area's serializers, and the documented error bodies.

Objects are named by their public identifier (``govreg.public_ids``), never by their primary
key: ``id`` is the object's ``uuid``, and a reference to another object is that object's
``uuid`` (bodies, partnership councils and unions: their ``slug``).
"""

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Organisation, User
from govreg.public_ids import has_public_id, parse_public_id


def json_type(field) -> tuple[type, ...] | None:
    """The JSON type a field accepts in a request body (``None``: not checked here)."""
    if isinstance(field, serializers.BooleanField):
        return (bool,)
    if isinstance(field, serializers.IntegerField):
        return (int,)
    if isinstance(field, serializers.ListField | serializers.MultipleChoiceField):
        return (list,)
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.DateField
        | serializers.DateTimeField
        | serializers.UUIDField
        | serializers.SlugRelatedField,
    ):
        return (str,)
    return None


class StrictFieldsMixin:
    """Request bodies are JSON with exactly the documented fields and types: unknown fields
    (no silent mass assignment) and values of the wrong JSON type (``0`` for a text, ``"5"``
    for a number) are refused rather than coerced."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            errors = {
                name: [_("This field cannot be set here.")]
                for name in sorted(set(data) - set(writable))
            }
            for name, value in data.items():
                field = writable.get(name)
                expected = json_type(field) if field is not None else None
                if expected is None or value is None:
                    continue
                if not isinstance(value, expected) or (
                    isinstance(value, bool) and bool not in expected
                ):
                    errors[name] = [_("This value is of the wrong type.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class PartialChangeMixin:
    """A change to an existing object: send only the fields you change (none is required, and
    none takes a default, so a field left out stays as it is)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if hasattr(field, "default"):
                field.default = serializers.empty


class RevisionedChangeMixin(PartialChangeMixin, serializers.Serializer):
    """A partial change guarded by the revision it is based on (or ``If-Match``)."""

    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The revision your change is based on (or send If-Match)."),
    )


class BlankableURLField(serializers.URLField):
    """A web address, or empty (documented as such in the OpenAPI schema)."""


class BlankableEmailField(serializers.EmailField):
    """An e-mail address, or empty (documented as such in the OpenAPI schema)."""


class PublicIdRelatedField(serializers.SlugRelatedField):
    """Another object, named by its public identifier (a UUID)."""

    default_error_messages = {"invalid": _("Enter a valid UUID.")}

    def __init__(self, **kwargs):
        super().__init__(slug_field="uuid", **kwargs)

    def to_internal_value(self, data):
        if parse_public_id(data) is None:
            self.fail("invalid")
        return super().to_internal_value(data)


class GovRegModelSerializer(serializers.ModelSerializer):
    """Model serializers whose ``id`` is the object's public identifier, whose references to
    other objects are theirs, and whose optional web and e-mail addresses may be empty
    strings."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: BlankableURLField,
        models.EmailField: BlankableEmailField,
    }

    def build_field(self, field_name, info, model_class, nested_depth):
        if field_name == "id" and has_public_id(model_class):
            return serializers.UUIDField, {"source": "uuid", "read_only": True}
        return super().build_field(field_name, info, model_class, nested_depth)

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if has_public_id(relation_info.related_model):
            field_class = PublicIdRelatedField
            kwargs.pop("slug_field", None)
        return field_class, kwargs


class ChoiceListField(serializers.ListField):
    """A list of choice values (``MultipleChoiceField`` on the model), kept in option order."""

    def __init__(self, *, choices, **kwargs):
        self.option_order = [key for key, _label in choices]
        kwargs.setdefault("allow_empty", True)
        super().__init__(child=serializers.ChoiceField(choices=choices), **kwargs)

    def to_internal_value(self, data):
        values = set(super().to_internal_value(data))
        return [key for key in self.option_order if key in values]


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "name_cy"]
        read_only_fields = fields


class UserRefSerializer(GovRegModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email"]
        read_only_fields = fields


# --- Error bodies (documented in the OpenAPI schema) ----------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in plain words."))
    code = serializers.CharField(help_text=_("A stable machine-readable code."))


class ValidationErrorSerializer(serializers.Serializer):
    """``{"<field>": ["message", …], "non_field_errors": ["message", …]}``."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class VersionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(
        choices=["version_conflict", "precondition_failed", "precondition_required"]
    )
    current_version = serializers.IntegerField(
        help_text=_(
            "The record's version now: fetch the record again, re-apply your change "
            "and send it with this version."
        )
    )


class EmptySerializer(StrictFieldsMixin, serializers.Serializer):
    """No fields: send ``{}`` (or no body)."""


class ProblemSerializer(serializers.Serializer):
    section = serializers.CharField(help_text=_("The section (or page) to put right."))
    field = serializers.CharField(help_text=_("The question, when the problem is about one."))
    message = serializers.CharField()
    stage = serializers.ChoiceField(
        choices=["submit", "approve"],
        help_text=_("Needed before submission, or before approval."),
    )


class WorkflowErrorSerializer(serializers.Serializer):
    """409: not possible in the object's current state; nothing was saved."""

    detail = serializers.CharField(help_text=_("What stops the action, in plain words."))
    code = serializers.CharField(
        help_text=_(
            "`workflow_error` (the object's state does not allow it) or `section_conflict` "
            "(someone else saved the same part since the fingerprint you sent)."
        )
    )
    problems = ProblemSerializer(
        many=True, required=False, help_text=_("What to put right first, when there is a list.")
    )
    changed = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("The fields someone else changed (section conflicts)."),
    )


class SystemRefSerializer(serializers.Serializer):
    """The system an object belongs to."""

    id = serializers.UUIDField(source="uuid")
    reference = serializers.CharField()
    name = serializers.CharField()

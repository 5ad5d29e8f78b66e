from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class MultipleChoiceField(models.JSONField):
    """A list of choice values stored as JSON, edited as GOV.UK checkboxes."""

    def __init__(self, *args, options=(), **kwargs):
        self.options = list(options)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["options"] = self.options
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {key for key, _label in self.options}
        if not isinstance(value, list) or any(v not in allowed for v in value):
            raise ValidationError(_("Choose only from the options given."), code="invalid_choice")

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.options,
            required=not self.blank,
            label=capfirst(self.verbose_name) if self.verbose_name else None,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)

        def labels(instance, field=self):
            lookup = dict(field.options)
            return [str(lookup.get(v, v)) for v in getattr(instance, field.attname) or []]

        setattr(cls, f"get_{name}_labels", labels)

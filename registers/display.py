"""How a record's fields read to a person: one place for labels and values, used by the
system page, the public register and the audit packs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst


def field_label(model, name: str) -> str:
    """The field's verbose name, capitalised (``model`` may be a class or an instance)."""
    return capfirst(str(model._meta.get_field(name).verbose_name))


def display_value(instance, name: str) -> str:
    """A field's value as a reader should see it, in the active language: choice labels,
    multiple-choice labels joined, dates and times formatted, empty as ""."""
    field = instance._meta.get_field(name)
    labels = getattr(instance, f"get_{name}_labels", None)
    if labels is not None:
        return ", ".join(labels())
    value = getattr(instance, name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value)
    return str(value)

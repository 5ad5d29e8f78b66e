"""Template helpers for GOV.UK Design System form markup."""

import html

from django import forms, template
from django.utils.safestring import mark_safe

register = template.Library()


def escape(value) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (the same output: both are
    ``html.escape`` of ``str(value)``), for markup built in Python a few hundred values at a time.
    The caller marks the finished markup safe."""
    return html.escape(str(value))


# CheckboxSelectMultiple subclasses RadioSelect: test it first.
_CHOICE_KINDS = {forms.CheckboxSelectMultiple: "checkboxes", forms.RadioSelect: "radios"}


@register.filter
def widget_kind(bound_field) -> str:
    widget = bound_field.field.widget
    for cls, kind in _CHOICE_KINDS.items():
        if isinstance(widget, cls):
            return kind
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    return "input"


@register.filter
def error_target(bound_field) -> str:
    """The id an error-summary link should jump to."""
    if widget_kind(bound_field) in ("radios", "checkboxes"):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def _described_by(bound_field) -> str:
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}-error")
    return " ".join(ids)


@register.filter
def described_by(bound_field) -> str:
    return _described_by(bound_field)


@register.simple_tag
def govuk_widget(bound_field):
    """Render a text-like widget with GOV.UK classes, error state and hint links."""
    kind = widget_kind(bound_field)
    base = {
        "input": "govuk-input",
        "textarea": "govuk-textarea",
        "select": "govuk-select",
        "file": "govuk-file-upload",
    }.get(kind, "")
    classes = [base]
    if bound_field.errors:
        classes.append(f"{base}--error")
    widget = bound_field.field.widget
    if kind == "input" and isinstance(widget, forms.NumberInput | forms.DateInput):
        classes.append("govuk-input--width-10")
    extra = widget.attrs.get("class")
    if extra:
        classes.append(extra)
    attrs = {"class": " ".join(c for c in classes if c)}
    if described := _described_by(bound_field):
        attrs["aria-describedby"] = described
    if kind == "textarea" and "rows" not in widget.attrs:
        attrs["rows"] = 5
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checked(option) -> bool:
    return bool(option.data.get("selected"))


@register.filter
def is_optional(bound_field) -> bool:
    """Whether to label the field "(optional)"; a form may say so per field."""
    return getattr(bound_field.field, "govuk_optional", not bound_field.field.required)


@register.simple_tag
def govuk_select(bound_field, choices=None):
    """A GOV.UK select built in Python: Django's widget templates render each option through a
    template, and even ``format_html`` per option costs more than the rest of a register page
    with a hundred options in its filters. Every value and label is escaped here."""
    current = bound_field.value()
    current = "" if current is None else str(current)
    options = "".join(
        f'<option value="{escape(value)}"{" selected" if str(value) == current else ""}>'
        f"{escape(label)}</option>"
        for value, label in (bound_field.field.choices if choices is None else choices)
    )
    return mark_safe(  # noqa: S308 - built from escaped parts only
        f'<select class="govuk-select" id="{escape(bound_field.auto_id)}" '
        f'name="{escape(bound_field.html_name)}">{options}</select>'
    )

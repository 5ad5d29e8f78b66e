"""Filters for the PDF templates, which print from the JSON snapshot (dates are ISO strings)."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

register = template.Library()


@register.filter
def when(value, fmt: str = "j F Y H:i") -> str:
    """An ISO 8601 date-time from the snapshot, in local time and the active language."""
    if not value:
        return ""
    parsed = parse_datetime(str(value))
    if parsed is None:
        return str(value)
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return date_format(parsed, fmt)


@register.filter
def day(value, fmt: str = "j F Y") -> str:
    """An ISO 8601 date (or date-time) from the snapshot, in the active language."""
    if not value:
        return ""
    text = str(value)
    parsed = parse_date(text[:10])
    if parsed is None:
        return text
    return date_format(parsed, fmt)


@register.filter
def item(mapping, key):
    """``mapping[key]`` (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def kind(value) -> str:
    """``"dict"``, ``"list"`` or ``"value"``: how the generic part template prints a value."""
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list):
        return "list"
    return "value"


@register.filter
def humanise_key(key) -> str:
    """``"impact_level"`` → ``"Impact level"`` (generic part template only)."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def spaced_hash(value, group: int = 8) -> str:
    """A long hex digest in groups of ``group`` characters, so it can wrap and be read aloud."""
    text = str(value or "")
    return " ".join(text[i : i + group] for i in range(0, len(text), group))


RESERVED_KEYS = {"summary", "covers", "empty"}


@register.simple_tag
def generic_value(value, depth: int = 0):
    """Any JSON value as nested lists, escaped: how a part without its own template prints."""
    from django.utils.html import conditional_escape, format_html
    from django.utils.safestring import mark_safe

    if depth > 6:
        return format_html('<span class="text">{}</span>', str(value)[:500])
    if isinstance(value, dict):
        rows = [
            format_html("<dt>{}</dt><dd>{}</dd>", humanise_key(k), generic_value(v, depth + 1))
            for k, v in value.items()
            if not (depth == 0 and k in RESERVED_KEYS)
        ]
        return format_html('<dl class="pack-fields">{}</dl>', mark_safe("".join(rows)))  # noqa: S308 - parts escaped above
    if isinstance(value, list):
        if not value:
            return "–"
        items = [format_html("<li>{}</li>", generic_value(v, depth + 1)) for v in value]
        return format_html("<ul>{}</ul>", mark_safe("".join(items)))  # noqa: S308 - parts escaped above
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        from django.utils.translation import gettext

        return gettext("Yes") if value else gettext("No")
    return format_html('<span class="text">{}</span>', conditional_escape(str(value)))


@register.filter
def filled_fields(fields):
    """The ``{"label", "display"}`` entries that have a value."""
    return [f for f in fields or [] if f.get("display")]


@register.filter
def empty_labels(fields):
    """Labels of the entries without a value."""
    return [f["label"] for f in fields or [] if not f.get("display")]

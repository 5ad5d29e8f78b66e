"""The system page's summary lists of a record's fields, built in Python.

Each field of the record (about fifty, in twelve sections) and of each model or data
specification is one row of a GOV.UK summary list. Through the template language a row cost
two filters, a default and a loop step; here a row is one f-string, with the same markup and the
same escaping. Labels are made once per model, field and language (they are fixed).
"""

from functools import lru_cache

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from govreg.templatetags.govuk import escape
from registers.display import display_value, field_label

register = template.Library()


@lru_cache(maxsize=512)
def _label(model, name: str, language: str | None) -> str:
    return escape(field_label(model, name))


def _rows(obj, names, lead: str, trail: str) -> str:
    language = get_language()
    model = type(obj)
    return "".join(
        f'{lead}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">'
        f"{_label(model, name, language)}</dt>"
        '<dd class="govuk-summary-list__value app-summary-break">'
        f"{escape(display_value(obj, name) or '–')}</dd></div>{trail}"
        for name in names
    )


@register.simple_tag
def record_rows(system, names) -> str:
    """The rows of one section of the record (``names``: its fields)."""
    return mark_safe(_rows(system, names, "\n        ", "\n        "))  # noqa: S308 - escaped


@register.simple_tag
def spec_summary(spec, names) -> str:
    """A model or data specification as a summary list of ``names``."""
    rows = _rows(spec, names, "\n  ", "")
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<dl class="govuk-summary-list govuk-!-margin-bottom-6">{rows}\n</dl>\n'
    )

"""Project-wide template helpers: navigation, language switching, display helpers."""

from functools import lru_cache

from django import template
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.html import format_html
from django.utils.translation import get_language

from registers import display

register = template.Library()


@register.simple_tag(takes_context=True)
def switch_language_url(context, language: str) -> str:
    """The current page's URL in ``language`` (English unprefixed, Welsh under /cy/)."""
    request = context.get("request")
    if request is None:
        return "/" if language == "en" else f"/{language}/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag(takes_context=True)
def nav_item(context, url_name: str, label: str):
    """A service-navigation item, marked current when the page is in its section."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    path = request.path if request else ""
    home = reverse("dashboard")
    active = path == url if url == home else path.startswith(url)
    if active:
        return format_html(
            '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
            '<a class="govuk-service-navigation__link" href="{}" aria-current="page">'
            '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>',
            url,
            label,
        )
    return format_html(
        '<li class="govuk-service-navigation__item">'
        '<a class="govuk-service-navigation__link" href="{}">{}</a></li>',
        url,
        label,
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# How a record's fields read (labels, choice labels, dates): one definition, in registers.display.
register.filter("field_label", display.field_label)
register.filter("attr_display", display.display_value)


_STAGE_TAG_COLOURS = {
    "paused": "govuk-tag--red",
    "retired": "govuk-tag--grey",
    "in_use": "govuk-tag--green",
    "pilot": "govuk-tag--turquoise",
}


@lru_cache(maxsize=64)
def _stage_tag_html(stage: str, language: str) -> str:
    from registers.choices import LifecycleStage

    colour = _STAGE_TAG_COLOURS.get(stage, "govuk-tag--blue")
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', colour, LifecycleStage(stage).label
    )


def stage_tag_html(stage: str) -> str:
    """A lifecycle stage as a GOV.UK tag, made once per stage and language (the labels are
    fixed): it is on every row of the register."""
    return _stage_tag_html(stage, get_language())


@register.simple_tag
def stage_tag(system):
    """The system's lifecycle stage as a GOV.UK tag."""
    return stage_tag_html(system.lifecycle_stage)

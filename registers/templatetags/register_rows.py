"""The register's table rows, built in Python.

The register shows 50 rows of five cells; through the template language each row costs a
dozen variable lookups, filters and tags, which made the rows most of the page's time. One tag
per page, reading the page's ``values()`` rows (``registers.models.REGISTER_COLUMNS``) and
escaping every value here, renders the same markup several times faster (``bench/pages.py``
measures the page against a bare page of the same rows).
"""

from django import template
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govreg.links import id_url
from govreg.templatetags.govreg_tags import stage_tag_html
from govreg.templatetags.govuk import escape

register = template.Library()


def _in_language(row: dict, name: str, welsh: bool) -> str:
    """The Welsh value of a bilingual column on a Welsh page, when there is one."""
    return (welsh and row[f"{name}_cy"]) or row[name]


@register.simple_tag
def register_rows(rows) -> str:
    welsh = get_language() == "cy"
    published = escape(_("Published"))
    not_named = escape(_("Not named"))
    detail_url = id_url("registers:system_detail")
    html = []
    for row in rows:
        summary = _in_language(row, "one_sentence_description", welsh)
        manager = row["accountable_manager__full_name"] or row["accountable_manager__email"]
        review = row["next_review_date"]
        html.append(
            '<tr class="govuk-table__row">'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{detail_url(row["uuid"])}">'
            f"{escape(_in_language(row, 'name', welsh))}</a>"
            + (
                f'<br><span class="govuk-body-s app-meta">{escape(summary)}</span>'
                if summary
                else ""
            )
            + "</td>"
            f'<td class="govuk-table__cell">{escape(_in_language(row, "organisation__name", welsh))}</td>'
            f'<td class="govuk-table__cell">{stage_tag_html(row["lifecycle_stage"])}'
            + (
                f'<br><span class="govuk-body-s">{published}</span>'
                if row["publication_status"] == "published"
                else ""
            )
            + "</td>"
            f'<td class="govuk-table__cell">{escape(manager) if manager else not_named}</td>'
            f'<td class="govuk-table__cell">{date_format(review, "j M Y") if review else "–"}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every value above is escaped

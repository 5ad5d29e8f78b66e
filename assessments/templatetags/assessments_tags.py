"""Template helpers of the assessments pages."""

from functools import lru_cache

from django import template
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext

from assessments import aia
from assessments.choices import Band, Status
from assessments.schema import CHOICE, MULTI, ROWREF, YESNO
from govreg.links import id_url
from govreg.templatetags.govuk import escape

register = template.Library()

_STATUS_CLASSES = {
    Status.DRAFT: "govuk-tag--grey",
    Status.IN_REVIEW: "govuk-tag--blue",
    Status.APPROVED: "govuk-tag--green",
    Status.SUPERSEDED: "govuk-tag--grey",
    "open": "govuk-tag--red",
    "mitigating": "govuk-tag--yellow",
    "accepted": "govuk-tag--purple",
    "closed": "govuk-tag--grey",
    "not_started": "govuk-tag--grey",
    "no_progress": "govuk-tag--red",
    "progressing": "govuk-tag--yellow",
    "achieved": "govuk-tag--green",
}


@register.filter
def tag_class(status: str) -> str:
    return _STATUS_CLASSES.get(status, "govuk-tag--grey")


@register.filter
def band_label(band: str | None) -> str:
    return str(Band(band).label) if band else ""


@lru_cache(maxsize=4096)
def _heat_cell(language, likelihood, impact, score, band, css, count) -> str:
    # Likelihood, impact and score are 1 to 25: localised, they read as str() does.
    hidden = ngettext(
        "risk at likelihood %(l)s, impact %(i)s (score %(s)s)",
        "risks at likelihood %(l)s, impact %(i)s (score %(s)s)",
        count,
    ) % {"l": likelihood, "i": impact, "s": score}
    return (
        f'<td class="govuk-table__cell {escape(css)}">'
        + (f'<strong class="app-heatmap__count">{localize(count)}</strong>' if count else "")
        + f'<span class="app-heatmap__band">{escape(band_label(band))}</span>'
        f'<span class="govuk-visually-hidden"> {hidden}</span></td>'
    )


@register.simple_tag
def heat_cells(cells) -> str:
    """One row of a heat map's cells (``assessments.panels.heat_map``), built in Python: the
    same markup as a template loop, where each of the 25 cells cost a translation tag and a
    dozen lookups (most of the system page's risk section). A cell's markup depends only on
    its place, its count and the language, so it is made once per process."""
    language = get_language()
    return mark_safe(  # noqa: S308 - the values are escaped, the texts are ours
        "".join(
            _heat_cell(
                language,
                cell["likelihood"],
                cell["impact"],
                cell["score"],
                cell["band"],
                cell["css"],
                cell["count"],
            )
            for cell in cells
        )
    )


@register.simple_tag
def top_risk_items(risks, system) -> str:
    """The system page's highest risks as list items (``assessments.panels.risks_context``),
    the same markup as a template loop over them."""
    html = []
    risk_url = id_url("assessments:risk_detail", system.uuid)
    for risk in risks:
        url = risk_url(risk.uuid)
        band = risk.band
        html.append(
            f'<li><a class="govuk-link" href="{escape(url)}">{escape(risk.reference)}: '
            f"{escape(truncatechars(risk.description, 70))}</a><br>"
            f'<span class="govuk-body-s"><span class="app-score {escape(band_class(band))}">'
            f"{risk.score}</span> {escape(band_label(band))} · "
            f"{escape(risk.get_status_display())}</span></li>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value is escaped


@register.simple_tag
def problem_url(assessment, problem) -> str:
    """Where to put a problem right: the section page at the field, or the row's page."""
    if not problem.section:
        return reverse("assessments:detail", args=[assessment.system.uuid, assessment.uuid])
    base = reverse(
        "assessments:section", args=[assessment.system.uuid, assessment.uuid, problem.section]
    )
    definition = assessment.definition
    if definition is None:
        if problem.field:
            return f"{base}#id_{problem.field}"
        return base
    section = definition.section(problem.section)
    if section is None:
        return base
    if section.rows:
        if problem.row and any(problem.row == key for key, _l in section.rows.fixed):
            return reverse(
                "assessments:row_edit",
                args=[assessment.system.uuid, assessment.uuid, problem.section, problem.row],
            )
        if problem.row and problem.section != "measures":
            return reverse(
                "assessments:row_edit",
                args=[assessment.system.uuid, assessment.uuid, problem.section, problem.row],
            )
        return base
    if problem.field:
        try:
            kind = section.field(problem.field).kind
        except StopIteration:
            return base
        suffix = "_0" if kind in (CHOICE, MULTI, YESNO, ROWREF) else ""
        return f"{base}#id_{problem.field}{suffix}"
    return base


@register.simple_tag
def aia_anchor(question_name: str, kind: str) -> str:
    return f"id_{question_name}_0" if kind in ("single", "multi") else f"id_{question_name}"


@register.filter
def localised(value) -> str:
    return aia.text(value)


@register.filter
def band_class(band: str | None) -> str:
    from assessments.choices import BAND_CSS

    return BAND_CSS.get(band, "") if band else ""

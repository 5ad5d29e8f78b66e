"""Template helpers of the assessments pages."""

from django import template
from django.urls import reverse

from assessments import aia
from assessments.choices import Band, Status
from assessments.schema import CHOICE, MULTI, ROWREF, YESNO

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

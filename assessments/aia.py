"""The algorithmic impact assessment: GovReg pages and rules over the questionnaire engine.

The questions, weights, scoring parameters and blocking rules are data (a ``Questionnaire``
row holding a definition that ``questionnaire.py`` validates and scores). This module turns
them into forms, section statuses, submission problems and the stored result.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from . import questionnaire as engine
from .schema import (
    COMPLETED,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_STARTED,
    SUBMIT,
    Problem,
    filled,
)

LEVEL_MEANINGS = {
    "I": _("Little to no impact: reversible and brief."),
    "II": _("Moderate impact: likely reversible and short-term."),
    "III": _("High impact: often difficult to reverse, and ongoing."),
    "IV": _("Very high impact: likely irreversible, and perpetual."),
}
KIND_LABELS = {
    "risk": _("Impact"),
    "mitigation": _("Mitigation"),
    "info": _("Information"),
}


def text(value: engine.Text | None) -> str:
    """A questionnaire text in the page's language (Welsh falls back to English)."""
    if value is None:
        return ""
    return value.get("cy" if get_language() == "cy" else "en")


def field_name(code: str) -> str:
    return "q_" + code.replace(".", "_").replace("-", "_")


def answers_of(assessment) -> dict[str, Any]:
    return dict((assessment.content or {}).get("answers") or {})


def visible_codes(q: engine.Questionnaire, answers: dict) -> set[str]:
    return {question.code for question in engine.visible_questions(q, answers)}


def section_statuses(q: engine.Questionnaire, answers: dict) -> list[dict]:
    """Each section with how many of its visible questions are answered."""
    visible = visible_codes(q, answers)
    rows = []
    for section in q.sections:
        shown = [qu for qu in section.questions if qu.code in visible]
        required = [qu for qu in shown if qu.required]
        answered = [qu for qu in shown if filled(answers.get(qu.code))]
        if not shown:
            status = NOT_APPLICABLE
        elif required and all(filled(answers.get(qu.code)) for qu in required):
            status = COMPLETED
        elif not required and answered:
            status = COMPLETED
        elif answered:
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        rows.append(
            {
                "section": section,
                "code": section.code,
                "title": text(section.title),
                "kind": section.kind,
                "kind_label": KIND_LABELS[section.kind],
                "status": status,
                "answered": len(answered),
                "shown": len(shown),
            }
        )
    return rows


class SectionForm(forms.Form):
    """The visible questions of one questionnaire section."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questionnaire, section, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.section = section
        visible = visible_codes(questionnaire, answers)
        self.questions = [qu for qu in section.questions if qu.code in visible]
        for question in self.questions:
            self.fields[field_name(question.code)] = _formfield(question)
            initial = answers.get(question.code)
            if initial not in (None, "", []):
                self.initial[field_name(question.code)] = initial

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if question.type != "multi":
                continue
            values = cleaned.get(field_name(question.code)) or []
            exclusive = [v for v in values if (c := question.choice(v)) and c.exclusive]
            if exclusive and len(values) > 1:
                self.add_error(
                    field_name(question.code),
                    gettext("“%(choice)s” cannot be ticked with other answers.")
                    % {"choice": text(question.choice(exclusive[0]).label)},
                )
        return cleaned

    def answers(self) -> dict[str, Any]:
        """{question code: value or None} for the questions on this page."""
        out: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(field_name(question.code))
            if isinstance(value, str):
                value = value.strip()
            out[question.code] = value if filled(value) else None
        return out


def _formfield(question: engine.Question) -> forms.Field:
    common = {
        "label": text(question.text),
        "help_text": text(question.help),
        "required": False,
    }
    choices = [(c.value, text(c.label)) for c in question.choices]
    if question.type == "single":
        field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    elif question.type == "multi":
        field = forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    else:
        field = forms.CharField(widget=forms.Textarea, max_length=10000, **common)
    field.govuk_optional = not question.required
    return field


def problems(q: engine.Questionnaire, answers: dict) -> list[Problem]:
    """What stops submission: unanswered visible questions and invalid answers."""
    out = []
    for code, message in engine.validate_answers(q, answers).items():
        if code not in q:
            out.append(
                Problem(
                    "",
                    gettext("An answer refers to a question that is not in this questionnaire."),
                    SUBMIT,
                )
            )
            continue
        question = q.question(code)
        section = q.section_of(code)
        if message == engine.REQUIRED_MESSAGE:
            msg = gettext("Answer “%(question)s”.") % {"question": text(question.text)}
        else:
            msg = gettext("Check your answer to “%(question)s”: it is not one of the choices.") % {
                "question": text(question.text)
            }
        anchor = field_name(code) + ("_0" if question.type in ("single", "multi") else "")
        out.append(Problem(section.code, msg, SUBMIT, anchor))
    return out


def blocking_findings(q: engine.Questionnaire, answers: dict) -> list[dict]:
    return [
        {"code": f.code, "message": text(f.message), "blocking": f.blocking}
        for f in engine.findings(q, answers)
    ]


def usable_answers(q: engine.Questionnaire, answers: dict) -> dict[str, Any]:
    """Answers that remain valid for ``q`` (when a new version moves to a newer questionnaire)."""
    kept = {}
    for code, value in answers.items():
        if code not in q:
            continue
        try:
            engine.score(q, {code: value})
        except engine.AnswerError:
            continue
        kept[code] = value
    return engine.clean_answers(q, kept)


def compute_result(q: engine.Questionnaire, answers: dict) -> dict[str, Any]:
    """The score, level and findings as stored on approval (JSON)."""
    s = engine.score(q, answers)
    return {
        "raw": s.raw,
        "mitigation": s.mitigation,
        "max_raw": s.max_raw,
        "max_mitigation": s.max_mitigation,
        "current": s.current,
        "level": s.level,
        "mitigation_switch_applied": s.mitigation_switch_applied,
        "mitigation_threshold": q.parameters.mitigation_threshold_ratio * s.max_mitigation,
        "deduction_percent": round(q.parameters.deduction_ratio * 100),
        "level_bounds": level_bounds(q),
        "sections": [
            {
                "code": sec.code,
                "title": {"en": sec.title.en, "cy": sec.title.cy or sec.title.en},
                "kind": sec.kind,
                "answered": sec.answered,
                "score": sec.score,
                "maximum": sec.maximum,
            }
            for sec in s.sections
        ],
        "findings": [f.code for f in engine.findings(q, answers)],
    }


def level_bounds(q: engine.Questionnaire) -> list[dict]:
    """The score range of each level, e.g. I: 0–32, II: 33–65 … for max_raw 131."""
    max_raw = q.max_raw
    bounds = []
    low = 0
    for level, ratio in zip(engine.LEVELS, (*q.parameters.level_thresholds, None), strict=True):
        if ratio is None:
            bounds.append({"level": level, "low": low, "high": max_raw})
        else:
            high = int(max_raw * ratio)
            bounds.append({"level": level, "low": low, "high": high})
            low = high + 1
    return bounds


def result_view(result: dict) -> dict[str, Any]:
    """The stored result with texts in the page's language, for templates."""
    language = "cy" if get_language() == "cy" else "en"
    view = dict(result)
    view["sections"] = [
        {
            **sec,
            "title_text": sec["title"].get(language) or sec["title"]["en"],
            "kind_label": KIND_LABELS[sec["kind"]],
        }
        for sec in result.get("sections", [])
    ]
    view["risk_sections"] = [s for s in view["sections"] if s["kind"] == "risk"]
    view["mitigation_sections"] = [s for s in view["sections"] if s["kind"] == "mitigation"]
    view["meaning"] = LEVEL_MEANINGS.get(result.get("level"), "")
    return view


def requirements(level: str) -> dict[str, Any]:
    reqs = engine.requirements_for_level(level)
    return {
        "level": reqs.level,
        "review_interval_months": reqs.review_interval_months,
        "quarterly_monitoring_report": reqs.quarterly_monitoring_report,
        "rows": [{"title": text(r.title), "text": text(r.text)} for r in reqs.requirements],
    }


def summary(q: engine.Questionnaire, answers: dict) -> list[dict]:
    """Each section with its visible questions and the answers given."""
    visible = visible_codes(q, answers)
    out = []
    for section in q.sections:
        rows = []
        for question in section.questions:
            if question.code not in visible:
                continue
            value = answers.get(question.code)
            if question.type == "single" and value:
                choice = question.choice(value)
                shown = text(choice.label) if choice else value
            elif question.type == "multi" and value:
                shown = ", ".join(text(c.label) for c in question.choices if c.value in value)
            else:
                shown = value or ""
            rows.append(
                {
                    "code": question.code,
                    "name": field_name(question.code),
                    "label": text(question.text),
                    "value": shown,
                }
            )
        out.append(
            {
                "code": section.code,
                "title": text(section.title),
                "kind": section.kind,
                "questions": rows,
            }
        )
    return out

"""The structure of the DPIA and the EqIA: sections, typed fields and repeatable rows.

An assessment version keeps its content as one JSON object validated against this structure:

- a plain field is stored under its name: text as a string, a choice as its value, several
  choices as a list of values, a date as ``YYYY-MM-DD``, a number as an integer;
- a section of repeatable rows (risks, measures, engagement records …) is stored under the
  section's slug as a list of objects, each with a stable ``id`` so a new version keeps its
  links (measures → risks, actions → rows) and versions can be compared row by row. A section
  of *fixed* rows (the nine protected characteristics) uses the fixed key as the ``id``.

Each kind (``assessments/dpia.py``, ``assessments/eqia.py``) lists its sections and states its
rules as ``Problem``s: what must be filled before submission ("submit") or before approval
("approve"). Saving a section never requires anything: the task list is saved as you go.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TEXT = "text"
TEXTAREA = "textarea"
CHOICE = "choice"
MULTI = "multi"
YESNO = "yesno"
DATE = "date"
INT = "int"
URL = "url"
ROWREF = "rowref"

YES_NO = (("yes", _("Yes")), ("no", _("No")))

SUBMIT = "submit"
APPROVE = "approve"

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
NOT_APPLICABLE = "not_applicable"
OPTIONAL = "optional"

STATUS_LABELS = {
    NOT_STARTED: _("Not yet started"),
    IN_PROGRESS: _("In progress"),
    COMPLETED: _("Completed"),
    NOT_APPLICABLE: _("Not applicable"),
    OPTIONAL: _("Optional"),
}


@dataclass(frozen=True)
class Field:
    """One question of a section or a row."""

    name: str
    label: Promise | str
    kind: str = TEXTAREA
    choices: tuple[tuple[str, Promise | str], ...] = ()
    hint: Promise | str = ""
    # Row fields: needed to save the row. Section fields: never needed to save; ``optional``
    # marks the ones no rule ever asks for (labelled "(optional)").
    required: bool = False
    optional: bool = False
    min_value: int | None = None
    max_value: int | None = None
    # Dates: "future" = today or later; "past" = today or earlier.
    date_rule: str = ""
    # ROWREF: the slug of the rows section it points into.
    ref: str = ""
    # The message when a required row field is empty ("Choose the likelihood of harm.").
    error: Promise | str = ""

    def choice_label(self, value: Any) -> str:
        for key, label in self.choices:
            if key == value:
                return str(label)
        return str(value)


@dataclass(frozen=True)
class Rows:
    """A repeatable block of fields (or one block per fixed key)."""

    noun: Promise | str
    fields: tuple[Field, ...]
    title_field: str
    fixed: tuple[tuple[str, Promise | str], ...] = ()
    # validate(values, content, row_id) -> {field name: message}
    validate: Callable[[dict, dict, str], dict[str, str]] | None = None

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Section:
    slug: str
    title: Promise | str
    group: Promise | str
    fields: tuple[Field, ...] = ()
    rows: Rows | None = None
    hint: Promise | str = ""
    optional: bool = False

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Problem:
    """Something to put right before submission or approval."""

    section: str
    message: str
    stage: str = SUBMIT
    field: str = ""
    row: str = ""


@dataclass
class RuleContext:
    """What the rules need besides the content: the system and its action plan links."""

    system: Any
    organisation_kind: str = ""
    action_refs: set[str] = field(default_factory=set)
    today: dt.date = field(default_factory=timezone.localdate)


class Definition:
    """The sections and rules of one kind of assessment. Subclassed per kind."""

    kind: str = ""
    sections: tuple[Section, ...] = ()

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)

    def initial(self, system) -> dict[str, Any]:
        return {}

    def applies(self, section: Section, content: dict, ctx: RuleContext) -> bool:
        return True

    def problems(self, content: dict, ctx: RuleContext) -> list[Problem]:
        return []

    def warnings(self, content: dict, ctx: RuleContext) -> list[str]:
        return []

    def derived(self, content: dict, ctx: RuleContext) -> dict[str, Any]:
        """Values computed from the content (shown on the summary, stored on approval)."""
        return {}

    def applicable_sections(self, content: dict, ctx: RuleContext) -> list[Section]:
        return [s for s in self.sections if self.applies(s, content, ctx)]

    def statuses(
        self, content: dict, ctx: RuleContext, problems: list[Problem] | None = None
    ) -> list[tuple[Section, str]]:
        problems = self.problems(content, ctx) if problems is None else problems
        with_problems = {p.section for p in problems}
        rows = []
        for section in self.sections:
            done = section_filled(section, content)
            if not self.applies(section, content, ctx):
                status = NOT_APPLICABLE
            elif section.slug in with_problems:
                status = IN_PROGRESS if done else NOT_STARTED
            elif done:
                status = COMPLETED
            else:
                status = OPTIONAL if section.optional else NOT_STARTED
            rows.append((section, status))
        return rows


def need_person(
    problems: list[Problem], content: dict, section: str, prefix: str, label, *, role: bool = True
) -> None:
    """One problem when any of a sign-off item's name, position or date is missing."""
    names = [f"{prefix}_name"] + ([f"{prefix}_role"] if role else []) + [f"{prefix}_on"]
    missing = [name for name in names if not filled(content.get(name))]
    if missing:
        message = (
            gettext("%(item)s: give the name, position and date.")
            if role
            else gettext("%(item)s: give the name and date.")
        )
        problems.append(Problem(section, message % {"item": label}, APPROVE, missing[0]))


# --- values ---------------------------------------------------------------------------------


def filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, (list, dict)):
        return len(value) > 0
    return True


def section_filled(section: Section, content: dict) -> bool:
    if section.rows:
        return any(
            any(filled(v) for k, v in row.items() if k != "id") for row in rows_of(content, section)
        )
    return any(filled(content.get(f.name)) for f in section.fields)


def rows_of(content: dict, section: Section) -> list[dict]:
    rows = content.get(section.slug) or []
    if section.rows and section.rows.fixed:
        by_id = {row.get("id"): row for row in rows}
        return [by_id.get(key, {"id": key}) for key, _label in section.rows.fixed]
    return rows


def row_by_id(content: dict, section: Section, row_id: str) -> dict | None:
    return next((row for row in rows_of(content, section) if row.get("id") == row_id), None)


def new_row_id() -> str:
    return uuid.uuid4().hex[:12]


def row_title(section: Section, row: dict) -> str:
    if section.rows.fixed:
        for key, label in section.rows.fixed:
            if key == row.get("id"):
                return str(label)
    value = row.get(section.rows.title_field) or ""
    text = display(section.rows.field(section.rows.title_field), value, {})
    return text if len(text) <= 120 else text[:117] + "…"


def to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def display(f: Field, value: Any, content: dict, sections: Iterable[Section] = ()) -> str:
    """A stored value as a person reads it."""
    if not filled(value):
        return ""
    if f.kind in (CHOICE, YESNO):
        return f.choice_label(value) if f.kind == CHOICE else dict(YES_NO).get(value, value)
    if f.kind == MULTI:
        return ", ".join(f.choice_label(v) for v in value)
    if f.kind == DATE:
        parsed = parse_date(value)
        return date_format(parsed, "j F Y") if parsed else str(value)
    if f.kind == ROWREF:
        for section in sections:
            if section.slug == f.ref:
                row = row_by_id(content, section, value)
                return row_title(section, row) if row else gettext("(removed)")
        return str(value)
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


# --- forms ----------------------------------------------------------------------------------


def _date_validator(rule: str):
    def check(value):
        if value is None:
            return
        today = timezone.localdate()
        if rule == "future" and value < today:
            raise forms.ValidationError(gettext("The date must be today or in the future."))
        if rule == "past" and value > today:
            raise forms.ValidationError(gettext("The date must be today or in the past."))

    return check


def formfield(f: Field, *, content: dict, sections: Iterable[Section] = ()) -> forms.Field:
    common: dict[str, Any] = {"label": f.label, "help_text": f.hint, "required": f.required}
    if f.error:
        common["error_messages"] = {"required": f.error}
    if f.kind == TEXT:
        field = forms.CharField(max_length=500, **common)
    elif f.kind == TEXTAREA:
        field = forms.CharField(widget=forms.Textarea, max_length=20000, **common)
    elif f.kind == CHOICE:
        field = forms.ChoiceField(choices=f.choices, widget=forms.RadioSelect, **common)
    elif f.kind == YESNO:
        field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    elif f.kind == MULTI:
        field = forms.MultipleChoiceField(
            choices=f.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    elif f.kind == DATE:
        validators = [_date_validator(f.date_rule)] if f.date_rule else []
        field = forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            validators=validators,
            **common,
        )
    elif f.kind == INT:
        field = forms.IntegerField(min_value=f.min_value, max_value=f.max_value, **common)
    elif f.kind == URL:
        field = forms.URLField(max_length=500, assume_scheme="https", **common)
    elif f.kind == ROWREF:
        section = next(s for s in sections if s.slug == f.ref)
        choices = [(row["id"], row_title(section, row)) for row in rows_of(content, section)]
        field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    else:  # pragma: no cover - a definition error
        raise ValueError(f"unknown field kind {f.kind!r}")
    field.govuk_optional = f.optional
    return field


class ContentForm(forms.Form):
    """A form over some fields of an assessment's JSON content."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, spec_fields, content, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.spec_fields = tuple(spec_fields)
        for f in self.spec_fields:
            self.fields[f.name] = formfield(f, content=content, sections=sections)

    def values(self) -> dict[str, Any]:
        """The cleaned values as they are stored (empty answers as None)."""
        out = {}
        for f in self.spec_fields:
            value = to_json(self.cleaned_data.get(f.name))
            out[f.name] = value if filled(value) else None
        return out


def initial_for(spec_fields: Iterable[Field], values: dict) -> dict[str, Any]:
    return {f.name: values.get(f.name) for f in spec_fields if values.get(f.name) is not None}


# --- comparing versions ---------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    change: str  # "added" | "removed" | "changed"
    title: str
    fields: list[FieldChange]


@dataclass
class SectionChanges:
    section: Section
    fields: list[FieldChange]
    rows: list[RowChange]


def compare(definition: Definition, old: dict, new: dict) -> list[SectionChanges]:
    """What changed between two versions' content, section by section."""
    out = []
    for section in definition.sections:
        field_changes = [
            FieldChange(
                str(f.label),
                display(f, old.get(f.name), old, definition.sections),
                display(f, new.get(f.name), new, definition.sections),
            )
            for f in section.fields
            if _norm(old.get(f.name)) != _norm(new.get(f.name))
        ]
        row_changes = []
        if section.rows:
            old_rows = {r["id"]: r for r in rows_of(old, section)}
            new_rows = {r["id"]: r for r in rows_of(new, section)}
            for row_id, row in new_rows.items():
                before = old_rows.get(row_id)
                if before is None or not any(filled(v) for k, v in before.items() if k != "id"):
                    if any(filled(v) for k, v in row.items() if k != "id"):
                        row_changes.append(
                            RowChange(
                                "added",
                                row_title(section, row),
                                _row_fields(section, {}, row, old, new, definition),
                            )
                        )
                    continue
                changes = _row_fields(section, before, row, old, new, definition)
                if changes:
                    row_changes.append(RowChange("changed", row_title(section, row), changes))
            for row_id, row in old_rows.items():
                if row_id not in new_rows and any(filled(v) for k, v in row.items() if k != "id"):
                    row_changes.append(
                        RowChange(
                            "removed",
                            row_title(section, row),
                            _row_fields(section, row, {}, old, new, definition),
                        )
                    )
        if field_changes or row_changes:
            out.append(SectionChanges(section, field_changes, row_changes))
    return out


def _row_fields(section, before, after, old, new, definition) -> list[FieldChange]:
    return [
        FieldChange(
            str(f.label),
            display(f, before.get(f.name), old, definition.sections),
            display(f, after.get(f.name), new, definition.sections),
        )
        for f in section.rows.fields
        if _norm(before.get(f.name)) != _norm(after.get(f.name))
    ]


def _norm(value: Any) -> Any:
    return value if filled(value) else None


# --- summaries --------------------------------------------------------------------------------


def summary(
    definition: Definition, content: dict, statuses: list[tuple[Section, str]]
) -> list[dict]:
    """Every applicable section with its answers as a person reads them."""
    out = []
    for section, status in statuses:
        entry: dict[str, Any] = {
            "section": section,
            "status": status,
            "applies": status != NOT_APPLICABLE,
            "fields": [],
            "rows": [],
        }
        if section.rows:
            for row in rows_of(content, section):
                values = [
                    {
                        "label": f.label,
                        "value": display(f, row.get(f.name), content, definition.sections),
                    }
                    for f in section.rows.fields
                    if filled(row.get(f.name))
                ]
                if values or section.rows.fixed:
                    entry["rows"].append(
                        {
                            "id": row.get("id"),
                            "title": row_title(section, row),
                            "fields": values,
                            "raw": row,
                        }
                    )
        else:
            entry["fields"] = [
                {
                    "name": f.name,
                    "label": f.label,
                    "value": display(f, content.get(f.name), content, definition.sections),
                }
                for f in section.fields
            ]
        out.append(entry)
    return out

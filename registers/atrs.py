"""ATRS import and export: the field mapping, normalisation, parsing and serialising.

Everything here is a pure function of its arguments: no database queries and no file access
(``registers/atrs_services.py`` writes, the ``import_atrs`` / ``export_atrs`` commands read and
write files). The format is described for users in ``docs/atrs-import-export.md``.

Keys are the canonical ATRS v3.0 attribute names (``domain/atrs.md`` §4) plus the v4.0 additions
``system_level_input`` / ``system_level_output`` and the metadata keys ``title``,
``organisation_name``, ``phase``, ``region``, ``one_sentence_description`` and
``standard_version``. The model's field names are the same names, except ATRS ``models`` (the
model field ``tool_models``) and ``phase`` (derived from the lifecycle stage). Model and data
specifications are lists (``model_specifications``, ``data_specifications``) in JSON and
numbered columns (``model_1_name``, ``data_1_source_data_name``, …) in CSV. GovReg's own fields
are in a ``govreg`` object (JSON) or ``govreg_``-prefixed columns (CSV).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_slug
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import (
    ATRS_PHASE_FOR_STAGE,
    STAGE_FOR_ATRS_PHASE,
    AtrsPhase,
    BuildOrBuy,
    Capability,
    DataModality,
    EmploymentDecision,
    LifecycleStage,
    Region,
    WelshLanguageCapability,
    YesNo,
)
from .sections import DATA_SPEC_FIELDS, MODEL_SPEC_FIELDS

# Files larger than this are refused before they are read (a record is a few kilobytes, so this
# holds thousands of records).
MAX_FILE_BYTES = 10 * 1024 * 1024
# The most model or data specifications one record may have.
MAX_SPECIFICATIONS = 50

# --------------------------------------------------------------------------------------------
# The canonical keys, in export order
# --------------------------------------------------------------------------------------------

METADATA_KEYS = (
    "standard_version",
    "title",
    "organisation_name",
    "one_sentence_description",
    "phase",
    "region",
    "capability",
)
SYSTEM_KEYS = (
    # Tier 1
    "name",
    "description",
    "website_url",
    "contact_email",
    # Owner and responsibility
    "organisation_or_department",
    "team",
    "senior_responsible_owner",
    "external_supplier_involvement",
    "external_supplier",
    "companies_house_number",
    "external_supplier_role",
    "procurement_procedure_type",
    "data_access_terms",
    # Description and rationale
    "detailed_description",
    "scope",
    "benefit",
    "previous_process",
    "alternatives_considered",
    # Decision-making process (v4: deployment context)
    "process_integration",
    "provided_information",
    "frequency_and_scale_of_usage",
    "human_decisions_and_review",
    "required_training",
    "appeals_and_review",
    # Tool specification
    "system_architecture",
    "system_level_input",
    "system_level_output",
    "maintenance",
    "models",
    # Risks, mitigations and impact assessments
    "impact_assessment",
    "risks_and_mitigations",
)
ATRS_KEYS = METADATA_KEYS + SYSTEM_KEYS

MODEL_SPEC_KEYS = MODEL_SPEC_FIELDS
DATA_SPEC_KEYS = DATA_SPEC_FIELDS
MODELS_LIST_KEY = "model_specifications"
DATA_LIST_KEY = "data_specifications"
SPEC_KEYS = {"model": MODEL_SPEC_KEYS, "data": DATA_SPEC_KEYS}
SPEC_LIST_KEYS = {"model": MODELS_LIST_KEY, "data": DATA_LIST_KEY}

# GovReg's own fields that an import may set (all are AlgorithmicSystem fields, except
# ``reference`` which identifies the record and ``lifecycle_stage`` which only a new record takes).
GOVREG_KEYS = (
    "reference",
    "lifecycle_stage",
    "build_or_buy",
    "readiness_check",
    "worker_groups",
    "workers_affected",
    "employment_decisions",
    "human_in_the_loop",
    "human_in_command",
    "override_and_switch_off",
    "training_plan",
    "contract_reference",
    "contract_end_date",
    "supplier_welsh_language",
    "exit_plan",
    "accountable_manager",
    "next_review_date",
    "name_cy",
    "one_sentence_description_cy",
    "description_cy",
)
# Exported for information; accepted on import and not applied (publication and the
# assessment flag change only through their workflows). ``organisation`` is checked.
GOVREG_EXPORT_ONLY_KEYS = ("organisation", "publication_status", "needs_initial_assessment")
GOVREG_EXPORT_KEYS = ("reference", "organisation") + GOVREG_KEYS[1:] + GOVREG_EXPORT_ONLY_KEYS[1:]
# Left out of ``export_record(..., public=True)``: a named person's e-mail and internal workflow
# state.
PRIVATE_GOVREG_KEYS = frozenset(
    {"accountable_manager", "publication_status", "needs_initial_assessment"}
)

# ATRS key → AlgorithmicSystem field, where they differ.
FIELD_FOR_KEY = {"models": "tool_models"}
KEY_FOR_FIELD = {v: k for k, v in FIELD_FOR_KEY.items()}

# AlgorithmicSystem fields an import sets (the fields of the "ATRS import" audit section).
IMPORTED_FIELDS: tuple[str, ...] = tuple(
    FIELD_FOR_KEY.get(key, key)
    for key in ATRS_KEYS
    if key not in ("title", "organisation_name", "phase")
) + tuple(k for k in GOVREG_KEYS if k not in ("reference", "lifecycle_stage"))

# v4.0 labels/keys (atrs.md §3) and other spellings → canonical key.
V4_ALIASES = {
    "third_party_involvement": "external_supplier_involvement",
    "third_party": "external_supplier",
    "third_parties": "external_supplier",
    "third_party_role": "external_supplier_role",
    "third_party_data_access_terms": "data_access_terms",
    "integration_into_broader_operational_process": "process_integration",
    "human_review": "human_decisions_and_review",
    "benefits": "benefit",
    "impact_assessment_s": "impact_assessment",
}
# v2.1 names and labels (atrs.md §7; previous-versions/v2.1/v2.1_template_table.md).
V2_ALIASES = {
    "website": "website_url",
    "url_of_the_website": "website_url",
    "organisation": "organisation_or_department",
    "organisation_department": "organisation_or_department",
    "supplier_or_developer_of_the_algorithmic_tool": "external_supplier",
    "terms_of_access_to_data_for_external_supplier": "data_access_terms",
    "method": "models",
    "risks": "risks_and_mitigations",
}
OTHER_ALIASES = {
    "atrs_version": "standard_version",
    "algorithmic_transparency_record_atrs_version": "standard_version",
    "algorithmic_transparency_record_phase": "phase",
    "algorithmic_transparency_record_region": "region",
    "algorithmic_transparency_record_capability": "capability",
    "companies_house_numbers": "companies_house_number",
    "contact_e_mail": "contact_email",
    "impact_assessments": "impact_assessment",  # v2.1 name and the v4 label's plural
}
ALIASES = {**OTHER_ALIASES, **V2_ALIASES, **V4_ALIASES}

# Unnumbered specification keys: the first (or only) model / dataset.
SPEC_ALIASES = {
    "model": {"datasets_and_their_purposes": "datasets"},
    "data": {
        "name": "source_data_name",
        "url": "source_data_url",
        "source_data_description": "data_description",
        "source_data": "data_description",
    },
}
UNNUMBERED_SPEC_KEYS = {
    **{k: ("model", k) for k in MODEL_SPEC_KEYS},
    "datasets_and_their_purposes": ("model", "datasets"),
    **{k: ("data", k) for k in DATA_SPEC_KEYS},
    "source_data_description": ("data", "data_description"),
    "source_data": ("data", "data_description"),
}

# ATRS fields GovReg does not keep (set by the ATRS team on GOV.UK, or dates GovReg's own history
# records): accepted and ignored, with a warning.
IGNORED_KEYS = frozenset(
    {
        "id",
        "organisation_type",
        "function",
        "task",
        "tags",
        "date_of_completion",
        "date_updated",
        "date_archived",
        "date_completion",
        "date_update",
        "date_archive",
        "annex",
        "algorithmic_transparency_record_organisation",
        "algorithmic_transparency_record_organisation_type",
        "algorithmic_transparency_record_function",
        "algorithmic_transparency_record_task",
        "algorithmic_transparency_record_other_tags",
        "algorithmic_transparency_record_date_published",
    }
)

# Versions GovReg knows, and the spellings seen on GOV.UK (atrs.md §6).
KNOWN_VERSIONS = ("1.1", "2.1", "3.0", "4.0")
_SHORT_VERSIONS = {"1": "1.1", "2": "2.1", "3": "3.0", "4": "4.0"}
LEGACY_VERSIONS = ("1.1", "2.1")

# Values that mean "nothing here" in real records.
EMPTY_MARKERS = frozenset({"n/a", "n/a.", "n.a.", "none", "none.", "not applicable", "-", "–", "—"})

# v2.1 phases (Idea; Design; Development) and loose spellings → a phase slug, and the lifecycle
# stage each legacy phase starts a new record at.
_PHASE_EXTRAS = {
    "pilot": AtrsPhase.BETA_PILOT,
    "beta": AtrsPhase.BETA_PILOT,
    "pilot-beta": AtrsPhase.BETA_PILOT,
    "idea": "idea",
    "design": "design",
    "development": "development",
}
STAGE_FOR_LEGACY_PHASE = {
    "idea": LifecycleStage.PLANNING,
    "design": LifecycleStage.PLANNING,
    "development": LifecycleStage.DEVELOPMENT,
}
STAGE_FOR_PHASE = {**{str(k): v for k, v in STAGE_FOR_ATRS_PHASE.items()}, **STAGE_FOR_LEGACY_PHASE}

# Columns of the numbered specification blocks in CSV: ``model_1_name``, ``data_1_modality``, …
MODEL_COLUMN = {key: key.removeprefix("model_") for key in MODEL_SPEC_KEYS}
DATA_COLUMN = {key: key.removeprefix("data_") for key in DATA_SPEC_KEYS}
SPEC_COLUMN = {"model": MODEL_COLUMN, "data": DATA_COLUMN}

_NUMBERED = re.compile(r"^(model|data)(?:_specifications?)?_(\d+)_(.+)$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_TOKEN = re.compile(r"[^\s,;:<>()\[\]\"'/]+@[^\s,;:<>()\[\]\"'/]+")
_BARE_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#]\S*)?$", re.IGNORECASE)
_CH_TOKEN = re.compile(r"^(?:[A-Za-z]{2}\d{6}|\d+)$")
_email_validator = EmailValidator()


# --------------------------------------------------------------------------------------------
# Problems and records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth knowing about) a file: where, which field, what."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("line {line}: {field}: {message}").format(
            line=self.line, field=self.field, message=self.message
        )


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line)


@dataclass
class Record:
    """One record of an import file, normalised to GovReg's field names.

    ``values`` holds the AlgorithmicSystem fields the file gives (a column left out of the file
    leaves the field as it is; an empty cell empties it). ``models`` / ``data`` are ``None`` when
    the file says nothing about specifications, else the complete list the record should have.
    """

    line: int
    labels: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    reference: str = ""
    organisation: str = ""
    phase: str = ""
    stage: str = ""
    inferred_version: str = "3.0"
    accountable_manager: str | None = None
    models: list[dict[str, Any]] | None = None
    data: list[dict[str, Any]] | None = None
    # For each specification kept, the number it had in the file (for messages).
    spec_indexes: dict[str, list[int]] = field(default_factory=lambda: {"model": [], "data": []})
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    def label(self, name: str) -> str:
        """The key the file used for a field (for messages)."""
        if name in self.labels:
            return self.labels[name]
        if name.count(":") == 2:
            kind, index, field_name = name.split(":")
            return _spec_label(self, kind, int(index), field_name)
        return KEY_FOR_FIELD.get(name, name)

    def error(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.line, self.label(name), message))

    def warn(self, name: str, message: str) -> None:
        self.warnings.append(Problem(self.line, self.label(name), message))


@dataclass
class ParsedFile:
    format: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ignored_keys: set[str] = field(default_factory=set)

    @property
    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for record in self.records:
            found += record.problems
        return sorted_problems(found)

    @property
    def all_warnings(self) -> list[Problem]:
        found = list(self.warnings)
        for record in self.records:
            found += record.warnings
        return sorted_problems(found)


class _Invalid(Exception):
    """A value that cannot be used; the message says why."""


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


class Target(NamedTuple):
    """Where a file's key goes: ("atrs", key), ("govreg", key), ("model"|"data", n, key),
    ("ignored", key) or ("list", "model"|"data")."""

    kind: str
    name: str
    index: int = 0


def normalise_key(key: str) -> str:
    """``"Third party involvement"`` → ``"third_party_involvement"``."""
    return re.sub(r"[^a-z0-9]+", "_", str(key).strip().lower()).strip("_")


def resolve_spec_key(kind: str, key: str) -> str | None:
    """A key inside a model/data block (``name``, ``model_name``, ``modality``…) → its field."""
    key = normalise_key(key)
    fields = SPEC_KEYS[kind]
    for candidate in (key, f"{kind}_{key}", SPEC_ALIASES[kind].get(key, "")):
        if candidate in fields:
            return candidate
    return None


def resolve_key(key: str) -> Target | None:
    """Where a top-level key of a file goes, or ``None`` for an unknown key."""
    k = normalise_key(key)
    if k.startswith("govreg_"):
        name = k.removeprefix("govreg_")
        if name in GOVREG_KEYS or name in GOVREG_EXPORT_ONLY_KEYS:
            return Target("govreg", name)
        return None
    if k in (MODELS_LIST_KEY, DATA_LIST_KEY):
        return Target("list", "model" if k == MODELS_LIST_KEY else "data")
    if match := _NUMBERED.match(k):
        kind, number, rest = match.group(1), int(match.group(2)), match.group(3)
        name = resolve_spec_key(kind, rest)
        if name and 1 <= number <= MAX_SPECIFICATIONS:
            return Target(kind, name, number)
        return None
    k = ALIASES.get(k, k)
    if k in ATRS_KEYS:
        return Target("atrs", k)
    if k in UNNUMBERED_SPEC_KEYS:
        kind, name = UNNUMBERED_SPEC_KEYS[k]
        return Target(kind, name, 1)
    if k in IGNORED_KEYS:
        return Target("ignored", k)
    return None


def _target_name(target: Target) -> str:
    """The internal name a target's value is kept under (and its label looked up by)."""
    if target.kind == "atrs":
        return FIELD_FOR_KEY.get(target.name, target.name)
    if target.kind == "govreg":
        return target.name
    if target.kind in ("model", "data"):
        return f"{target.kind}:{target.index}:{target.name}"
    return f"{target.kind}:{target.name}"


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def is_empty_marker(value: Any) -> bool:
    return isinstance(value, str) and value.strip().casefold() in EMPTY_MARKERS


def to_text(value: Any, *, joiner: str = "\n") -> str:
    """Free text: stripped; "N/A", "None" and the like mean empty; JSON lists are joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise _Invalid(_("expected text, found {value}").format(value=json.dumps(value)))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        parts = [to_text(item) for item in value]
        return joiner.join(p for p in parts if p)
    if isinstance(value, dict):
        raise _Invalid(_("expected text, found an object"))
    text = str(value).strip()
    return "" if text.casefold() in EMPTY_MARKERS else text


def _one_line(value: Any) -> str:
    return " ".join(to_text(value).split())


def _choice_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).strip().casefold()).strip("-")


@cache
def _choice_table(choices_name: str) -> dict[str, str]:
    choices, extras = _CHOICE_LISTS[choices_name]
    table: dict[str, str] = {}
    for language in ("cy", "en"):  # English labels win if a Welsh one collides
        with translation.override(language):
            for value, label in choices:
                table[_choice_key(str(label))] = value
    for value, _label in choices:
        table[_choice_key(value)] = value
    table.update({_choice_key(k): v for k, v in extras.items()})
    return table


_CHOICE_LISTS: dict[str, tuple[list[tuple[str, Any]], dict[str, str]]] = {
    "phase": (AtrsPhase.choices, _PHASE_EXTRAS),
    "region": (Region.choices, {}),
    "capability": (Capability.choices, {}),
    "yes_no": (
        YesNo.choices,
        {"y": "yes", "n": "no", "true": "yes", "false": "no", "ie": "yes", "na": "no"},
    ),
    "data_modality": (DataModality.choices, {}),
    "lifecycle_stage": (LifecycleStage.choices, {}),
    "build_or_buy": (BuildOrBuy.choices, {}),
    "supplier_welsh_language": (WelshLanguageCapability.choices, {}),
    "employment_decisions": (EmploymentDecision.choices, {}),
}


def _allowed(choices_name: str) -> str:
    return ", ".join(value for value, _label in _CHOICE_LISTS[choices_name][0])


def to_choice(value: Any, choices_name: str) -> str:
    """One choice, given as its slug or its label in any case ("Beta/Pilot" → "beta-pilot")."""
    if isinstance(value, bool) and choices_name == "yes_no":
        return "yes" if value else "no"
    if isinstance(value, list):
        items = [v for v in value if to_text(v)]
        if len(items) > 1:
            raise _Invalid(_("give one value only (found {count})").format(count=len(items)))
        value = items[0] if items else ""
    text = to_text(value)
    if not text:
        return ""
    found = _choice_table(choices_name).get(_choice_key(text))
    if found is None:
        raise _Invalid(
            _("'{value}' is not one of the allowed values: {allowed}").format(
                value=text, allowed=_allowed(choices_name)
            )
        )
    return str(found)


def to_choices(value: Any, choices_name: str) -> list[str]:
    """Several choices: a JSON list, or text separated by ";" or "|" (or "," between slugs)."""
    if value is None:
        return []
    if isinstance(value, list):
        parts = [to_text(v) for v in value]
    else:
        text = to_text(value)
        if not text:
            return []
        if _choice_key(text) in _choice_table(choices_name):
            parts = [text]
        else:
            parts = re.split(r"\s*[;|\n]\s*", text)
            if len(parts) == 1:
                parts = text.split(",")
    result: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        found = _choice_table(choices_name).get(_choice_key(part))
        if found is None:
            unknown.append(part)
        elif found not in result:
            result.append(str(found))
    if unknown:
        raise _Invalid(
            _(
                "{values} not among the allowed values: {allowed} (separate several values "
                "with ';')"
            ).format(values=", ".join(f"'{u}'" for u in unknown), allowed=_allowed(choices_name))
        )
    return result


def to_date(value: Any) -> dt.date | None:
    text = to_text(value)
    if not text:
        return None
    if not _DATE.match(text):
        raise _Invalid(
            _("'{value}' is not a date in the form YYYY-MM-DD, for example 2026-03-31").format(
                value=text
            )
        )
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Invalid(_("'{value}' is not a real date").format(value=text)) from None


def to_whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        raise _Invalid(_("expected a whole number, found {value}").format(value=json.dumps(value)))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = to_text(value).replace(",", "").replace(" ", "").replace("_", "")
        if not text:
            return None
        if not text.isdigit():
            raise _Invalid(_("'{value}' is not a whole number").format(value=to_text(value)))
        number = int(text)
    if number < 0:
        raise _Invalid(_("must not be negative"))
    return number


def to_url(value: Any) -> str:
    """A URL; a bare address such as "www.example.gov.wales/page" gets "https://"."""
    text = to_text(value)
    if text and "://" not in text and _BARE_DOMAIN.match(text):
        text = f"https://{text}"
    return text


def to_version(value: Any) -> str:
    """ "v3.0", "3.0", "v3", 3 → "3.0"; likewise 4.0, 2.1 and 1.1."""
    text = to_text(value).casefold().removeprefix("version").strip().removeprefix("v").strip()
    if not text:
        return ""
    text = _SHORT_VERSIONS.get(text, text)
    if text not in KNOWN_VERSIONS:
        raise _Invalid(
            _("'{value}' is not an ATRS version GovReg knows ({known})").format(
                value=to_text(value), known=", ".join(KNOWN_VERSIONS)
            )
        )
    return text


def email_candidates(value: Any) -> list[str]:
    text = to_text(value, joiner=" ")
    return [token.removeprefix("mailto:").strip(".") for token in _EMAIL_TOKEN.findall(text)]


def _valid_email(address: str) -> bool:
    try:
        _email_validator(address)
    except ValidationError:
        return False
    return True


def split_emails(value: Any) -> tuple[str, list[str]]:
    """The first valid e-mail address in a field, and the others it held."""
    text = to_text(value, joiner=" ")
    if not text:
        return "", []
    valid = [c for c in email_candidates(text) if _valid_email(c)]
    if not valid:
        raise _Invalid(_("'{value}' is not an e-mail address").format(value=text))
    return valid[0], valid[1:]


def companies_house_numbers(value: Any) -> tuple[str, list[str]]:
    """Companies House numbers, as written, with leading zeros kept (and restored where a
    spreadsheet dropped them). Returns the text and the numbers that were padded."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, list):
        value = ", ".join(to_text(v) for v in value if to_text(v))
    text = to_text(value)
    tokens = [t for t in re.split(r"[\s,;/]+", text) if t]
    if not tokens or not all(_CH_TOKEN.match(t) for t in tokens):
        return text, []  # annotated free text, e.g. "01234567 (CareRoute)": kept as written
    padded = []
    for token in tokens:
        if token.isdigit() and len(token) > 8:
            raise _Invalid(
                _("'{value}' is not a Companies House number (they have 8 characters)").format(
                    value=token
                )
            )

    def pad(match: re.Match) -> str:
        number = match.group(0)
        if number.isdigit() and len(number) < 8:
            padded.append(number.zfill(8))
            return number.zfill(8)
        return number

    return re.sub(r"(?<![A-Za-z0-9])[A-Za-z]{0,2}\d+(?![A-Za-z0-9])", pad, text), padded


def name_from_title(title: str, organisation_names: Iterable[str]) -> str:
    """The tool's name from an ATRS title, with or without the "Organisation: " prefix."""
    title = " ".join(title.split())
    if ": " not in title:
        return title
    for org in organisation_names:
        org = " ".join(str(org).split())
        if org and title.casefold().startswith(f"{org.casefold()}: "):
            return title[len(org) + 2 :].strip()
    return title.split(": ", 1)[1].strip()


def stage_allows_phase(stage: str, phase: str) -> bool:
    """Whether an ATRS phase describes a system at this lifecycle stage."""
    return phase == ATRS_PHASE_FOR_STAGE[stage] or STAGE_FOR_PHASE.get(phase) == stage


# --------------------------------------------------------------------------------------------
# Building a record from a file's keys and values
# --------------------------------------------------------------------------------------------

_TEXT = "text"
_KINDS: dict[str, str] = {
    "standard_version": "version",
    "title": "line",
    "organisation_name": "line",
    "name": "line",
    "phase": "phase",
    "region": "region",
    "capability": "capability",
    "website_url": "url",
    "contact_email": "email",
    "external_supplier_involvement": "yes_no",
    "external_supplier": "supplier",
    "companies_house_number": "companies_house",
    # govreg
    "reference": "reference",
    "organisation": "line",
    "lifecycle_stage": "lifecycle_stage",
    "build_or_buy": "build_or_buy",
    "supplier_welsh_language": "supplier_welsh_language",
    "employment_decisions": "employment_decisions",
    "workers_affected": "whole_number",
    "contract_end_date": "date",
    "next_review_date": "date",
    "accountable_manager": "user",
    "publication_status": "export_only",
    "needs_initial_assessment": "export_only",
    # specifications
    "data_modality": "data_modality",
    "source_data_url": "url",
}
_SINGLE_CHOICES = {
    "phase",
    "region",
    "yes_no",
    "data_modality",
    "lifecycle_stage",
    "build_or_buy",
    "supplier_welsh_language",
}
_MULTI_CHOICES = {"capability", "employment_decisions"}


def _convert(record: Record, name: str, key: str, value: Any) -> Any:
    """Convert one value by its field's kind; report problems and notes on ``record``."""
    kind = _KINDS.get(key, _TEXT)
    if kind == "export_only":
        return None  # exported for information, never imported
    if kind == _TEXT:
        return to_text(value)
    if kind == "line":
        return _one_line(value)
    if kind in _SINGLE_CHOICES:
        if key == "region" and isinstance(value, str) and re.search(r"[;|]", value):
            raise _Invalid(
                _("GovReg records one region; give one of: {allowed}").format(
                    allowed=_allowed("region")
                )
            )
        return to_choice(value, kind)
    if kind in _MULTI_CHOICES:
        return to_choices(value, kind)
    if kind == "version":
        return to_version(value)
    if kind == "url":
        return to_url(value)
    if kind == "date":
        return to_date(value)
    if kind == "whole_number":
        return to_whole_number(value)
    if kind == "supplier":
        return to_text(value, joiner=", ")
    if kind == "email":
        first, others = split_emails(value)
        if others:
            record.warn(
                name,
                _(
                    "several e-mail addresses: kept {kept}; not kept {others} (a record has "
                    "one contact address, a team mailbox)"
                ).format(kept=first, others=", ".join(others)),
            )
        return first
    if kind == "companies_house":
        text, padded = companies_house_numbers(value)
        if padded:
            record.warn(
                name,
                _(
                    "read as {numbers}: Companies House numbers have 8 characters (a spreadsheet "
                    "may have dropped the leading zeros)"
                ).format(numbers=", ".join(padded)),
            )
        return text
    if kind == "reference":
        text = to_text(value)
        if text:
            try:
                validate_slug(text)
            except ValidationError:
                raise _Invalid(
                    _(
                        "'{value}' is not a valid reference: use only letters, numbers, "
                        "hyphens and underscores"
                    ).format(value=text)
                ) from None
            if len(text) > 80:
                raise _Invalid(_("a reference has at most 80 characters"))
        return text
    if kind == "user":
        text = to_text(value)
        if not text:
            return ""
        if not _valid_email(text):
            raise _Invalid(
                _("'{value}' is not the e-mail address of a GovReg user").format(value=text)
            )
        return text.lower()
    raise AssertionError(f"unhandled kind {kind}")  # pragma: no cover


def build_record(
    line: int,
    entries: Iterable[tuple[str, Target, Any]],
    *,
    organisation_names: Collection[str] = (),
) -> Record:
    """Normalise one record: ``entries`` are (key as written, where it goes, value)."""
    record = Record(line=line)
    given: dict[str, Any] = {}
    source_keys: set[str] = set()
    specs: dict[str, dict[int, dict[str, Any]]] = {"model": {}, "data": {}}
    spec_given: set[str] = set()
    for source, target, value in entries:
        source_keys.add(normalise_key(source))
        if target.kind == "ignored":
            continue
        if target.kind == "list":
            spec_given.add(target.name)
            continue
        name = _target_name(target)
        if name in given:
            record.problems.append(
                Problem(
                    line,
                    source,
                    _("gives {field} a second time (also given as {other})").format(
                        field=name.split(":")[-1], other=record.labels[name]
                    ),
                )
            )
            continue
        record.labels[name] = source
        given[name] = None
        try:
            converted = _convert(record, name, target.name, value)
        except _Invalid as exc:
            record.error(name, str(exc))
            continue
        given[name] = converted
        if target.kind in ("model", "data"):
            spec_given.add(target.kind)
            specs[target.kind].setdefault(target.index, {})[target.name] = converted
        elif target.kind == "govreg":
            _apply_govreg(record, target.name, converted)
        else:
            _apply_atrs(record, target.name, converted)

    if source_keys & set(V4_ALIASES):
        record.inferred_version = "4.0"
    elif source_keys & set(V2_ALIASES):
        record.inferred_version = "2.1"
    version = record.values.get("standard_version") or record.inferred_version

    if not record.values.get("name"):
        title = given.get("title") or ""
        if title:
            record.values["name"] = name_from_title(
                title, [given.get("organisation_name") or "", *organisation_names]
            )
            record.labels.setdefault("name", record.labels.get("title", "title"))
            record.warn(
                "name",
                _("no name given: took '{name}' from the title").format(name=record.values["name"]),
            )
        else:
            record.values.pop("name", None)
            record.error("name", _("enter the name of the tool"))

    organisation_name = given.get("organisation_name")
    if organisation_name and organisation_names:
        known = {" ".join(str(n).split()).casefold() for n in organisation_names if n}
        if organisation_name.casefold() not in known:
            record.warn(
                "organisation_name",
                _("the record names '{named}'; it is being recorded for {organisation}").format(
                    named=organisation_name, organisation=next(iter(organisation_names))
                ),
            )

    if record.stage and record.phase and not stage_allows_phase(record.stage, record.phase):
        record.error(
            "phase",
            _("'{phase}' does not describe the lifecycle stage '{stage}' given in {field}").format(
                phase=record.phase, stage=record.stage, field=record.label("lifecycle_stage")
            ),
        )

    for kind in ("model", "data"):
        if kind in spec_given:
            setattr(
                record,
                "models" if kind == "model" else "data",
                _assemble_specs(record, kind, specs[kind], version),
            )
    return record


def _apply_atrs(record: Record, key: str, value: Any) -> None:
    if key == "phase":
        record.phase = value
    elif key in ("title", "organisation_name"):
        pass  # derived from the organisation and the name on export; title fills a missing name
    elif key == "region" and not value:
        pass  # region is always set: an empty cell keeps the current one (Wales for a new record)
    elif key == "standard_version" and not value:
        pass
    else:
        record.values[FIELD_FOR_KEY.get(key, key)] = value


def _apply_govreg(record: Record, key: str, value: Any) -> None:
    if key == "reference":
        record.reference = value
    elif key == "organisation":
        record.organisation = value
    elif key == "lifecycle_stage":
        record.stage = value
    elif key == "accountable_manager":
        record.accountable_manager = value
    elif key in GOVREG_EXPORT_ONLY_KEYS:
        pass
    else:
        record.values[key] = value


def _assemble_specs(
    record: Record, kind: str, blocks: dict[int, dict[str, Any]], version: str
) -> list[dict[str, Any]]:
    """The non-empty blocks in order; each needs a name."""
    name_field = "model_name" if kind == "model" else "source_data_name"
    result = []
    for index in sorted(blocks):
        block = blocks[index]
        if not any(v not in ("", None) for v in block.values()):
            continue
        if not block.get(name_field):
            legacy_name = record.values.get("tool_models", "")
            if (
                kind == "model"
                and version in LEGACY_VERSIONS
                and legacy_name
                and "\n" not in legacy_name
                and len(legacy_name) <= 200
            ):
                block[name_field] = legacy_name
                record.warn(
                    f"model:{index}:model_name",
                    _("no model name given: took '{name}' from the method").format(
                        name=legacy_name
                    ),
                )
            else:
                record.error(
                    f"{kind}:{index}:{name_field}",
                    _("enter the name of the model")
                    if kind == "model"
                    else _("enter the name of the dataset"),
                )
                continue
        result.append(block)
        record.spec_indexes[kind].append(index)
    return result


def _spec_label(record: Record, kind: str, index: int, field_name: str) -> str:
    json_style = any(
        label.startswith(f"{SPEC_LIST_KEYS[kind]}[") for label in record.labels.values()
    )
    if json_style:
        return f"{SPEC_LIST_KEYS[kind]}[{index}].{field_name}"
    return f"{kind}_{index}_{SPEC_COLUMN[kind][field_name]}"


def check_duplicates(records: list[Record]) -> list[Problem]:
    """Each system may appear once in a file: no repeated references or names."""
    problems = []
    references: dict[str, int] = {}
    names: dict[str, int] = {}
    for record in records:
        if record.reference:
            if record.reference in references:
                problems.append(
                    Problem(
                        record.line,
                        record.label("reference"),
                        _("'{value}' is also the reference on line {other}").format(
                            value=record.reference, other=references[record.reference]
                        ),
                    )
                )
            else:
                references[record.reference] = record.line
        key = " ".join(record.name.split()).casefold()
        if key:
            if key in names:
                problems.append(
                    Problem(
                        record.line,
                        record.label("name"),
                        _(
                            "'{value}' is also the name on line {other}; a system appears once in a file"
                        ).format(value=record.name, other=names[key]),
                    )
                )
            else:
                names[key] = record.line
    return problems


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


def parse(
    data: bytes, *, filename: str = "", organisation_names: Collection[str] = ()
) -> ParsedFile:
    """Read an import file (CSV or JSON, UTF-8) into normalised records and problems.

    The caller refuses files over ``MAX_FILE_BYTES`` before reading them; this checks again.
    """
    fmt = detect_format(data, filename)
    parsed = ParsedFile(format=fmt)
    if len(data) > MAX_FILE_BYTES:
        parsed.problems.append(Problem(1, _("file"), too_big_message(len(data))))
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        parsed.problems.append(
            Problem(
                line,
                _("file"),
                _(
                    "the file is not UTF-8 text (byte 0x{byte:02X} at position {position}); "
                    "save it as UTF-8 (in a spreadsheet: CSV UTF-8) and try again"
                ).format(byte=data[exc.start], position=exc.start),
            )
        )
        return parsed
    if not text.strip():
        parsed.problems.append(Problem(1, _("file"), _("the file is empty")))
        return parsed
    if fmt == "json":
        _parse_json(text, parsed, organisation_names)
    else:
        _parse_csv(text, parsed, organisation_names)
    if not parsed.problems and not parsed.records:
        parsed.problems.append(Problem(1, _("file"), _("the file holds no records")))
    parsed.problems += check_duplicates(parsed.records)
    if parsed.ignored_keys:
        parsed.warnings.append(
            Problem(
                1,
                ", ".join(sorted(parsed.ignored_keys)),
                _("ATRS fields GovReg does not keep: ignored"),
            )
        )
    return parsed


def too_big_message(size: int) -> str:
    return _(
        "the file is {size} MB; GovReg imports files of up to {limit} MB. Split it into "
        "smaller files and import each one"
    ).format(size=f"{size / 1024 / 1024:.1f}", limit=MAX_FILE_BYTES // 1024 // 1024)


def detect_format(data: bytes, filename: str = "") -> str:
    """ "json" or "csv": by the file's extension, else by its first character."""
    lower = filename.lower()
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(".csv"):
        return "csv"
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" if start[:1] in (b"[", b"{") else "csv"


def _unescape_cell(value: str) -> str:
    """Undo the spreadsheet-formula guard that ``to_csv`` adds."""
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_START:
        return value[1:]
    return value


def _parse_csv(text: str, parsed: ParsedFile, organisation_names: Collection[str]) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        parsed.problems.append(
            Problem(1, _("file"), _("the CSV could not be read: {error}").format(error=exc))
        )
        return
    targets: list[Target | None] = []
    unknown, empty_columns = [], []
    seen: dict[str, str] = {}
    for position, column in enumerate(header, start=1):
        column = column.strip()
        if not column:
            empty_columns.append(str(position))
            targets.append(None)
            continue
        target = resolve_key(column)
        if target is None:
            unknown.append(column)
        elif target.kind == "ignored":
            parsed.ignored_keys.add(column)
        else:
            name = _target_name(target)
            if name in seen:
                parsed.problems.append(
                    Problem(
                        1,
                        column,
                        _("this column gives {field}, as the column {other} does").format(
                            field=name.split(":")[-1], other=seen[name]
                        ),
                    )
                )
            seen[name] = column
        targets.append(target)
    # With a column ambiguous, unnamed or missing, every row would repeat the same problem;
    # unknown columns are left out and the rows still checked, so one pass finds everything.
    header_broken = bool(parsed.problems)
    if unknown:
        parsed.problems.append(
            Problem(
                1,
                ", ".join(unknown),
                _(
                    "unknown column(s): not ATRS field names GovReg knows (see the list of "
                    "accepted names in docs/atrs-import-export.md); rename or remove them"
                ),
            )
        )
    if empty_columns:
        parsed.problems.append(
            Problem(
                1,
                _("columns"),
                _("column(s) {positions} have no name in the first line").format(
                    positions=", ".join(empty_columns)
                ),
            )
        )
    has_name = any(t is not None and t.kind == "atrs" and t.name == "name" for t in targets)
    if not has_name:
        parsed.problems.append(
            Problem(
                1,
                "name",
                _("the required column 'name' (the tool's name, ATRS 1.1) is missing"),
            )
        )
    if header_broken or empty_columns or not has_name:
        return
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.problems.append(
                Problem(line, _("file"), _("the CSV could not be read: {error}").format(error=exc))
            )
            return
        start, line = line, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) != len(header):
            parsed.problems.append(
                Problem(
                    start,
                    _("row"),
                    _("the row has {found} values but the header has {expected} columns").format(
                        found=len(row), expected=len(header)
                    ),
                )
            )
            continue
        entries = [
            (header[i].strip(), target, _unescape_cell(cell))
            for i, (target, cell) in enumerate(zip(targets, row, strict=True))
            if target is not None
        ]
        parsed.records.append(build_record(start, entries, organisation_names=organisation_names))


def _json_records(text: str) -> list[tuple[int, Any]]:
    """The top-level records of a (valid) JSON document, each with the line it starts on."""
    decoder = json.JSONDecoder()
    index = len(text) - len(text.lstrip())
    if text[index] != "[":
        return [(text.count("\n", 0, index) + 1, json.loads(text))]
    records = []
    line, counted = 1, 0
    index += 1
    while True:
        while text[index].isspace():
            index += 1
        if text[index] == "]":
            return records
        if text[index] == ",":
            index += 1
            continue
        line += text.count("\n", counted, index)
        counted = index
        value, index = decoder.raw_decode(text, index)
        records.append((line, value))


def _parse_json(text: str, parsed: ParsedFile, organisation_names: Collection[str]) -> None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.problems.append(
            Problem(
                exc.lineno,
                _("file"),
                _("the file is not valid JSON: {error} (column {column})").format(
                    error=exc.msg, column=exc.colno
                ),
            )
        )
        return
    for line, value in _json_records(text):
        if not isinstance(value, dict):
            parsed.problems.append(
                Problem(line, _("record"), _("each record must be a JSON object ({...})"))
            )
            continue
        entries, problems = _flatten_json(line, value, parsed)
        record = build_record(line, entries, organisation_names=organisation_names)
        record.problems[:0] = problems
        parsed.records.append(record)


def _flatten_json(
    line: int, value: dict[str, Any], parsed: ParsedFile
) -> tuple[list[tuple[str, Target, Any]], list[Problem]]:
    entries: list[tuple[str, Target, Any]] = []
    problems: list[Problem] = []
    for key, item in value.items():
        normal = normalise_key(key)
        if normal == "govreg":
            if not isinstance(item, dict):
                problems.append(Problem(line, key, _("expected an object of GovReg fields")))
                continue
            for sub_key, sub_item in item.items():
                target = resolve_key(f"govreg_{sub_key}")
                label = f"{key}.{sub_key}"
                if target is None:
                    problems.append(Problem(line, label, _("unknown GovReg field")))
                else:
                    entries.append((label, target, sub_item))
            continue
        target = resolve_key(key)
        if target is None:
            problems.append(
                Problem(
                    line,
                    key,
                    _(
                        "unknown field: not an ATRS field name GovReg knows (see "
                        "docs/atrs-import-export.md)"
                    ),
                )
            )
        elif target.kind == "ignored":
            parsed.ignored_keys.add(key)
        elif target.kind == "list":
            kind = target.name
            if item is None:
                item = []
            if not isinstance(item, list):
                problems.append(Problem(line, key, _("expected a list of objects")))
                continue
            entries.append((key, target, None))
            for index, block in enumerate(item, start=1):
                if not isinstance(block, dict):
                    problems.append(Problem(line, f"{key}[{index}]", _("expected an object")))
                    continue
                if index > MAX_SPECIFICATIONS:
                    problems.append(
                        Problem(
                            line,
                            key,
                            _("at most {limit} specifications").format(limit=MAX_SPECIFICATIONS),
                        )
                    )
                    break
                for sub_key, sub_item in block.items():
                    label = f"{key}[{index}].{sub_key}"
                    name = resolve_spec_key(kind, sub_key)
                    if name is None:
                        problems.append(Problem(line, label, _("unknown field")))
                    else:
                        entries.append((label, Target(kind, name, index), sub_item))
        elif (
            target.name == "models"
            and isinstance(item, list)
            and any(isinstance(i, dict) for i in item)
        ):
            problems.append(
                Problem(
                    line,
                    key,
                    _(
                        "'models' is the list of the models' names (text); give each model's "
                        "details in model_specifications"
                    ),
                )
            )
        else:
            entries.append((key, target, item))
    return entries, problems


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def _english_label(choices, value: str) -> str:
    if not value:
        return ""
    with translation.override("en"):
        return str(dict(choices).get(value, value))


def _export_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export_record(system, *, public: bool = False) -> dict[str, Any]:
    """One system as an ATRS record keyed by the canonical ATRS names.

    Finder facets (phase, region, capability) are GOV.UK finder slugs; the template's dropdowns
    (external supplier involvement, data modality) their English labels ("Yes", "Tabular").
    Fetch systems with ``select_related("organisation", "accountable_manager")`` and
    ``prefetch_related("model_specifications", "data_specifications")`` (``export_records``
    does). ``public=True`` leaves out ``PRIVATE_GOVREG_KEYS``.
    """
    organisation = system.organisation
    record: dict[str, Any] = {
        "standard_version": system.standard_version,
        "title": system.title,
        "organisation_name": organisation.name,
        "one_sentence_description": system.one_sentence_description,
        "phase": system.atrs_phase,
        "region": system.region,
        "capability": list(system.capability or []),
    }
    for key in SYSTEM_KEYS:
        value = getattr(system, FIELD_FOR_KEY.get(key, key))
        if key == "external_supplier_involvement":
            value = _english_label(YesNo.choices, value)
        record[key] = value
    record[MODELS_LIST_KEY] = [
        {key: getattr(spec, key) for key in MODEL_SPEC_KEYS}
        for spec in system.model_specifications.all()
    ]
    record[DATA_LIST_KEY] = [
        {
            key: _english_label(DataModality.choices, spec.data_modality)
            if key == "data_modality"
            else getattr(spec, key)
            for key in DATA_SPEC_KEYS
        }
        for spec in system.data_specifications.all()
    ]
    govreg: dict[str, Any] = {}
    for key in GOVREG_EXPORT_KEYS:
        if public and key in PRIVATE_GOVREG_KEYS:
            continue
        if key == "organisation":
            value = organisation.slug
        elif key == "accountable_manager":
            manager = system.accountable_manager
            value = manager.email if manager else ""
        else:
            value = _export_value(getattr(system, key))
        if key == "employment_decisions":
            value = list(value or [])
        govreg[key] = value
    record["govreg"] = govreg
    return record


def export_records(queryset, *, public: bool = False) -> list[dict[str, Any]]:
    """Every system of ``queryset`` as ATRS records, in a fixed number of queries."""
    systems = queryset.select_related("organisation", "accountable_manager").prefetch_related(
        "model_specifications", "data_specifications"
    )
    return [export_record(system, public=public) for system in systems]


def to_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def csv_columns(records: list[dict[str, Any]]) -> list[str]:
    """The CSV header for these records: ATRS keys, numbered specifications, govreg_ fields."""
    models = max((len(r.get(MODELS_LIST_KEY) or []) for r in records), default=0)
    datasets = max((len(r.get(DATA_LIST_KEY) or []) for r in records), default=0)
    govreg_keys: list[str] = []
    for record in records:
        for key in record.get("govreg") or {}:
            if key not in govreg_keys:
                govreg_keys.append(key)
    if not records:
        govreg_keys = list(GOVREG_EXPORT_KEYS)
    columns = list(ATRS_KEYS)
    for n in range(1, models + 1):
        columns += [f"model_{n}_{MODEL_COLUMN[key]}" for key in MODEL_SPEC_KEYS]
    for n in range(1, datasets + 1):
        columns += [f"data_{n}_{DATA_COLUMN[key]}" for key in DATA_SPEC_KEYS]
    columns += [f"govreg_{key}" for key in govreg_keys]
    return columns


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    text = str(value)
    # A spreadsheet would run a cell starting with one of these as a formula (CSV injection):
    # prefix an apostrophe, which the importer removes again.
    if text.startswith(_FORMULA_START):
        return f"'{text}"
    return text


def flatten_record(record: dict[str, Any]) -> dict[str, str]:
    """One exported record as CSV cells keyed by column name."""
    row = {key: _cell(record.get(key)) for key in ATRS_KEYS}
    for kind in ("model", "data"):
        for n, spec in enumerate(record.get(SPEC_LIST_KEYS[kind]) or [], start=1):
            for key in SPEC_KEYS[kind]:
                row[f"{kind}_{n}_{SPEC_COLUMN[kind][key]}"] = _cell(spec.get(key))
    for key, value in (record.get("govreg") or {}).items():
        row[f"govreg_{key}"] = _cell(value)
    return row


def to_csv(records: list[dict[str, Any]]) -> str:
    """Exported records as CSV text (numbered specification columns, ``govreg_`` columns).

    Several values in one cell are separated by "; ". Cells that a spreadsheet would run as a
    formula get a leading apostrophe.
    """
    columns = csv_columns(records)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", extrasaction="raise")
    writer.writeheader()
    for record in records:
        writer.writerow(flatten_record(record))
    return out.getvalue()

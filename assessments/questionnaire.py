"""Algorithmic Impact Assessment (AIA) questionnaire engine.

Pure Python: no Django, no database. It loads a questionnaire definition,
validates answers, scores them with the Government of Canada AIA algorithm
(``calculateFinalScore`` in canada-ca/aia-eia-js ``src/store.ts``) and
reports GovReg's blocking findings (the WPC overlay).

Public API
----------
- :func:`load_definition` -- a definition dict (GovReg format, or the Canadian
  SurveyJS file) -> :class:`Questionnaire`.
- :func:`convert_surveyjs` -- the Canadian SurveyJS file -> a GovReg-format dict.
- :func:`load_file`, :func:`load_builtin`, :func:`default_questionnaire`.
- :func:`visible_questions`, :func:`clean_answers`, :func:`validate_answers`.
- :func:`score` -> :class:`Score`; :func:`findings` -> list of :class:`Finding`.
- :func:`requirements_for_level` -> :class:`LevelRequirements`.
- :func:`round_half_up`.

The definition format is documented in ``docs/aia-questionnaire-format.md``;
its JSON Schema is ``questionnaires/definition.schema.json``.

Answers are a plain dict ``{question_code: value}``: a choice value (str) for
a ``single`` question, a list of choice values for a ``multi`` question and a
str for a ``text`` question. ``None``, ``""`` and ``[]`` mean "not answered".
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
import jsonschema.exceptions
import jsonschema.protocols
import jsonschema.validators

__all__ = [
    "AnswerError",
    "BlockingRule",
    "Choice",
    "Condition",
    "AnswerIn",
    "AllOf",
    "AnyOf",
    "Finding",
    "LevelRequirements",
    "Parameters",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Requirement",
    "Score",
    "Section",
    "SectionScore",
    "Source",
    "Text",
    "CANADA_FILE",
    "DATA_DIR",
    "DEFAULT_FILE",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LEVELS",
    "REQUIRED_MESSAGE",
    "SCHEMA_FILE",
    "clean_answers",
    "convert_surveyjs",
    "default_questionnaire",
    "findings",
    "load_builtin",
    "load_definition",
    "load_file",
    "requirements_for_level",
    "round_half_up",
    "score",
    "validate_answers",
    "visible_questions",
]

FORMAT_NAME = "govreg-aia-questionnaire"
FORMAT_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / "questionnaires"
SCHEMA_FILE = DATA_DIR / "definition.schema.json"
DEFAULT_FILE = "govreg-workplace-aia-v1.json"
CANADA_FILE = "canada-aia-survey-enfr-v1.0.1.json"
LEVELS = ("I", "II", "III", "IV")
REQUIRED_MESSAGE = "This question must be answered."

SectionKind = Literal["risk", "mitigation", "info"]
QuestionType = Literal["single", "multi", "text"]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class QuestionnaireError(ValueError):
    """A questionnaire definition is malformed.

    ``problems`` lists every problem found (each names the path or code at
    fault); ``str(error)`` joins them.
    """

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems in questionnaire definition:\n" + "\n".join(
                f"- {problem}" for problem in self.problems
            )
        super().__init__(message)


class AnswerError(ValueError):
    """Answers cannot be scored: ``errors`` maps question code -> message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        details = "; ".join(f"{code}: {message}" for code, message in self.errors.items())
        super().__init__(f"Invalid answers: {details}")


# ---------------------------------------------------------------------------
# Model (frozen dataclasses)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A translatable text: English always, Welsh and French optional."""

    en: str
    cy: str | None = None
    fr: str | None = None

    def get(self, language: str = "en") -> str:
        """The text in ``language`` ("en", "cy", "fr"), falling back to English."""
        value = getattr(self, language, None) if language in ("en", "cy", "fr") else None
        return value or self.en

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class Choice:
    """One possible answer to a single/multi question."""

    value: str
    label: Text
    weight: int
    exclusive: bool = False


class Condition:
    """Base class of the conditions used by ``visible_if`` and blocking rules."""

    def evaluate(self, answers: Mapping[str, Any]) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def question_codes(self) -> Iterator[str]:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class AnswerIn(Condition):
    """True when the answer to ``question`` is (single) or includes (multi) one of ``values``."""

    question: str
    values: tuple[str, ...]

    def evaluate(self, answers: Mapping[str, Any]) -> bool:
        answer = answers.get(self.question)
        if isinstance(answer, str):
            return answer in self.values
        if isinstance(answer, list):
            return any(value in answer for value in self.values)
        return False

    def question_codes(self) -> Iterator[str]:
        yield self.question


@dataclass(frozen=True)
class AllOf(Condition):
    """True when every sub-condition is true."""

    conditions: tuple[Condition, ...]

    def evaluate(self, answers: Mapping[str, Any]) -> bool:
        return all(condition.evaluate(answers) for condition in self.conditions)

    def question_codes(self) -> Iterator[str]:
        for condition in self.conditions:
            yield from condition.question_codes()


@dataclass(frozen=True)
class AnyOf(Condition):
    """True when at least one sub-condition is true."""

    conditions: tuple[Condition, ...]

    def evaluate(self, answers: Mapping[str, Any]) -> bool:
        return any(condition.evaluate(answers) for condition in self.conditions)

    def question_codes(self) -> Iterator[str]:
        for condition in self.conditions:
            yield from condition.question_codes()


@dataclass(frozen=True)
class Question:
    """A question. ``single``/``multi`` questions have choices; ``text`` questions do not."""

    code: str
    type: QuestionType
    text: Text
    required: bool
    choices: tuple[Choice, ...] = ()
    help: Text | None = None
    visible_if: Condition | None = None
    source: str | None = None

    @property
    def maximum(self) -> int:
        """Highest weight (single) or sum of all weights (multi); 0 for text."""
        weights = [choice.weight for choice in self.choices]
        if self.type == "single":
            return max(weights, default=0)
        if self.type == "multi":
            return sum(weights)
        return 0

    def choice(self, value: str) -> Choice | None:
        """The choice with this value, or None."""
        for choice in self.choices:
            if choice.value == value:
                return choice
        return None

    def weight_of(self, answer: Any) -> int:
        """The score of a (valid, answered) value: chosen weight, or sum of ticked weights."""
        if self.type == "single" and isinstance(answer, str):
            chosen = self.choice(answer)
            return chosen.weight if chosen else 0
        if self.type == "multi" and isinstance(answer, list):
            return sum(choice.weight for choice in self.choices if choice.value in answer)
        return 0


@dataclass(frozen=True)
class Section:
    """A page of questions. Only ``risk`` and ``mitigation`` sections are scored."""

    code: str
    kind: SectionKind
    order: int
    title: Text
    questions: tuple[Question, ...]
    description: Text | None = None

    @property
    def maximum(self) -> int:
        """Sum of the question maxima, including conditional questions (as Canada does)."""
        if self.kind == "info":
            return 0
        return sum(question.maximum for question in self.questions)


@dataclass(frozen=True)
class Parameters:
    """Scoring parameters (Canada's values are the defaults)."""

    mitigation_threshold_ratio: float = 0.80
    deduction_ratio: float = 0.15
    level_thresholds: tuple[float, float, float] = (0.25, 0.50, 0.75)


@dataclass(frozen=True)
class Source:
    """Where the questionnaire comes from, and the attribution to display."""

    attribution: str
    name: str | None = None
    url: str | None = None
    repository: str | None = None
    path: str | None = None
    commit: str | None = None
    licence: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class BlockingRule:
    """A rule that produces a blocking finding when ``when`` holds."""

    code: str
    when: Condition
    message: Text
    source: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    """A loaded, validated questionnaire. Sections are sorted by ``order``."""

    slug: str
    version: str
    status: str
    title: Text
    languages: tuple[str, ...]
    source: Source
    parameters: Parameters
    sections: tuple[Section, ...]
    blocking_rules: tuple[BlockingRule, ...] = ()
    description: Text | None = None
    _index: Mapping[str, tuple[Section, Question]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index = {
            question.code: (section, question)
            for section in self.sections
            for question in section.questions
        }
        object.__setattr__(self, "_index", index)

    @property
    def questions(self) -> tuple[Question, ...]:
        """All questions in display order."""
        return tuple(question for section in self.sections for question in section.questions)

    def question(self, code: str) -> Question:
        """The question with this code (KeyError if unknown)."""
        return self._index[code][1]

    def section_of(self, code: str) -> Section:
        """The section holding the question with this code (KeyError if unknown)."""
        return self._index[code][0]

    def __contains__(self, code: object) -> bool:
        return code in self._index

    @property
    def max_raw(self) -> int:
        """Maximum raw impact score: sum of the risk sections' maxima."""
        return sum(section.maximum for section in self.sections if section.kind == "risk")

    @property
    def max_mitigation(self) -> int:
        """Maximum mitigation score: sum of the mitigation sections' maxima."""
        return sum(section.maximum for section in self.sections if section.kind == "mitigation")


@dataclass(frozen=True)
class SectionScore:
    """Per-section breakdown, as the Canadian results page shows it."""

    code: str
    title: Text
    kind: SectionKind
    answered: int
    score: int
    maximum: int


@dataclass(frozen=True)
class Score:
    """The result of :func:`score`. ``level`` is "I".."IV"."""

    raw: int
    mitigation: int
    max_raw: int
    max_mitigation: int
    current: int
    level: str
    sections: tuple[SectionScore, ...]
    mitigation_switch_applied: bool


@dataclass(frozen=True)
class Finding:
    """A finding raised by a blocking rule."""

    code: str
    message: Text
    blocking: bool = True


@dataclass(frozen=True)
class Requirement:
    """One row of the requirements-by-level table for one level."""

    code: str
    title: Text
    text: Text


@dataclass(frozen=True)
class LevelRequirements:
    """GovReg default requirements for an impact level (assessments.md §3a.4)."""

    level: str
    review_interval_months: int
    quarterly_monitoring_report: bool
    requirements: tuple[Requirement, ...]


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load_definition(data: Mapping[str, Any], *, phase: str | None = None) -> Questionnaire:
    """Validate a definition and build a :class:`Questionnaire`.

    The format is detected automatically:

    - GovReg format: an object with ``"format": "govreg-aia-questionnaire"``;
    - Government of Canada SurveyJS format: an object with ``"pages"``. It is
      converted with :func:`convert_surveyjs` for ``phase`` ("design", the
      default, or "implementation") and then loaded like a GovReg definition.

    Raises :class:`QuestionnaireError` naming the path or code at fault.
    """
    if not isinstance(data, Mapping):
        raise QuestionnaireError(
            f"$: a questionnaire definition must be a JSON object, not {type(data).__name__}"
        )
    if "format" in data:
        if phase is not None:
            raise QuestionnaireError(
                "phase applies only to the Canadian SurveyJS format; a GovReg definition "
                "holds one phase only"
            )
        return _load_govreg(data)
    if "pages" in data:
        return _load_govreg(convert_surveyjs(data, phase=phase or "design"))
    raise QuestionnaireError(
        f'$: unrecognised questionnaire format: expected "format": "{FORMAT_NAME}" '
        '(GovReg) or "pages" (Government of Canada SurveyJS)'
    )


def load_file(path: str | Path, *, phase: str | None = None) -> Questionnaire:
    """Read a JSON file and :func:`load_definition` it."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise QuestionnaireError(f"{path.name}: not valid JSON: {exc}") from exc
    return load_definition(data, phase=phase)


@lru_cache(maxsize=16)
def load_builtin(filename: str = DEFAULT_FILE, *, phase: str | None = None) -> Questionnaire:
    """Load a questionnaire shipped in ``assessments/questionnaires/`` (cached; immutable)."""
    if "/" in filename or "\\" in filename or filename.startswith("."):
        raise ValueError(f"not a shipped questionnaire file name: {filename!r}")
    return load_file(DATA_DIR / filename, phase=phase)


def default_questionnaire() -> Questionnaire:
    """GovReg's default questionnaire: the workplace AIA."""
    return load_builtin(DEFAULT_FILE)


@lru_cache(maxsize=1)
def _schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _load_govreg(data: Mapping[str, Any]) -> Questionnaire:
    """Schema check, semantic checks, then build the dataclasses."""
    _check_schema(data)
    problems = _semantic_problems(data)
    if problems:
        raise QuestionnaireError(problems)
    return _build(data)


def _json_path(path: Iterable[Any]) -> str:
    text = "$"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _codes_along(data: Any, path: Iterable[Any]) -> list[str]:
    """The section/question codes met while walking ``path`` into ``data``."""
    codes = []
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, Mapping) and isinstance(node.get("code"), str):
            codes.append(node["code"])
    return codes


def _describe(data: Any, path: list[Any]) -> str:
    codes = _codes_along(data, path)
    where = _json_path(path)
    return f"{where} ({' / '.join(codes)})" if codes else where


def _check_schema(data: Mapping[str, Any]) -> None:
    errors = list(_schema_validator().iter_errors(data))
    if not errors:
        return
    errors.sort(key=jsonschema.exceptions.relevance)
    problems = []
    for error in errors[:5]:
        # For oneOf failures, the deepest sub-error is usually the helpful one.
        best = jsonschema.exceptions.best_match([error])
        problems.append(f"{_describe(data, list(best.absolute_path))}: {best.message}")
    if len(errors) > 5:
        problems.append(f"... and {len(errors) - 5} more schema errors")
    raise QuestionnaireError(problems)


def _iter_texts(data: Any, path: list[Any]) -> Iterator[tuple[list[Any], Mapping[str, Any]]]:
    """Every translatable text object in a definition, with its path."""
    text_keys = ("title", "description", "text", "help", "label", "message")
    if isinstance(data, Mapping):
        for key, value in data.items():
            if key in text_keys and isinstance(value, Mapping):
                yield [*path, key], value
            elif isinstance(value, (Mapping, list)):
                yield from _iter_texts(value, [*path, key])
    elif isinstance(data, list):
        for position, item in enumerate(data):
            yield from _iter_texts(item, [*path, position])


def _semantic_problems(data: Mapping[str, Any]) -> list[str]:
    """Checks JSON Schema cannot express. Assumes the schema check passed."""
    problems: list[str] = []
    problems += _language_problems(data)
    problems += _section_problems(data)
    question_index, order_problems = _question_index(data)
    problems += order_problems
    problems += _choice_problems(data)
    problems += _condition_problems(data, question_index)
    problems += _parameter_problems(data)
    problems += _maxima_problems(data)
    return problems


def _language_problems(data: Mapping[str, Any]) -> list[str]:
    languages = set(data["languages"])
    problems = []
    for path, text in _iter_texts(data, []):
        missing = sorted(languages - set(text))
        extra = sorted(set(text) - languages)
        where = _describe(data, path)
        if missing:
            problems.append(f"{where}: missing translation(s) {', '.join(missing)}")
        if extra:
            problems.append(
                f"{where}: has {', '.join(extra)} text but 'languages' does not list it"
            )
    return problems


def _sorted_sections(data: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """(original position, section) sorted by ``order`` (stable)."""
    return sorted(enumerate(data["sections"]), key=lambda item: item[1]["order"])


def _section_problems(data: Mapping[str, Any]) -> list[str]:
    problems = []
    seen_codes: dict[str, int] = {}
    seen_orders: dict[int, int] = {}
    for position, section in enumerate(data["sections"]):
        where = f"$.sections[{position}] ({section['code']})"
        if section["code"] in seen_codes:
            problems.append(
                f"{where}: duplicate section code {section['code']!r} "
                f"(also $.sections[{seen_codes[section['code']]}])"
            )
        seen_codes.setdefault(section["code"], position)
        if section["order"] in seen_orders:
            problems.append(
                f"{where}: duplicate section order {section['order']} "
                f"(also $.sections[{seen_orders[section['order']]}])"
            )
        seen_orders.setdefault(section["order"], position)
    kinds = {section["kind"] for section in data["sections"]}
    if "risk" not in kinds:
        problems.append("$.sections: at least one section must have kind 'risk'")
    if "mitigation" not in kinds:
        problems.append(
            "$.sections: at least one section must have kind 'mitigation' "
            "(the mitigation switch needs a maximum above 0)"
        )
    return problems


def _question_index(
    data: Mapping[str, Any],
) -> tuple[dict[str, tuple[int, str, Mapping[str, Any]]], list[str]]:
    """Map code -> (display position, path, question); report duplicate codes."""
    index: dict[str, tuple[int, str, Mapping[str, Any]]] = {}
    problems = []
    position = 0
    for section_position, section in _sorted_sections(data):
        for question_position, question in enumerate(section["questions"]):
            path = f"$.sections[{section_position}].questions[{question_position}]"
            code = question["code"]
            if code in index:
                problems.append(
                    f"{path} ({code}): duplicate question code {code!r} (also {index[code][1]})"
                )
                continue
            index[code] = (position, path, question)
            position += 1
    return index, problems


def _choice_problems(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for section_position, section in enumerate(data["sections"]):
        for question_position, question in enumerate(section["questions"]):
            where = f"$.sections[{section_position}].questions[{question_position}] ({question['code']})"
            problems += _question_choice_problems(question, section["kind"], where)
    return problems


def _question_choice_problems(question: Mapping[str, Any], kind: str, where: str) -> list[str]:
    problems = []
    seen: set[str] = set()
    for position, choice in enumerate(question.get("choices", [])):
        choice_where = f"{where}.choices[{position}]"
        weight = choice["weight"]
        if type(weight) is not int:
            problems.append(
                f"{choice_where}.weight: weight must be a whole number written without a "
                f"decimal point, got {weight!r}"
            )
        elif kind == "info" and weight != 0:
            problems.append(
                f"{choice_where}.weight: questions in an 'info' section are not scored; "
                f"weight must be 0, got {weight}"
            )
        if choice["value"] in seen:
            problems.append(f"{choice_where}: duplicate choice value {choice['value']!r}")
        seen.add(choice["value"])
        if choice.get("exclusive") and question["type"] != "multi":
            problems.append(f"{choice_where}: 'exclusive' is only meaningful on a multi question")
    return problems


def _condition_problems(
    data: Mapping[str, Any], index: Mapping[str, tuple[int, str, Mapping[str, Any]]]
) -> list[str]:
    problems = []
    for code, (position, path, question) in index.items():
        condition = question.get("visible_if")
        if condition is not None:
            problems += _check_condition(condition, f"{path} ({code}).visible_if", index, position)
    seen_rules: set[str] = set()
    for rule_position, rule in enumerate(data.get("blocking_rules", [])):
        where = f"$.blocking_rules[{rule_position}] ({rule['code']})"
        if rule["code"] in seen_rules:
            problems.append(f"{where}: duplicate blocking rule code {rule['code']!r}")
        seen_rules.add(rule["code"])
        problems += _check_condition(rule["when"], f"{where}.when", index, None)
    return problems


def _check_condition(
    condition: Mapping[str, Any],
    where: str,
    index: Mapping[str, tuple[int, str, Mapping[str, Any]]],
    before: int | None,
) -> list[str]:
    """A condition must point at an existing choice question (earlier, for visible_if)."""
    for key in ("all", "any"):
        if key in condition:
            problems = []
            for position, sub in enumerate(condition[key]):
                problems += _check_condition(sub, f"{where}.{key}[{position}]", index, before)
            return problems
    code = condition["question"]
    if code not in index:
        return [f"{where}: refers to unknown question {code!r}"]
    position, _path, target = index[code]
    if before is not None and position >= before:
        return [f"{where}: refers to {code!r}, which is not an earlier question"]
    if target["type"] == "text":
        return [
            f"{where}: refers to text question {code!r}; conditions need a single/multi question"
        ]
    values = [condition["equals"]] if "equals" in condition else condition["in"]
    known = {choice["value"] for choice in target["choices"]}
    return [
        f"{where}: {value!r} is not a choice of question {code!r}"
        for value in values
        if value not in known
    ]


def _parameter_problems(data: Mapping[str, Any]) -> list[str]:
    thresholds = data["parameters"]["level_thresholds"]
    if any(lower >= upper for lower, upper in zip(thresholds, thresholds[1:], strict=False)):
        return [f"$.parameters.level_thresholds: must be strictly increasing, got {thresholds}"]
    return []


def _raw_maximum(question: Mapping[str, Any]) -> int:
    weights = [choice["weight"] for choice in question.get("choices", [])]
    weights = [weight if type(weight) is int else 0 for weight in weights]
    if question["type"] == "single":
        return max(weights, default=0)
    if question["type"] == "multi":
        return sum(weights)
    return 0


def _maxima_problems(data: Mapping[str, Any]) -> list[str]:
    maxima = {"risk": 0, "mitigation": 0}
    for section in data["sections"]:
        if section["kind"] in maxima:
            maxima[section["kind"]] += sum(_raw_maximum(q) for q in section["questions"])
    problems = []
    kinds = {section["kind"] for section in data["sections"]}
    for kind in ("risk", "mitigation"):
        if kind in kinds and maxima[kind] == 0:
            problems.append(f"$.sections: the {kind} sections cannot score above 0 (maximum is 0)")
    expected = data.get("expected_maxima")
    if expected:
        for key, kind in (("raw", "risk"), ("mitigation", "mitigation")):
            if expected[key] != maxima[kind]:
                problems.append(
                    f"$.expected_maxima.{key}: expected {expected[key]} but the {kind} "
                    f"questions add up to {maxima[kind]}"
                )
    return problems


def _text(data: Mapping[str, Any] | None) -> Text | None:
    if data is None:
        return None
    return Text(en=data["en"], cy=data.get("cy"), fr=data.get("fr"))


def _condition(data: Mapping[str, Any] | None) -> Condition | None:
    if data is None:
        return None
    if "all" in data:
        return AllOf(tuple(_condition(sub) for sub in data["all"]))
    if "any" in data:
        return AnyOf(tuple(_condition(sub) for sub in data["any"]))
    values = (data["equals"],) if "equals" in data else tuple(data["in"])
    return AnswerIn(question=data["question"], values=values)


def _build_question(data: Mapping[str, Any]) -> Question:
    return Question(
        code=data["code"],
        type=data["type"],
        text=_text(data["text"]),
        help=_text(data.get("help")),
        required=data.get("required", data["type"] != "text"),
        visible_if=_condition(data.get("visible_if")),
        choices=tuple(
            Choice(
                value=choice["value"],
                label=_text(choice["label"]),
                weight=choice["weight"],
                exclusive=choice.get("exclusive", False),
            )
            for choice in data.get("choices", [])
        ),
        source=data.get("source"),
    )


def _build(data: Mapping[str, Any]) -> Questionnaire:
    parameters = data["parameters"]
    sections = tuple(
        Section(
            code=section["code"],
            kind=section["kind"],
            order=section["order"],
            title=_text(section["title"]),
            description=_text(section.get("description")),
            questions=tuple(_build_question(question) for question in section["questions"]),
        )
        for _position, section in _sorted_sections(data)
    )
    return Questionnaire(
        slug=data["slug"],
        version=data["version"],
        status=data["status"],
        title=_text(data["title"]),
        description=_text(data.get("description")),
        languages=tuple(data["languages"]),
        source=Source(**data["source"]),
        parameters=Parameters(
            mitigation_threshold_ratio=parameters["mitigation_threshold_ratio"],
            deduction_ratio=parameters["deduction_ratio"],
            level_thresholds=tuple(parameters["level_thresholds"]),
        ),
        sections=sections,
        blocking_rules=tuple(
            BlockingRule(
                code=rule["code"],
                when=_condition(rule["when"]),
                message=_text(rule["message"]),
                source=rule.get("source"),
            )
            for rule in data.get("blocking_rules", [])
        ),
    )


# ---------------------------------------------------------------------------
# Government of Canada SurveyJS importer
# ---------------------------------------------------------------------------

CANADA_PHASES = {"design": "item1", "implementation": "item2"}
CANADA_PHASE_QUESTION = "projectDetailsPhase"
_SURVEYJS_SCORE_SUFFIX = {"-RS": "risk", "-MS": "mitigation", "-NS": "info"}
_SURVEYJS_TYPES = {
    "radiogroup": "single",
    "dropdown": "single",
    "checkbox": "multi",
    "comment": "text",
    "text": "text",
}
_CANADA_ATTRIBUTION = (
    "Algorithmic Impact Assessment questionnaire © Government of Canada, MIT License, "
    "github.com/canada-ca/aia-eia-js"
)


def convert_surveyjs(
    data: Mapping[str, Any], *, phase: str = "design", version: str = "1.0.1"
) -> dict[str, Any]:
    """Convert the Government of Canada AIA SurveyJS JSON into a GovReg definition dict.

    - One section per page panel; the kind comes from the panel name suffix
      (``-RS`` risk, ``-MS`` mitigation, ``-NS`` or none: info). A question
      whose own name carries a different suffix is refused (it does not occur).
    - radiogroup/dropdown -> single, checkbox -> multi, comment/text -> text;
      html elements become the section description; others are refused.
    - Choice weights come from the value ``item<n>-<weight>`` (the number after
      the last hyphen, as ``parseEmbeddedValue`` does; no number -> 0).
      Choice values are kept unchanged, so Canadian answers load as they are.
    - The project phase question is resolved statically: only the pages and
      questions of ``phase`` are kept, and the phase question itself is dropped.
    - ``visibleIf`` is translated by :func:`_surveyjs_condition`; an expression
      outside the supported forms raises :class:`QuestionnaireError`.
    - English from ``default``, French from ``fr``; no Welsh.
    - Single/multi questions are required (GovReg rule: every visible question
      is answered); text questions only when ``isRequired`` is true.
    """
    if phase not in CANADA_PHASES:
        raise QuestionnaireError(f"phase must be one of {', '.join(CANADA_PHASES)}, got {phase!r}")
    pages = data.get("pages")
    if not isinstance(pages, list):
        raise QuestionnaireError("$.pages: expected a list of SurveyJS pages")
    context = _SurveyContext(phase_value=CANADA_PHASES[phase])
    sections = []
    for page_position, page in enumerate(pages):
        section = _surveyjs_section(page, f"$.pages[{page_position}]", context)
        if section is not None:
            section["order"] = len(sections) + 1
            sections.append(section)
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "slug": f"canada-aia-{phase}",
        "version": version,
        "status": "published",
        "languages": ["en", "fr"],
        "title": {
            "en": f"Government of Canada Algorithmic Impact Assessment ({phase} phase)",
            "fr": "Évaluation de l'incidence algorithmique du gouvernement du Canada "
            f"(phase {'conception' if phase == 'design' else 'mise en œuvre'})",
        },
        "source": {
            "attribution": _CANADA_ATTRIBUTION,
            "name": f"Government of Canada Algorithmic Impact Assessment v{version}",
            "repository": "github.com/canada-ca/aia-eia-js",
            "path": "src/survey-enfr.json",
            "licence": "MIT (Crown Copyright, Government of Canada)",
            "notes": f"Converted from SurveyJS by GovReg for the {phase} phase.",
        },
        "parameters": {
            "mitigation_threshold_ratio": 0.80,
            "deduction_ratio": 0.15,
            "level_thresholds": [0.25, 0.50, 0.75],
        },
        "sections": sections,
    }


@dataclass
class _SurveyContext:
    """State carried through a SurveyJS conversion."""

    phase_value: str
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)


def _surveyjs_text(value: Any, where: str) -> dict[str, str]:
    """SurveyJS localisable text -> {"en", "fr"} (plain text)."""
    if isinstance(value, str):
        value = {"default": value, "fr": value}
    if not isinstance(value, Mapping) or not isinstance(value.get("default"), str):
        raise QuestionnaireError(f"{where}: expected a text or {{default, fr}} object")
    english = _plain_text(value["default"])
    french = _plain_text(value.get("fr") or value["default"])
    return {"en": english, "fr": french}


def _plain_text(markup: str) -> str:
    """Strip the little HTML the Canadian file uses; keep link targets."""
    text = re.sub(r"<br\s*/?>", "\n", markup, flags=re.IGNORECASE)
    text = re.sub(
        r"<a\s[^>]*href=[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", r"\2 (\1)", text, flags=re.IGNORECASE
    )
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    text = re.sub(r"[ \t]+", " ", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def _surveyjs_kind(name: str) -> str | None:
    for suffix, kind in _SURVEYJS_SCORE_SUFFIX.items():
        if name.endswith(suffix):
            return kind
    return None


def _surveyjs_weight(value: str, where: str) -> int:
    """``parseEmbeddedValue``: the number after the last hyphen, else 0."""
    if "-" not in value:
        return 0
    suffix = value.rsplit("-", 1)[1]
    if re.fullmatch(r"\d+", suffix):
        return int(suffix)
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", suffix):
        raise QuestionnaireError(f"{where}: weight {suffix!r} in {value!r} is not a whole number")
    return 0


def _surveyjs_section(
    page: Mapping[str, Any], where: str, context: _SurveyContext
) -> dict[str, Any] | None:
    """One page -> one section (or None for a page without questions / another phase)."""
    name = page.get("name", "?")
    where = f"{where} ({name})"
    visible = True
    if page.get("visibleIf"):
        visible = _surveyjs_condition(page["visibleIf"], f"{where}.visibleIf", context)
    if visible is False:
        return None
    if visible is not True:
        raise QuestionnaireError(
            f"{where}.visibleIf: page conditions other than the project phase are not supported"
        )
    elements = page.get("elements", [])
    panels = [element for element in elements if element.get("type") == "panel"]
    others = [element for element in elements if element.get("type") not in ("panel", "html")]
    if others:
        raise QuestionnaireError(
            f"{where}: questions outside a panel are not supported ({others[0].get('name')})"
        )
    if not panels:
        return None
    if len(panels) > 1:
        raise QuestionnaireError(f"{where}: pages with more than one panel are not supported")
    return _surveyjs_panel(page, panels[0], where, context)


def _surveyjs_panel(
    page: Mapping[str, Any], panel: Mapping[str, Any], where: str, context: _SurveyContext
) -> dict[str, Any] | None:
    kind = _surveyjs_kind(panel.get("name", "")) or "info"
    title_source = panel.get("title") or page.get("title") or page.get("name")
    section: dict[str, Any] = {
        "code": page["name"],
        "kind": kind,
        "order": 0,
        "title": _surveyjs_text(title_source, f"{where}.title"),
    }
    intro = []
    questions = []
    for position, element in enumerate(panel.get("elements", [])):
        element_where = f"{where}.elements[{position}] ({element.get('name')})"
        if element.get("type") == "html":
            intro.append(_surveyjs_text(element.get("html", ""), element_where))
            continue
        question = _surveyjs_question(element, kind, element_where, context)
        if question is not None:
            questions.append(question)
    if not questions:
        return None
    if intro:
        section["description"] = {
            language: "\n".join(text[language] for text in intro) for language in ("en", "fr")
        }
    section["questions"] = questions
    return section


def _surveyjs_question(
    element: Mapping[str, Any], kind: str, where: str, context: _SurveyContext
) -> dict[str, Any] | None:
    element_type = element.get("type")
    name = element.get("name")
    if element_type == "panel":
        raise QuestionnaireError(f"{where}: nested panels are not supported")
    if element_type not in _SURVEYJS_TYPES:
        raise QuestionnaireError(
            f"{where}: SurveyJS element type {element_type!r} is not supported"
        )
    own_kind = _surveyjs_kind(name)
    if own_kind is not None and own_kind != kind:
        raise QuestionnaireError(
            f"{where}: the question's score suffix ({own_kind}) differs from its panel's ({kind}); "
            "mixed sections are not supported"
        )
    if name == CANADA_PHASE_QUESTION:
        return None  # resolved statically by convert_surveyjs(phase=...)
    question_type = _SURVEYJS_TYPES[element_type]
    question: dict[str, Any] = {
        "code": name,
        "type": question_type,
        "text": _surveyjs_text(element.get("title") or name, f"{where}.title"),
    }
    help_source = element.get("help") or element.get("description")
    if help_source:
        question["help"] = _surveyjs_text(help_source, f"{where}.help")
    question["required"] = question_type != "text" or bool(element.get("isRequired"))
    if element.get("visibleIf"):
        condition = _surveyjs_condition(element["visibleIf"], f"{where}.visibleIf", context)
        if condition is False:
            return None  # belongs to the other phase
        if condition is not True:
            question["visible_if"] = condition
    if question_type != "text":
        question["choices"] = [
            _surveyjs_choice(choice, kind, f"{where}.choices[{position}]")
            for position, choice in enumerate(element.get("choices", []))
        ]
    context.questions[name] = question
    return question


def _surveyjs_choice(choice: Any, kind: str, where: str) -> dict[str, Any]:
    if isinstance(choice, (str, int)):
        choice = {"value": str(choice), "text": str(choice)}
    value = str(choice.get("value"))
    weight = _surveyjs_weight(value, where)
    return {
        "value": value,
        "label": _surveyjs_text(choice.get("text") or value, f"{where}.text"),
        # Info sections are never scored, so their weights are recorded as 0.
        "weight": weight if kind != "info" else 0,
    }


# --- SurveyJS visibleIf expressions -----------------------------------------
#
# Supported grammar (the forms that occur in the v1.0.1 file):
#   expr    := term ("or" term)*
#   term    := factor ("and" factor)*
#   factor  := "(" expr ")" | {name} "=" "string" | {name} "contains" ("string" | [ "string", ... ])
# Semantics follow SurveyJS: "contains" on a checkbox answer is exact
# membership; on a single-choice answer it is a substring test, which is
# resolved here against the question's choice values. Anything else raises.

_TOKEN = re.compile(
    r"\s*(?:(?P<var>\{[^{}]+\})|(?P<string>\"[^\"]*\"|'[^']*')|(?P<punct>[()\[\],])"
    r"|(?P<op>=)|(?P<word>[A-Za-z]+))"
)


def _tokenize(expression: str, where: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if not match or match.end() == position:
            raise QuestionnaireError(
                f"{where}: unsupported visibleIf expression {expression!r} "
                f"(cannot read from {expression[position:]!r})"
            )
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "word":
            text = text.lower()
            if text not in ("and", "or", "contains"):
                raise QuestionnaireError(
                    f"{where}: unsupported visibleIf expression {expression!r} "
                    f"(operator or word {match.group(kind)!r})"
                )
        elif kind == "var":
            text = text[1:-1].strip()
        elif kind == "string":
            text = text[1:-1]
        tokens.append((kind if kind != "word" else text, text))
        position = match.end()
        while position < len(expression) and expression[position].isspace():
            position += 1
    return tokens


class _ExpressionParser:
    """Recursive-descent parser producing GovReg condition dicts (or True/False)."""

    def __init__(self, expression: str, where: str, context: _SurveyContext):
        self.expression = expression
        self.where = where
        self.context = context
        self.tokens = _tokenize(expression, where)
        self.position = 0

    def fail(self, reason: str) -> QuestionnaireError:
        return QuestionnaireError(
            f"{self.where}: unsupported visibleIf expression {self.expression!r} ({reason})"
        )

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self, expected: str) -> str:
        if self.peek() != expected:
            raise self.fail(f"expected {expected!r}")
        value = self.tokens[self.position][1]
        self.position += 1
        return value

    def parse(self) -> Any:
        result = self.expr()
        if self.position != len(self.tokens):
            raise self.fail(f"unexpected {self.tokens[self.position][1]!r}")
        return result

    def expr(self) -> Any:
        parts = [self.term()]
        while self.peek() == "or":
            self.take("or")
            parts.append(self.term())
        return _combine("any", parts)

    def term(self) -> Any:
        parts = [self.factor()]
        while self.peek() == "and":
            self.take("and")
            parts.append(self.factor())
        return _combine("all", parts)

    def factor(self) -> Any:
        if self.peek() == "punct" and self.tokens[self.position][1] == "(":
            self.position += 1
            result = self.expr()
            if self.peek() != "punct" or self.tokens[self.position][1] != ")":
                raise self.fail("missing ')'")
            self.position += 1
            return result
        name = self.take("var")
        if self.peek() == "op":
            self.take("op")
            return self.equals(name, self.take("string"))
        if self.peek() == "contains":
            self.take("contains")
            return self.contains(name, self.literals())
        raise self.fail(f"expected '=' or 'contains' after {{{name}}}")

    def literals(self) -> list[str]:
        if self.peek() == "string":
            return [self.take("string")]
        if self.peek() == "punct" and self.tokens[self.position][1] == "[":
            self.position += 1
            values = [self.take("string")]
            while self.peek() == "punct" and self.tokens[self.position][1] == ",":
                self.position += 1
                values.append(self.take("string"))
            if self.peek() != "punct" or self.tokens[self.position][1] != "]":
                raise self.fail("missing ']'")
            self.position += 1
            return values
        raise self.fail("expected a string or a list of strings")

    def target(self, name: str) -> dict[str, Any]:
        question = self.context.questions.get(name)
        if question is None:
            raise self.fail(f"{{{name}}} is not an earlier question")
        if question["type"] == "text":
            raise self.fail(f"{{{name}}} is a text question")
        return question

    def equals(self, name: str, value: str) -> Any:
        if name == CANADA_PHASE_QUESTION:
            return value == self.context.phase_value
        question = self.target(name)
        if question["type"] != "single":
            raise self.fail(f"'=' on the multi-choice question {{{name}}}")
        if value not in {choice["value"] for choice in question["choices"]}:
            raise self.fail(f"{value!r} is not a choice of {{{name}}}")
        return {"question": name, "equals": value}

    def contains(self, name: str, values: list[str]) -> Any:
        question = self.target(name)
        choice_values = [choice["value"] for choice in question["choices"]]
        if question["type"] == "multi":
            for value in values:
                if value not in choice_values:
                    raise self.fail(f"{value!r} is not a choice of {{{name}}}")
            return _combine("all", [{"question": name, "equals": value} for value in values])
        # Single choice: SurveyJS tests whether the answer string contains the text.
        parts = []
        for value in values:
            matches = [choice for choice in choice_values if value in choice]
            if not matches:
                raise self.fail(f"{value!r} matches no choice of {{{name}}}")
            parts.append(
                {"question": name, "equals": matches[0]}
                if len(matches) == 1
                else {"question": name, "in": matches}
            )
        return _combine("all", parts)


def _combine(operator: str, parts: list[Any]) -> Any:
    """Join condition parts with all/any, folding the phase constants True/False."""
    neutral, absorbing = (True, False) if operator == "all" else (False, True)
    if any(part is absorbing for part in parts):
        return absorbing
    parts = [part for part in parts if part is not neutral]
    if operator == "any":
        parts = _merge_same_question(parts)
    if not parts:
        return neutral
    if len(parts) == 1:
        return parts[0]
    return {operator: parts}


def _merge_same_question(parts: list[Any]) -> list[Any]:
    """In an "any", join simple tests of the same question: a = x or a = y -> a in [x, y]."""
    merged: list[Any] = []
    by_question: dict[str, dict[str, Any]] = {}
    for part in parts:
        if isinstance(part, dict) and "question" in part:
            values = [part["equals"]] if "equals" in part else list(part["in"])
            existing = by_question.get(part["question"])
            if existing is not None:
                existing["in"] += [value for value in values if value not in existing["in"]]
                continue
            part = {"question": part["question"], "in": values}
            by_question[part["question"]] = part
        merged.append(part)
    return [
        {"question": part["question"], "equals": part["in"][0]}
        if isinstance(part, dict) and "in" in part and len(part["in"]) == 1
        else part
        for part in merged
    ]


def _surveyjs_condition(expression: str, where: str, context: _SurveyContext) -> Any:
    """Translate a SurveyJS visibleIf into a GovReg condition dict, True or False."""
    return _ExpressionParser(expression, where, context).parse()


# ---------------------------------------------------------------------------
# Answers: visibility and validation
# ---------------------------------------------------------------------------


def _is_answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, list):
        return len(value) > 0
    return True  # a value of the wrong type counts as answered, and is reported


def _effective_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Question]]:
    """Answers of visible questions only, and the visible questions in order.

    ``visible_if`` always refers to an earlier question, so one pass in
    display order is enough. A condition on a hidden question is false.
    """
    effective: dict[str, Any] = {}
    visible: list[Question] = []
    for question in questionnaire.questions:
        if question.visible_if is not None and not question.visible_if.evaluate(effective):
            continue
        visible.append(question)
        value = answers.get(question.code)
        if _is_answered(value):
            effective[question.code] = value
    return effective, visible


def visible_questions(
    questionnaire: Questionnaire, answers: Mapping[str, Any]
) -> tuple[Question, ...]:
    """The questions shown for these answers, in display order."""
    _check_mapping(answers)
    return tuple(_effective_answers(questionnaire, answers)[1])


def clean_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Drop answers to hidden or unknown questions and empty answers (what to store)."""
    _check_mapping(answers)
    return dict(_effective_answers(questionnaire, answers)[0])


def _check_mapping(answers: Any) -> None:
    if not isinstance(answers, Mapping):
        raise AnswerError({"__all__": f"Answers must be an object, not {type(answers).__name__}."})


def _value_error(question: Question, value: Any) -> str | None:
    """Why an answered value is invalid for this question, or None."""
    if question.type == "text":
        return None if isinstance(value, str) else "Expected text."
    if question.type == "single":
        if not isinstance(value, str):
            return "Expected one choice value."
        if question.choice(value) is None:
            return f"{value!r} is not a valid choice."
        return None
    if not isinstance(value, list):
        return "Expected a list of choice values."
    for item in value:
        if not isinstance(item, str) or question.choice(item) is None:
            return f"{item!r} is not a valid choice."
    if len(set(value)) != len(value):
        return "A choice is ticked more than once."
    exclusive = [question.choice(item) for item in value if question.choice(item).exclusive]
    if exclusive and len(value) > 1:
        return f"{exclusive[0].value!r} cannot be combined with other choices."
    return None


def _answer_errors(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, require_complete: bool
) -> dict[str, str]:
    _check_mapping(answers)
    errors: dict[str, str] = {}
    for code in answers:
        if code not in questionnaire:
            errors[str(code)] = "Unknown question code."
    _effective, visible = _effective_answers(questionnaire, answers)
    for question in visible:
        value = answers.get(question.code)
        if not _is_answered(value):
            if require_complete and question.required:
                errors[question.code] = REQUIRED_MESSAGE
            continue
        message = _value_error(question, value)
        if message:
            errors[question.code] = message
    return errors


def validate_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, str]:
    """Check answers for submission; returns {question code: message} (empty if valid).

    - every visible required question is answered (text questions are
      optional unless marked required);
    - single answers are one of the question's choice values, multi answers
      are lists of distinct choice values (an ``exclusive`` choice alone);
    - codes not in the questionnaire are rejected;
    - answers to hidden questions are ignored (they are never scored).
    """
    return _answer_errors(questionnaire, answers, require_complete=True)


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def round_half_up(value: float) -> int:
    """Round .5 up, like JavaScript's ``Math.round`` (Python's ``round`` rounds half to even)."""
    return math.floor(value + 0.5)


def _level(current: int, max_raw: int, thresholds: tuple[float, float, float]) -> str:
    for level, ratio in zip(LEVELS, thresholds, strict=False):
        if current <= max_raw * ratio:
            return level
    return LEVELS[-1]


def score(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> Score:
    """Score answers with the Canadian AIA algorithm (assessments.md §3a.2).

    raw = sum of chosen weights in risk sections; mitigation = the same for
    mitigation sections; current = round_half_up((1 - deduction) * raw) when
    mitigation >= threshold * max_mitigation, else raw; level by
    ``level_thresholds`` * max_raw. Hidden questions contribute nothing.
    Unanswered questions count 0 (a draft can be scored); invalid values or
    unknown codes raise :class:`AnswerError`.
    """
    errors = _answer_errors(questionnaire, answers, require_complete=False)
    if errors:
        raise AnswerError(errors)
    effective, _visible = _effective_answers(questionnaire, answers)
    section_scores = tuple(_section_score(section, effective) for section in questionnaire.sections)
    raw = sum(s.score for s in section_scores if s.kind == "risk")
    mitigation = sum(s.score for s in section_scores if s.kind == "mitigation")
    parameters = questionnaire.parameters
    max_raw = questionnaire.max_raw
    max_mitigation = questionnaire.max_mitigation
    switch = mitigation >= parameters.mitigation_threshold_ratio * max_mitigation
    current = round_half_up((1 - parameters.deduction_ratio) * raw) if switch else raw
    return Score(
        raw=raw,
        mitigation=mitigation,
        max_raw=max_raw,
        max_mitigation=max_mitigation,
        current=current,
        level=_level(current, max_raw, parameters.level_thresholds),
        sections=section_scores,
        mitigation_switch_applied=switch,
    )


def _section_score(section: Section, effective: Mapping[str, Any]) -> SectionScore:
    answered = [question for question in section.questions if question.code in effective]
    points = 0
    if section.kind != "info":
        points = sum(question.weight_of(effective[question.code]) for question in answered)
    return SectionScore(
        code=section.code,
        title=section.title,
        kind=section.kind,
        answered=len(answered),
        score=points,
        maximum=section.maximum,
    )


def findings(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Finding]:
    """Blocking findings (the WPC overlay, §3a.4) whose rule matches the visible answers."""
    _check_mapping(answers)
    effective, _visible = _effective_answers(questionnaire, answers)
    return [
        Finding(code=rule.code, message=rule.message, blocking=True)
        for rule in questionnaire.blocking_rules
        if rule.when.evaluate(effective)
    ]


# ---------------------------------------------------------------------------
# Requirements by level (GovReg default, assessments.md §3a.4)
# ---------------------------------------------------------------------------

_REQUIRED = Text(en="Required", cy="Gofynnol")
_NOT_REQUIRED = Text(en="Not required", cy="Dim angen")
_ROLE_BASED = Text(en="Role-based training", cy="Hyfforddiant yn ôl rôl")
_RECURRING = Text(
    en="Recurring training, covering how to override the system and automation bias",
    cy="Hyfforddiant rheolaidd, gan gynnwys sut i ddiystyru'r system a thuedd awtomeiddio",
)
_HUMAN_LOOP = Text(
    en="A human in the loop for significant decisions about individuals (WPC); other "
    "decisions may be automated, with quality assurance",
    cy="Person yn rhan o bob penderfyniad arwyddocaol am unigolion (Cyngor Partneriaeth y "
    "Gweithlu); gellir awtomeiddio penderfyniadau eraill, gyda sicrwydd ansawdd",
)
_HUMAN_FINAL = Text(
    en="The final decision is always made by a human",
    cy="Person sy'n gwneud y penderfyniad terfynol bob amser",
)
_ONE_REVIEWER = Text(
    en="One independent reviewer; a summary of the review is published",
    cy="Un adolygydd annibynnol; cyhoeddir crynodeb o'r adolygiad",
)

_REQUIREMENT_TITLES = {
    "notice": Text(
        en="Notice to affected workers and register entry (ATRS Tier 1)",
        cy="Hysbysiad i'r gweithwyr yr effeithir arnynt a chofnod yn y gofrestr (ATRS Haen 1)",
    ),
    "explanation": Text(
        en="Personal explanation of a significant decision",
        cy="Esboniad personol o benderfyniad arwyddocaol",
    ),
    "independent_review": Text(
        en="Independent review (an expert outside the project, e.g. another body, a "
        "university or a union-nominated expert)",
        cy="Adolygiad annibynnol (arbenigwr y tu allan i'r prosiect, e.e. corff arall, "
        "prifysgol neu arbenigwr a enwebwyd gan undeb)",
    ),
    "eqia_review": Text(
        en="Equality Impact Assessment reviewed by the equality lead",
        cy="Asesiad Effaith ar Gydraddoldeb wedi'i adolygu gan yr arweinydd cydraddoldeb",
    ),
    "training": Text(en="Training", cy="Hyfforddiant"),
    "human_involvement": Text(en="Human involvement", cy="Cyfranogiad dynol"),
    "approval": Text(en="Approval", cy="Cymeradwyaeth"),
    "review_interval": Text(en="Review interval", cy="Cyfnod adolygu"),
}

_REQUIREMENT_TEXTS: dict[str, dict[str, Text]] = {
    "notice": {
        "I": _REQUIRED,
        "II": _REQUIRED,
        "III": Text(
            en="Required; the notice links to the explanation",
            cy="Gofynnol; mae'r hysbysiad yn cysylltu â'r esboniad",
        ),
        # The §3a.4 table shows a tick for IV; like Canada's "same as III" (§3a.3),
        # the link to the explanation is kept at the higher level.
        "IV": Text(
            en="Required; the notice links to the explanation",
            cy="Gofynnol; mae'r hysbysiad yn cysylltu â'r esboniad",
        ),
    },
    "explanation": {
        "I": Text(en="On request (rights log)", cy="Ar gais (log hawliau)"),
        "II": Text(en="With every adverse decision", cy="Gyda phob penderfyniad anffafriol"),
        "III": Text(en="With every adverse decision", cy="Gyda phob penderfyniad anffafriol"),
        "IV": Text(en="Before the decision takes effect", cy="Cyn i'r penderfyniad ddod i rym"),
    },
    "independent_review": {
        "I": _NOT_REQUIRED,
        "II": _ONE_REVIEWER,
        "III": _ONE_REVIEWER,
        "IV": Text(
            en="Two independent reviewers; a summary of the review is published",
            cy="Dau adolygydd annibynnol; cyhoeddir crynodeb o'r adolygiad",
        ),
    },
    "eqia_review": {"I": _NOT_REQUIRED, "II": _REQUIRED, "III": _REQUIRED, "IV": _REQUIRED},
    "training": {"I": _ROLE_BASED, "II": _ROLE_BASED, "III": _RECURRING, "IV": _RECURRING},
    "human_involvement": {
        "I": _HUMAN_LOOP,
        "II": _HUMAN_LOOP,
        "III": _HUMAN_FINAL,
        "IV": _HUMAN_FINAL,
    },
    "approval": {
        "I": Text(en="Accountable senior manager", cy="Uwch-reolwr atebol"),
        "II": Text(en="Accountable senior manager", cy="Uwch-reolwr atebol"),
        "III": Text(
            en="Accountable senior manager and an executive director or chief officer",
            cy="Uwch-reolwr atebol a chyfarwyddwr gweithredol neu brif swyddog",
        ),
        "IV": Text(
            en="Accountable senior manager, an executive director or chief officer, and "
            "the board or cabinet",
            cy="Uwch-reolwr atebol, cyfarwyddwr gweithredol neu brif swyddog, a'r bwrdd neu'r "
            "cabinet",
        ),
    },
    "review_interval": {
        "I": Text(en="24 months", cy="24 mis"),
        "II": Text(en="12 months", cy="12 mis"),
        "III": Text(en="6 months", cy="6 mis"),
        "IV": Text(
            en="6 months, plus a quarterly monitoring report",
            cy="6 mis, ac adroddiad monitro chwarterol",
        ),
    },
}

_REVIEW_INTERVAL_MONTHS = {"I": 24, "II": 12, "III": 6, "IV": 6}


def requirements_for_level(level: str) -> LevelRequirements:
    """GovReg's default requirements for impact level "I".."IV" (EN and CY text)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    return LevelRequirements(
        level=level,
        review_interval_months=_REVIEW_INTERVAL_MONTHS[level],
        quarterly_monitoring_report=level == "IV",
        requirements=tuple(
            Requirement(code=code, title=title, text=_REQUIREMENT_TEXTS[code][level])
            for code, title in _REQUIREMENT_TITLES.items()
        ),
    )

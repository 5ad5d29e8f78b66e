"""Tests for the AIA questionnaire engine (pure Python: no database, no Django settings).

Answer sets are built from the loaded questionnaires by :func:`build_answers`,
which picks real choices to hit a target raw and mitigation score, so the
tests do not depend on hard-coded totals.
"""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assessments import questionnaire as aia
from assessments.questionnaire import (
    REQUIRED_MESSAGE,
    AnswerError,
    Question,
    Questionnaire,
    QuestionnaireError,
    clean_answers,
    convert_surveyjs,
    findings,
    load_builtin,
    load_definition,
    requirements_for_level,
    round_half_up,
    score,
    validate_answers,
    visible_questions,
)

DATA_DIR = aia.DATA_DIR
WORKPLACE_FILE = DATA_DIR / aia.DEFAULT_FILE
CANADA_FILE = DATA_DIR / aia.CANADA_FILE


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def workplace() -> Questionnaire:
    return aia.default_questionnaire()


def canada(phase: str = "design") -> Questionnaire:
    return load_builtin(aia.CANADA_FILE, phase=phase)


def workplace_data() -> dict[str, Any]:
    return json.loads(WORKPLACE_FILE.read_text(encoding="utf-8"))


def canada_data() -> dict[str, Any]:
    return json.loads(CANADA_FILE.read_text(encoding="utf-8"))


def _options(question: Question) -> list[tuple[int, Any]]:
    """(weight, answer) candidates for a question, highest weight first."""
    if question.type == "text":
        return [(0, "Test answer")]
    if question.type == "single":
        options = [(choice.weight, choice.value) for choice in question.choices]
    else:
        reachable: dict[int, list[str]] = {0: []}
        for choice in question.choices:
            if choice.exclusive:
                continue
            for total, ticked in list(reachable.items()):
                reachable.setdefault(total + choice.weight, [*ticked, choice.value])
        if not reachable[0]:  # ticking nothing is not an answer: need a 0-weight choice
            zero = [c.value for c in question.choices if c.weight == 0 and not c.exclusive]
            if zero:
                reachable[0] = [zero[0]]
            else:
                del reachable[0]
        options = list(reachable.items())
        options += [
            (choice.weight, [choice.value]) for choice in question.choices if choice.exclusive
        ]
    return sorted(options, key=lambda option: -option[0])


def build_answers(questionnaire: Questionnaire, raw: int, mitigation: int) -> dict[str, Any]:
    """A complete, valid answer set whose risk answers add up to ``raw`` and
    mitigation answers to ``mitigation``. Backtracking over real choices,
    respecting visible_if (a question only gets an answer when it is shown)."""
    questions = list(questionnaire.questions)
    kinds = [questionnaire.section_of(question.code).kind for question in questions]
    options = [_options(question) for question in questions]
    # Bounds on what questions i.. can still add, per kind (hidden ones add 0).
    upper = {"risk": [0] * (len(questions) + 1), "mitigation": [0] * (len(questions) + 1)}
    lower = {"risk": [0] * (len(questions) + 1), "mitigation": [0] * (len(questions) + 1)}
    for i in range(len(questions) - 1, -1, -1):
        for kind in upper:
            upper[kind][i] = upper[kind][i + 1]
            lower[kind][i] = lower[kind][i + 1]
        if kinds[i] in upper:
            upper[kinds[i]][i] += max(weight for weight, _ in options[i])
            if questions[i].visible_if is None:
                lower[kinds[i]][i] += min(weight for weight, _ in options[i])

    answers: dict[str, Any] = {}

    def solve(i: int, remaining: dict[str, int]) -> bool:
        for kind in remaining:
            if not lower[kind][i] <= remaining[kind] <= upper[kind][i]:
                return False
        if i == len(questions):
            return True
        question = questions[i]
        if question.visible_if is not None and not question.visible_if.evaluate(answers):
            return solve(i + 1, remaining)
        for weight, answer in options[i]:
            left = dict(remaining)
            if kinds[i] in left:
                left[kinds[i]] -= weight
            answers[question.code] = answer
            if solve(i + 1, left):
                return True
            del answers[question.code]
        return False

    if not solve(0, {"risk": raw, "mitigation": mitigation}):
        raise AssertionError(f"cannot build answers for raw={raw}, mitigation={mitigation}")
    return answers


def minimum_total(questionnaire: Questionnaire, kind: str) -> int:
    """The lowest total the unconditional questions of a kind allow."""
    return sum(
        min(weight for weight, _ in _options(question))
        for section in questionnaire.sections
        if section.kind == kind
        for question in section.questions
        if question.visible_if is None
    )


def mutate(data: dict[str, Any], change) -> dict[str, Any]:
    """A deep copy of ``data`` with ``change`` applied to it."""
    copied = copy.deepcopy(data)
    change(copied)
    return copied


def question_data(data: dict[str, Any], code: str) -> dict[str, Any]:
    for section in data["sections"]:
        for question in section["questions"]:
            if question["code"] == code:
                return question
    raise KeyError(code)


def load_error(data: Any) -> str:
    with pytest.raises(QuestionnaireError) as caught:
        load_definition(data)
    return str(caught.value)


# ---------------------------------------------------------------------------
# Workplace questionnaire: structure, maxima, Welsh
# ---------------------------------------------------------------------------


def test_workplace_maxima_match_the_proposal():
    q = workplace()
    assert (q.max_raw, q.max_mitigation) == (131, 58)
    maxima = {section.code: section.maximum for section in q.sections}
    assert maxima == {
        "R1": 1, "R2": 14, "R3": 11, "R4": 13, "R5": 8, "R6": 47, "R7": 37,
        "M1": 11, "M2": 9, "M3": 29, "M4": 9,
    }  # fmt: skip
    counts = {section.code: len(section.questions) for section in q.sections}
    assert counts == {
        "R1": 1, "R2": 5, "R3": 6, "R4": 7, "R5": 1, "R6": 13, "R7": 11,
        "M1": 4, "M2": 5, "M3": 14, "M4": 6,
    }  # fmt: skip


def test_workplace_is_the_default_and_is_bilingual():
    q = workplace()
    assert q.slug == "govreg-workplace-aia"
    assert q.languages == ("en", "cy")
    texts = [q.title] + [section.title for section in q.sections]
    for question in q.questions:
        texts.append(question.text)
        texts.extend(choice.label for choice in question.choices)
    texts.extend(rule.message for rule in q.blocking_rules)
    for text in texts:
        assert text.cy and text.cy.strip(), text.en
    # Translated, not copied: every question text differs from its English.
    assert all(question.text.cy != question.text.en for question in q.questions)
    assert q.question("R3.5").text.get("cy").startswith("A all rheolwyr")
    assert q.question("R1.1").choice("yes").label.get("cy") == "Do"


def test_workplace_review_corrections_are_in_place():
    q = workplace()
    for code in ("R5.1", "R7.3", "R7.11", "M3.13"):
        none = q.question(code).choice("none")
        assert none is not None and none.exclusive and none.weight == 0, code
    assert q.question("M2.3").choice("na") is None
    assert "procurement stage" not in q.question("M1.1").text.en
    assert "political opinions" in q.question("R7.2").text.en


def test_shipped_definitions_validate_against_the_json_schema():
    schema = json.loads(aia.SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(workplace_data(), schema)
    jsonschema.validate(convert_surveyjs(canada_data(), phase="design"), schema)
    jsonschema.validate(convert_surveyjs(canada_data(), phase="implementation"), schema)


def test_canadian_copy_is_unchanged():
    digest = hashlib.sha256(CANADA_FILE.read_bytes()).hexdigest()
    assert digest == "2438b9020a1d8f8c536dcf40ea95842479c447deb59dae919e48ea30567142a8"
    assert (DATA_DIR / "LICENSE-canada-aia-eia-js.txt").is_file()
    assert digest in (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# Workplace scoring around each threshold
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        (None, "I"),
        (32, "I"),
        (33, "II"),
        (65, "II"),
        (66, "III"),
        (98, "III"),
        (99, "IV"),
        (131, "IV"),
    ],
)
def test_workplace_levels_at_thresholds(raw, level):
    q = workplace()
    if raw is None:  # the lowest score the questionnaire allows
        raw = minimum_total(q, "risk")
    answers = build_answers(q, raw=raw, mitigation=0)
    assert validate_answers(q, answers) == {}
    result = score(q, answers)
    assert (result.raw, result.mitigation, result.current, result.level) == (raw, 0, raw, level)
    assert not result.mitigation_switch_applied


@pytest.mark.parametrize(
    ("mitigation", "switch", "current", "level"),
    [(46, False, 70, "III"), (47, True, 60, "II"), (50, True, 60, "II"), (58, True, 60, "II")],
)
def test_workplace_mitigation_switch(mitigation, switch, current, level):
    q = workplace()
    result = score(q, build_answers(q, raw=70, mitigation=mitigation))
    assert result.raw == 70
    assert result.mitigation == mitigation
    assert result.mitigation_switch_applied is switch
    assert (result.current, result.level) == (current, level)


def test_workplace_worked_example():
    """assessments.md §3a.4: raw 70 (III) with mitigation 50 -> round(59.5) = 60 -> II."""
    q = workplace()
    result = score(q, build_answers(q, raw=70, mitigation=50))
    assert (result.raw, result.mitigation, result.current, result.level) == (70, 50, 60, "II")
    assert (result.max_raw, result.max_mitigation) == (131, 58)


@pytest.mark.parametrize(
    ("raw", "current", "level"), [(38, 32, "I"), (39, 33, "II"), (116, 99, "IV")]
)
def test_workplace_levels_after_deduction(raw, current, level):
    q = workplace()
    result = score(q, build_answers(q, raw=raw, mitigation=58))
    assert (result.current, result.level) == (current, level)


def test_switch_moves_at_most_one_level_down():
    q = workplace()
    low = minimum_total(q, "risk")
    for raw in range(low, q.max_raw + 1, 3):
        without = score(q, build_answers(q, raw=raw, mitigation=0)).level
        with_switch = score(q, build_answers(q, raw=raw, mitigation=q.max_mitigation)).level
        drop = aia.LEVELS.index(without) - aia.LEVELS.index(with_switch)
        assert drop in (0, 1), raw


def test_section_breakdown():
    q = workplace()
    answers = build_answers(q, raw=70, mitigation=50)
    result = score(q, answers)
    assert [s.code for s in result.sections] == [s.code for s in q.sections]
    assert sum(s.score for s in result.sections if s.kind == "risk") == 70
    assert sum(s.score for s in result.sections if s.kind == "mitigation") == 50
    assert sum(s.maximum for s in result.sections if s.kind == "risk") == 131
    for section_score in result.sections:
        section = next(s for s in q.sections if s.code == section_score.code)
        shown = [x for x in visible_questions(q, answers) if x in section.questions]
        assert section_score.answered == len(shown)
        assert section_score.title == section.title
        assert 0 <= section_score.score <= section_score.maximum


def test_partial_answers_can_be_scored():
    q = workplace()
    result = score(q, {"R6.1": "full", "R5.1": ["pay", "absence"]})
    assert (result.raw, result.mitigation, result.level) == (6, 0, "I")
    assert validate_answers(q, {"R6.1": "full"})["R1.1"] == REQUIRED_MESSAGE


# ---------------------------------------------------------------------------
# Round half up
# ---------------------------------------------------------------------------


def test_round_half_up():
    assert round_half_up(76.5) == 77
    assert round(76.5) == 76  # Python rounds half to even: why round_half_up exists
    assert round_half_up(59.5) == 60
    assert round_half_up(2.5) == 3
    assert round_half_up(0.5) == 1
    assert round_half_up(2.4999) == 2
    assert round_half_up(0.0) == 0


def test_half_point_goes_up_in_a_score():
    """raw 90 with the switch: 0.85 * 90 = 76.5 -> 77 (not 76)."""
    q = canada()
    result = score(q, build_answers(q, raw=90, mitigation=q.max_mitigation))
    assert result.current == 77


# ---------------------------------------------------------------------------
# Canadian questionnaire (SurveyJS import) as oracle
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["design", "implementation"])
def test_canada_maxima(phase):
    q = canada(phase)
    assert (q.max_raw, q.max_mitigation) == (167, 77)
    risk = {s.code: s.maximum for s in q.sections if s.kind == "risk"}
    assert risk == {
        "businessDrivers": 5, "riskProfile": 15, "projectAuthority": 2, "aboutSystem": 17,
        "aboutAlgorithm": 15, "decisionSector": 8, "impact": 52, "aboutData": 53,
    }  # fmt: skip
    mitigation = [s.maximum for s in q.sections if s.kind == "mitigation"]
    assert mitigation == [10, 14, 44, 9]
    suffix = "Design" if phase == "design" else "Implementation"
    assert all(s.code.endswith(suffix) for s in q.sections if s.kind == "mitigation")


def test_canada_only_one_phase_is_loaded():
    design, implementation = canada("design"), canada("implementation")
    assert "riskProfile9" in design and "riskProfile10" not in design
    assert "riskProfile10" in implementation and "riskProfile9" not in implementation
    assert "fairnessDesign2" in design and "fairnessImplementation2" not in design
    assert "projectDetailsPhase" not in design  # resolved at import
    scored = [
        (s.kind, x.maximum)
        for s in design.sections
        for x in s.questions
        if x.type != "text" and s.kind != "info"
    ]
    # 70 -RS questions in the file, one of the two phase-specific ones is dropped.
    assert sum(1 for kind, _ in scored if kind == "risk") == 69
    assert sum(1 for kind, m in scored if kind == "risk" and m > 0) == 62
    assert sum(1 for kind, _ in scored if kind == "mitigation") == 45
    assert sum(1 for kind, m in scored if kind == "mitigation" and m > 0) == 42


def test_canada_text_and_weights():
    q = canada()
    question = q.question("impact30")
    assert question.type == "single"
    assert [(c.value, c.weight) for c in question.choices] == [("item1-4", 4), ("item2-2", 2)]
    assert question.text.fr and question.text.cy is None
    assert q.question("decisionSector1").type == "multi"
    assert q.question("businessDrivers3").type == "text"
    assert "<" not in q.question("aboutAlgorithm2").help.en  # HTML stripped
    assert q.question("projectDetailsDepartment-NS").choices[0].weight == 0
    assert "Government of Canada" in q.source.attribution


def test_canada_visible_if_translation():
    q = canada()
    # "{riskProfile4} = "item2-0" or {riskProfile4} = "item3-4"" -> one "in" test
    condition = q.question("riskProfile4B").visible_if
    assert condition == aia.AnswerIn("riskProfile4", ("item2-0", "item3-4"))
    # "{aboutSystem3} contains ["item2"]" on a radio group: SurveyJS substring semantics
    assert q.question("aboutSystem3A").visible_if == aia.AnswerIn("aboutSystem3", ("item2-0",))
    # "contains" on a checkbox: exact membership
    assert q.question("decisionSector2").visible_if == aia.AnswerIn("decisionSector1", ("item6-1",))
    nested = q.question("aboutSystem5C").visible_if
    assert isinstance(nested, aia.AllOf)
    assert not nested.evaluate({"aboutSystem5": "item2-1", "aboutSystem5B": "item1-0"})
    assert nested.evaluate({"aboutSystem5": "item3-2", "aboutSystem5B": "item1-0"})


@pytest.mark.parametrize(
    ("raw", "level"),
    [(41, "I"), (42, "II"), (83, "II"), (84, "III"), (125, "III"), (126, "IV")],
)
def test_canada_levels_at_thresholds(raw, level):
    q = canada()
    result = score(q, build_answers(q, raw=raw, mitigation=minimum_total(q, "mitigation")))
    assert not result.mitigation_switch_applied
    assert (result.raw, result.current, result.level) == (raw, raw, level)


@pytest.mark.parametrize(("mitigation", "switch"), [(61, False), (62, True)])
def test_canada_mitigation_switch(mitigation, switch):
    q = canada()
    result = score(q, build_answers(q, raw=90, mitigation=mitigation))
    assert result.mitigation_switch_applied is switch
    assert result.level == ("II" if switch else "III")


def test_canada_worked_example():
    """assessments.md §3a.2: raw 90 (III), mitigation 65 >= 61.6 -> round(76.5) = 77 -> II."""
    q = canada()
    answers = build_answers(q, raw=90, mitigation=65)
    assert validate_answers(q, answers) == {}
    result = score(q, answers)
    assert (result.raw, result.mitigation, result.current, result.level) == (90, 65, 77, "II")


def test_canada_hidden_conditional_question_is_not_scored():
    q = canada()
    answers = build_answers(q, raw=50, mitigation=minimum_total(q, "mitigation"))
    answers["aboutAlgorithm8"] = "item2-0"  # "No": aboutAlgorithm8A (weight up to 1) is hidden
    answers["aboutAlgorithm8A"] = "item2-1"
    before = score(q, {k: v for k, v in answers.items() if k != "aboutAlgorithm8A"}).raw
    assert score(q, answers).raw == before


def test_surveyjs_phase_argument():
    with pytest.raises(QuestionnaireError, match="phase must be one of"):
        load_definition(canada_data(), phase="testing")
    with pytest.raises(QuestionnaireError, match="phase applies only"):
        load_definition(workplace_data(), phase="design")


@pytest.mark.parametrize(
    "expression",
    [
        "{impact22} notempty",
        '{impact22} != "item1-2"',
        '{impact22} = "item9-9"',
        '{unknownQuestion} = "item1-0"',
        '{impact22} = "item1-2" and',
        '{businessDrivers3} = "x"',
    ],
)
def test_surveyjs_unsupported_expressions_are_refused(expression):
    def change(data):
        for page in data["pages"]:
            for panel in page["elements"]:
                for element in panel.get("elements", []):
                    if element.get("name") == "impact22A":
                        element["visibleIf"] = expression

    with pytest.raises(QuestionnaireError) as caught:
        load_definition(mutate(canada_data(), change))
    assert "impact22A" in str(caught.value)
    assert "visibleIf" in str(caught.value)


# ---------------------------------------------------------------------------
# Hidden questions and answer validation
# ---------------------------------------------------------------------------


def test_hidden_question_answers_are_ignored():
    q = workplace()
    answers = build_answers(q, raw=40, mitigation=20)
    answers["R4.4"] = "no"
    answers.pop("R4.4a", None)
    baseline = score(q, answers)
    answers["R4.4a"] = "no"  # weight 1, but hidden because R4.4 is "no"
    result = score(q, answers)
    assert result.raw == baseline.raw
    assert validate_answers(q, answers) == {}
    assert "R4.4a" not in clean_answers(q, answers)
    assert q.question("R4.4a") not in visible_questions(q, answers)
    r4 = next(s for s in result.sections if s.code == "R4")
    assert r4.answered == 6
    # Shown again, it counts.
    answers["R4.4"] = "yes"
    assert score(q, answers).raw == baseline.raw + 3 + 1


def test_hidden_questions_cascade():
    definition = minimal_definition()
    definition["sections"][0]["questions"] += [
        yes_no("B", {"question": "A", "equals": "yes"}, weight=2),
        yes_no("C", {"question": "B", "equals": "yes"}, weight=4),
    ]
    q = load_definition(definition)
    assert score(q, {"A": "yes", "B": "yes", "C": "yes"}).raw == 7
    # A = no hides B, and B's hidden "yes" cannot show C.
    assert score(q, {"A": "no", "B": "yes", "C": "yes"}).raw == 0
    assert [x.code for x in visible_questions(q, {"A": "no", "B": "yes"})] == ["A", "M"]


def test_validate_answers_messages():
    q = workplace()
    answers = build_answers(q, raw=60, mitigation=30)
    answers.pop("R1.1")
    answers["R2.1"] = "maybe"
    answers["R5.1"] = "pay"
    answers["R7.11"] = ["audio_text", "audio_text"]
    answers["M3.13"] = ["none", "exit_plan"]
    answers["R6.1"] = 4
    answers["Z9"] = "yes"
    errors = validate_answers(q, answers)
    assert errors["R1.1"] == REQUIRED_MESSAGE
    assert errors["R2.1"] == "'maybe' is not a valid choice."
    assert errors["R5.1"] == "Expected a list of choice values."
    assert errors["R7.11"] == "A choice is ticked more than once."
    assert errors["M3.13"] == "'none' cannot be combined with other choices."
    assert errors["R6.1"] == "Expected one choice value."
    assert errors["Z9"] == "Unknown question code."
    with pytest.raises(AnswerError) as caught:
        score(q, answers)
    assert "R1.1" not in caught.value.errors  # missing answers are allowed in a draft score
    assert set(caught.value.errors) >= {"R2.1", "R5.1", "R6.1", "Z9"}


def test_empty_answers_count_as_unanswered():
    q = workplace()
    errors = validate_answers(q, {"R1.1": None, "R5.1": [], "R2.1": ""})
    assert errors["R1.1"] == errors["R5.1"] == errors["R2.1"] == REQUIRED_MESSAGE


def test_text_questions_are_optional_unless_required():
    definition = minimal_definition()
    definition["sections"][0]["questions"].append(
        {"code": "T1", "type": "text", "text": {"en": "Describe"}}
    )
    definition["sections"][0]["questions"].append(
        {"code": "T2", "type": "text", "text": {"en": "Explain"}, "required": True}
    )
    q = load_definition(definition)
    errors = validate_answers(q, {"A": "no", "M": "no"})
    assert "T1" not in errors and errors["T2"] == REQUIRED_MESSAGE
    assert validate_answers(q, {"A": "no", "M": "no", "T2": 5})["T2"] == "Expected text."


def test_answers_must_be_a_mapping():
    with pytest.raises(AnswerError):
        validate_answers(workplace(), ["R1.1"])


# ---------------------------------------------------------------------------
# Blocking findings (WPC overlay)
# ---------------------------------------------------------------------------


def finding_codes(answers: dict[str, Any]) -> list[str]:
    return [finding.code for finding in findings(workplace(), answers)]


@pytest.mark.parametrize(
    "category", ["recruitment", "performance", "pay", "discipline", "progression"]
)
def test_full_automation_of_significant_decision_blocks(category):
    answers = {"R6.1": "full", "R5.1": ["absence", category], "R3.5": "yes"}
    assert finding_codes(answers) == ["WPC-FULL-AUTOMATION-SIGNIFICANT-DECISION"]


@pytest.mark.parametrize(
    "answers",
    [
        {"R6.1": "full", "R5.1": ["monitoring", "allocation", "absence"], "R3.5": "yes"},
        {"R6.1": "partial", "R5.1": ["recruitment", "pay"], "R3.5": "yes"},
        {"R6.1": "full", "R5.1": ["none"], "R3.5": "yes"},
        {},
    ],
)
def test_no_blocking_finding(answers):
    assert finding_codes(answers) == []


def test_no_override_blocks():
    result = findings(workplace(), {"R3.5": "no", "R6.1": "partial"})
    assert [f.code for f in result] == ["WPC-NO-OVERRIDE"]
    assert result[0].blocking
    assert result[0].message.en and result[0].message.cy
    both = finding_codes({"R3.5": "no", "R6.1": "full", "R5.1": ["pay"]})
    assert set(both) == {"WPC-NO-OVERRIDE", "WPC-FULL-AUTOMATION-SIGNIFICANT-DECISION"}


def test_blocking_rules_are_data():
    q = workplace()
    rule = next(r for r in q.blocking_rules if r.code == "WPC-FULL-AUTOMATION-SIGNIFICANT-DECISION")
    referenced = set(rule.when.question_codes())
    assert referenced == {"R6.1", "R5.1"}


# ---------------------------------------------------------------------------
# Requirements by level
# ---------------------------------------------------------------------------


def test_requirements_for_level():
    intervals = {
        level: requirements_for_level(level).review_interval_months for level in aia.LEVELS
    }
    assert intervals == {"I": 24, "II": 12, "III": 6, "IV": 6}
    assert requirements_for_level("IV").quarterly_monitoring_report
    assert not requirements_for_level("III").quarterly_monitoring_report
    codes = [r.code for r in requirements_for_level("I").requirements]
    for level in aia.LEVELS:
        rows = requirements_for_level(level).requirements
        assert [r.code for r in rows] == codes
        for row in rows:
            assert row.title.en and row.title.cy and row.text.en and row.text.cy
    by_code = {r.code: r.text for r in requirements_for_level("III").requirements}
    assert by_code["human_involvement"].en == "The final decision is always made by a human"
    assert by_code["independent_review"].en.startswith("One independent reviewer")
    assert {r.code: r.text.en for r in requirements_for_level("I").requirements}[
        "independent_review"
    ] == "Not required"
    with pytest.raises(ValueError):
        requirements_for_level("V")


# ---------------------------------------------------------------------------
# Bad definitions
# ---------------------------------------------------------------------------


def yes_no(code: str, visible_if: dict | None = None, weight: int = 1) -> dict[str, Any]:
    question: dict[str, Any] = {
        "code": code,
        "type": "single",
        "text": {"en": f"Question {code}?"},
        "choices": [
            {"value": "yes", "label": {"en": "Yes"}, "weight": weight},
            {"value": "no", "label": {"en": "No"}, "weight": 0},
        ],
    }
    if visible_if:
        question["visible_if"] = visible_if
    return question


def minimal_definition() -> dict[str, Any]:
    return {
        "format": "govreg-aia-questionnaire",
        "format_version": 1,
        "slug": "test-aia",
        "version": "1",
        "status": "draft",
        "languages": ["en"],
        "title": {"en": "Test"},
        "source": {"attribution": "Tests"},
        "parameters": {
            "mitigation_threshold_ratio": 0.8,
            "deduction_ratio": 0.15,
            "level_thresholds": [0.25, 0.5, 0.75],
        },
        "sections": [
            {
                "code": "R",
                "kind": "risk",
                "order": 1,
                "title": {"en": "Risk"},
                "questions": [yes_no("A")],
            },
            {
                "code": "MIT",
                "kind": "mitigation",
                "order": 2,
                "title": {"en": "Mitigation"},
                "questions": [yes_no("M")],
            },
        ],
    }


def test_minimal_definition_loads():
    q = load_definition(minimal_definition())
    assert (q.max_raw, q.max_mitigation) == (1, 1)


def test_duplicate_question_code():
    data = mutate(workplace_data(), lambda d: question_data(d, "R2.2").update(code="R2.1"))
    message = load_error(data)
    assert "duplicate question code 'R2.1'" in message
    assert "$.sections[1].questions[1]" in message


def test_duplicate_section_code_and_choice_value():
    def change(d):
        d["sections"][1]["code"] = "R1"
        question_data(d, "R3.1")["choices"][1]["value"] = "in_house"

    message = load_error(mutate(workplace_data(), change))
    assert "duplicate section code 'R1'" in message
    assert "(R3.1).choices[1]: duplicate choice value 'in_house'" in message


@pytest.mark.parametrize(
    ("weight", "expected"),
    [
        (-1, "-1 is less than the minimum of 0"),
        ("2", "'2' is not of type 'integer'"),
        (1.5, "1.5 is not of type 'integer'"),
        (2.0, "weight must be a whole number"),
        (True, "True is not of type 'integer'"),
    ],
)
def test_bad_weight(weight, expected):
    data = mutate(
        workplace_data(), lambda d: question_data(d, "R2.3")["choices"][2].update(weight=weight)
    )
    message = load_error(data)
    assert expected in message
    assert "R2.3" in message and "choices[2].weight" in message


def test_dangling_visible_if():
    data = mutate(
        workplace_data(),
        lambda d: question_data(d, "R4.4a").update(
            visible_if={"question": "R4.9", "equals": "yes"}
        ),
    )
    assert "(R4.4a).visible_if: refers to unknown question 'R4.9'" in load_error(data)


def test_visible_if_on_a_later_question():
    data = mutate(
        workplace_data(),
        lambda d: question_data(d, "R4.4a").update(
            visible_if={"question": "R4.5", "equals": "yes"}
        ),
    )
    assert "refers to 'R4.5', which is not an earlier question" in load_error(data)


def test_visible_if_value_not_a_choice():
    data = mutate(
        workplace_data(),
        lambda d: question_data(d, "R4.4a").update(
            visible_if={"question": "R4.4", "equals": "maybe"}
        ),
    )
    assert "(R4.4a).visible_if: 'maybe' is not a choice of question 'R4.4'" in load_error(data)


def test_visible_if_malformed():
    data = mutate(
        workplace_data(), lambda d: question_data(d, "R4.4a").update(visible_if="R4.4 == yes")
    )
    message = load_error(data)
    assert "(R4 / R4.4a)" in message and "visible_if" in message


def test_missing_sections():
    data = mutate(workplace_data(), lambda d: d.pop("sections"))
    assert "$: 'sections' is a required property" in load_error(data)
    data = mutate(workplace_data(), lambda d: d.update(sections=[]))
    assert "$.sections" in load_error(data)


def test_no_risk_section():
    def change(d):
        for section in d["sections"]:
            if section["kind"] == "risk":
                section["kind"] = "mitigation"

    assert "at least one section must have kind 'risk'" in load_error(
        mutate(workplace_data(), change)
    )


def test_no_mitigation_section():
    data = minimal_definition()
    data["sections"] = data["sections"][:1]
    assert "at least one section must have kind 'mitigation'" in load_error(data)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: question_data(d, "R1.1").update(required="yes"),
            "'yes' is not of type 'boolean'",
        ),
        (lambda d: question_data(d, "R1.1").update(type="radio"), "'radio' is not one of"),
        (lambda d: d["sections"][0].update(order="1"), "'1' is not of type 'integer'"),
        (lambda d: d.update(title="Title"), "$.title: 'Title' is not of type 'object'"),
        (lambda d: question_data(d, "R1.1").pop("choices"), "'choices' is a required property"),
        (lambda d: d["parameters"].update(level_thresholds=[0.25, 0.5]), "level_thresholds"),
        (lambda d: question_data(d, "R1.1").update(colour="red"), "Additional properties"),
    ],
)
def test_wrong_json_types(change, expected):
    message = load_error(mutate(workplace_data(), change))
    assert expected in message


def test_not_an_object_and_unknown_format():
    assert "must be a JSON object" in load_error(["not", "a", "definition"])
    assert "unrecognised questionnaire format" in load_error({"questions": []})
    assert "govreg-aia-questionnaire" in load_error(
        mutate(workplace_data(), lambda d: d.update(format="x"))
    )


def test_missing_welsh_translation():
    data = mutate(workplace_data(), lambda d: question_data(d, "R6.2")["text"].pop("cy"))
    assert "$.sections[5].questions[1].text (R6 / R6.2): missing translation(s) cy" in load_error(
        data
    )


def test_expected_maxima_mismatch():
    data = mutate(
        workplace_data(), lambda d: question_data(d, "R1.1")["choices"][1].update(weight=2)
    )
    assert "$.expected_maxima.raw: expected 131 but the risk questions add up to 132" in load_error(
        data
    )


def test_level_thresholds_must_increase():
    data = mutate(
        workplace_data(), lambda d: d["parameters"].update(level_thresholds=[0.5, 0.25, 0.75])
    )
    assert "must be strictly increasing" in load_error(data)


def test_exclusive_only_on_multi_and_info_weights_zero():
    def change(d):
        question_data(d, "R1.1")["choices"][0]["exclusive"] = True

    assert "'exclusive' is only meaningful on a multi question" in load_error(
        mutate(workplace_data(), change)
    )
    data = minimal_definition()
    data["sections"].append(
        {
            "code": "INFO",
            "kind": "info",
            "order": 3,
            "title": {"en": "Info"},
            "questions": [yes_no("I1")],
        }
    )
    assert "questions in an 'info' section are not scored" in load_error(data)


def test_text_question_with_choices_rejected():
    data = minimal_definition()
    data["sections"][0]["questions"].append(
        {"code": "T", "type": "text", "text": {"en": "Describe"}, "choices": yes_no("x")["choices"]}
    )
    assert "(R / T)" in load_error(data)


def test_blocking_rule_must_refer_to_real_choices():
    data = mutate(
        workplace_data(),
        lambda d: d["blocking_rules"][1]["when"].update(question="R3.5", equals="never"),
    )
    assert "$.blocking_rules[1] (WPC-NO-OVERRIDE).when: 'never' is not a choice" in load_error(data)


def test_all_problems_are_reported_together():
    def change(d):
        question_data(d, "R2.2")["code"] = "R2.1"
        question_data(d, "R6.2")["text"].pop("cy")

    error = pytest.raises(
        QuestionnaireError, load_definition, mutate(workplace_data(), change)
    ).value
    assert len(error.problems) >= 2
    assert str(error).startswith(f"{len(error.problems)} problems")


def test_loaded_questionnaire_is_immutable():
    q = workplace()
    with pytest.raises(AttributeError):
        q.slug = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        q.question("R1.1").choices[0].weight = 5  # type: ignore[misc]


# ---------------------------------------------------------------------------
# Purity
# ---------------------------------------------------------------------------


def test_engine_does_not_import_django():
    code = (
        "import sys; import assessments.questionnaire as q; q.default_questionnaire(); "
        "print(any(name == 'django' or name.startswith('django.') for name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(aia.__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"

"""The scored AIA on top of the questionnaire engine: questionnaires as data, answers,
the WPC blocking rule, and what approval stores."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from assessments import demo, services
from assessments import questionnaire as engine
from assessments.choices import Kind, QuestionnaireStatus, Status
from assessments.models import Questionnaire

from .conftest import approve, complete_aia, start

pytestmark = pytest.mark.django_db

DEFAULT = engine.DATA_DIR / engine.DEFAULT_FILE


def test_load_questionnaire_validates_stores_and_publishes(tmp_path):
    out = StringIO()
    call_command("load_questionnaire", str(DEFAULT), "--publish", stdout=out)
    q = Questionnaire.objects.get(slug="govreg-workplace-aia", version="1")
    assert q.status == QuestionnaireStatus.PUBLISHED
    assert (q.max_raw, q.max_mitigation) == (131, 58)
    assert "created, published" in out.getvalue()
    out = StringIO()
    call_command("load_questionnaire", str(DEFAULT), stdout=out)
    assert "unchanged" in out.getvalue()
    assert Questionnaire.objects.count() == 1


def test_a_published_questionnaire_is_immutable(tmp_path):
    call_command("load_questionnaire", str(DEFAULT), "--publish", stdout=StringIO())
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    data["sections"][0]["questions"][0]["choices"][1]["weight"] = 0
    data.pop("expected_maxima")
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="cannot change"):
        call_command("load_questionnaire", str(changed), stdout=StringIO())
    data["version"] = "2"
    changed.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_questionnaire", str(changed), stdout=StringIO())
    assert Questionnaire.objects.filter(slug="govreg-workplace-aia").count() == 2


def test_an_invalid_definition_is_refused_with_the_reason(tmp_path):
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    data["sections"][0]["questions"][0]["choices"][0]["weight"] = -1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="not a valid questionnaire"):
        call_command("load_questionnaire", str(bad), stdout=StringIO())
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a readable JSON file"):
        call_command("load_questionnaire", str(broken), stdout=StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_questionnaire", str(tmp_path / "missing.json"), stdout=StringIO())
    assert not Questionnaire.objects.exists()


def test_the_canadian_surveyjs_file_loads_as_a_questionnaire():
    call_command("load_questionnaire", str(engine.DATA_DIR / engine.CANADA_FILE), stdout=StringIO())
    q = Questionnaire.objects.get()
    assert q.max_raw == 167
    assert q.max_mitigation == 77


def test_an_aia_cannot_start_before_a_questionnaire_is_published(system, cast):
    with pytest.raises(services.WorkflowError, match="load_questionnaire"):
        start(system, Kind.AIA, cast.hr)


def test_an_aia_records_the_questionnaire_version_it_answers(system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    assert aia.questionnaire == questionnaire
    assert aia.content == {"answers": {}}


def test_answers_to_questions_that_become_hidden_are_dropped(system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    aia = services.save_answers(aia, actor=cast.hr, answers={"R4.4": "yes", "R4.4a": "no"})
    assert aia.content["answers"] == {"R4.4": "yes", "R4.4a": "no"}
    aia = services.save_answers(aia, actor=cast.hr, answers={"R4.4": "no"})
    assert aia.content["answers"] == {"R4.4": "no"}


def test_an_invalid_answer_is_refused(system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    with pytest.raises(Exception) as caught:
        services.save_answers(aia, actor=cast.hr, answers={"R6.1": "sometimes"})
    assert "not one of the choices" in str(caught.value)
    with pytest.raises(services.WorkflowError):
        services.save_answers(aia, actor=cast.hr, answers={"Z9": "yes"})


def test_submission_needs_every_visible_question_answered(system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    services.save_answers(aia, actor=cast.hr, answers={"R1.1": "yes"})
    with pytest.raises(services.WorkflowError) as caught:
        services.submit(aia, actor=cast.hr)
    fields = {p.field for p in caught.value.problems}
    assert "q_R2_1_0" in fields
    assert "q_R1_1_0" not in fields


def test_approval_stores_the_score_level_and_review_date(system, cast, questionnaire):
    aia = approve(complete_aia(system, cast.hr, questionnaire), cast.hr, cast.manager)
    expected = engine.score(questionnaire.engine(), aia.content["answers"])
    assert aia.status == Status.APPROVED
    assert aia.level == expected.level
    assert aia.result["raw"] == expected.raw
    assert aia.result["current"] == expected.current
    assert [s["code"] for s in aia.result["sections"]] == [s.code for s in expected.sections]
    months = engine.requirements_for_level(aia.level).review_interval_months
    assert (aia.next_review_due - aia.approved_at.date()).days >= months * 28


@pytest.mark.parametrize(
    "overrides",
    [
        {
            **demo.HOME_CARE_AIA,
            "R6.1": "full",
            "R5.1": ["recruitment"],
        },  # full automation, significant decision
        {**demo.HOME_CARE_AIA, "R3.5": "no"},  # no override or switch-off
    ],
)
def test_the_wpc_rule_blocks_approval(system, cast, questionnaire, overrides):
    aia = complete_aia(system, cast.hr, questionnaire, overrides=overrides)
    services.submit(aia, actor=cast.hr)  # submission is allowed; the finding is shown
    with pytest.raises(services.WorkflowError, match="blocking findings"):
        services.approve(aia, actor=cast.manager)
    aia.refresh_from_db()
    assert aia.status == Status.IN_REVIEW


def test_full_automation_of_a_decision_that_is_not_significant_is_not_blocked(
    system, cast, questionnaire
):
    aia = complete_aia(
        system,
        cast.hr,
        questionnaire,
        overrides={**demo.HOME_CARE_AIA, "R6.1": "full", "R5.1": ["allocation"]},
    )
    assert services.check(aia).derived["findings"] == []


def test_a_new_version_keeps_the_answers(system, cast, questionnaire):
    v1 = approve(complete_aia(system, cast.hr, questionnaire), cast.hr, cast.manager)
    v2 = start(system, Kind.AIA, cast.hr)
    assert v2.content == v1.content
    assert v2.questionnaire == questionnaire


def test_the_result_page_shows_the_breakdown_level_and_requirements(
    client, system, cast, questionnaire
):
    aia = approve(complete_aia(system, cast.hr, questionnaire), cast.hr, cast.manager)
    client.force_login(cast.rep)
    response = client.get(f"/systems/{system.uuid}/assessments/{aia.uuid}/result/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"What level {aia.level} requires" in body
    assert "Score by section" in body and "About the data" in body
    assert f"{aia.result['raw']} of 131" in body
    assert "Provisional" not in body


def test_the_questionnaire_is_shown_in_welsh_on_welsh_pages(client, system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    client.force_login(cast.hr)
    body = client.get(
        f"/cy/systems/{system.uuid}/assessments/{aia.uuid}/sections/R3/"
    ).content.decode()
    assert '<html lang="cy"' in body
    assert "Pwy ddatblygodd y system?" in body
    english = client.get(
        f"/systems/{system.uuid}/assessments/{aia.uuid}/sections/R3/"
    ).content.decode()
    assert "Who developed the system?" in english


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_the_database_refuses_to_change_a_published_questionnaire(questionnaire):
    with pytest.raises(DatabaseError), transaction.atomic():
        Questionnaire.objects.filter(pk=questionnaire.pk).update(definition={})
    with pytest.raises(DatabaseError), transaction.atomic():
        Questionnaire.objects.filter(pk=questionnaire.pk).update(status="draft")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(status="retired")  # allowed

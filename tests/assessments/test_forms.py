"""Bad input on each assessment form: clear errors, GOV.UK error markup, nothing typed is lost,
nothing invalid is stored; and the lost-update protection."""

import pytest

from assessments import services
from assessments.choices import Kind

from .conftest import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(system, cast):
    return start(system, Kind.DPIA, cast.hr)


def url(draft, tail):
    return f"/systems/{draft.system.uuid}/assessments/{draft.uuid}/{tail}"


def test_a_section_saves_as_you_go_with_nothing_required(client, draft, cast):
    client.force_login(cast.hr)
    response = client.post(url(draft, "sections/need/"), {"aims_and_processing_type": "Rotas"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.content["aims_and_processing_type"] == "Rotas"
    assert "why_dpia_needed" not in draft.content


def test_the_section_page_is_gov_uk_markup(client, draft, cast):
    client.force_login(cast.hr)
    body = client.get(url(draft, "sections/screening/")).content.decode()
    assert '<fieldset class="govuk-fieldset"' in body
    assert 'type="checkbox"' in body and 'name="wp248_criteria"' in body
    assert 'value="vulnerable_data_subjects" checked' in body  # pre-ticked for workers
    assert 'type="radio"' in body and 'name="screening_choice"' in body


def test_a_review_date_in_the_past_is_refused_and_the_rest_is_kept(client, draft, cast):
    client.force_login(cast.hr)
    response = client.post(
        url(draft, "sections/signoff/"),
        {"next_review_due": "2001-01-01", "dpo_advice_summary": "Proceed with the measures."},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert 'href="#id_next_review_due"' in body
    assert "The date must be today or in the future." in body
    assert "Proceed with the measures." in body  # what was typed is shown again
    draft.refresh_from_db()
    assert "next_review_due" not in draft.content and "dpo_advice_summary" not in draft.content


def test_a_date_in_the_future_is_refused_where_it_must_have_happened(client, draft, cast):
    client.force_login(cast.hr)
    response = client.post(url(draft, "sections/screening/"), {"screening_dpo_on": "2999-01-01"})
    assert "The date must be today or in the past." in response.content.decode()


@pytest.mark.parametrize(
    ("section", "data", "field"),
    [
        ("scope", {"individuals_count": "-5"}, "individuals_count"),
        ("scope", {"individuals_count": "lots"}, "individuals_count"),
        ("scope", {"frequency": "hourly"}, "frequency"),
        ("scope", {"data_categories": ["identity_contact", "shoe_size"]}, "data_categories"),
        ("signoff", {"next_review_due": "31/02/2026"}, "next_review_due"),
    ],
)
def test_invalid_values_are_refused(client, draft, cast, section, data, field):
    client.force_login(cast.hr)
    response = client.post(url(draft, f"sections/{section}/"), data)
    assert response.status_code == 200
    assert f'id="id_{field}' in response.content.decode()
    assert "govuk-error-message" in response.content.decode()
    draft.refresh_from_db()
    assert field not in draft.content


def test_a_row_needs_its_required_fields_with_specific_messages(client, draft, cast):
    client.force_login(cast.hr)
    response = client.post(
        url(draft, "sections/risks/add/"), {"description": "Tracking after hours"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Choose a category.",
        "Choose the likelihood of harm.",
        "Choose the severity of harm.",
    ):
        assert message in body
    assert "Tracking after hours" in body
    draft.refresh_from_db()
    assert not draft.content.get("risks")


def test_an_out_of_range_likelihood_is_refused(client, draft, cast):
    client.force_login(cast.hr)
    response = client.post(
        url(draft, "sections/risks/add/"),
        {"description": "x", "category": "SURV", "likelihood": "certain", "severity": "severe"},
    )
    assert "Select a valid choice" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.content.get("risks")


def test_a_row_is_added_changed_and_removed(client, draft, cast):
    client.force_login(cast.hr)
    data = {
        "description": "Tracking",
        "category": "SURV",
        "likelihood": "possible",
        "severity": "severe",
    }
    assert client.post(url(draft, "sections/risks/add/"), data).status_code == 302
    draft.refresh_from_db()
    row = draft.content["risks"][0]["id"]
    page = client.get(url(draft, "sections/risks/")).content.decode()
    assert "Tracking" in page and "Add to the risk register" in page
    assert (
        client.post(
            url(draft, f"sections/risks/rows/{row}/"), {**data, "severity": "minimal"}
        ).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.content["risks"][0]["severity"] == "minimal"
    assert client.post(url(draft, f"sections/risks/rows/{row}/remove/")).status_code == 302
    draft.refresh_from_db()
    assert draft.content["risks"] == []


def test_someone_elses_save_meanwhile_is_a_conflict_that_keeps_what_was_typed(client, draft, cast):
    client.force_login(cast.hr)
    page = client.get(url(draft, "sections/need/")).content.decode()
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0].replace("&quot;", '"')
    services.save_section(
        draft, actor=cast.admin, section_slug="need", values={"why_dpia_needed": "Admin's text"}
    )
    response = client.post(
        url(draft, "sections/need/"), {"why_dpia_needed": "My text", "fingerprint": fingerprint}
    )
    assert response.status_code == 409
    assert "My text" in response.content.decode()
    assert "Someone else saved this page" in response.content.decode()
    draft.refresh_from_db()
    assert draft.content["why_dpia_needed"] == "Admin's text"
    # Saving again, knowingly, works.
    page = response.content.decode()
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0].replace("&quot;", '"')
    assert (
        client.post(
            url(draft, "sections/need/"), {"why_dpia_needed": "My text", "fingerprint": fingerprint}
        ).status_code
        == 302
    )


def test_an_aia_page_refuses_a_choice_that_does_not_exist(client, system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    client.force_login(cast.hr)
    response = client.post(url(aia, "sections/R6/"), {"q_R6_1": "sometimes"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    aia.refresh_from_db()
    assert aia.content["answers"] == {}


def test_an_aia_page_refuses_none_of_these_ticked_with_others(client, system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    client.force_login(cast.hr)
    response = client.post(url(aia, "sections/R5/"), {"q_R5_1": ["none", "pay"]})
    assert "cannot be ticked with other answers" in response.content.decode()


def test_an_aia_page_shows_a_question_revealed_by_an_answer(client, system, cast, questionnaire):
    aia = start(system, Kind.AIA, cast.hr)
    client.force_login(cast.hr)
    page = client.get(url(aia, "sections/R4/")).content.decode()
    assert 'name="q_R4_4a"' not in page
    response = client.post(url(aia, "sections/R4/"), {"q_R4_4": "yes"})
    assert response.status_code == 302 and response["Location"].endswith("/sections/R4/")
    assert 'name="q_R4_4a"' in client.get(url(aia, "sections/R4/")).content.decode()


def test_every_section_of_each_kind_renders(client, system, cast, questionnaire):
    from assessments.dpia import DEFINITION as DPIA
    from assessments.eqia import DEFINITION as EQIA

    client.force_login(cast.hr)
    for kind, definition in ((Kind.DPIA, DPIA), (Kind.EQIA, EQIA)):
        a = start(system, kind, cast.hr)
        for section in definition.sections:
            assert client.get(url(a, f"sections/{section.slug}/")).status_code == 200, section.slug
            if section.rows and not section.rows.fixed:
                assert client.get(url(a, f"sections/{section.slug}/add/")).status_code == 200
            if section.rows and section.rows.fixed:
                key = section.rows.fixed[0][0]
                assert client.get(url(a, f"sections/{section.slug}/rows/{key}/")).status_code == 200
    aia = start(system, Kind.AIA, cast.hr)
    for section in questionnaire.engine().sections:
        assert client.get(url(aia, f"sections/{section.code}/")).status_code == 200
    assert client.get(url(aia, "sections/NOPE/")).status_code == 404

"""Browser journeys through the assessments, with axe-core on each page (WCAG 2.2 AA)."""

import datetime as dt

import pytest
from django.utils import timezone

from assessments import services
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import PASSWORD

from .conftest import approve, complete_aia, complete_dpia

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_records_a_screening_decision_and_the_manager_approves_it(page, cast, system):
    sign_in(page, cast.hr.email, PASSWORD)
    page.goto(f"/systems/{system.uuid}/#assessments")
    page.get_by_role("button", name="Start Data protection impact assessment").click()
    assert page.get_by_role(
        "heading", name="Data protection impact assessment", level=1
    ).is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Screening: is a DPIA required?").click()
    assert_accessible(page)
    page.get_by_label("Innovative use or new technological solutions").check()
    page.get_by_label(
        "Vulnerable data subjects (employees count, because of the power imbalance)"
    ).uncheck()
    page.get_by_label(
        "Record that no DPIA is needed, with the reasons and the DPO's advice"
    ).check()
    page.get_by_label("Reasons no DPIA is needed").fill(
        "Checks advert wording only; no personal data."
    )
    page.get_by_label("DPO advice: date").fill("2999-01-01")
    page.get_by_role("button", name="Save and return to the task list").click()
    # A clear error, and nothing typed is lost.
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_role("link", name="The date must be today or in the past.").click()
    assert page.evaluate("document.activeElement.id") == "id_screening_dpo_on"
    assert "no personal data" in page.get_by_label("Reasons no DPIA is needed").input_value()
    page.get_by_label("DPO advice: date").fill(timezone.localdate().isoformat())
    page.get_by_label("The DPO's advice on the screening").fill(
        "Agree; re-screen if applicant data is used."
    )
    page.get_by_label("DPO advice: name").fill("Data Protection Officer")
    page.get_by_role("button", name="Save and return to the task list").click()
    assert page.locator("#task-screening-status").inner_text().strip() == "Completed"
    assert "Not applicable" in page.locator("#task-need-status").inner_text()
    screenshot(page, "assessments-dpia-task-list")

    page.get_by_role("link", name="Check your answers and submit").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_text("In review").first.is_visible()

    page.context.clear_cookies()
    sign_in(page, cast.manager.email, PASSWORD)
    assert page.get_by_role(
        "link", name="Data protection impact assessment version 1"
    ).first.is_visible()
    page.get_by_role("link", name="Data protection impact assessment version 1").first.click()
    assert_accessible(page)
    screenshot(page, "assessments-review")
    page.get_by_role("button", name="Approve this version").click()
    assert page.get_by_text("Approved", exact=True).first.is_visible()
    page.goto(f"/systems/{system.uuid}/")
    gate = page.locator("#gate-dpia-status")
    assert gate.inner_text().strip() == "Done"
    assert_accessible(page)


def test_the_aia_result_risk_register_and_action_plan_are_accessible(
    page, cast, system, questionnaire
):
    approve(complete_aia(system, cast.hr, questionnaire), cast.hr, cast.manager)
    draft = complete_dpia(system, cast.hr)
    risk = services.create_risk(
        system,
        actor=cast.hr,
        data={
            "category": "INTENS",
            "description": "Pace of visits",
            "likelihood": 4,
            "impact": 4,
            "owner": "Head of Care",
            "status": "open",
        },
    )
    services.create_action(
        system,
        actor=cast.hr,
        data={
            "description": "Agree limits",
            "owner": "HR",
            "due_date": timezone.localdate() + dt.timedelta(days=5),
            "risk": risk,
        },
    )
    sign_in(page, cast.rep.email, PASSWORD)
    for path in (
        f"/systems/{system.uuid}/assessments/",
        f"/systems/{system.uuid}/assessments/{draft.uuid}/",
        f"/systems/{system.uuid}/risks/",
        f"/systems/{system.uuid}/risks/{risk.uuid}/",
        f"/systems/{system.uuid}/actions/",
    ):
        page.goto(path)
        assert_accessible(page)
    page.goto(f"/systems/{system.uuid}/")
    page.get_by_role("link", name="Impact level").first.click()
    assert page.get_by_role("heading", name="Score and impact level").is_visible()
    assert_accessible(page)
    screenshot(page, "assessments-aia-result")
    page.goto(f"/systems/{system.uuid}/risks/")
    cell = (
        page.locator("table.app-heatmap tbody tr").nth(1).locator("td").nth(3)
    )  # impact 4, likelihood 4
    assert "1" in cell.inner_text() and "Extreme" in cell.inner_text()
    screenshot(page, "assessments-risk-register")


def test_hr_adds_a_dpia_risk_to_the_register_and_an_action(page, cast, system):
    draft = complete_dpia(system, cast.hr)
    sign_in(page, cast.hr.email, PASSWORD)
    page.goto(f"/systems/{system.uuid}/assessments/{draft.uuid}/sections/risks/")
    assert_accessible(page)
    page.get_by_role("link", name="Add to the risk register").first.click()
    assert_accessible(page)
    page.get_by_label("Risk owner").fill("Workforce Lead")
    page.get_by_role("button", name="Save the risk").click()
    assert page.get_by_role("heading", name="Risk R1").is_visible()
    page.get_by_role("link", name="Add an action for this risk").click()
    page.get_by_label("What will be done?").fill("Monthly parity report")
    page.get_by_label("Lead", exact=True).fill("HR Business Partner")
    page.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save the action").click()
    assert page.get_by_role("heading", name="Action A1").is_visible()
    page.get_by_label("Progressing").check()
    page.get_by_label("What has happened?").fill("First report drafted.")
    page.get_by_role("button", name="Record the update").click()
    assert page.get_by_text("First report drafted.").is_visible()
    assert_accessible(page)

"""The HR officer's journey, end to end in Chromium: records a system through the task list
(correcting an error on the way), completes and submits the DPIA screening, the EqIA and the
AIA, plans and opens the consultation for the current stage and shares an assessment with the
reps. Every page visited is checked in English and in Welsh (``check_both``)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import demo
from assessments import services as assessment_services
from assessments.choices import Kind
from assessments.models import Assessment
from consultations.models import Disclosure
from registers.models import AlgorithmicSystem
from tests.factories import PASSWORD

from .conftest import (
    assert_error_summary,
    check_both,
    check_page,
    h1,
    open_tab,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Home-care visit scheduler"


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def prefill_eqia(eqia: Assessment, actor) -> Assessment:
    """Every section of the EqIA but "Action plan and monitoring", which the officer writes."""
    content = demo.eqia_content(eqia.system)
    del content["monitoring_arrangements"]
    demo._fill(eqia, actor, content)
    assessment_services.create_action(
        eqia.system,
        actor=actor,
        data={"description": "Monthly parity report", "owner": "HR", "due_date": in_days(30)},
        assessment=eqia,
        source_ref="characteristics/disability",
    )
    return eqia


def prefill_aia(aia: Assessment, actor) -> Assessment:
    """Every answer of the AIA but "Reasons for automation" (R1.1), which the officer gives."""
    answers = demo._answer_all(aia.questionnaire.engine(), demo.HOME_CARE_AIA, mitigation="good")
    del answers["R1.1"]
    return assessment_services.save_answers(aia, actor=actor, answers=answers)


def gate_status(page, key: str) -> str:
    return page.locator(f"#gate-{key}-status").inner_text().strip()


def test_hr_officer_records_assesses_consults_and_discloses(page, cast, questionnaire):
    # Sign in (the sign-in page is checked before, in both languages).
    page.goto("/accounts/login/")
    check_both(page)
    sign_in(page, cast.hr.email, PASSWORD)
    assert page.title() == "Dashboard – GovReg"
    check_both(page, "hr-02-dashboard", welsh_screenshot=True)

    # The register, and a new system.
    page.get_by_role("link", name="Register", exact=True).click()
    expect(h1(page)).to_have_text("Register of algorithmic systems")
    check_both(page)
    page.get_by_role("button", name="Record a system").click()
    expect(h1(page)).to_have_text("Record a system")
    check_both(page)
    page.get_by_role("button", name="Continue").click()  # no name: an error, linked to the field
    expect(page).to_have_title(re.compile("^Error: "))
    assert assert_error_summary(page) == ["Enter the name of the system."]
    check_page(page)
    page.get_by_label("Name of the system").fill(NAME)
    page.get_by_label("What it does, in one sentence").fill(
        "Proposes weekly visit schedules for home-care workers."
    )
    page.get_by_label("Development and customisation").check()
    page.get_by_role("button", name="Continue").click()
    expect(h1(page)).to_have_text(f"Complete the record: {NAME}")
    system = AlgorithmicSystem.objects.get(name=NAME)
    assert system.lifecycle_stage == "development" and system.organisation == cast.organisation
    check_both(page, "hr-05-task-list", welsh_screenshot=True)

    # Summary information.
    page.get_by_role("link", name="Summary information (Tier 1)").click()
    expect(h1(page)).to_have_text("Summary information (Tier 1)")
    check_both(page)
    page.get_by_label("Description", exact=True).fill(
        "Proposes each home-care worker's visits for the week. A scheduling officer checks and "
        "changes every schedule before it is published."
    )
    page.get_by_label("Contact e-mail").fill("scheduling@body.example")
    page.get_by_role("button", name="Save and return to the task list").click()
    assert page.locator("#task-summary-status").inner_text().strip() == "Completed"

    # Workers and decisions affected, with an error corrected.
    page.get_by_role("link", name="Workers and decisions affected").click()
    expect(h1(page)).to_have_text("Workers and decisions affected")
    check_both(page)
    page.get_by_label("Worker groups affected").fill("Home-care workers; scheduling officers.")
    page.get_by_label("Number of workers affected").fill("-420")
    page.get_by_label("Scheduling, rotas and work allocation").check()
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page).to_have_title(re.compile("^Error: "))
    messages = assert_error_summary(page)
    assert len(messages) == 1
    check_page(page)
    screenshot(page, "hr-07-workers-error")
    # Nothing typed is lost.
    assert page.get_by_label("Worker groups affected").input_value().startswith("Home-care")
    assert page.get_by_label("Scheduling, rotas and work allocation").is_checked()
    page.get_by_label("Number of workers affected").fill("420")
    page.get_by_role("button", name="Save and return to the task list").click()
    assert page.locator("#task-workers-status").inner_text().strip() == "Completed"

    # Owner and responsibility.
    page.get_by_role("link", name="Owner and responsibility").click()
    expect(h1(page)).to_have_text("Owner and responsibility")
    check_both(page)
    page.get_by_label("Team").fill("Adult Social Care Scheduling")
    page.get_by_label("Senior responsible owner").fill("Director of Social Services")
    page.get_by_label("Accountable senior manager").select_option(label=cast.manager.full_name)
    page.get_by_role("group", name="Third-party involvement").get_by_label("Yes").check()
    page.get_by_label("Third party (optional)").fill("CareRoute Ltd")
    page.get_by_role("button", name="Save and return to the task list").click()
    assert page.locator("#task-owner-status").inner_text().strip() == "Completed"
    done = re.search(
        r"You have completed (\d+) of (\d+) sections", page.locator("main").inner_text()
    )
    assert done and 3 <= int(done[1]) < int(done[2])
    screenshot(page, "hr-09-task-list-three-done")

    # The system page: every tab, in both languages.
    page.get_by_role("link", name="View the record").click()
    expect(h1(page)).to_have_text(NAME)
    check_both(page, "hr-10-system-overview", welsh_screenshot=True)
    assert gate_status(page, "dpia") == "Missing"
    for anchor in ("record", "assessments", "risks", "consultation", "packs", "history"):
        open_tab(page, anchor)
        check_both(page)

    # DPIA: a screening decision that none is needed, then submitted.
    open_tab(page, "assessments")
    page.get_by_role("button", name="Start Data protection impact assessment").click()
    expect(h1(page)).to_have_text("Data protection impact assessment")
    check_both(page)
    page.get_by_role("link", name="Screening: is a DPIA required?").click()
    expect(h1(page)).to_contain_text("Screening")
    check_both(page)
    page.get_by_label("Innovative use or new technological solutions").uncheck()
    page.get_by_label(
        "Vulnerable data subjects (employees count, because of the power imbalance)"
    ).uncheck()
    page.get_by_label(
        "Record that no DPIA is needed, with the reasons and the DPO's advice"
    ).check()
    page.get_by_label("Reasons no DPIA is needed").fill(
        "Uses visit addresses and times already held; no new processing of personal data."
    )
    page.get_by_label("The DPO's advice on the screening").fill("Agree; re-screen yearly.")
    page.get_by_label("DPO advice: name").fill("Data Protection Officer")
    page.get_by_label("DPO advice: date").fill("2024-05-01")
    page.get_by_role("button", name="Save and return to the task list").click()
    assert page.locator("#task-screening-status").inner_text().strip() == "Completed"
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(h1(page)).to_have_text("Check your answers before submitting")
    check_both(page, "hr-14-dpia-check")
    page.get_by_role("button", name="Submit for review").click()
    expect(h1(page)).to_have_text("Data protection impact assessment")
    expect(page.locator("main").get_by_text("In review", exact=True).first).to_be_visible()
    dpia = Assessment.objects.get(system=system, kind=Kind.DPIA)
    assert dpia.status == "in_review"
    check_both(page)

    # EqIA: started here; the officer writes the monitoring section the check page asks for.
    page.goto(f"/systems/{system.uuid}/#assessments")
    page.get_by_role("button", name="Start Equality impact assessment").click()
    expect(h1(page)).to_have_text("Equality impact assessment")
    eqia = prefill_eqia(Assessment.objects.get(system=system, kind=Kind.EQIA), cast.hr)
    page.reload()
    check_both(page)
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(h1(page)).to_have_text("Check your answers before submitting")
    check_both(page, "hr-17-eqia-check")
    page.get_by_role("link", name="Describe how the impact will be monitored.").click()
    expect(h1(page)).to_have_text("Action plan and monitoring")
    check_both(page)
    page.get_by_label("How will the real impact be monitored?").fill(
        "Quarterly parity report to the partnership forum."
    )
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator("#task-monitoring-status")).to_have_text("Completed")
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(h1(page)).to_have_text("Check your answers before submitting")
    assert page.get_by_text("Describe how the impact will be monitored.").count() == 0
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("main").get_by_text("In review", exact=True).first).to_be_visible()
    eqia.refresh_from_db()
    assert eqia.status == "in_review"

    # AIA: the officer answers the one section left.
    page.goto(f"/systems/{system.uuid}/#assessments")
    page.get_by_role("button", name="Start Algorithmic impact assessment").click()
    expect(h1(page)).to_have_text("Algorithmic impact assessment")
    aia = prefill_aia(Assessment.objects.get(system=system, kind=Kind.AIA), cast.hr)
    page.reload()
    check_both(page)
    page.get_by_role("link", name="Reasons for automation").click()
    expect(h1(page)).to_have_text("Reasons for automation")
    check_both(page, "hr-20-aia-section")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.get_by_role("link", name="Check your answers and submit")).to_be_visible()
    assert "11 of 11 sections" in page.locator("main").inner_text()
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(h1(page)).to_have_text("Check your answers before submitting")
    check_both(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("main").get_by_text("In review", exact=True).first).to_be_visible()
    aia.refresh_from_db()
    assert aia.status == "in_review"

    # The gate shows each assessment in review, none approved yet.
    page.goto(f"/systems/{system.uuid}/")
    for key in ("dpia", "eqia", "aia"):
        assert gate_status(page, key) == "Missing"
    gate = page.locator("section#gate")
    assert gate.get_by_text("Version 1 is in review.").count() == 3
    check_page(page)

    # The consultation for the current stage: planned, then opened.
    open_tab(page, "consultation")
    page.get_by_role("link", name="Plan a consultation").click()
    expect(h1(page)).to_have_text("Plan a consultation")
    check_both(page)
    stage = page.get_by_role("group", name="Stage")
    assert stage.get_by_label("Development and customisation").is_checked()
    union = cast.rep.memberships.get().union
    page.get_by_label(union.name).check()
    page.get_by_label("What is being consulted on").fill(
        "The supplier's changes to the scheduling rules, before the pilot."
    )
    page.get_by_role("button", name="Plan the consultation").click()
    expect(h1(page)).to_have_text("Consultation: Development and customisation")
    expect(page.locator("main").get_by_text("Planned", exact=True).first).to_be_visible()
    check_both(page)
    page.get_by_role("button", name="Open the consultation and tell the reps").click()
    expect(page.locator("main").get_by_text("Open", exact=True).first).to_be_visible()
    check_both(page, "hr-24-consultation-open", welsh_screenshot=True)

    # Share the DPIA with the reps: recorded with its fingerprint.
    page.get_by_role("link", name="Share something with the reps").click()
    expect(h1(page)).to_have_text("Share with the reps")
    check_both(page)
    page.get_by_role("button", name="Share Assessment: DPIA v1").click()
    shared = page.locator("#disclosures ~ table").first
    expect(shared).to_contain_text("Assessment: DPIA v1")
    disclosure = Disclosure.objects.get()
    assert disclosure.sha256[:16] in shared.inner_text()
    check_both(page, "hr-26-shared")

    # Back on the system page: the consultation is open, waiting for the union's position.
    page.goto(f"/systems/{system.uuid}/#consultation")
    row = page.locator("#consultation table").first.get_by_role("row").nth(1)
    expect(row).to_contain_text("Open")
    expect(row).to_contain_text("Waiting for 1 union")
    assert gate_status(page, "consultation") == "Missing"
    screenshot(page, "hr-27-system-consultation")

"""The accountable senior manager's journey, end to end in Chromium: approves the assessments
the HR officer submitted (never their own), sees the gate complete, confirms their identity and
signs off, and once HR has moved the system into pilot, pauses it with a reason; the paused warning
shows on the system page and on the public register. The state before the journey (a record,
assessments in review, an approved EqIA, a concluded consultation) is built with the services.
Every page visited is checked in English and in Welsh."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services as assessment_services
from assessments.models import Assessment
from oversight import services as oversight
from oversight.models import SignOff
from registers.choices import PublicationStatus
from registers.models import AlgorithmicSystem
from tests.assessments.conftest import approve, complete_aia, complete_dpia, complete_eqia
from tests.factories import PASSWORD
from tests.oversight.conftest import conclude_consultation, fresh, move
from tests.packs.conftest import fill_record

from .conftest import (
    assert_error_summary,
    check_both,
    check_page,
    check_welsh,
    h1,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = "I have read the record, the three assessments and UNISON's position."
REASON = "Two workers were sent to visits 40 miles apart: paused until the travel rules are fixed."


@pytest.fixture
def submitted(system, cast, questionnaire):
    """A published system in development: its DPIA and AIA prepared by HR and in review, its
    EqIA approved by the administrator, its consultation concluded."""
    AlgorithmicSystem.objects.filter(pk=system.pk).update(
        publication_status=PublicationStatus.PUBLISHED
    )
    system = fill_record(fresh(system), cast.hr)
    system = move(system, cast.hr, "tender_award", "development")
    dpia = complete_dpia(system, cast.hr)
    assessment_services.submit(dpia, actor=cast.hr)
    approve(complete_eqia(system, cast.hr), cast.hr, cast.admin)
    aia = complete_aia(system, cast.hr, questionnaire)
    assessment_services.submit(aia, actor=cast.hr)
    conclude_consultation(system, cast)
    return fresh(system)


def gate(page, key: str) -> str:
    return page.locator(f"#gate-{key}-status").inner_text().strip()


def test_manager_approves_signs_off_and_pauses(page, cast, submitted):
    system = submitted
    sign_in(page, cast.manager.email, PASSWORD)
    check_both(page, "manager-01-dashboard", welsh_screenshot=True)

    # Approve the two assessments waiting for review, from the dashboard.
    for kind, heading in (
        ("dpia", "Data protection impact assessment"),
        ("aia", "Algorithmic impact assessment"),
    ):
        page.goto("/")
        page.get_by_role("link", name=f"{heading} version 1").first.click()
        expect(h1(page)).to_contain_text(heading)
        expect(page.get_by_role("button", name="Approve this version")).to_be_visible()
        check_both(page, f"manager-02-review-{kind}")
        page.get_by_role("button", name="Approve this version").click()
        expect(page.locator("main").get_by_text("Approved", exact=True).first).to_be_visible()
        assert Assessment.objects.get(system=system, kind=kind).status == "approved"
        check_both(page)

    # The gate: everything but the sign-off.
    page.goto(f"/systems/{system.uuid}/")
    for key in ("dpia", "eqia", "aia", "aia_findings", "consultation"):
        assert gate(page, key) == "Done", key
    assert gate(page, "sign_off") == "Missing"
    assert "5 of 6 conditions met." in page.locator("section#gate").inner_text()
    check_both(page, "manager-03-gate-ready")

    # Sign off: first without confirming who they are, then with the password.
    page.locator("section#oversight").get_by_role("link", name="Sign off").click()
    expect(h1(page)).to_have_text("Sign off as the accountable senior manager")
    for key in ("dpia", "eqia", "aia", "consultation"):
        assert page.locator(f"#before-{key}-status").inner_text().strip() == "Done", key
    check_both(page, "manager-04-sign-off")
    page.get_by_label("Sign it off", exact=True).check()
    page.get_by_label("Your statement").fill(STATEMENT)
    page.get_by_role("button", name="Record my decision").click()
    expect(page).to_have_title(re.compile("^Error: "))
    messages = assert_error_summary(page)
    assert len(messages) == 1 and "password" in messages[0].lower()
    check_page(page)
    screenshot(page, "manager-05-sign-off-error")
    assert page.get_by_label("Your statement").input_value() == STATEMENT
    assert not SignOff.objects.exists()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Record my decision").click()
    expect(h1(page)).to_contain_text("Sign-off decision of")
    signoff = SignOff.objects.get()
    assert signoff.signed_by == cast.manager and signoff.reauthenticated_with == "password"
    expect(page.get_by_text(signoff.content_hash).first).to_be_visible()
    check_both(page, "manager-06-signed")

    # The gate is complete. ("Back to the system" leads to the sign-off section, focused.)
    page.get_by_role("link", name="Back to the system").click()
    expect(page).to_have_url(re.compile(f"/systems/{system.uuid}/#oversight$"))
    page.wait_for_function("() => document.activeElement.id === 'oversight'", timeout=5_000)
    assert gate(page, "sign_off") == "Done"
    assert "6 of 6 conditions met. This system may move to pilot or use." in (
        page.locator("section#gate").inner_text().replace("\n", " ")
    )
    assert oversight.signoff_status(fresh(system)).state == "current"
    check_both(page, "manager-07-gate-complete")
    # HR moves it into pilot, which the gate now allows.
    assert move(system, cast.hr, "pilot").lifecycle_stage == "pilot"

    # Later: paused, with a reason (forgotten at first).
    page.goto(f"/systems/{system.uuid}/")
    page.get_by_role("link", name="Pause the system").click()
    expect(h1(page)).to_have_text("Pause the system")
    check_both(page)
    page.get_by_role("button", name="Pause it now").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert len(assert_error_summary(page)) == 1
    check_page(page)
    page.get_by_role("textbox").fill(REASON)
    page.get_by_role("button", name="Pause it now").click()
    banner = page.locator(".govuk-warning-text").filter(has_text="This system is paused")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(REASON[:40])
    assert fresh(system).lifecycle_stage == "paused"
    check_both(page, "manager-08-paused", welsh_screenshot=True)

    # The public register says so too, in both languages.
    public = page.context.new_page()
    public.goto(f"/transparency/{system.organisation.slug}/{system.reference}/")
    expect(h1(public)).to_have_text(system.name)
    expect(public.get_by_text("The use of this system is paused.")).to_be_visible()
    check_page(public)
    screenshot(public, "manager-09-public-paused")
    check_welsh(public, "manager-09-public-paused-cy")
    public.close()

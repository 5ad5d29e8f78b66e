"""An HR officer records a system through the task list and finds it in the register."""

import pytest

from tests.factories import PASSWORD

from .conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_records_a_system_through_the_task_list(page, cast):
    sign_in(page, cast.hr.email, PASSWORD)
    assert page.title() == "Dashboard – GovReg"
    assert_accessible(page)

    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_role("button", name="Record a system").click()
    assert_accessible(page)
    page.get_by_label("Name of the system").fill("Shift swap matcher")
    page.get_by_label("What it does, in one sentence").fill("Suggests colleagues for shift swaps.")
    page.get_by_label("Pilot").check()
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", name="Complete the record: Shift swap matcher").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Summary information (Tier 1)").click()
    page.get_by_label("Description", exact=True).fill(
        "Suggests colleagues who could swap a shift. A team leader approves every swap."
    )
    page.get_by_label("Contact e-mail").fill("not an address")
    page.get_by_role("button", name="Save and return to the task list").click()
    # A clear error, linked from the summary, and nothing typed is lost.
    assert page.title().startswith("Error:")
    page.get_by_role("link", name="Enter a valid email address.").click()
    assert page.evaluate("document.activeElement.id") == "id_contact_email"
    assert "A team leader approves" in page.get_by_label("Description", exact=True).input_value()
    assert_accessible(page)
    page.get_by_label("Contact e-mail").fill("rota@body.example")
    page.get_by_role("button", name="Save and return to the task list").click()

    status = page.locator("#task-summary-status")
    assert status.inner_text().strip() == "Completed"
    screenshot(page, "register-task-list")

    page.get_by_role("link", name="Register", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Shift swap matcher")
    assert row.is_visible()
    assert "Pilot" in row.inner_text()
    screenshot(page, "register-list")
    page.get_by_role("link", name="Shift swap matcher").click()
    assert page.get_by_role("heading", name="Shift swap matcher", level=1).is_visible()
    assert_accessible(page)
    screenshot(page, "system-page")
    page.get_by_role("tab", name="Record and evidence").click()
    assert page.locator(".govuk-summary-list__value", has_text="rota@body.example").is_visible()
    assert_accessible(page)
    screenshot(page, "system-page-record")


def test_the_register_and_system_pages_in_welsh(page, cast, system):
    sign_in(page, cast.auditor.email, PASSWORD)
    page.goto("/cy/systems/")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("heading", name="Cofrestr systemau algorithmig").is_visible()
    assert_accessible(page)
    screenshot(page, "register-list-cy")
    page.get_by_role("link", name=system.name).click()
    assert "/cy/systems/" in page.url
    page.get_by_role("tab", name="Cofnod a thystiolaeth").click()
    assert page.get_by_role("heading", name="Cofnod", exact=True).is_visible()
    assert_accessible(page)
    screenshot(page, "system-page-cy")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def test_keyboard_only_sign_in_and_skip_link(page, cast):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The first control after skipping is inside main (the e-mail field).
    assert page.evaluate("document.activeElement.id") == "id_login"
    page.keyboard.type(cast.hr.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.title() == "Dashboard – GovReg"

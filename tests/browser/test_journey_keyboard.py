"""The HR officer's journey with the keyboard only: no mouse, no clicks — only key presses and
typing, with the focus checked at every step (skip link first, document order, a visible focus
indicator on every stop, the error summary focused and its link moving focus to the field)."""

import re

import pytest
from playwright.sync_api import expect

from registers.models import AlgorithmicSystem
from tests.factories import PASSWORD

from .conftest import SKIP_LINK_TEXT, check_both, focused, h1, screenshot, tab, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Overtime allocation helper"


def skip_to_main(page) -> dict:
    """Tab to the skip link (the first stop) and follow it: focus moves to <main>."""
    stop = tab(page)
    assert stop["text"] == SKIP_LINK_TEXT["en"] and stop["href"] == "#main-content", stop
    page.keyboard.press("Enter")
    main = focused(page)
    assert main and main["id"] == "main-content" and main["tag"] == "main", main
    return main


def labelled(text):
    return lambda stop: stop["label"].startswith(text)


def named(text):
    return lambda stop: stop["text"] == text


def test_hr_officer_records_a_system_with_the_keyboard_only(page, cast):
    # Sign in.
    page.goto("/accounts/login/")
    main = skip_to_main(page)
    email = tab(page)
    assert email["id"] == "id_login" and email["order"] > main["order"]
    page.keyboard.type(cast.hr.email)
    assert tab(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_title("Dashboard – GovReg")

    # Signed in: the success message has focus (so it is read out); the menu is just before it.
    # govuk-frontend moves focus when its module script has run, just after the page loads.
    page.wait_for_function(
        "() => document.activeElement?.classList.contains('govuk-notification-banner--success')",
        timeout=5_000,
    )
    banner = focused(page)
    assert "govuk-notification-banner--success" in banner["classes"], banner
    stops = tab_to(page, named("Register"), back=True)
    assert [s["text"] for s in stops] == ["Public register", "Notifications", "Register"]
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Register of algorithmic systems")

    # "Record a system", reached from the skip link.
    main = skip_to_main(page)
    stops = tab_to(page, named("Record a system"))
    assert stops[0]["order"] > main["order"]
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Record a system")

    # The first page of the record: name, summary, stage (arrow keys in the radios), Continue.
    skip_to_main(page)
    assert tab(page)["id"] == "id_name"
    page.keyboard.type(NAME)
    assert tab(page)["id"] == "id_one_sentence_description"
    page.keyboard.type("Offers overtime shifts to care workers in a fair order.")
    radio = tab(page)
    assert radio["type"] == "radio" and radio["label"] == "Planning"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    radio = focused(page)
    assert radio["label"] == "Development and customisation"
    assert page.evaluate("document.activeElement.checked") is True
    assert tab(page)["text"] == "Continue"
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text(f"Complete the record: {NAME}")
    system = AlgorithmicSystem.objects.get(name=NAME)
    assert system.lifecycle_stage == "development"

    # The task list: the first section, from the keyboard.
    tab_to(page, named("Summary information (Tier 1)"))
    page.keyboard.press("Enter")
    expect(h1(page)).to_have_text("Summary information (Tier 1)")
    skip_to_main(page)
    order = tab_to(page, labelled("Contact e-mail"))
    assert [s["label"] for s in order] == [
        "Name",
        "One sentence description",
        "Description",
        "Website URL (optional)",
        "Contact e-mail",
    ]
    page.keyboard.type("overtime at body dot example")
    for _ in range(2):  # back to the description
        tab(page, back=True)
    assert focused(page)["label"] == "Description"
    page.keyboard.type("Offers each overtime shift to the workers who have had the fewest.")
    tab_to(page, named("Save and return to the task list"))
    page.keyboard.press("Enter")

    # The error summary has focus; its link takes focus to the field, with what was typed kept.
    expect(page).to_have_title(re.compile("^Error: "))
    page.wait_for_function(
        "() => document.activeElement.classList.contains('govuk-error-summary')", timeout=5_000
    )
    summary = focused(page)
    assert summary and "govuk-error-summary" in summary["classes"], summary
    link = tab(page)
    assert link["text"] == "Enter a valid email address." and link["href"] == "#id_contact_email"
    page.keyboard.press("Enter")
    field = focused(page)
    assert field["id"] == "id_contact_email" and field["label"].startswith("Contact e-mail")
    screenshot(page, "keyboard-01-error-link-followed")
    assert page.evaluate("document.activeElement.value") == "overtime at body dot example"
    page.keyboard.press("Control+A")
    page.keyboard.type("overtime@body.example")
    tab_to(page, named("Save and return to the task list"))
    page.keyboard.press("Enter")

    expect(page.locator("#task-summary-status")).to_have_text("Completed")
    system.refresh_from_db()
    assert system.contact_email == "overtime@body.example"
    assert system.description.startswith("Offers each overtime shift")
    screenshot(page, "keyboard-02-section-completed")
    check_both(page)

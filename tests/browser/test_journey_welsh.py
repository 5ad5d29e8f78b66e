"""The journeys' forms with errors, in Welsh: each error page (reached only by a POST, so not
covered by the Welsh copies of the pages that the other journeys check) is in Welsh, titled
"Gwall:", with an error summary whose links take focus to the fields, and passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

from consultations import services as consultations
from consultations.choices import STAGE_FOR_LIFECYCLE
from tests.factories import PASSWORD

from .conftest import assert_error_summary, check_page, h1, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_consultation(system, cast):
    consultation = consultations.create_consultation(
        actor=cast.hr,
        system=system,
        stage=STAGE_FOR_LIFECYCLE[system.lifecycle_stage],
        unions=[cast.rep.memberships.get().union],
    )
    return consultations.open_consultation(consultation, actor=cast.hr)


def error_page(page, name: str) -> list[str]:
    expect(page).to_have_title(re.compile("^Gwall: "))
    messages = assert_error_summary(page, lang="cy")
    check_page(page, lang="cy")
    screenshot(page, name)
    return messages


def switch_user(page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email, PASSWORD)


def test_error_summaries_in_welsh(page, cast, system, open_consultation):
    # Signing in with the wrong password.
    page.goto("/cy/accounts/login/")
    page.locator("#id_login").fill(cast.hr.email)
    page.locator("#id_password").fill("not the password")
    page.locator("main form button[type=submit]").press("Enter")
    expect(page).to_have_title(re.compile("^Gwall: "))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, lang="cy")

    # HR: recording a system without a name; a section with an invalid e-mail address.
    sign_in(page, cast.hr.email, PASSWORD)
    page.goto("/cy/systems/new/")
    page.locator("main form button[type=submit]").click()
    assert error_page(page, "welsh-01-record-a-system") == ["Rhowch enw'r system."]
    page.goto(f"/cy/systems/{system.uuid}/edit/summary/")
    page.locator("#id_contact_email").fill("nid cyfeiriad")
    page.locator("main form button[type=submit]").click()
    assert error_page(page, "welsh-02-section") == ["Rhowch gyfeiriad ebost dilys."]

    # The rep: an empty comment, a concern without its category, a position without conditions.
    switch_user(page, cast.rep.email)
    page.goto(f"/cy/systems/{system.uuid}/#consultation")
    page.locator("#comments form button[type=submit]").last.click()
    assert error_page(page, "welsh-03-comment") == ["Rhowch eich sylw."]
    page.goto(f"/cy/systems/{system.uuid}/concerns/new/")
    page.locator("#id_summary").fill("Amseroedd fferi")
    page.locator("#id_details").fill("Nid yw'r rota yn ystyried y fferi.")
    page.locator("main form button[type=submit]").click()
    assert error_page(page, "welsh-04-concern") == [
        "Dewiswch y categori sy'n cyd-fynd orau â'r pryder."
    ]
    page.goto(f"/cy/systems/{system.uuid}/consultation/{open_consultation.uuid}/position/")
    page.locator("#id_position_1").check()  # agreed with conditions
    page.locator("#id_statement").fill("Rydym yn cefnogi cynllun peilot.")
    page.locator("main form button[type=submit]").click()
    assert error_page(page, "welsh-05-position") == ["Rhowch amodau eich cytundeb."]

    # The accountable manager: a sign-off without a decision or password; a pause without a reason.
    switch_user(page, cast.manager.email)
    page.goto(f"/cy/systems/{system.uuid}/sign-off/")
    expect(h1(page)).to_be_visible()
    page.locator("main form button[name=sign]").click()
    assert error_page(page, "welsh-06-sign-off") == [
        "Dewiswch eich penderfyniad",
        "Rhowch eich datganiad",
        "Rhowch eich cyfrinair",
    ]
    page.goto(f"/cy/systems/{system.uuid}/pause/")
    page.locator("main form button[type=submit]").click()
    assert len(error_page(page, "welsh-07-pause")) == 1

"""In Chromium: the accountable manager sees "re-sign required" with what changed, signs again
with their password, and the pages pass axe-core's WCAG 2.2 AA rules."""

import pytest

from oversight import services
from oversight.models import SignOff
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import PASSWORD

from .conftest import edit, fresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_re_signs_after_a_change(page, signed_system, cast):
    edit(
        signed_system, cast.hr, "deployment", frequency_and_scale_of_usage="Daily, for 600 workers."
    )
    sign_in(page, cast.manager.email, PASSWORD)

    page.goto("/")
    assert page.get_by_role("heading", name="Needs attention", level=2).is_visible()
    assert_accessible(page)

    page.goto(f"/systems/{signed_system.uuid}/")
    assert page.get_by_text("Re-sign required", exact=True).first.is_visible()
    assert page.get_by_role("cell", name="Daily, for 600 workers.").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Review the changes and sign again").click()

    assert page.get_by_role(
        "heading", name="Sign off as the accountable senior manager", level=1
    ).is_visible()
    assert_accessible(page)
    page.get_by_label("Sign it off", exact=True).check()
    page.get_by_label("Your statement").fill("The wider use was agreed with UNISON.")
    page.get_by_role("button", name="Record my decision").click()
    assert page.title().startswith("Error:")  # no password: nothing signed, the statement kept
    assert (
        page.get_by_label("Your statement").input_value() == "The wider use was agreed with UNISON."
    )
    assert_accessible(page)
    assert not SignOff.objects.exclude(pk=services.latest_signoff(signed_system).pk).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Record my decision").click()
    assert page.get_by_role("heading", name="Sign-off decision of", level=1).is_visible()
    screenshot(page, "oversight-signed-again")
    assert services.signoff_status(fresh(signed_system)).state == "current"

"""The idle sign-out warning in a real browser (WCAG 2.2.1 Timing Adjustable), in English and
in Welsh: the dialog opens before the limit with focus on "Stay signed in" and passes axe-core;
"Stay signed in" keeps the session; left alone, the page goes to the sign-in page, which says
why and comes back to the page afterwards.

The live server runs in this process, so the ``settings`` fixture shortens its idle limit. Every
wait is for something to happen on the page (bounded by Playwright's timeouts), never a sleep.
"""

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts import idle
from tests.factories import PASSWORD

from .conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 12  # seconds of idleness before the server signs out
WARNING = 8  # seconds before that the dialog opens
WAIT_MS = (TIMEOUT + 10) * 1000  # the longest any step may take


@pytest.fixture
def short_idle_limit(settings):
    settings.SESSION_IDLE_TIMEOUT = TIMEOUT
    settings.SESSION_IDLE_WARNING = WARNING


def in_language(lang: str, text_of):
    with translation.override(lang):
        return text_of()


def session_key(page) -> str:
    cookies = page.context.cookies()
    return next(c["value"] for c in cookies if c["name"] == settings.SESSION_COOKIE_NAME)


def session_of(page) -> dict:
    return Session.objects.get(session_key=session_key(page)).get_decoded()


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_warning_lets_people_stay_signed_in_and_otherwise_signs_them_out(
    page, cast, short_idle_limit, lang
):
    prefix = "/cy" if lang == "cy" else ""
    sign_in(page, cast.hr.email, PASSWORD)
    page.goto(f"{prefix}/systems/")
    dialog = page.locator("dialog#idle-timeout")
    stay = dialog.locator("[data-idle-stay]")
    expect(dialog).to_be_hidden()

    # The warning opens by itself, modal, with focus in it, in the page's language.
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    expect(stay).to_be_focused()
    expect(stay).to_have_text(in_language(lang, lambda: gettext("Stay signed in")))
    expect(dialog.locator("h2")).to_have_text(
        in_language(lang, lambda: gettext("You are about to be signed out"))
    )
    expect(dialog.locator("[data-idle-sign-out]")).to_have_text(
        in_language(lang, lambda: gettext("Sign out"))
    )
    assert_accessible(page)
    screenshot(page, f"idle-timeout-dialog-{lang}")

    # "Stay signed in": the dialog closes and the server counts the idle time from now.
    pressed_at = int(time.time())
    stay.click()
    expect(dialog).to_be_hidden()
    assert session_of(page)[idle.LAST_ACTIVITY] >= pressed_at
    assert page.url.endswith(f"{prefix}/systems/")

    # Left alone: the warning again, then the sign-in page with the reason and the way back.
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    page.wait_for_url(re.compile(r"/accounts/login/"), timeout=WAIT_MS)
    assert page.url.split("?")[0].endswith(f"{prefix}/accounts/login/")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(in_language(lang, lambda: idle.signed_out_message(idle.IDLE)))
    expect(page.locator('input[name="next"]')).to_have_value(f"{prefix}/systems/")
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("dialog#idle-timeout").count() == 0, "no warning once signed out"
    assert_accessible(page)
    page.goto(f"{prefix}/systems/")
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_sign_out_in_the_warning_signs_out_at_once(page, cast, short_idle_limit):
    sign_in(page, cast.hr.email, PASSWORD)
    page.goto("/systems/")
    dialog = page.locator("dialog#idle-timeout")
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    key = session_key(page)
    dialog.locator("[data-idle-sign-out]").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".govuk-notification-banner")).not_to_contain_text(
        idle.signed_out_message(idle.IDLE)
    )
    assert not Session.objects.filter(session_key=key).exists(), "ended on the server"
    page.goto("/systems/")
    page.wait_for_url(re.compile(r"/accounts/login/"))

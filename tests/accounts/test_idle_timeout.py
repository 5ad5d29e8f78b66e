"""Signing out after SESSION_IDLE_TIMEOUT without a request (accounts/idle.py), the warning's
data on every signed-in page, and "Stay signed in" (the keep-alive endpoint).

The clock is time-machine's, standing still unless a test moves it: no test waits."""

from __future__ import annotations

import datetime as dt
import logging
import re
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import idle
from api import services as api_services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
LIMIT = 30 * 60
SIGNED_OUT = (
    "You were signed out because you had not done anything for 30 minutes. "
    "Nothing you had saved has been lost."
)


@pytest.fixture
def clock():
    """The clock stands at T0; ``clock.shift(seconds)`` moves it on."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hr(clock, cast) -> Client:
    """The HR officer, signed in through the sign-in page at T0."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": cast.hr.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client: Client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_writes(queries) -> int:
    return sum(1 for q in queries if re.match(r'\s*UPDATE "django_session"', q["sql"]))


def test_the_default_idle_limit_is_30_minutes():
    assert settings.SESSION_IDLE_TIMEOUT == LIMIT
    assert settings.SESSION_IDLE_WARNING == 2 * 60
    assert settings.SESSION_COOKIE_AGE == 4 * 60 * 60, "the absolute lifetime stays"


def test_activity_within_the_limit_keeps_the_session_and_idleness_ends_it(clock, hr):
    for _ in range(4):  # 2 hours, never idle for more than 29 minutes
        clock.shift(29 * 60)
        assert signed_in(hr)
    clock.shift(LIMIT)
    assert signed_in(hr), "idle for exactly the limit: still signed in"
    clock.shift(LIMIT + 1)
    assert not signed_in(hr), "idle for longer than the limit: signed out"


def test_past_the_limit_the_person_is_signed_out_and_told_why(clock, hr, cast, caplog):
    caplog.set_level(logging.INFO, logger="govreg.security")
    key = session_key(hr)
    clock.shift(LIMIT + 1)
    response = hr.get("/systems/?q=rota")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/systems/%3Fq%3Drota"
    assert not Session.objects.filter(session_key=key).exists(), "ended on the server"
    page = hr.get(response["Location"])
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert SIGNED_OUT in html
    assert 'name="next" value="/systems/?q=rota"' in html, "back to the page after signing in"
    assert not signed_in(hr)
    records = [r for r in caplog.records if getattr(r, "action", "") == "session.expired"]
    assert len(records) == 1
    assert records[0].outcome == "signed-out"
    assert records[0].reason == "idle"
    assert records[0].actor == str(cast.hr.pk)


def test_a_welsh_page_signs_out_to_the_welsh_sign_in_page(clock, hr):
    clock.shift(LIMIT + 1)
    response = hr.get("/cy/systems/")
    assert response.status_code == 302
    assert response["Location"] == "/cy/accounts/login/?next=/cy/systems/"


def test_the_sign_in_page_itself_shows_the_message_and_keeps_its_next(clock, hr):
    """Where the page's script goes when the time runs out."""
    clock.shift(LIMIT + 1)
    page = hr.get("/accounts/login/?next=/systems/")
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert SIGNED_OUT in html
    assert 'name="next" value="/systems/"' in html
    assert not signed_in(hr)


def test_the_last_activity_is_written_at_most_once_a_minute(clock, hr):
    """One session UPDATE per minute of activity, however many requests: never one per
    request (a query on every page), never none (the idle time would not restart)."""
    writes = []
    for seconds in (10, 30, 59, 60, 61, 100, 119, 120, 121):
        clock.move_to(T0 + dt.timedelta(seconds=seconds))
        with CaptureQueriesContext(connection) as queries:
            assert hr.get(reverse("registers:system_list")).status_code == 200
        writes.append(session_writes(queries.captured_queries))
    assert writes == [0, 0, 0, 1, 0, 0, 0, 1, 0]


def test_signed_in_pages_carry_the_warning_dialog_and_its_script(clock, hr):
    clock.shift(45)
    html = hr.get("/systems/").content.decode()
    dialog = re.search(r"<dialog[^>]*>", html).group(0)
    assert f'data-idle-remaining="{LIMIT - 45}"' in dialog, "counted from the recorded activity"
    assert f'data-idle-timeout="{LIMIT}"' in dialog
    assert 'data-idle-warning="120"' in dialog
    assert 'data-idle-keep-alive-url="/accounts/keep-alive/"' in dialog
    assert 'data-idle-login-url="/accounts/login/?next=/systems/"' in dialog
    assert "You will be signed out in 2 minutes." in html
    assert "Stay signed in" in html
    assert "js/idle-timeout.mjs" in html
    public = Client().get(reverse("accessibility")).content.decode()
    assert "<dialog" not in public and "idle-timeout.mjs" not in public


def test_stay_signed_in_restarts_the_idle_time(clock, hr):
    clock.shift(59)  # within the minute: an ordinary request would not write
    assert hr.post(reverse("keep_alive")).status_code == 204
    clock.shift(LIMIT - 1)  # 30 minutes after the sign-in and a minute more
    assert signed_in(hr), "the keep-alive counted as activity"
    clock.shift(25 * 60)
    assert hr.post(reverse("keep_alive")).status_code == 204
    clock.shift(25 * 60)
    assert signed_in(hr)


def test_stay_signed_in_is_a_post_with_a_csrf_token_by_someone_signed_in(clock, cast):
    url = reverse("keep_alive")
    assert Client().get(url).status_code == 405
    assert Client(enforce_csrf_checks=True).post(url).status_code == 403, "no CSRF token"
    response = Client().post(url)  # the CSRF check aside: not signed in
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.hr)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403, "no CSRF token"
    page = client.get(reverse("dashboard")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, HTTP_X_CSRFTOKEN=token).status_code == 204


def test_stay_signed_in_after_the_limit_is_refused_without_a_redirect(clock, hr):
    clock.shift(LIMIT + 1)
    response = hr.post(reverse("keep_alive"))
    assert response.status_code == 401, "the script goes to the sign-in page itself"
    html = unescape(hr.get("/accounts/login/").content.decode())
    assert SIGNED_OUT in html, "the message waits for the sign-in page"


def test_the_api_on_an_expired_session_answers_401_not_a_redirect(clock, hr):
    assert hr.get("/api/v1/systems/").status_code == 200
    clock.shift(LIMIT + 1)
    response = hr.get("/api/v1/systems/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert not signed_in(hr)


def test_bearer_token_requests_are_not_affected(clock, hr, cast, caplog):
    """A token has its own lifetime: an idle session cookie sent along is neither ended nor
    logged, and the token works however long nobody used the pages."""
    caplog.set_level(logging.INFO, logger="govreg.security")
    _token, raw = api_services.create_token(user=cast.hr, name="tests", read_only=True)
    key = session_key(hr)
    clock.shift(3 * 60 * 60)
    response = hr.get("/api/v1/systems/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert Session.objects.filter(session_key=key).exists(), "the session was left alone"
    assert not [r for r in caplog.records if getattr(r, "action", "") == "session.expired"]
    bare = Client()
    assert bare.get("/api/v1/systems/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_signing_in_starts_both_clocks(clock, hr):
    session = Session.objects.get(session_key=session_key(hr)).get_decoded()
    assert session[idle.SIGNED_IN_AT] == int(T0.timestamp())
    assert session[idle.LAST_ACTIVITY] == int(T0.timestamp())

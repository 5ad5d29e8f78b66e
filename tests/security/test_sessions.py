"""S7: the session lifecycle, and the cookie flags of the production settings.

Sign-in goes through GovReg's real sign-in page (allauth) with the cast's real passwords.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from tests.factories import PASSWORD

from .production import production_settings

pytestmark = pytest.mark.django_db

TWELVE_HOURS = 12 * 60 * 60


def sign_in(client: Client, user, password: str = PASSWORD):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, "signed in"
    return response


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def signed_in(client: Client) -> bool:
    response = client.get(reverse("dashboard"))
    return response.status_code == 200


def test_the_session_key_changes_at_sign_in(world):
    client = Client()
    session = client.session
    session["before"] = "sign-in"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key
    sign_in(client, world.a.user("hr"))
    after = session_key(client)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists(), "the old key is gone"


def test_signing_out_ends_the_session_on_the_server(world):
    client = Client()
    sign_in(client, world.a.user("hr"))
    key = session_key(client)
    assert client.post(reverse("account_logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replay.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_session_older_than_its_age_is_refused_however_active(world):
    """``SESSION_COOKIE_AGE`` counts from sign-in: the activity that restarts the idle time
    (``accounts/idle.py``, which saves the session and so moves Django's own expiry date)
    does not make the session last longer."""
    age = settings.SESSION_COOKIE_AGE
    assert age <= TWELVE_HOURS, "ASVS 4.0.3 3.3.2: at most 12 hours"
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_IDLE_TIMEOUT > 20 * 60
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, world.a.user("hr"))
        for _ in range(age // (20 * 60) - 1):  # a request every 20 minutes
            clock.shift(20 * 60)
            assert signed_in(client)
        clock.move_to(start + dt.timedelta(seconds=age - 60))
        assert signed_in(client), "still valid just before it expires"
        clock.move_to(start + dt.timedelta(seconds=age + 60))
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302, "refused once it is older than SESSION_COOKIE_AGE"
        assert response["Location"].startswith(reverse("account_login"))
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out because you had been signed in for 4 hours." in page
        assert not signed_in(client)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(world):
    """``ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False`` keeps the session in which the password was
    changed (allauth updates its session hash); every other session carries the hash of the old
    password, which Django checks on each request, so they end at once."""
    assert settings.ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is False
    user = world.a.user("auditor")
    here, elsewhere = Client(), Client()
    sign_in(here, user)
    sign_in(elsewhere, user)
    assert signed_in(here) and signed_in(elsewhere)
    response = here.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase-for-2026",
            "password2": "a-new-long-passphrase-for-2026",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert signed_in(here), "the session that changed the password stays signed in"
    assert not signed_in(elsewhere), "the other session is signed out"


def test_a_deactivated_account_is_refused_on_the_next_request(world):
    user = world.a.user("rep")
    client = Client()
    sign_in(client, user)
    assert signed_in(client)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not signed_in(client)


def test_a_removed_membership_is_refused_on_the_next_request(world):
    user = world.a.user("rep")
    client = Client()
    sign_in(client, user)
    url = reverse("registers:system_detail", args=[world.a.system.uuid])
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=user, organisation=world.a.organisation).update(is_active=False)
    assert client.get(url).status_code == 404


def test_the_cookies_set_at_sign_in_are_secure_http_only_and_same_site(world):
    """The test settings are the production ones with DEBUG off."""
    client = Client()
    response = client.get(reverse("account_login"))
    response = sign_in(client, world.a.user("hr"))
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] in ("Lax", "Strict")
    assert not session["max-age"], "a browser-session cookie (expires when the browser closes)"


@pytest.fixture(scope="module")
def production():
    return production_settings()


def test_production_cookies_are_secure_http_only_and_same_site(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["CSRF_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production["SESSION_COOKIE_AGE"] <= TWELVE_HOURS
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True

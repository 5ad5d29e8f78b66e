"""S14: security events are logged (``govreg.security``), naming the user by id, and no secret
ever reaches any log record: not the password, the session key, the CSRF token, the TOTP secret
or a code."""

from __future__ import annotations

import logging

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD

from .totp import code_for, new_secret, steady_clock, wrong_code

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-2026"


def events(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "govreg.security"]


def event(caplog, action: str, outcome: str) -> list[logging.LogRecord]:
    return [
        r
        for r in events(caplog)
        if getattr(r, "action", None) == action and getattr(r, "outcome", None) == outcome
    ]


# What every LogRecord has (times, thread ids…): not written by GovReg, and long numbers in
# which a six-digit code could appear by chance.
STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def everything_logged(caplog) -> str:
    """Every record of every logger: the message with its arguments, the exception text, and
    the extra fields given by the code that logged it."""
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_text:
            parts.append(record.exc_text)
        parts += [str(v) for k, v in vars(record).items() if k not in STANDARD]
    return "\n".join(parts)


def test_the_security_events_are_logged_without_secrets(world, caplog):
    caplog.set_level(logging.INFO)
    manager = world.a.user("manager")
    hr = world.a.user("hr")
    secret = new_secret()
    TOTP.activate(manager, secret)
    secrets_seen: list[str] = [PASSWORD, NEW_PASSWORD, secret]

    # A failed sign-in, a successful one with the second factor (one wrong code first).
    client = Client()
    client.post(reverse("account_login"), {"login": manager.email, "password": "Wrong-" + PASSWORD})
    secrets_seen.append("Wrong-" + PASSWORD)
    with steady_clock():
        client.post(reverse("account_login"), {"login": manager.email, "password": PASSWORD})
        bad = wrong_code(secret)
        client.post(reverse("mfa_authenticate"), {"code": bad})
        good = code_for(secret)
        client.post(reverse("mfa_authenticate"), {"code": good})
    secrets_seen += [bad, good]
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    secrets_seen.append(session_key)

    # A refusal (an auditor may not edit), a password change, signing out.
    auditor = Client()
    auditor.post(
        reverse("account_login"), {"login": world.a.user("auditor").email, "password": PASSWORD}
    )
    secrets_seen.append(auditor.cookies[settings.SESSION_COOKIE_NAME].value)
    assert (
        auditor.get(reverse("registers:system_tasks", args=[world.a.system.uuid])).status_code
        == 403
    )
    hr_client = Client()
    hr_client.post(reverse("account_login"), {"login": hr.email, "password": PASSWORD})
    secrets_seen.append(hr_client.cookies[settings.SESSION_COOKIE_NAME].value)
    response = hr_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    hr_client.post(reverse("account_logout"))
    request = RequestFactory().get("/")
    secrets_seen.append(get_token(request))

    expected = {
        ("login", "failure"): manager,
        ("login", "success"): manager,
        ("mfa.authenticate", "failure"): manager,
        ("mfa.authenticate", "success"): manager,
        ("permission.denied", "denied"): world.a.user("auditor"),
        ("password.changed", "success"): hr,
        ("logout", "success"): hr,
    }
    for (action, outcome), user in expected.items():
        found = event(caplog, action, outcome)
        assert found, f"no {action} {outcome} event"
        assert any(r.actor == str(user.pk) for r in found), f"{action} does not name the user"
        assert all(getattr(r, "ip", "") for r in found)
    denied = event(caplog, "permission.denied", "denied")[0]
    assert denied.object == "registers:system_tasks"

    logged = everything_logged(caplog)
    leaked = [s for s in secrets_seen if s and s in logged]
    assert leaked == [], "secrets in the logs"


def test_a_sign_in_name_with_a_line_break_cannot_forge_a_log_line(world, caplog):
    caplog.set_level(logging.INFO, logger="govreg.security")
    Client().post(
        reverse("account_login"),
        {"login": "x@example.org\nlogin actor=1 outcome=success", "password": "nope"},
    )
    for record in events(caplog):
        assert "\n" not in record.getMessage()


def test_a_failed_sign_in_of_an_unknown_address_names_nobody(world, caplog):
    caplog.set_level(logging.INFO, logger="govreg.security")
    Client().post(reverse("account_login"), {"login": "nobody@example.org", "password": "nope"})
    failures = event(caplog, "login", "failure")
    assert failures and failures[0].actor == "-"
    assert "nobody@example.org" not in everything_logged(caplog)

"""S8: sign-in is rate-limited on every path: the password, the password reset, the two-factor
code, and the Django admin (which has no sign-in of its own)."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

from .totp import code_for, new_secret, steady_clock, wrong_code

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> list[tuple[int, int, str]]:
    """``"5/5m/ip,5/5m/key"`` → ``[(5, 300, "ip"), (5, 300, "key")]``."""
    found = []
    for part in rate.split(","):
        amount, period, per = part.strip().split("/")
        match = re.fullmatch(r"(\d*)([smhd])", period)
        seconds = int(match.group(1) or 1) * UNITS[match.group(2)]
        found.append((int(amount), seconds, per))
    return found


def login(client: Client, email: str, password: str, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_configured_limits_allow_at_most_100_failures_an_hour_per_account():
    """ASVS 4.0.3 2.2.1: no more than 100 failed attempts per hour on one account."""
    rates = settings.ACCOUNT_RATE_LIMITS
    per_key = [r for r in parse_rate(rates["login_failed"]) if r[2] == "key"]
    assert per_key, "failed sign-ins are counted per account"
    amount, seconds, _per = per_key[0]
    assert amount <= 5 and seconds >= 300
    assert amount * (3600 / seconds) <= 100
    assert parse_rate(rates["reset_password"])


def test_the_right_password_is_refused_after_five_failures(world):
    user = world.a.user("hr")
    client = Client()
    for _attempt in range(5):
        response = login(client, user.email, "wrong-password")
        assert response.status_code == 200
        assert not is_signed_in(client)
    response = login(client, user.email, PASSWORD)
    assert TOO_MANY in response.content.decode()
    assert not is_signed_in(client)


def test_the_limit_counts_the_connection_address_not_x_forwarded_for(world):
    """Five failures on five different accounts, each claiming another address in
    X-Forwarded-For: the address limit still counts them as one client (no proxy is trusted),
    so a sixth account's right password is refused."""
    assert getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) == 0
    client = Client()
    victims = [world.a.user(r) for r in ("rep", "manager", "auditor", "admin")]
    victims.append(world.b.user("rep"))
    for n, victim in enumerate(victims):
        login(client, victim.email, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}")
    response = login(client, world.b.user("hr").email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert TOO_MANY in response.content.decode()
    assert not is_signed_in(client)


def test_the_admin_has_no_sign_in_of_its_own(world):
    """Posting a staff member's right password to the admin's sign-in page signs nobody in:
    the admin sends people to GovReg's sign-in (rate-limited, with two-factor codes)."""
    staff = User.objects.create_user("staff@example.org", PASSWORD, is_staff=True)
    client = Client()
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not is_signed_in(client)
    # Through GovReg's sign-in, the same person reaches the admin.
    login(client, staff.email, PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200


def test_password_reset_requests_are_limited_per_account(world):
    _amount, _seconds, _per = min(
        (r for r in parse_rate(settings.ACCOUNT_RATE_LIMITS["reset_password"]) if r[2] == "key"),
        key=lambda r: r[0],
    )
    email = world.a.user("hr").email
    client = Client()
    statuses = [
        client.post(reverse("account_reset_password"), {"email": email}).status_code
        for _n in range(_amount + 1)
    ]
    assert statuses[:_amount] == [302] * _amount
    assert statuses[-1] == 429


def test_two_factor_codes_are_limited_per_person(world):
    """After the password, at most five wrong codes: the sixth attempt is refused even with the
    right code (allauth counts them per person), i.e. no more than 10 a minute."""
    user = world.a.user("manager")
    secret = new_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    client = Client()
    with steady_clock():
        response = login(client, user.email, PASSWORD)
        assert response["Location"] == reverse("mfa_authenticate")
        for _attempt in range(5):
            response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
            assert response.status_code == 200
            assert not is_signed_in(client)
        response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
        assert not is_signed_in(client), "the right code after five wrong ones is refused"
        assert response.status_code in (200, 429)

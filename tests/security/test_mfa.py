"""S9: two-factor authentication (TOTP), available to everyone and enforceable per body for its
senior managers and administrators (``Organisation.require_mfa_for_managers``,
``accounts/mfa.py``).

The codes are computed here as an authenticator app computes them (``totp.py``), from the secret
GovReg shows at set-up; nothing is mocked.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts import mfa
from accounts.models import Organisation
from tests.factories import PASSWORD

from . import matrixrun
from .authz_matrix import ENTRIES
from .totp import code_for, new_secret, steady_clock, wrong_code
from .urlwalk import page_patterns

pytestmark = pytest.mark.django_db

SETUP = reverse("mfa_activate_totp")


@pytest.fixture
def enforced(world):
    Organisation.objects.filter(pk=world.a.organisation.pk).update(require_mfa_for_managers=True)
    return world


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def system_page(world) -> str:
    return reverse("registers:system_detail", args=[world.a.system.uuid])


def test_without_the_policy_nobody_is_asked_to_set_it_up(world):
    for role in ("manager", "admin", "hr"):
        user = world.a.user(role)
        assert not mfa.needs_setup(user)
        assert signed_in_client(user).get(system_page(world)).status_code == 200


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_with_the_policy_managers_and_admins_are_sent_to_set_it_up(enforced, role):
    client = signed_in_client(enforced.a.user(role))
    response = client.get(system_page(enforced))
    assert response.status_code == 302
    assert response["Location"] == SETUP


@pytest.mark.parametrize("role", ["hr", "rep", "auditor"])
def test_the_policy_does_not_apply_to_other_roles(enforced, role):
    assert signed_in_client(enforced.a.user(role)).get(system_page(enforced)).status_code == 200


def test_the_policy_of_one_body_does_not_apply_to_another(enforced):
    client = signed_in_client(enforced.b.user("manager"))
    url = reverse("registers:system_detail", args=[enforced.b.system.uuid])
    assert client.get(url).status_code == 200


def test_no_page_is_reached_without_the_second_factor(enforced):
    """Walk every URL of the matrix, GET and POST, as the body's accountable manager without an
    authenticator: each one is the set-up page, or one of the few pages that stay open."""
    user = enforced.a.user("manager")
    client = signed_in_client(user)
    reached, walked = [], 0
    for pattern in page_patterns():
        entry = ENTRIES[pattern.key]
        url = matrixrun.url_for(pattern.key, entry, enforced)
        name = pattern.key.split(":")[-1]
        if name in mfa.OPEN_URL_NAMES:
            continue
        for method in ("GET", "POST"):
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, entry.post_data(enforced))
                transaction.set_rollback(True)
            walked += 1
            location = urlsplit(response.get("Location", "")).path
            if url.startswith("/api/"):
                stopped = response.status_code == 403  # the API answers in JSON
            else:
                stopped = response.status_code == 302 and location == SETUP
            if not stopped:
                reached.append(f"{method} {url}: {response.status_code} {location}")
    assert walked > 400
    assert reached == [], "reached without a second factor:\n" + "\n".join(reached)


def test_setting_it_up_with_a_real_code_opens_the_pages(enforced):
    user = enforced.a.user("manager")
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(system_page(enforced))["Location"] == SETUP

    response = confirm_password_then_open_setup(client)
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in response.content.decode(), "the secret is shown for typing into the app"
    with steady_clock():
        response = client.post(SETUP, {"code": wrong_code(secret)})
        assert response.status_code == 200
        assert not Authenticator.objects.filter(user=user).exists()
        response = client.post(SETUP, {"code": code_for(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert not mfa.needs_setup(user)
    assert client.get(system_page(enforced)).status_code == 200


def confirm_password_then_open_setup(client: Client):
    """Adding an authenticator asks for the password again first (allauth), then shows the
    set-up page with the secret."""
    response = client.get(SETUP)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_reauthenticate")
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == SETUP
    response = client.get(SETUP)
    assert response.status_code == 200
    return response


def test_adding_an_authenticator_needs_the_password_again(enforced):
    client = signed_in_client(enforced.a.user("admin"))
    response = client.get(SETUP)
    assert urlsplit(response["Location"]).path == reverse("account_reauthenticate")
    response = client.post(response["Location"], {"password": "not-the-password"})
    assert response.status_code == 200
    assert client.get(SETUP).status_code == 302, "still not confirmed"


def test_signing_in_with_an_authenticator_needs_the_code(enforced):
    user = enforced.a.user("manager")
    secret = new_secret()
    TOTP.activate(user, secret)
    client = Client()
    with steady_clock():
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}
        )
        assert response["Location"] == reverse("mfa_authenticate")
        key_after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
        # The password alone reaches nothing.
        page = client.get(system_page(enforced))
        assert page.status_code == 302
        assert urlsplit(page["Location"]).path == reverse("account_login")
        assert (
            client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)}).status_code
            == 200
        )
        assert client.get(system_page(enforced)).status_code == 302
        code = code_for(secret)
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 302
        assert client.get(system_page(enforced)).status_code == 200
        assert client.cookies[settings.SESSION_COOKIE_NAME].value != key_after_password, (
            "a new session key once the second factor is given"
        )

        # The same code cannot be used twice within its 30 seconds.
        again = Client()
        again.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        response = again.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 200
        assert again.get(system_page(enforced)).status_code == 302


def test_a_person_without_the_policy_may_still_set_it_up(world):
    """Available to everyone: an HR officer adds an authenticator and then needs the code."""
    user = world.a.user("hr")
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    confirm_password_then_open_setup(client)
    secret = client.session[SECRET_SESSION_KEY]
    with steady_clock():
        assert client.post(SETUP, {"code": code_for(secret)}).status_code == 302
    assert mfa.has_totp(user)

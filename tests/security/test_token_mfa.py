"""S9 for the API: a personal token obeys its user's two-factor policy (``accounts/mfa.py``).

A token issued before a body turned the policy on stops working for the senior managers and
administrators of that body who have not set up an authenticator app, and works again once they
have; everyone else's tokens are unaffected."""

from __future__ import annotations

import logging

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from api import services
from govreg.ratelimit import TOKEN_FAILURES
from tests.factories import MembershipFactory

from .totp import new_secret

pytestmark = pytest.mark.django_db

MESSAGE = "Set up two-factor authentication to use API tokens."


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def require_mfa(organisation) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(require_mfa_for_managers=True)


def system_url(side) -> str:
    return f"/api/v1/systems/{side.system.uuid}/"


def refusals(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "govreg.security"
        and getattr(r, "action", None) == "api.token"
        and getattr(r, "outcome", None) == "mfa_required"
    ]


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_token_stops_working_when_the_body_requires_two_factors_until_it_is_set_up(
    world, role, caplog
):
    caplog.set_level(logging.INFO, logger="govreg.security")
    user = world.a.user(role)
    token, raw = services.create_token(user=user, name="nightly export")
    assert bearer(raw).get(system_url(world.a)).status_code == 200

    require_mfa(world.a.organisation)
    token.refresh_from_db()
    used_before = token.last_used_at
    refused = bearer(raw).get(system_url(world.a))
    assert refused.status_code == 401
    assert refused.json() == {"detail": MESSAGE, "code": "mfa_required"}
    assert refused["WWW-Authenticate"].startswith("Bearer")
    token.refresh_from_db()
    assert token.last_used_at == used_before  # a refused call is not a use
    assert TOKEN_FAILURES.count("127.0.0.1") == 0  # a valid token is not a guess

    logged = refusals(caplog)
    assert len(logged) == 1
    assert logged[0].actor == str(user.pk)
    assert all(raw not in r.getMessage() and raw not in str(vars(r)) for r in caplog.records)

    TOTP.activate(user, new_secret())
    assert bearer(raw).get(system_url(world.a)).status_code == 200


def test_other_roles_and_other_bodies_keep_their_tokens(world):
    require_mfa(world.a.organisation)
    _token, hr_raw = services.create_token(user=world.a.user("hr"), name="hr")
    _token, other_raw = services.create_token(user=world.b.user("manager"), name="other body")
    assert bearer(hr_raw).get(system_url(world.a)).status_code == 200
    assert bearer(other_raw).get(system_url(world.b)).status_code == 200


def test_any_body_that_requires_it_counts(world):
    """An HR officer of one body who administers another that requires two factors: their
    token is refused everywhere, including for the first body's data."""
    user = world.a.user("hr")
    _token, raw = services.create_token(user=user, name="script")
    MembershipFactory(user=user, organisation=world.b.organisation, role=Role.ORG_ADMIN)
    assert bearer(raw).get(system_url(world.a)).status_code == 200
    require_mfa(world.b.organisation)
    response = bearer(raw).get(system_url(world.a))
    assert response.status_code == 401
    assert response.json()["detail"] == MESSAGE


def test_an_unknown_token_is_logged_as_a_failure(world, caplog):
    caplog.set_level(logging.INFO, logger="govreg.security")
    assert bearer("govreg_deadbeef_guess").get(system_url(world.a)).status_code == 401
    failures = [
        r
        for r in caplog.records
        if getattr(r, "action", None) == "api.token" and getattr(r, "outcome", None) == "failure"
    ]
    assert len(failures) == 1
    assert "deadbeef" not in failures[0].getMessage()

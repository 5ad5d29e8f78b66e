"""Personal API tokens: shown once, stored hashed, revocable, acting only as their user."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken
from audit.models import AuditEvent
from govreg.ratelimit import TOKEN_FAILURES
from registers.models import AlgorithmicSystem

pytestmark = pytest.mark.django_db

TOKENS = "/account/tokens/"


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_token_is_shown_once_on_creation_and_only_its_hash_is_stored(client, cast):
    client.force_login(cast.hr)
    response = client.post(TOKENS, {"name": "Monthly report", "access": "read"})
    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw.startswith("govreg_") and raw in response.content.decode()
    assert response["Cache-Control"].count("no-store") == 1

    token = ApiToken.objects.get(user=cast.hr)
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert all(raw not in value for value in stored)
    assert raw.split("_")[2] not in " ".join(stored)  # the secret part is nowhere

    listing = client.get(TOKENS).content.decode()
    assert "Monthly report" in listing and token.display_prefix in listing
    assert raw not in listing


def test_the_token_works_and_records_its_use(cast, system):
    token, raw = services.create_token(user=cast.hr, name="script")
    response = bearer(raw).get(f"/api/v1/systems/{system.uuid}/")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(client, cast, system):
    token, raw = services.create_token(user=cast.hr, name="script")
    client.force_login(cast.hr)
    page = client.get(f"{TOKENS}{token.uuid}/revoke/")
    assert page.status_code == 200
    response = client.post(f"{TOKENS}{token.uuid}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = bearer(raw).get(f"/api/v1/systems/{system.uuid}/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert (
        AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).count() == 1
    )


def test_nobody_can_revoke_or_see_another_persons_token(client, cast):
    token, _raw = services.create_token(user=cast.hr, name="mine")
    client.force_login(cast.admin)
    assert client.get(f"{TOKENS}{token.uuid}/revoke/").status_code == 404
    assert client.post(f"{TOKENS}{token.uuid}/revoke/").status_code == 404
    assert "mine" not in client.get(TOKENS).content.decode()
    with pytest.raises(PermissionDenied):
        services.revoke_token(token, actor=cast.admin)
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer govreg_nothere_abc",
        "Bearer not-a-govreg-token",
        "Bearer",
        "Bearer a b",
    ],
)
def test_a_malformed_or_unknown_token_is_refused(header, cast, system):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(f"/api/v1/systems/{system.uuid}/").status_code == 401


def test_a_token_with_the_right_prefix_but_a_wrong_secret_is_refused(cast, system):
    token, raw = services.create_token(user=cast.hr, name="script")
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert bearer(forged).get(f"/api/v1/systems/{system.uuid}/").status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(cast, system):
    _token, raw = services.create_token(user=cast.hr, name="script")
    cast.hr.is_active = False
    cast.hr.save()
    assert bearer(raw).get(f"/api/v1/systems/{system.uuid}/").status_code == 401


def test_a_token_acts_only_with_its_users_permissions(cast, other, system, other_system):
    _t, rep_raw = services.create_token(user=cast.rep, name="rep", read_only=False)
    rep = bearer(rep_raw)
    # Sees its own body's system, not another body's (404, as on the pages).
    assert rep.get(f"/api/v1/systems/{system.uuid}/").status_code == 200
    assert rep.get(f"/api/v1/systems/{other_system.uuid}/").status_code == 404
    listed = {row["id"] for row in rep.get("/api/v1/systems/").json()["results"]}
    assert listed == {str(system.uuid)}
    # A rep may not change records: 403, whatever the token allows.
    patch = rep.patch(
        f"/api/v1/systems/{system.uuid}/", {"team": "Rep team", "version": 1}, format="json"
    )
    assert patch.status_code == 403
    assert AlgorithmicSystem.objects.get(pk=system.pk).team != "Rep team"


def test_removing_the_membership_takes_effect_on_the_next_request(cast, system):
    _t, raw = services.create_token(user=cast.auditor, name="audit")
    client = bearer(raw)
    assert client.get(f"/api/v1/systems/{system.uuid}/").status_code == 200
    cast.auditor.memberships.update(is_active=False)
    assert client.get(f"/api/v1/systems/{system.uuid}/").status_code == 404


def test_a_read_only_token_cannot_write_even_for_an_hr_officer(cast, system):
    _t, raw = services.create_token(user=cast.hr, name="read", read_only=True)
    client = bearer(raw)
    assert client.get(f"/api/v1/systems/{system.uuid}/").status_code == 200
    response = client.patch(
        f"/api/v1/systems/{system.uuid}/", {"team": "New team", "version": 1}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    _t, write_raw = services.create_token(user=cast.hr, name="write", read_only=False)
    ok = bearer(write_raw).patch(
        f"/api/v1/systems/{system.uuid}/", {"team": "New team", "version": 1}, format="json"
    )
    assert ok.status_code == 200, ok.content


def test_token_requests_need_no_csrf_but_session_writes_do(cast, system):
    _t, raw = services.create_token(user=cast.hr, name="write", read_only=False)
    assert (
        bearer(raw)
        .patch(f"/api/v1/systems/{system.uuid}/", {"team": "T", "version": 1}, format="json")
        .status_code
        == 200
    )
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(cast.hr)
    response = session.patch(
        f"/api/v1/systems/{system.uuid}/", {"team": "U", "version": 2}, format="json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_failed_token_attempts_are_rate_limited_per_address(cast, system, one_window):
    _t, good = services.create_token(user=cast.hr, name="good")
    attacker = bearer("govreg_deadbeef_guess")
    for _ in range(TOKEN_FAILURES.limit):
        assert attacker.get("/api/v1/systems/").status_code == 401
    blocked = attacker.get("/api/v1/systems/")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # While blocked, even a valid token from the same address is not checked.
    assert bearer(good).get("/api/v1/systems/").status_code == 429
    # Another address is not affected.
    other_address = bearer(good).get("/api/v1/systems/", REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200


def test_tokens_cannot_be_created_without_a_name_or_beyond_the_limit(client, cast):
    client.force_login(cast.hr)
    response = client.post(TOKENS, {"name": "   ", "access": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.create_token(user=cast.hr, name=f"t{n}")
    with pytest.raises(ValidationError):
        services.create_token(user=cast.hr, name="one too many")
    response = client.post(TOKENS, {"name": "one too many", "access": "read"})
    assert response.status_code == 400


def test_creating_a_token_is_audited_without_the_secret(cast):
    token, raw = services.create_token(user=cast.hr, name="script")
    event = AuditEvent.objects.get(action="api_token.created", object_id=str(token.pk))
    assert event.actor == cast.hr
    assert raw not in str(event.changes) and raw not in event.object_repr


def test_the_token_pages_need_sign_in(client):
    response = client.get(TOKENS)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_account_page_links_to_the_token_page(client, cast):
    client.force_login(cast.hr)
    assert TOKENS in client.get("/account/").content.decode()

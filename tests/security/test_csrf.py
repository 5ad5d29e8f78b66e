"""S6: CSRF on every state-changing request, and no state change from safe methods.

With ``Client(enforce_csrf_checks=True)``, every URL pattern of the matrix is POSTed by a caller
whom the matrix lets through (so the refusal can only come from the CSRF check): without a
token, with a token of another session, and with a valid token from a foreign ``Origin``. All
must be 403. HEAD of every URL must write nothing (GET is checked by the matrix itself).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from . import matrixrun
from .authz_matrix import ADMIN_LOGIN, ENTRIES, LOGIN
from .urlwalk import page_patterns

pytestmark = pytest.mark.django_db

REFUSALS = {403, 404, 405, LOGIN, ADMIN_LOGIN}


def pytest_generate_tests(metafunc):
    if "pattern_key" in metafunc.fixturenames:
        metafunc.parametrize("pattern_key", sorted({p.key for p in page_patterns()}))


def let_through(entry) -> tuple[str, str | None] | None:
    """A caller whose POST the matrix does not refuse, if there is one."""
    for side, role in matrixrun.CALLERS:
        expected = entry.post.expected(side, role)
        if expected not in REFUSALS:
            return side, role
    return None


def csrf_client(keys, side, role) -> Client:
    return matrixrun.client_for(keys, side, role, enforce_csrf_checks=True)


def post(client: Client, url: str, data: dict, **extra):
    before = matrixrun.fingerprint()
    with transaction.atomic():
        response = client.post(url, data, **extra)
        written = matrixrun.changed_tables(before, matrixrun.fingerprint())
        transaction.set_rollback(True)
    return response, written


def a_token_of_another_session() -> tuple[str, str]:
    """(cookie value, form token) of a different browser."""
    request = RequestFactory().get("/")
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


def test_every_post_without_a_valid_token_is_refused(pattern_key, world, keys):
    entry = ENTRIES[pattern_key]
    url = matrixrun.url_for(pattern_key, entry, world)
    caller = let_through(entry)
    # A URL whose POST the matrix refuses to everyone changes nothing: the CSRF check may
    # answer first (403) or the refusal itself (e.g. the API's JSON 404 for unknown paths).
    allowed = {403} if caller else {403, 404, 405, 302}
    side, role = caller or ("own", "hr")
    data = entry.post_data(world)
    wrong = []

    # 1. No token at all.
    response, written = post(csrf_client(keys, side, role), url, data)
    if response.status_code not in allowed or written:
        wrong.append(f"no token: {response.status_code}, wrote {written}")

    # 2. This browser's cookie, another browser's token.
    client = csrf_client(keys, side, role)
    own_cookie, _own_token = a_token_of_another_session()
    _their_cookie, their_token = a_token_of_another_session()
    client.cookies[settings.CSRF_COOKIE_NAME] = own_cookie
    response, written = post(client, url, {**data, "csrfmiddlewaretoken": their_token})
    if response.status_code not in allowed or written:
        wrong.append(f"another session's token: {response.status_code}, wrote {written}")

    # 3. A valid token, sent from another site.
    cookie, token = a_token_of_another_session()
    client = csrf_client(keys, side, role)
    client.cookies[settings.CSRF_COOKIE_NAME] = cookie
    response, written = post(
        client,
        url,
        {**data, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://attacker.example",
    )
    if response.status_code not in allowed or written:
        wrong.append(f"foreign Origin: {response.status_code}, wrote {written}")

    assert not wrong, f"POST {url} as {matrixrun.label(side, role)}: " + "; ".join(wrong)


def test_a_valid_token_from_the_same_site_is_accepted(world, keys):
    """The control: the same kind of request with a matching cookie and token goes through."""
    url = f"/systems/{world.a.system.uuid}/comments/new/"
    cookie, token = a_token_of_another_session()
    client = csrf_client(keys, "own", "rep")
    client.cookies[settings.CSRF_COOKIE_NAME] = cookie
    response, written = post(
        client,
        url,
        {
            "csrfmiddlewaretoken": token,
            "target_type": "registers.algorithmicsystem",
            "target_id": world.a.system.uuid,
            "body": "A question.",
        },
    )
    assert response.status_code == 302
    assert written


@pytest.mark.parametrize("side,role", [("anonymous", None), ("own", "admin")])
def test_head_of_every_url_writes_nothing(world, keys, side, role):
    client = matrixrun.client_for(keys, side, role)
    wrong = []
    for pattern in page_patterns():
        entry = ENTRIES[pattern.key]
        url = matrixrun.url_for(pattern.key, entry, world)
        before = matrixrun.fingerprint()
        response = client.head(url)
        written = matrixrun.changed_tables(before, matrixrun.fingerprint())
        written = [t for t in written if not any(t.startswith(p) for p in entry.get_writes)]
        if written:
            wrong.append(f"HEAD {url}: wrote to {written}")
        if response.status_code >= 500:
            wrong.append(f"HEAD {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)

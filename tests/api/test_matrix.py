"""Every API operation × every role of the object's body, of another body, an outsider and
anonymous: the status codes of ``matrix.py`` (the same rules as the pages), and no leaks."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from api import services

from .matrix import EXPECTATIONS, ROLES
from .openapi import operation_keys, operations
from .world import World

pytestmark = pytest.mark.django_db


def pytest_generate_tests(metafunc):
    if "operation_key" in metafunc.fixturenames:
        metafunc.parametrize("operation_key", operation_keys())


@pytest.fixture
def world(cast, other, outsider):
    return World(cast, other, outsider)


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, raw = services.create_token(user=user, name="matrix", read_only=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def call(client: APIClient, method: str, path: str, world: World, expect) -> object:
    url = path.format(**expect.params(world))
    spec = expect.request(world)
    kwargs = {"format": "json"} if "data" in spec else {}
    if method == "GET":
        return client.get(url, spec.get("query", {}), **spec.get("headers", {}))
    return getattr(client, method.lower())(
        url, spec.get("data"), **kwargs, **spec.get("headers", {})
    )


def test_every_role_gets_the_same_answer_as_on_the_pages(operation_key, world):
    expect = EXPECTATIONS.get(operation_key)
    assert expect is not None, (
        f"{operation_key} has no entry in tests/api/matrix.py: add the status each role of the "
        "object's body, of another body, an outsider and anonymous should get"
    )
    method, path = operation_key.split(" ", 1)
    expect.prepare(world)
    actors = [(f"own {r}", world.cast.by_role(r), expect.own[r]) for r in ROLES]
    actors += [(f"other {r}", world.other.by_role(r), expect.other[r]) for r in ROLES]
    actors += [("outsider", world.outsider, expect.outsider), ("anonymous", None, expect.anonymous)]
    wrong = []
    for label, user, status in actors:
        response = call(client_for(user), method, path, world, expect)
        if response.status_code != status:
            wrong.append(f"{label}: expected {status}, got {response.status_code}")
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")
        own_side = label.startswith("own")
        if expect.no_leak and response.status_code == 200:
            if own_side and world.marker not in body:
                wrong.append(f"{label}: the body's own object is missing from the list")
            if not own_side and world.marker in body:
                wrong.append(f"{label}: LEAK of another body's object")
    assert not wrong, f"{operation_key}:\n" + "\n".join(wrong)


def test_every_matrix_entry_is_an_operation_of_the_schema():
    stale = set(EXPECTATIONS) - set(operation_keys())
    assert not stale, f"entries for operations that no longer exist: {sorted(stale)}"


def test_the_matrix_size_is_reported(capsys):
    size = len(operations()) * (2 * len(ROLES) + 2)
    print(f"API matrix: {len(operations())} operations × {2 * len(ROLES) + 2} callers = {size}")
    assert size >= len(EXPECTATIONS)


def test_an_operation_without_an_entry_fails(monkeypatch, world):
    """The completeness check itself: a missing entry is a failure, not a skip."""
    monkeypatch.delitem(EXPECTATIONS, "GET /api/v1/systems/{id}/")
    with pytest.raises(AssertionError, match="has no entry"):
        test_every_role_gets_the_same_answer_as_on_the_pages("GET /api/v1/systems/{id}/", world)

"""S1 (with S5 and S6's safe methods): every page URL pattern × every caller × GET and POST.

For each URL pattern of ``get_resolver()`` (outside the API's ``/api/v1/`` operations, which
``tests/api`` walks from the OpenAPI schema) the entry of ``authz_matrix.py`` says what
anonymous, each role of ``body``, each role of ``other_body`` and an outsider get for GET and
for POST on an object of ``body``. On every response the test also checks that nothing of a
body the caller has no role in is in it (a random marker planted in each body's data), the
security headers (S5), that the planted XSS payload is never in a page unescaped (S10), and
that GET changed no row of any table (S6).
"""

from __future__ import annotations

import re

import pytest

from tests.api.matrix import EXPECTATIONS as API_EXPECTATIONS
from tests.api.openapi import operations

from . import matrixrun
from .authz_matrix import ENTRIES, ROLES
from .urlwalk import api_operation_patterns, page_patterns

pytestmark = pytest.mark.django_db

CALLERS_PER_URL = len(matrixrun.CALLERS)
METHODS = ("GET", "POST")


def pytest_generate_tests(metafunc):
    if "pattern_key" in metafunc.fixturenames:
        metafunc.parametrize("pattern_key", sorted({p.key for p in page_patterns()}))


def check_pattern(pattern_key: str, world, keys) -> list[str]:
    entry = ENTRIES.get(pattern_key)
    assert entry is not None, (
        f"{pattern_key} has no entry in tests/security/authz_matrix.py: add what anonymous, "
        "each role of the object's body, each role of another body and an outsider get"
    )
    url = matrixrun.url_for(pattern_key, entry, world)
    wrong: list[str] = []

    before = matrixrun.fingerprint()
    for side, role, result in matrixrun.run_callers(keys, "GET", url):
        wrong += problems(result, entry.get.expected(side, role), side, world)
    changed = matrixrun.changed_tables(before, matrixrun.fingerprint())
    changed = [t for t in changed if not any(t.startswith(p) for p in entry.get_writes)]
    if changed:
        wrong.append(f"GET changed rows of {changed}")

    data = entry.post_data(world)
    for side, role, result in matrixrun.run_callers(keys, "POST", url, data):
        wrong += problems(result, entry.post.expected(side, role), side, world)
    return [f"{url}: {w}" for w in wrong]


def problems(result, expected, side, world) -> list[str]:
    where = f"{result.method} as {result.caller}"
    if result.error:
        return [f"{where}: raised\n{result.error}"]
    response = result.response
    out = []
    status = matrixrun.status_problem(response, expected)
    if status:
        out.append(f"{where}: {status}")
    signed_in = side != "anonymous"
    out += [f"{where}: {p}" for p in matrixrun.header_problems(response, signed_in=signed_in)]
    out += [
        f"{where}: {p}"
        for p in matrixrun.content_problems(result.body, response, side=side, world=world)
    ]
    return out


def test_every_caller_gets_the_expected_answer(pattern_key, world, keys):
    wrong = check_pattern(pattern_key, world, keys)
    assert not wrong, "\n".join(wrong)


def test_every_url_pattern_has_an_entry():
    missing = sorted({p.key for p in page_patterns()} - set(ENTRIES))
    assert not missing, f"URL patterns without an entry in authz_matrix.py: {missing}"


def test_no_entry_is_left_for_a_pattern_that_is_gone():
    stale = sorted(set(ENTRIES) - {p.key for p in page_patterns()})
    assert not stale, f"entries for URL patterns that no longer exist: {stale}"


def test_a_url_pattern_without_an_entry_fails(monkeypatch, world, keys):
    """The completeness check itself: a missing entry is a failure, not a skip."""
    monkeypatch.delitem(ENTRIES, "registers:system_detail")
    with pytest.raises(AssertionError, match="has no entry"):
        check_pattern("registers:system_detail", world, keys)


def test_a_wrong_expectation_is_caught(monkeypatch, world, keys):
    """The matrix can fail: claim an auditor may edit a section, and the check says otherwise."""
    from .authz_matrix import WRITE, member, page

    wrong = page(("hr", "admin", "auditor"), kwargs=ENTRIES["registers:section_edit"].kwargs)
    monkeypatch.setitem(ENTRIES, "registers:section_edit", wrong)
    found = check_pattern("registers:section_edit", world, keys)
    assert any("GET as own auditor: expected 200, got 403" in f for f in found), found
    assert any("POST as own auditor" in f for f in found), found
    assert member(WRITE).own["auditor"] == WRITE


def _normalise(route: str) -> str:
    """``api/v1/^systems/(?P<pk>[^/.]+)/$``, ``api/v1/systems/<uuid:id>/`` and
    ``/api/v1/systems/{id}/`` → the same shape."""
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route)
    route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)
    route = re.sub(r"\{\w+\}", "{}", route)
    return "/" + route.lstrip("/")


def test_the_api_operations_are_covered_by_the_api_schema_matrix():
    """The pages matrix leaves out ``/api/v1/``: each of those URL patterns must be operations of
    the OpenAPI schema, and each operation must have its row in ``tests/api/matrix.py`` (whose
    ``test_matrix.py`` runs them for every caller). If either stops being true, this fails."""
    schema_paths: dict[str, list[str]] = {}
    for method, path, _op in operations():
        schema_paths.setdefault(_normalise(path), []).append(f"{method} {path}")
    uncovered, unlisted = [], []
    for pattern in api_operation_patterns():
        keys = schema_paths.get(_normalise(pattern.route))
        if not keys:
            uncovered.append(pattern.route)
            continue
        unlisted += [k for k in keys if k not in API_EXPECTATIONS]
    assert not uncovered, f"API URL patterns that are not operations of the schema: {uncovered}"
    assert not unlisted, f"API operations without a row in tests/api/matrix.py: {unlisted}"
    assert len(api_operation_patterns()) > 10


def test_the_matrix_size_is_reported(capsys):
    urls = len({p.key for p in page_patterns()})
    size = urls * CALLERS_PER_URL * len(METHODS)
    line = (
        f"Security matrix (pages): {urls} URL patterns × {CALLERS_PER_URL} callers "
        f"(anonymous, outsider, {len(ROLES)} roles of the body, {len(ROLES)} of another body) × "
        f"{len(METHODS)} methods = {size} requests"
    )
    from . import conftest

    conftest.REPORT.append(line)
    print(line)
    assert urls >= 150


def test_a_person_in_both_bodies_has_in_each_only_the_role_held_there(world):
    """The "bridge" case: a union rep of ``body`` who is also HR officer of ``other_body``."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Role
    from tests.factories import MembershipFactory, UserFactory

    bridge = UserFactory(email="bridge@example.org")
    MembershipFactory(user=bridge, organisation=world.a.organisation, role=Role.UNION_REP)
    MembershipFactory(user=bridge, organisation=world.b.organisation, role=Role.HR_OFFICER)
    client = Client()
    client.force_login(bridge)
    for side in (world.a, world.b):
        assert (
            client.get(reverse("registers:system_detail", args=[side.system.uuid])).status_code
            == 200
        )
    edit_a = reverse("registers:section_edit", args=[world.a.system.uuid, "summary"])
    edit_b = reverse("registers:section_edit", args=[world.b.system.uuid, "summary"])
    assert client.get(edit_a).status_code == 403, "a rep in body: may not edit its record"
    assert client.get(edit_b).status_code == 200, "HR officer in other_body: may"
    position_a = reverse(
        "consultations:position", args=[world.a.system.uuid, world.a.consultation.uuid]
    )
    position_b = reverse(
        "consultations:position", args=[world.b.system.uuid, world.b.consultation.uuid]
    )
    assert client.get(position_a).status_code == 200, "a rep in body: records the union's view"
    assert client.get(position_b).status_code == 403, "not a rep in other_body"
    listing = client.get(reverse("registers:system_list")).content.decode()
    assert world.a.marker in listing and world.b.marker in listing

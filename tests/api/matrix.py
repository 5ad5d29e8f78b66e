"""Who gets what from every API operation: the same 403/404 rules as the pages.

One entry per OpenAPI operation (``"METHOD /path"``). ``test_matrix.py`` walks the schema and
fails for an operation without an entry here, so a new endpoint is tested as soon as it is
added. For each entry it calls the operation on an object of ``body`` as each role of
``body`` (``own``), each role of ``other_body`` (``other``), a signed-in user with no role
anywhere (``outsider``) and an anonymous caller, and compares the status codes.

Rules (as for the pages): another body's object is a 404, exactly like a missing one; a
disallowed action on a visible object is a 403; anonymous is a 401; lists and downloads answer
200 to everyone signed in but never contain another body's objects (``no_leak``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("hr", "rep", "manager", "auditor", "admin")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def only(allowed: tuple[str, ...], yes: int, no: int) -> dict[str, int]:
    return {role: yes if role in allowed else no for role in ROLES}


@dataclass(frozen=True)
class Expect:
    own: dict[str, int]
    other: dict[str, int]
    outsider: int
    anonymous: int = 401
    # world -> path parameters of the body's object
    params: Callable[[Any], dict] = field(default=lambda w: {"id": w.system.pk})
    # world -> {"data": ..., "headers": ..., "query": ...} for the call (fresh for each call)
    request: Callable[[Any], dict] = field(default=lambda w: {})
    # lists and downloads: other bodies' users must not see the body's marker
    no_leak: bool = False


def _current_version(world) -> int:
    from registers.models import AlgorithmicSystem

    return AlgorithmicSystem.objects.get(pk=world.system.pk).version


EDITORS = ("hr", "admin")

EXPECTATIONS: dict[str, Expect] = {
    "GET /api/v1/systems/": Expect(
        own=everyone(200), other=everyone(200), outsider=200, params=lambda w: {}, no_leak=True
    ),
    "POST /api/v1/systems/": Expect(
        own=only(EDITORS, 201, 403),
        # Another body's HR officer may record systems, but not in this body: the
        # organisation is not one of theirs (400, as an unknown id).
        other=only(EDITORS, 400, 403),
        outsider=403,
        params=lambda w: {},
        request=lambda w: {"data": {"organisation": w.body.pk, "name": f"New {w.marker}"}},
    ),
    "GET /api/v1/systems/{id}/": Expect(own=everyone(200), other=everyone(404), outsider=404),
    "PATCH /api/v1/systems/{id}/": Expect(
        own=only(EDITORS, 200, 403),
        other=everyone(404),
        outsider=404,
        request=lambda w: {"data": {"team": "Matrix team", "version": _current_version(w)}},
    ),
    "GET /api/v1/systems/{id}/atrs/": Expect(own=everyone(200), other=everyone(404), outsider=404),
    "GET /api/v1/systems/export/": Expect(
        own=everyone(200),
        other=everyone(200),
        outsider=200,
        params=lambda w: {},
        request=lambda w: {"query": {"format": "csv"}},
        no_leak=True,
    ),
}

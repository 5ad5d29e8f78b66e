"""One fixture world for the whole security suite, built once inside a transaction that is rolled
back at the end (each test runs in a savepoint of it, as usual, so what a test writes is undone).

Every test of this package therefore sees the world's rows; none may use ``transactional_db``
(it would empty the tables under the open transaction)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from .world import build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="package")
def keys(world, django_db_blocker):
    """A signed-in session for every caller of the matrix (see ``matrixrun.CALLERS``)."""
    from .matrixrun import session_keys

    with django_db_blocker.unblock():
        return session_keys(world)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and used TOTP codes live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


REPORT: list[str] = []  # figures the security tests print at the end of the run


def pytest_terminal_summary(terminalreporter):
    for line in REPORT:
        terminalreporter.write_line(line)

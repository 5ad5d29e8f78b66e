"""Outside services a test needs (Redis): skipped when missing, or failed when the run says they
must be there (``GOVREG_REQUIRE_SERVICES=1``, as in CI: ``.ci/run``)."""

from __future__ import annotations

import os
import time

import pytest

REQUIRED = os.environ.get("GOVREG_REQUIRE_SERVICES") == "1"
TEST_REDIS_URL = os.environ.get("GOVREG_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def require_redis(url: str = TEST_REDIS_URL) -> str:
    """``url`` when Redis answers there; otherwise skip the test, or fail it when required."""
    if redis_reachable(url):
        return url
    message = f"Redis is not reachable at {url}"
    if REQUIRED:
        pytest.fail(f"{message} and GOVREG_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def postgres_url(settings) -> str:
    """The test database's URL, for a worker or server subprocess to open. Those need
    PostgreSQL: a subprocess cannot share an in-memory SQLite test database."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        message = "this test starts a subprocess on the test database: it needs PostgreSQL"
        if REQUIRED:
            pytest.fail(f"{message} and GOVREG_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(f"{message} (set DATABASE_URL)")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, *, timeout: float, what: str = "a condition", every: float = 0.2):
    """Poll ``condition`` until it returns something true and return that; fail the test after
    ``timeout`` seconds (every wait on a subprocess is bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")

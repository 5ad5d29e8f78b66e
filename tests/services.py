"""Outside services a test needs (Redis): skipped when missing, or failed when the run says they
must be there (``GOVREG_REQUIRE_SERVICES=1``, as in CI: ``.ci/run``)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

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


def require_postgres(settings, why: str) -> None:
    """Skip the test unless the test database is PostgreSQL (fail it when required)."""
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        message = f"this test needs PostgreSQL ({why})"
        if REQUIRED:
            pytest.fail(f"{message} and GOVREG_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(f"{message}: set DATABASE_URL")


def postgres_url(settings) -> str:
    """The test database's URL, for a worker or server subprocess to open. Those need
    PostgreSQL: a subprocess cannot share an in-memory SQLite test database."""
    require_postgres(settings, "it starts a subprocess on the test database")
    db = settings.DATABASES["default"]
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


CELERY = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "celery")


@contextmanager
def worker_process(*, queue: str, name: str, env: dict[str, str], log_path: Path):
    """A real ``celery -A govreg worker`` subprocess on ``queue`` (one task at a time), its
    output in ``log_path``; yields a function returning that output. Started within a bounded
    wait, stopped by its process group."""
    command = [
        CELERY, "-A", "govreg", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
        "-n", f"{name}@localhost", "-l", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    full_env = {**os.environ, "CONN_MAX_AGE": "0", "PYTHONUNBUFFERED": "1", **env}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=Path(CELERY).parents[2],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_text() -> str:
        return log_path.read_text(errors="replace")

    try:
        wait_for(
            lambda: "ready." in log_text() or process.poll() is not None,
            timeout=45,
            what="the worker to start",
        )
        assert process.poll() is None, log_text()
        yield log_text
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

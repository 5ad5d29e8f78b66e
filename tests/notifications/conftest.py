"""A real Celery worker on the real Redis (DB 3), on the test database, for tests marked
``worker``. It is started as a subprocess and stopped by its process id."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.services import postgres_url, require_redis, worker_process

REDIS_URL = os.environ.get("NOTIFICATIONS_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


def use_broker(app, url: str, *, eager: bool) -> None:
    """Point this process's Celery app at ``url``, dropping connection pools made for the
    previous broker (an earlier eager test may have created them for ``memory://``)."""
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def email_dir(tmp_path) -> Path:
    directory = tmp_path / "mail"
    directory.mkdir()
    return directory


@pytest.fixture
def celery_worker(settings, transactional_db, tmp_path, email_dir):
    """Send tasks to Redis from this process and run them in a real worker process."""
    require_redis(REDIS_URL)
    from govreg.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    use_broker(app, REDIS_URL, eager=False)
    app.control.purge()  # nothing left over from an earlier run
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": postgres_url(settings),
        "REDIS_URL": REDIS_URL,
        "GOVREG_TEST_EMAIL_DIR": str(email_dir),
    }
    try:
        with worker_process(
            queue="celery",
            name=f"notifications-test-{os.getpid()}",
            env=env,
            log_path=tmp_path / "worker.log",
        ) as log_text:
            yield log_text
    finally:
        use_broker(app, saved[0], eager=saved[1])

"""Pause and stop notifications go out through the real broker and a real Celery worker.

The worker is a ``celery -A govreg worker`` subprocess on Redis DB 6 and on the test database
(committed data: ``transactional_db``), writing e-mail to files; it is stopped by its PID and
every wait is bounded.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from notifications.models import Notification
from oversight import services
from tests.factories import SystemFactory
from tests.services import postgres_url, require_redis, wait_for, worker_process

pytestmark = pytest.mark.worker

REDIS_URL = os.environ.get("OVERSIGHT_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


def point_at(app, broker_url: str, eager: bool, queue: str) -> None:
    """Configure the test process's Celery app and drop what it built for the old settings (an
    eager ``.delay()`` earlier in the session opened a connection pool on the in-memory broker,
    and the routing caches the default queue)."""
    from kombu import pools

    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = (
        broker_url,
        eager,
        queue,
    )
    pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def worker(settings, transactional_db, tmp_path):
    """A real worker on its own queue; the test process sends to it through Redis."""
    require_redis(REDIS_URL)
    database = postgres_url(settings)
    from govreg.celery import app

    queue = f"oversight-test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)
    point_at(app, REDIS_URL, False, queue)
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.oversight.worker_settings",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "OVERSIGHT_TEST_EMAIL_DIR": str(mail_dir),
    }
    try:
        with worker_process(queue=queue, name=queue, env=env, log_path=tmp_path / "worker.log"):
            yield mail_dir
    finally:
        point_at(app, *saved)
        import redis

        redis.Redis.from_url(REDIS_URL).delete(queue)


def messages(mail_dir: Path) -> list[str]:
    """The e-mails the worker wrote (the file backend writes one file per connection)."""
    return [path.read_text(errors="replace") for path in sorted(mail_dir.glob("*.log"))]


def test_pause_and_stop_are_emailed_by_a_real_worker(worker, cast):
    system = SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage="in_use",
        name="Rota planner",
    )
    services.pause(system, actor=cast.manager, reason="Breaks squeezed on long shifts.")

    wait_for(
        lambda: "".join(messages(worker)).count("\nTo: ") >= 2,
        timeout=60,
        what="the pause e-mails to HR and the rep",
    )
    text = "".join(messages(worker))
    assert f"To: {cast.hr.email}" in text and f"To: {cast.rep.email}" in text
    assert "Paused: Rota planner" in text
    assert "Breaks squeezed on long shifts." in text
    wait_for(
        lambda: (
            not Notification.objects.filter(event="system.paused", emailed_at__isnull=True).exists()
        ),
        timeout=30,
        what="the notifications to be marked as e-mailed",
    )

    system.refresh_from_db()
    services.retire(system, actor=cast.manager, reason="Replaced by a new contract.")
    wait_for(
        lambda: "Stopped and retired: Rota planner" in "".join(messages(worker)),
        timeout=60,
        what="the stop e-mails",
    )
    wait_for(
        lambda: not Notification.objects.filter(emailed_at__isnull=True).exists(),
        timeout=30,
        what="every notification to be e-mailed",
    )
    assert Notification.objects.filter(event="system.retired").count() == 2

"""S15: Celery accepts JSON only, so a pickled message on the broker is refused, never run.

The hostile message unpickles to ``open(<canary>, "w")``: if anything deserialised it, the
canary file would appear. It is checked with kombu's own deserialisation under the app's
``accept_content``, and (marked ``worker``) against a real worker on the real Redis, DB 10.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import celery
import pytest
from kombu.exceptions import ContentDisallowed
from kombu.serialization import dumps, loads, prepare_accept_content

from govreg.celery import app
from tests.services import require_redis, wait_for, worker_process

REDIS_URL = os.environ.get("SECURITY_TEST_REDIS_URL", "redis://127.0.0.1:6379/10")


class Canary:
    """Unpickling this creates the canary file (and does nothing else)."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_the_app_speaks_json_only_and_redelivers_lost_work():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert conf.result_accept_content in (None, ["json"])
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    major, minor, patch = (int(p) for p in celery.__version__.split(".")[:3])
    assert (major, minor, patch) >= (5, 2, 2), "CVE-2021-23727"


def test_a_pickled_body_is_refused_by_the_apps_accept_list(tmp_path):
    """Deserialised as a worker consumer does: with the app's ``accept_content`` turned into
    content types (``prepare_accept_content``)."""
    accept = prepare_accept_content(app.conf.accept_content)
    assert accept == {"application/json"}
    canary = tmp_path / "canary"
    content_type, encoding, body = dumps(Canary(canary), serializer="pickle")
    assert content_type == "application/x-python-serialize"
    with pytest.raises(ContentDisallowed):
        loads(body, content_type, encoding, accept=accept)
    assert not canary.exists()
    # JSON goes through the same check…
    json_type, json_encoding, json_body = dumps({"args": [1]}, serializer="json")
    assert loads(json_body, json_type, json_encoding, accept=accept) == {"args": [1]}
    # …and the hostile payload is live: where pickle is accepted, it creates the file.
    loads(body, content_type, encoding, accept={content_type})
    assert canary.exists()


@pytest.mark.worker
def test_a_real_worker_refuses_a_pickled_task_message(tmp_path):
    require_redis(REDIS_URL)
    import redis
    from celery import Celery

    queue = f"security-{uuid.uuid4().hex[:10]}"
    canary = tmp_path / "canary"
    # A producer that is willing to pickle (as an attacker with broker access would be).
    sender = Celery("attacker", broker=REDIS_URL)
    sender.conf.task_serializer = "pickle"
    sender.conf.accept_content = ["pickle", "json"]
    sender.send_task("packs.sweep", args=[Canary(canary)], queue=queue, serializer="pickle")

    env = {"DJANGO_SETTINGS_MODULE": "tests.settings", "REDIS_URL": REDIS_URL}
    try:
        with worker_process(
            queue=queue, name=f"security-{os.getpid()}", env=env, log_path=tmp_path / "worker.log"
        ) as log_text:
            wait_for(
                lambda: (
                    "ContentDisallowed" in log_text() or "Refusing to deserialize" in log_text()
                ),
                timeout=20,
                what="the worker to refuse the pickled message",
            )
            time.sleep(1)
            assert not canary.exists(), "the worker unpickled the message"
            assert "succeeded" not in log_text(), "no task ran"
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}")

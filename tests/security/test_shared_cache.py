"""Rate limits and used two-factor codes are shared by every process (``CACHE_URL``, Redis), and
an unreachable Redis never stops anyone signing in (``govreg/cache.py``: it fails open).

The Redis tests use the real server at ``GOVREG_TEST_REDIS_URL``: skipped when it does not
answer, failed instead when ``GOVREG_REQUIRE_SERVICES=1``. They never clear that database; each
test uses keys of its own and deletes them."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import redis
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse

import govreg.cache
from govreg.cache import FailOpenRedisCache, caches_from_env
from govreg.ratelimit import RateLimit
from tests.factories import PASSWORD
from tests.services import require_redis

ROOT = Path(__file__).resolve().parents[2]
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
FAIL_OPEN = "govreg.cache.FailOpenRedisCache"
TOO_MANY = "Too many failed login attempts"


def warnings_logged(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "govreg.security"
        and r.levelno == logging.WARNING
        and getattr(r, "action", None) == "cache.unavailable"
    ]


def closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sign_in(client: Client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def fresh_outages():
    govreg.cache.forget_outages()
    yield
    govreg.cache.forget_outages()


@pytest.fixture
def shared_redis(fresh_outages):
    """The default cache on the real test Redis, under a key prefix of this test's own."""
    url = require_redis()
    prefix = f"govreg-test-{uuid.uuid4().hex[:12]}"
    config = caches_from_env({"CACHE_URL": url})
    config["default"]["KEY_PREFIX"] = prefix
    with override_settings(CACHES=config):
        yield url
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def unreachable_redis(fresh_outages):
    """The default cache on a Redis URL (with a password) where nothing answers."""
    url = f"redis://:pw-not-for-logs@127.0.0.1:{closed_port()}/1"
    with override_settings(CACHES=caches_from_env({"CACHE_URL": url})):
        yield url


# --- Which cache: CACHE_URL, else REDIS_URL on another database, else local memory -------------


def test_without_cache_url_or_redis_url_the_cache_is_per_process_memory():
    assert caches_from_env({})["default"]["BACKEND"] == LOCMEM
    assert caches_from_env({"CACHE_URL": "", "REDIS_URL": ""})["default"]["BACKEND"] == LOCMEM


def test_cache_url_defaults_to_the_broker_server_on_the_next_database():
    default = caches_from_env({"REDIS_URL": "redis://:secret@redis:6379/0"})["default"]
    assert default["BACKEND"] == FAIL_OPEN
    assert default["LOCATION"] == "redis://:secret@redis:6379/1"
    assert caches_from_env({"REDIS_URL": "redis://redis:6379"})["default"]["LOCATION"] == (
        "redis://redis:6379/1"
    )
    assert caches_from_env({"REDIS_URL": "redis://redis:6379/15"})["default"]["LOCATION"] == (
        "redis://redis:6379/14"
    )


def test_cache_url_wins_and_locmem_can_be_chosen_explicitly():
    env = {"REDIS_URL": "redis://redis:6379/0", "CACHE_URL": "rediss://cache.example:6380/3"}
    assert caches_from_env(env)["default"]["LOCATION"] == "rediss://cache.example:6380/3"
    env["CACHE_URL"] = "locmem://"
    assert caches_from_env(env)["default"]["BACKEND"] == LOCMEM


def test_the_redis_cache_gives_up_quickly():
    options = caches_from_env({"CACHE_URL": "redis://cache:6379/1"})["default"]["OPTIONS"]
    assert 0 < options["socket_connect_timeout"] <= 0.5
    assert 0 < options["socket_timeout"] <= 0.5


def test_the_cache_may_not_share_the_brokers_database():
    with pytest.raises(ImproperlyConfigured, match="another database number"):
        caches_from_env({"REDIS_URL": "redis://redis:6379/0", "CACHE_URL": "redis://redis:6379"})
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be"):
        caches_from_env({"CACHE_URL": "memcached://cache:11211"})


def _cache_in_a_new_process(**env_vars: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="govreg.settings", SECRET_KEY="x" * 50, **env_vars)
    code = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c.get('LOCATION', '-'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_production_settings_read_cache_url_and_redis_url():
    broker = _cache_in_a_new_process(REDIS_URL="redis://redis:6379/0")
    assert broker == f"{FAIL_OPEN} redis://redis:6379/1"
    assert _cache_in_a_new_process(CACHE_URL="redis://c:6379/2") == f"{FAIL_OPEN} redis://c:6379/2"
    assert _cache_in_a_new_process() == f"{LOCMEM} -"


# --- Shared between processes --------------------------------------------------------------------

HIT = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from govreg.ratelimit import RateLimit
    limit = RateLimit(sys.argv[1], limit=1000, window=10**9)
    print(" ".join(str(limit.hit("203.0.113.7")) for _ in range(int(sys.argv[2]))))
    """
)


def test_two_processes_count_the_same_limit_together(fresh_outages):
    url = require_redis()
    scope = f"shared-{uuid.uuid4().hex[:12]}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="govreg.settings", SECRET_KEY="x" * 50, CACHE_URL=url)
    shared = FailOpenRedisCache(url, {})
    key = RateLimit(scope, limit=1000, window=10**9)._cache_key("203.0.113.7")
    try:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", HIT, scope, str(hits)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for hits in (3, 4)
        ]
        counts = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            counts.extend(int(n) for n in out.split())
        # Every hit got a number of its own: one count of 7 across both processes (with a cache
        # per process, they would count 1-3 and 1-4).
        assert sorted(counts) == [1, 2, 3, 4, 5, 6, 7]
        assert shared.get(key) == 7
    finally:
        shared.delete(key)


@pytest.mark.django_db
def test_allauth_sign_in_throttling_works_on_the_shared_cache(shared_redis, world):
    assert isinstance(caches["default"], FailOpenRedisCache)
    user = world.a.user("hr")
    for _attempt in range(5):
        response = sign_in(Client(), user.email, "wrong-password")
        assert TOO_MANY not in response.content.decode()
    # allauth keeps its counts in Redis (where every process reads them) ...
    prefix = caches["default"].key_prefix
    stored = redis.Redis.from_url(shared_redis).keys(f"{prefix}:*allauth:rl:*login_failed*")
    assert stored
    # ... and refuses the right password after five failures.
    refused = Client()
    response = sign_in(refused, user.email, PASSWORD)
    assert TOO_MANY in response.content.decode()
    assert not is_signed_in(refused)


def test_a_missing_key_is_still_reported_when_redis_answers(shared_redis):
    with pytest.raises(ValueError):
        cache.incr("never-set")
    assert cache.add("counter", 1) is True
    assert cache.add("counter", 1) is False
    assert cache.incr("counter") == 2


# --- Redis down: fail open -----------------------------------------------------------------------


def test_rate_limits_carry_on_and_one_warning_is_logged(unreachable_redis, caplog):
    caplog.set_level(logging.WARNING, logger="govreg.security")
    assert isinstance(caches["default"], FailOpenRedisCache)
    limit = RateLimit("down", limit=1, window=60)
    assert limit.hit("198.51.100.4") == 1
    assert limit.hit("198.51.100.4") == 1  # counted as new: nothing is stored
    assert limit.count("198.51.100.4") == 0
    assert cache.get("anything", "default") == "default"
    assert cache.incr("anything") == 1
    assert cache.set_many({"a": 1}) == ["a"]

    logged = warnings_logged(caplog)
    assert len(logged) == 1
    message = logged[0].getMessage()
    assert "127.0.0.1" in message and "pw-not-for-logs" not in message


@pytest.mark.django_db
def test_signing_in_works_while_redis_is_down(unreachable_redis, world, caplog):
    caplog.set_level(logging.WARNING, logger="govreg.security")
    client = Client()
    response = sign_in(client, world.a.user("hr").email, PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)
    assert len(warnings_logged(caplog)) == 1


def test_the_warning_is_repeated_at_most_once_a_minute(unreachable_redis, caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="govreg.security")
    now = [1000.0]
    monkeypatch.setattr(govreg.cache, "_clock", lambda: now[0])
    for seconds in (0, 10, 30, 50):  # Redis is tried again after each back-off, and fails
        now[0] = 1000.0 + seconds
        assert cache.get("key") is None
    assert len(warnings_logged(caplog)) == 1
    now[0] = 1000.0 + 61
    assert cache.get("key") is None
    assert len(warnings_logged(caplog)) == 2


def test_after_a_failure_redis_is_left_alone_for_a_few_seconds(shared_redis, monkeypatch):
    """The back-off: an unreachable server costs one timeout, not one per cache call."""
    now = [1000.0]
    monkeypatch.setattr(govreg.cache, "_clock", lambda: now[0])
    cache.set("key", "stored")
    backend = caches["default"]
    govreg.cache._outage(backend._where).failed(backend._where, redis.ConnectionError("gone"))
    assert cache.get("key") is None  # not asked
    now[0] += govreg.cache.RETRY_AFTER + 0.1
    assert cache.get("key") == "stored"  # asked again

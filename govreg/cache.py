"""The default cache: where rate limits and used two-factor codes are counted.

Sign-in throttling (allauth), the API and public-page limits (``govreg/ratelimit.py``), the
anonymous concern form's limits (``consultations/public.py``) and allauth's record of TOTP codes
already used all live in Django's ``default`` cache. With several processes (gunicorn workers,
several machines) that cache must be shared, or every limit counts per process.

``caches_from_env`` chooses it from the environment (``govreg/settings.py``):

* ``CACHE_URL=redis://[:password@]host:6379/1`` (or ``rediss://``): Redis, shared by every
  process, through ``FailOpenRedisCache``;
* ``CACHE_URL`` unset and ``REDIS_URL`` (the Celery broker) set: the same Redis server on the
  *next* database number (broker ``/0`` → cache ``/1``), so the cache's keys, and a
  ``cache.clear()``, never touch the broker's queues. A ``CACHE_URL`` naming the broker's own
  database is refused;
* neither set, or ``CACHE_URL=locmem://``: local memory, per process (a laptop, the tests).

``FailOpenRedisCache`` keeps the site usable when Redis is down: reads answer their default;
``add``, ``set`` and ``incr`` behave as if the key were new (so a limit counts this request as
the first, and a TOTP code is accepted without the replay check); a warning goes to the
``govreg.security`` log at most once a minute per process; and Redis is not tried again for a
few seconds, so an unreachable server costs at most one short timeout now and then.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from redis import RedisError

security_log = logging.getLogger("govreg.security")

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
LOCMEM_URL = "locmem://"
REDIS_SCHEMES = frozenset({"redis", "rediss"})
REDIS_DATABASES = 16  # redis-server's default number of databases (0–15)

CONNECT_TIMEOUT = 0.25  # seconds to open a connection to Redis
READ_TIMEOUT = 0.5  # seconds to wait for an answer
RETRY_AFTER = 5.0  # after a failure, answer without Redis for this long (seconds)
WARN_EVERY = 60.0  # at most one warning per this many seconds, per process and server


# --- Choosing the cache -----------------------------------------------------------------------


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value if value not in (None, "") else None


def _database(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    if not path:
        return 0
    if not path.isdigit():
        raise ImproperlyConfigured(f"The Redis database in {_describe(url)} must be a number.")
    return int(path)


def _server(url: str) -> tuple[str, int, int]:
    parts = urlsplit(url)
    return (parts.hostname or "localhost", parts.port or 6379, _database(url))


def next_database(url: str) -> str:
    """The same Redis server on another database: the next one (the one before, for the last)."""
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            "REDIS_URL is not a redis:// or rediss:// URL: set CACHE_URL to the shared cache "
            f"(or {LOCMEM_URL} for a per-process one)."
        )
    database = _database(url)
    other = database + 1 if database + 1 < REDIS_DATABASES else database - 1
    return urlunsplit(parts._replace(path=f"/{other}"))


def caches_from_env(env: Mapping[str, str]) -> dict:
    """Django's ``CACHES`` for ``CACHE_URL`` and ``REDIS_URL`` in ``env`` (see the module)."""
    broker = _env(env, "REDIS_URL")
    url = _env(env, "CACHE_URL")
    if url is None and broker is not None:
        url = next_database(broker)
    if url is None or url == LOCMEM_URL:
        return {"default": dict(LOCMEM)}
    if urlsplit(url).scheme not in REDIS_SCHEMES:
        raise ImproperlyConfigured(
            f"CACHE_URL must be a redis://, rediss:// or {LOCMEM_URL} URL, not {_describe(url)}."
        )
    if (
        broker is not None
        and urlsplit(broker).scheme in REDIS_SCHEMES
        and _server(url) == _server(broker)
    ):
        raise ImproperlyConfigured(
            "CACHE_URL names the Celery broker's Redis database (REDIS_URL): give the cache "
            "another database number, e.g. /1 when the broker uses /0."
        )
    return {
        "default": {
            "BACKEND": "govreg.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": READ_TIMEOUT},
        }
    }


def _describe(url: str) -> str:
    """A Redis URL without its credentials, for messages and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


# --- Failing open -----------------------------------------------------------------------------


def _clock() -> float:
    return time.monotonic()


class _Outage:
    """One process's view of one Redis server: since when it is skipped, and the last warning."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.skip_until: float | None = None
        self.warned_at: float | None = None

    def skipping(self) -> bool:
        with self.lock:
            return self.skip_until is not None and _clock() < self.skip_until

    def failed(self, where: str, exc: Exception) -> None:
        now = _clock()
        with self.lock:
            self.skip_until = now + RETRY_AFTER
            if self.warned_at is not None and now - self.warned_at < WARN_EVERY:
                return
            self.warned_at = now
        security_log.warning(
            "cache.unavailable outcome=fail_open server=%s error=%s: rate limits and the "
            "two-factor replay check count nothing until the shared cache is back",
            where,
            type(exc).__name__,
            extra={"actor": "-", "action": "cache.unavailable", "outcome": "fail_open", "ip": "-"},
        )


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def forget_outages() -> None:
    """Forget every failure seen by this process (tests)."""
    with _outages_lock:
        _outages.clear()


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache that, when Redis cannot be reached, answers as an empty cache would
    (see the module) instead of raising, so a request never fails because of the cache."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._where = ",".join(_describe(s) for s in self._servers)

    def _guarded(self, fallback, method, *args):
        outage = _outage(self._where)
        if outage.skipping():
            return fallback
        try:
            return method(self, *args)
        except RedisError as exc:
            outage.failed(self._where, exc)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(True, RedisCache.add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(default, RedisCache.get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(None, RedisCache.set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(False, RedisCache.touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(False, RedisCache.delete, key, version)

    def get_many(self, keys, version=None):
        return self._guarded({}, RedisCache.get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(False, RedisCache.has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError (Django's contract); an unreachable Redis counts
        # as a new key: this is the first event.
        return self._guarded(delta, RedisCache.incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(list(data), RedisCache.set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guarded(None, RedisCache.delete_many, keys, version)

    def clear(self):
        return self._guarded(False, RedisCache.clear)

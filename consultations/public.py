"""Rate limiting for the public, anonymous concern form, without storing who anyone is.

The client is known only by a key: an HMAC of its network address under a salt that changes
every day (derived from ``SECRET_KEY`` and the date). The key lives only in the cache, for the
rest of the day; the address itself is never stored, logged or put in the cache, and
yesterday's keys cannot be linked to today's.

With several web processes, set ``CACHE_URL`` (or ``REDIS_URL``) to a shared cache so the
limits hold across them; the embedded default (local memory) counts per process.
Behind a reverse proxy, ``REMOTE_ADDR`` must be the client's address (set by the proxy
integration), or every worker shares one key; the per-system limit still applies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from govreg.ratelimit import bump


def _per_client() -> int:
    return getattr(settings, "CONCERN_RATE_LIMIT_PER_CLIENT", 8)


def _per_system() -> int:
    return getattr(settings, "CONCERN_RATE_LIMIT_PER_SYSTEM", 50)


def _seconds_left_today() -> int:
    now = timezone.localtime()
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60, int((midnight - now).total_seconds()) + 60)


def client_key(request) -> str:
    """An unlinkable, daily-changing key for the client (never its address)."""
    day = timezone.localdate().isoformat()
    salt = hmac.new(
        settings.SECRET_KEY.encode(), f"govreg-concern-client:{day}".encode(), hashlib.sha256
    ).digest()
    address = request.META.get("REMOTE_ADDR", "") or ""
    return hmac.new(salt, address.encode(), hashlib.sha256).hexdigest()[:40]


def _bump(key: str) -> int:
    return bump(key, timeout=_seconds_left_today())


def attempt_allowed(request) -> bool:
    """Count one attempt to send the form; False once the client has made too many today."""
    day = timezone.localdate().isoformat()
    return _bump(f"concern-form:client:{day}:{client_key(request)}") <= _per_client()


def system_allowed(system_id: int) -> bool:
    """False once a system has had too many anonymous concerns today (a flood)."""
    day = timezone.localdate().isoformat()
    key = f"concern-form:system:{day}:{system_id}"
    return (cache.get(key) or 0) < _per_system()


def count_for_system(system_id: int) -> None:
    _bump(f"concern-form:system:{timezone.localdate().isoformat()}:{system_id}")

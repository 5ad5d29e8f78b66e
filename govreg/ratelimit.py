"""A small fixed-window rate limiter on Django's cache (LocMem by default, Redis when set).

Used for the public endpoints (transparency pages, open data, sitemap, API schema and docs)
and for failed API-token authentications. Counting is per client address: ``REMOTE_ADDR``,
which a reverse proxy must set to the real client (``X-Forwarded-For`` is never trusted here,
so a client cannot reset its own limit by sending a different header).

Usage::

    PUBLIC = RateLimit("public", limit=120, window=60)
    if PUBLIC.exceeded(request):      # counts this request
        return too_many_requests(request, PUBLIC)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _


def bump(cache_key: str, *, timeout: int) -> int:
    """Add one to a counter in the cache (created with ``timeout``); return the new count."""
    if cache.add(cache_key, 1, timeout):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout)
        return 1


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` events per ``window`` seconds for one key (by default, one address)."""

    scope: str
    limit: int
    window: int

    @property
    def enabled(self) -> bool:
        return getattr(settings, "GOVREG_RATE_LIMITS_ENABLED", True)

    def _cache_key(self, key: str) -> str:
        bucket = int(time.time() // self.window)
        return f"govreg:rl:{self.scope}:{key}:{bucket}"

    def count(self, key: str) -> int:
        """Events recorded for ``key`` in the current window."""
        return cache.get(self._cache_key(key), 0)

    def hit(self, key: str) -> int:
        """Record one event for ``key``; return the count in the current window."""
        return bump(self._cache_key(key), timeout=self.window + 1)

    def blocked(self, key: str) -> bool:
        """Over the limit already (does not count an event)."""
        return self.enabled and self.count(key) >= self.limit

    def exceeded(self, request) -> bool:
        """Count this request from its address; true once over the limit."""
        if not self.enabled:
            return False
        return self.hit(client_address(request)) > self.limit

    def retry_after(self) -> int:
        return max(1, self.window - int(time.time() % self.window))


def too_many_requests(limit: RateLimit) -> HttpResponse:
    response = HttpResponse(
        _("Too many requests. Please wait a minute and try again."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(limit.retry_after())
    response["Cache-Control"] = "no-store"
    return response


def rate_limited(limit: RateLimit):
    """View decorator: answer 429 (with ``Retry-After``) once an address passes ``limit``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if limit.exceeded(request):
                return too_many_requests(limit)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The limits in force (per client address).
PUBLIC_PAGES = RateLimit("public", limit=120, window=60)
OPEN_DATA = RateLimit("opendata", limit=30, window=60)
API_DOCS = RateLimit("apidocs", limit=60, window=60)
TOKEN_FAILURES = RateLimit("token-fail", limit=10, window=600)

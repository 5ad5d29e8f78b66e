"""Conditional GET (ETag and Last-Modified) and cache headers for the public pages and data.

A public response is the same for everyone who is not signed in, so it may be cached by
browsers and shared caches for a few minutes and revalidated cheaply (304). A signed-in
person sees their name and a sign-out form on pages (and anyone with a session may see a
message), so their copy is private and unvalidated.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from registers.models import AlgorithmicSystem

PUBLIC_MAX_AGE = 300
# Change when the public representation changes shape, so cached copies are not reused.
REPRESENTATION = "2"


def register_state(queryset=None) -> tuple[int, datetime | None]:
    """``(count, newest updated_at)`` of the published systems: one query."""
    if queryset is None:
        queryset = AlgorithmicSystem.objects.published()
    row = queryset.order_by().aggregate(n=Count("id"), newest=Max("updated_at"))
    return row["n"], row["newest"]


def make_etag(*parts) -> str:
    blob = "|".join(str(p) for p in (REPRESENTATION, get_language(), *parts))
    return '"' + hashlib.sha256(blob.encode()).hexdigest()[:32] + '"'


def is_public(request) -> bool:
    """The same page anyone would get: not signed in, and no session or pending messages
    (which would show on the page)."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return not request.user.is_authenticated


def not_modified(request, *, etag: str, last_modified: datetime | None):
    """A 304 (or 412) response if the client's copy is current, else ``None``."""
    if not is_public(request):
        return None
    timestamp = int(last_modified.timestamp()) if last_modified else None
    return get_conditional_response(request, etag=etag, last_modified=timestamp)


def finish(request, response, *, etag: str, last_modified: datetime | None):
    """Add validators and cache headers to a public response."""
    if is_public(request) and response.status_code == 200:
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    patch_vary_headers(response, ("Cookie",))
    return response


def conditional(request, *, etag: str, last_modified: datetime | None, render):
    """``render()`` unless the client's copy is current; headers either way."""
    response = not_modified(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = render()
    elif response.status_code == 304:
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ("Cookie",))
        return response
    return finish(request, response, etag=etag, last_modified=last_modified)

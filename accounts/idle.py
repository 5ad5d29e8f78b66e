"""Signing out after a time without activity, and at the end of the session's lifetime.

* ``SESSION_IDLE_TIMEOUT`` (seconds, 30 minutes by default): ``IdleTimeoutMiddleware`` signs out
  a person who has sent no request for that long, logs ``session.expired reason=idle`` to the
  ``govreg.security`` log and sends them to the sign-in page with a message saying why (keeping
  the page they asked for as ``next``). The time of the last request is kept in the session, but
  written at most once every ``WRITE_EVERY`` seconds: a write costs a query, and most requests
  write nothing else to the session.
* ``SESSION_COOKIE_AGE`` (4 hours) counts from sign-in, whatever the person does: Django moves a
  session's expiry date on every save, and the last-activity time saves it, so the absolute
  lifetime is enforced here too (``reason=lifetime``).
* WCAG 2.2.1 (Timing Adjustable): every page for a signed-in person carries the dialog of
  ``templates/includes/idle_timeout.html``; ``static/js/idle-timeout.mjs`` opens it
  ``SESSION_IDLE_WARNING`` seconds before the sign-out, and its "Stay signed in" button POSTs to
  ``keep_alive`` below, which restarts the idle time.
* Requests with a bearer token (the API) are not concerned: a token has its own lifetime. An API
  request on an expired session is answered by the API as for anyone not signed in (401), never
  with a redirect to a page.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .middleware import log_event

LAST_ACTIVITY = "govreg_last_activity"  # epoch seconds of the last request counted
SIGNED_IN_AT = "govreg_signed_in_at"  # epoch seconds of the sign-in
WRITE_EVERY = 60  # seconds: the last-activity time is written at most this often
IDLE, LIFETIME = "idle", "lifetime"


def now() -> int:
    return int(time.time())


def idle_timeout() -> int:
    return settings.SESSION_IDLE_TIMEOUT


def warning_seconds() -> int:
    """How long before the sign-out the page warns (never more than the idle time itself)."""
    return max(0, min(settings.SESSION_IDLE_WARNING, idle_timeout()))


def start(session, at: int | None = None) -> None:
    """A new sign-in: both clocks start now."""
    at = now() if at is None else at
    session[SIGNED_IN_AT] = at
    session[LAST_ACTIVITY] = at


def touch(session, at: int, *, force: bool = False) -> bool:
    """Record activity at ``at``; write the session only if the recorded time is at least
    ``WRITE_EVERY`` seconds old (or missing, or ``force``). Returns whether it wrote."""
    last = session.get(LAST_ACTIVITY)
    if force or last is None or at - last >= WRITE_EVERY:
        session[LAST_ACTIVITY] = at
        return True
    return False


def expiry_reason(session, at: int) -> str | None:
    """``LIFETIME`` past ``SESSION_COOKIE_AGE`` since sign-in, ``IDLE`` past
    ``SESSION_IDLE_TIMEOUT`` since the recorded activity, else ``None``."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is not None and at - signed_in_at > settings.SESSION_COOKIE_AGE:
        return LIFETIME
    last = session.get(LAST_ACTIVITY)
    if last is not None and at - last > idle_timeout():
        return IDLE
    return None


def seconds_left(session, at: int) -> int:
    """Seconds until the idle sign-out, as the server counts them (from the recorded time,
    which may be up to ``WRITE_EVERY`` seconds older than the last request)."""
    last = session.get(LAST_ACTIVITY, at)
    return max(0, min(idle_timeout(), last + idle_timeout() - at))


def signed_out_message(reason: str) -> str:
    if reason == LIFETIME:
        hours = max(1, settings.SESSION_COOKIE_AGE // 3600)
        return ngettext(
            "You were signed out because you had been signed in for %(hours)d hour. "
            "Nothing you had saved has been lost.",
            "You were signed out because you had been signed in for %(hours)d hours. "
            "Nothing you had saved has been lost.",
            hours,
        ) % {"hours": hours}
    minutes = max(1, idle_timeout() // 60)
    return ngettext(
        "You were signed out because you had not done anything for %(minutes)d minute. "
        "Nothing you had saved has been lost.",
        "You were signed out because you had not done anything for %(minutes)d minutes. "
        "Nothing you had saved has been lost.",
        minutes,
    ) % {"minutes": minutes}


def login_url_for(request) -> str:
    """The sign-in page, coming back to this page afterwards."""
    query = QueryDict(mutable=True)
    query["next"] = request.get_full_path()
    return f"{reverse('account_login')}?{query.urlencode(safe='/')}"


def _has_bearer_token(request) -> bool:
    return request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class IdleTimeoutMiddleware:
    """After ``AuthenticationMiddleware`` and ``MessageMiddleware``; reads nothing of the
    request body (the evidence upload installs its own upload handler in the view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_bearer_token(request) or not request.user.is_authenticated:
            return self.get_response(request)
        at = now()
        session = request.session
        reason = expiry_reason(session, at)
        if reason is not None:
            return self.sign_out(request, reason)
        if SIGNED_IN_AT not in session:  # a session from before these clocks existed
            session[SIGNED_IN_AT] = at
        touch(session, at)
        return self.get_response(request)

    def sign_out(self, request, reason: str):
        log_event(
            "session.expired",
            request=request,
            user=request.user,
            outcome="signed-out",
            reason=reason,
        )
        logout(request)
        if request.path_info.startswith("/api/"):
            return self.get_response(request)  # the API answers as for anyone not signed in
        messages.info(request, signed_out_message(reason))
        name = _url_name(request)
        if name == "keep_alive":
            return HttpResponse(status=401)  # the page's script goes to the sign-in page
        if name == "account_login":
            return self.get_response(request)  # the sign-in page, with the message and its next
        if name == "account_logout":
            return redirect(resolve_url(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))


def on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: both clocks start at sign-in (in the session the sign-in saves)."""
    session = getattr(request, "session", None)
    if session is not None:
        start(session)


@require_POST
@login_required
def keep_alive(request):
    """The dialog's "Stay signed in": the idle time starts again. 204, nothing to show."""
    touch(request.session, now(), force=True)
    return HttpResponse(status=204)

"""Request-level security: the two-factor policy, private caching, and the security-event log.

* ``MfaPolicyMiddleware``: a senior manager or administrator of a body that requires two-factor
  authentication, signed in without an authenticator, reaches only the set-up pages
  (``accounts/mfa.py``).
* ``PrivatePagesMiddleware``: pages answered to a signed-in person are never stored by a shared
  or browser cache (``Cache-Control: no-store``), unless the view chose its own caching.
* ``SecurityEventMiddleware`` and the signal receivers below write the ``govreg.security`` log:
  sign-in success and failure, sign-out, two-factor events, password changes and every refused
  request (403). Each record names the user by id and the client address; never a password,
  code, token, session key or the query string. The receivers are connected in
  ``AccountsConfig.ready()``.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from . import mfa

security_log = logging.getLogger("govreg.security")


# --- The two-factor policy --------------------------------------------------------------------


class MfaPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name in mfa.OPEN_URL_NAMES:
            return None
        if not mfa.needs_setup(request.user):
            return None
        log_event("mfa.required", request=request, user=request.user, outcome="redirected")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Two-factor authentication must be set up before using GovReg."},
                status=403,
            )
        return redirect(mfa.SETUP_URL_NAME)


# --- Private pages are not cached -------------------------------------------------------------


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


# --- The security-event log -------------------------------------------------------------------


def client_ip(request) -> str:
    """The address the request came from (the proxy's, unless the proxy is trusted to set
    ``REMOTE_ADDR`` itself); never a header the client could write."""
    return (request.META.get("REMOTE_ADDR") or "-") if request is not None else "-"


def _actor(user) -> str:
    pk = getattr(user, "pk", None)
    return str(pk) if pk is not None else "-"


def _route(request) -> str:
    """The URL pattern, not the path: a path may carry a secret (a password-reset key)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "-"
    return match.view_name or match.route or "-"


def log_event(action: str, *, request=None, user=None, outcome: str, **fields) -> None:
    record = {"actor": _actor(user), "action": action, "outcome": outcome, "ip": client_ip(request)}
    record.update({k: str(v) for k, v in fields.items()})
    text = " ".join(f"{k}={v}" for k, v in record.items() if k != "action")
    security_log.info("%s %s", action, text.replace("\n", "\\n").replace("\r", "\\r"), extra=record)


class SecurityEventMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            log_event(
                "permission.denied",
                request=request,
                user=user,
                outcome="denied",
                method=request.method,
                object=_route(request),
            )
        return response


def _on_login(sender, request, user, **kwargs):
    log_event("login", request=request, user=user, outcome="success")


def _on_logout(sender, request, user, **kwargs):
    log_event("logout", request=request, user=user, outcome="success")


def _on_login_failed(sender, credentials, request=None, **kwargs):
    """Names the account tried (by id) when it exists; never the address typed or the
    password (Django has masked it already; it is not read here)."""
    login = credentials.get("email") or credentials.get("username") or credentials.get("login")
    user = None
    if isinstance(login, str) and login:
        user = get_user_model().objects.filter(email__iexact=login.strip()).only("pk").first()
    log_event("login", request=request, user=user, outcome="failure")


def _mfa(action: str, outcome: str):
    def receiver(sender, request=None, user=None, authenticator=None, **kwargs):
        kind = getattr(authenticator, "type", "") or "-"
        log_event(action, request=request, user=user, outcome=outcome, factor=kind)

    return receiver


def _password(action: str):
    def receiver(sender, request=None, user=None, **kwargs):
        log_event(action, request=request, user=user, outcome="success")

    return receiver


_RECEIVERS: list = []


def connect_signals() -> None:
    """Called once from ``AccountsConfig.ready()``."""
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals

    from .idle import on_login as start_session_clocks

    user_logged_in.connect(_on_login, dispatch_uid="govreg.security.login")
    user_logged_in.connect(start_session_clocks, dispatch_uid="govreg.idle.login")
    user_logged_out.connect(_on_logout, dispatch_uid="govreg.security.logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="govreg.security.login_failed")
    pairs = [
        (mfa_signals.authenticator_added, _mfa("mfa.added", "success")),
        (mfa_signals.authenticator_removed, _mfa("mfa.removed", "success")),
        (mfa_signals.authenticator_reset, _mfa("mfa.reset", "success")),
        (mfa_signals.authenticator_used, _mfa("mfa.authenticate", "success")),
        (mfa_signals.authentication_failed, _mfa("mfa.authenticate", "failure")),
        (account_signals.password_changed, _password("password.changed")),
        (account_signals.password_set, _password("password.set")),
        (account_signals.password_reset, _password("password.reset")),
    ]
    for signal, receiver in pairs:
        _RECEIVERS.append(receiver)  # keep a strong reference
        signal.connect(receiver, dispatch_uid=f"govreg.security.{id(signal)}")

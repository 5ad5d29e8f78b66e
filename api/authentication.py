"""Token authentication for the API: ``Authorization: Bearer govreg_<prefix>_<secret>``.

Failed attempts are counted per client address; past ``TOKEN_FAILURES`` the address gets 429
for the rest of the window, even with a valid token, so tokens cannot be guessed at speed.

A token obeys its user's two-factor policy (``accounts/mfa.py``): while a body requires two
factors of its senior managers and administrators, the token of such a person who has not set
up an authenticator app is refused (401), as their signed-in pages are, however old the token.
Refusals are written to the ``govreg.security`` log (never the token itself).
"""

from __future__ import annotations

import hmac

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts import mfa
from accounts.middleware import log_event
from govreg.ratelimit import TOKEN_FAILURES, client_address

from . import services
from .models import TOKEN_TAG, ApiToken, token_digest

KEYWORD = b"bearer"


class TokenAuthentication(BaseAuthentication):
    """A personal API token acts as its user, with exactly that user's permissions."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        address = client_address(request)
        if TOKEN_FAILURES.blocked(address):
            raise exceptions.Throttled(
                wait=TOKEN_FAILURES.retry_after(),
                detail=_("Too many failed token attempts. Try again later."),
            )
        if len(parts) != 2:
            self._fail(request, address)
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            self._fail(request, address)
        token = self._lookup(raw)
        if token is None:
            self._fail(request, address)
        if mfa.needs_setup(token.user):
            # A valid token: not counted as a guess, but refused until the person sets up
            # two-factor authentication (the same rule as MfaPolicyMiddleware).
            log_event(
                "api.token",
                request=request,
                user=token.user,
                outcome="mfa_required",
                token=token.pk,
            )
            raise exceptions.AuthenticationFailed(
                _("Set up two-factor authentication to use API tokens."), code="mfa_required"
            )
        services.touch_token(token)
        return token.user, token

    def _lookup(self, raw: str) -> ApiToken | None:
        tag, _sep, rest = raw.partition("_")
        prefix, _sep, secret = rest.partition("_")
        if tag != TOKEN_TAG or not prefix or not secret or len(raw) > 200:
            return None
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(prefix=prefix, user__is_active=True)
            .first()
        )
        if token is None or not hmac.compare_digest(token.secret_hash, token_digest(raw)):
            return None
        return token

    def _fail(self, request, address: str):
        TOKEN_FAILURES.hit(address)
        log_event("api.token", request=request, outcome="failure")
        raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

"""Two-factor authentication that a body can require of its senior managers and administrators.

Everyone may set up an authenticator app (TOTP, ``allauth.mfa``) on their account page. A body
that sets ``Organisation.require_mfa_for_managers`` makes it compulsory for the people who hold
the senior accountable manager or organisation administrator role there:

* ``MfaPolicyMiddleware`` (``accounts/middleware.py``) sends such a person who has no
  authenticator yet to the set-up page before any other page (only the set-up pages, signing
  in again to confirm who they are, and signing out stay open);
* once it is set up, allauth asks for a code at every sign-in (its ``mfa_authenticate`` login
  stage), so no page is reached with the password alone;
* an API token of such a person is refused (401) by ``api.authentication.TokenAuthentication``
  with this same rule (``needs_setup``), whenever the token was issued.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

from .models import Role
from .permissions import memberships

ENFORCED_ROLES = frozenset({Role.SENIOR_MANAGER, Role.ORG_ADMIN})

SETUP_URL_NAME = "mfa_activate_totp"

# Pages a person who must set up two-factor authentication may still open: setting it up (which
# may ask them to confirm their password first), their recovery codes, and signing out.
OPEN_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
        "keep_alive",  # the idle-timeout dialog's "Stay signed in" (accounts/idle.py)
    }
)


def required_for(user) -> bool:
    """Does a body where ``user`` is a senior manager or administrator require two factors?"""
    return any(
        m.role in ENFORCED_ROLES and m.organisation.require_mfa_for_managers
        for m in memberships(user)
    )


def has_totp(user) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def needs_setup(user) -> bool:
    """Signed in, required to use two factors, and without an authenticator app yet."""
    if not getattr(user, "is_authenticated", False):
        return False
    return required_for(user) and not has_totp(user)

"""Writes of the API app: personal tokens, and system updates made through the API.

A system update through the API is the register's own ``update_section``, section by section,
under one row lock and one version precondition (see ``update_system``).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from audit import services as audit
from registers import services as register_services
from registers.models import AlgorithmicSystem
from registers.sections import FIELD_SECTIONS

from .models import TOKEN_TAG, ApiToken, token_digest

MAX_ACTIVE_TOKENS = 10


# --- Tokens -------------------------------------------------------------------------------


@transaction.atomic
def create_token(*, user, name: str, read_only: bool = True) -> tuple[ApiToken, str]:
    """Create a token for ``user``. Returns it with the raw token, which is never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the token.")})
    if ApiToken.objects.filter(user=user).active().count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You already have %(n)d active tokens. Revoke one you no longer use first.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, secret_hash=token_digest(raw), read_only=read_only
    )
    audit.record(
        user,
        "api_token.created",
        token,
        changes={"name": [None, name], "prefix": [None, prefix], "read_only": [None, read_only]},
    )
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, actor) -> ApiToken:
    """Revoke one of the actor's own tokens (idempotent)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionDenied("revoke_token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            "api_token.revoked",
            token,
            changes={"revoked_at": [None, audit.to_jsonable(token.revoked_at)]},
        )
    return token


def touch_token(token: ApiToken) -> None:
    """Record use, at most once a minute (no write per request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- Systems ------------------------------------------------------------------------------


class VersionConflict(Exception):
    """The record changed since the version the client read."""

    def __init__(self, current_version: int):
        super().__init__("version conflict")
        self.current_version = current_version


@transaction.atomic
def update_system(
    system: AlgorithmicSystem, *, actor, data: dict[str, Any], expected_version: int
) -> AlgorithmicSystem:
    """Save fields of any sections of the record, if nobody changed it since ``expected_version``.

    The row stays locked from the version check to the last section, so the check and the
    writes are one step. Each section is saved (and audited) by ``update_section``.
    """
    locked = AlgorithmicSystem.objects.select_for_update().get(pk=system.pk)
    require(actor, "edit_system", locked)
    if locked.version != expected_version:
        raise VersionConflict(locked.version)
    for section in FIELD_SECTIONS:
        part = {name: value for name, value in data.items() if name in section.fields}
        if part:
            locked = register_services.update_section(
                locked, actor=actor, section=section, data=part, expected_fingerprint=None
            )
    return locked

"""Personal API tokens: created and revoked by their user, shown once, stored hashed.

A token reads ``govreg_<prefix>_<secret>``. The prefix is stored in clear so the token can be
found and recognised in lists; only the SHA-256 of the whole token is kept, so a copy of the
database does not give anyone a working token. A token acts with its user's permissions (the
same ``accounts.permissions`` as the pages), and a read-only token with none of the writes.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govreg.public_ids import PublicIdModel

TOKEN_TAG = "govreg"  # noqa: S105 - the visible start of every token, not a secret


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def for_user(self, user):
        return self.filter(user=user).order_by("-created_at")


class ApiToken(PublicIdModel):
    """One personal API token (only its hash is stored)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, so you can recognise it.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("SHA-256 of the token"), max_length=64)
    read_only = models.BooleanField(_("read only"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({TOKEN_TAG}_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def display_prefix(self) -> str:
        return f"{TOKEN_TAG}_{self.prefix}_…"

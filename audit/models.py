"""The append-only, hash-chained audit log.

Every create, change, delete and workflow action is an ``AuditEvent``. Each event stores the
hash of the previous one and its own hash over its content, so altering, removing, inserting
or reordering an entry breaks the chain (``python manage.py verify_audit_log``). The single
``ChainHead`` row is locked while an event is appended, which serialises writers and records
the latest position and hash (so removing the newest entries is detected too). On PostgreSQL a
trigger refuses UPDATE and DELETE on the event table.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64

# Human labels of action codes; each app adds its own in ``AppConfig.ready`` through
# ``register_actions``.
ACTION_LABELS: dict[str, str] = {}


def register_actions(labels: dict) -> None:
    ACTION_LABELS.update(labels)


class AuditEventQuerySet(models.QuerySet):
    def for_system(self, system_id: int):
        return self.filter(system_id=system_id).select_related("actor").order_by("-position")


class AuditEvent(models.Model):
    """One recorded action: who, when, what, before → after."""

    tenant_path = "organisation"

    position = models.PositiveBigIntegerField(_("position"), unique=True)
    created_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    system_id = models.BigIntegerField(_("system"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["position"]

    def __str__(self):
        return f"#{self.position} {self.action} {self.object_repr}"

    def get_action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    def labelled_changes(self) -> list[tuple[str, object, object]]:
        """``(field label, old, new)`` for each changed field."""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            model = None
        rows = []
        for name, values in (self.changes or {}).items():
            label = name
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                    # A reverse relation (e.g. a meeting's attendees) has no verbose name.
                    label = capfirst(str(getattr(field, "verbose_name", None) or field.name))
                except FieldDoesNotExist:
                    pass
            old, new = (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
            rows.append((label, old, new))
        return rows


class ChainHead(models.Model):
    """The newest position and hash of the chain (a single row, id 1)."""

    position = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"#{self.position} {self.hash[:12]}"

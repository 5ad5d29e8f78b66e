"""The append-only, hash-chained audit log: one chain per body, and one for the installation.

Every create, change, delete and workflow action is an ``AuditEvent``. Each event stores the
hash of the previous event of its chain and its own hash over its content, so altering,
removing, inserting or reordering an entry breaks the chain (``python manage.py
verify_audit_log``). PostgreSQL refuses UPDATE and DELETE on the event table (a trigger).

Chains
------
An event about a body's data (it has an ``organisation``) is appended to that body's chain
(``chain`` = the organisation's id); an installation-level event (users, sign-in, councils:
no organisation) to the installation chain (``chain`` = ``INSTALLATION``, 0). Each chain has
one ``ChainHead`` row, locked while an event is appended: writers of one body queue for its
chain, writers of different bodies never wait for each other. The head records the chain's
newest position and hash, so removing a chain's newest entries is detected too. Positions are
gapless and unique per chain (``(chain, position)`` is unique), not across chains.

Every event recorded before chains per body existed stays in the installation chain exactly
as it was written, whatever its organisation: no row is rewritten or rehashed (the table is
append-only, and audit packs handed out earlier anchor those hashes). A body's own chain
starts from the genesis hash; its first position follows the body's newest entry in the
installation chain (``ChainHead.base``; 0 for a body with no earlier entries, whose chain
starts at 1). So the positions of one body's events still increase in the order they were
recorded, across the change, and every comparison "recorded after position P" about one
system or one body (sign-off staleness, histories, pack versions) keeps its meaning. Ordered
by ``(chain, position)``, one body's events are in the order they were recorded as well.

What the hash covers
--------------------
An event of a body's chain hashes its ``chain`` key with its content; an event of the
installation chain hashes exactly the fields it always did (no ``chain`` key), so every
existing hash stays valid. The previous-hash link alone would not bind an event to its chain:
every chain starts from the same genesis hash, so a body chain's first event could be
relabelled as another chain's without breaking a link. With the key in the hash, moving an
event between chains changes its hash; for the installation chain, whose events hash no key,
moving one in from a body chain breaks its hash the same way.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64

# The chain key of installation-level events (and of every event recorded before chains per
# body); a body's chain is keyed by the organisation's id.
INSTALLATION = 0

# Human labels of action codes; each app adds its own in ``AppConfig.ready`` through
# ``register_actions``.
ACTION_LABELS: dict[str, str] = {}


def register_actions(labels: dict) -> None:
    ACTION_LABELS.update(labels)


class AuditEventQuerySet(models.QuerySet):
    def for_system(self, system_id: int):
        # One body's positions increase in recording order across its chains (module docstring).
        return self.filter(system_id=system_id).select_related("actor").order_by("-position")


class AuditEvent(models.Model):
    """One recorded action: who, when, what, before → after."""

    tenant_path = "organisation"

    chain = models.PositiveBigIntegerField(
        _("chain"),
        default=INSTALLATION,
        db_default=INSTALLATION,
        help_text=_("The organisation whose chain holds the event; 0 for the installation's."),
    )
    position = models.PositiveBigIntegerField(_("position"))
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
    # Not hashed: which database transaction the event records (PostgreSQL sets it on INSERT,
    # ``audit.outside``). Blank on SQLite.
    transaction = models.CharField(
        _("database transaction"),
        max_length=64,
        blank=True,
        default="",
        db_default="",
        db_index=True,
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "position"], name="audit_event_position_unique_per_chain"
            )
        ]

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
            old, new = (
                (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
            )
            rows.append((label, old, new))
        return rows


class ChainHead(models.Model):
    """The newest position and hash of one chain (one row per chain; the installation's
    chain head is the row that existed before chains per body)."""

    chain = models.PositiveBigIntegerField(unique=True, default=INSTALLATION)
    base = models.PositiveBigIntegerField(
        default=0,
        help_text=_(
            "The chain's first position follows this one: the body's newest entry in the "
            "installation chain when its own chain started (0 if none)."
        ),
    )
    position = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"{self.chain} #{self.position} {self.hash[:12]}"


# What a transaction runs to say that it writes its own audit event (``audit.services``): the
# capture of changes made outside GovReg then keeps none of its changes (``audit.outside``).
MARK_AUDITED = "SELECT set_config('govreg.audit_pending', audit_transaction_key(), true)"


class OutsideChange(models.Model):
    """A row of a body's records changed by a transaction that recorded no audit event: a
    ``QuerySet.update()``, raw SQL, a database console. Written by a PostgreSQL trigger at
    COMMIT (``audit.outside``), never by the application; append-only, like the log. Each is
    then recorded in its body's chain by ``seal_outside_changes``."""

    transaction = models.CharField(_("database transaction"), max_length=64, db_index=True)
    recorded_at = models.DateTimeField(_("when"))
    table_name = models.CharField(_("table"), max_length=100)
    operation = models.CharField(_("operation"), max_length=6)  # INSERT, UPDATE or DELETE
    row_id = models.CharField(_("row"), max_length=64)
    row = models.JSONField(_("row"), help_text=_("After an INSERT or UPDATE; before a DELETE."))
    changes = models.JSONField(
        _("changes"), default=dict, help_text=_("UPDATE: {column: [old, new]}")
    )
    database_user = models.CharField(_("database role"), max_length=100)

    class Meta:
        verbose_name = _("change made outside GovReg")
        verbose_name_plural = _("changes made outside GovReg")
        ordering = ["id"]

    def __str__(self):
        return f"{self.operation} {self.table_name} {self.row_id} ({self.transaction})"

"""Changes to a body's records made outside GovReg: captured by the database, then recorded in
the body's audit chain.

The services record an audit event in the transaction that makes each change. A change that
bypasses them — a ``QuerySet.update()`` or ``bulk_create`` in a script, raw SQL, a database
console — records none, so on PostgreSQL every table of a body's records (``captured_models``)
has a trigger that runs at COMMIT: if the transaction recorded no audit event, each row it
inserted, updated or deleted is kept in ``OutsideChange`` (the row, and for an UPDATE each
column's old and new value), with the transaction and the database role. A transaction is
identified by ``audit_transaction_key()`` (its id and start time), which the log's own INSERT
trigger stamps on every event.

``seal`` (``manage.py seal_outside_changes``, and Celery beat every minute) appends one
"changed outside GovReg" event per captured row to its body's chain, carrying the captured
transaction's key, so the change is then covered like any other and is never recorded twice.
``verify_audit_log`` fails while captured changes wait to be recorded.

What this does not see: a change made with the triggers disabled or dropped (the table owner
can; production's application role does not own the tables, docs/operations.md); a change
made in a transaction that also recorded an audit event (the event is taken to describe the
transaction); and a session that deliberately imitates the services, which say just before
they record an event that they are about to (``services._check_references``: its early run of
the deferred checks would otherwise capture its own change). It is there to catch bulk
scripts, consoles and fixes made around GovReg, not an insider set on hiding a change; the
hash chains and the heads held outside the database are the answer to that. SQLite has no
triggers: nothing is captured there.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, connections, models, transaction

from . import services
from .models import AuditEvent, OutsideChange

# Tables with a body's records that are not captured, and why.
NOT_CAPTURED = {
    "audit.AuditEvent": "the log itself (append-only)",
    "packs.AuditPack": "a pack's build progress, written by the worker; requesting and "
    "downloading a pack are audit events",
    "oversight.Reminder": "which reminders were sent, so none is sent twice",
}

TRIGGER = "audit_capture_outside_change"

ACTIONS = {"INSERT": "outside.created", "UPDATE": "outside.changed", "DELETE": "outside.deleted"}

# Held while sealing, so that two sealers never record the same change twice.
_SEAL_LOCK = 0x60_7E_C0DE


def captured_models() -> list[type[models.Model]]:
    """Every model of a body's records (it has a ``tenant_path``) but those in NOT_CAPTURED."""
    return [
        model
        for model in apps.get_models()
        if hasattr(model, "tenant_path")
        and model._meta.label not in NOT_CAPTURED
        and model._meta.managed
        and not model._meta.proxy
    ]


def install(using: str = "default", **kwargs) -> None:
    """Put the capture trigger on each captured table and take it off any other (PostgreSQL;
    run after every ``migrate``, so a new model is captured as soon as its table exists)."""
    db = connections[using]
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('audit_capture_outside_change()') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return  # migrated to before the capture existed
        tables = set(db.introspection.table_names(cursor))
        wanted = {m._meta.db_table for m in captured_models()} & tables
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [TRIGGER],
        )
        present = {row[0] for row in cursor.fetchall()}
        quote = db.ops.quote_name
        for table in sorted(present - wanted):
            cursor.execute(f"DROP TRIGGER {TRIGGER} ON {quote(table)}")
        for table in sorted(wanted - present):
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {quote(table)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION audit_capture_outside_change()"
            )


def pending():
    """Captured changes not yet recorded in the log."""
    recorded = AuditEvent.objects.filter(transaction=models.OuterRef("transaction"))
    return OutsideChange.objects.filter(~models.Exists(recorded))


def seal(limit: int = 5000) -> int:
    """Record up to ``limit`` captured changes in their bodies' chains (oldest first): one
    event per changed row. Returns how many were recorded."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK])
        changes = list(pending().order_by("id")[:limit])
        if not changes:
            return 0
        models_by_table = {m._meta.db_table: m for m in captured_models()}
        owners = _Owners()
        events = [
            _event(change, models_by_table.get(change.table_name), owners) for change in changes
        ]
        services.record_events(events)
    return len(events)


def seal_all() -> int:
    """Record every captured change waiting (in batches); returns how many."""
    total = 0
    while sealed := seal():
        total += sealed
    return total


def _event(change: OutsideChange, model, owners: _Owners) -> AuditEvent:
    organisation_id, system_id = owners.of(model, change.row) if model else (None, None)
    if change.operation == "UPDATE":
        recorded = change.changes
    elif change.operation == "DELETE":
        recorded = {column: [value, None] for column, value in change.row.items()}
    else:
        recorded = {column: [None, value] for column, value in change.row.items()}
    label = model._meta.label_lower if model else change.table_name
    return AuditEvent(
        chain=services.chain_of(organisation_id),
        actor=None,
        actor_label=change.database_user[:254],  # the database role that made the change
        organisation_id=organisation_id,
        system_id=system_id,
        action=ACTIONS.get(change.operation, "outside.changed"),
        object_type=label,
        object_id=change.row_id,
        object_repr=_describe(model, change)[:300],
        changes=recorded,
        # Stored in the hashed entry, so in the database's own terms rather than a language.
        note=f"{change.operation} {change.table_name} · {change.transaction}",
        transaction=change.transaction,
    )


def _describe(model, change: OutsideChange) -> str:
    if model is None:
        return f"{change.table_name} {change.row_id}"
    for name in ("name", "title", "reference"):
        if change.row.get(name):
            return f"{model._meta.verbose_name} {change.row_id}: {change.row[name]}"
    return f"{model._meta.verbose_name} {change.row_id}"


class _Owners:
    """The body and system a captured row belongs to, from its own columns and its
    ``tenant_path`` (the rows it points at are looked up once each)."""

    def __init__(self):
        self.cache: dict[tuple, tuple[int | None, int | None]] = {}

    def of(self, model, row: dict) -> tuple[int | None, int | None]:
        path = model.tenant_path.split("__")
        if model._meta.label == "registers.AlgorithmicSystem":
            return row.get(path[0] + "_id"), row.get("id")
        first = model._meta.get_field(path[0])
        pointed = row.get(first.column)
        if len(path) == 1:
            return pointed, row.get("system_id")
        key = (first.related_model, pointed)
        if key not in self.cache:
            self.cache[key] = self._owner(first.related_model, pointed)
        return self.cache[key]

    def _owner(self, model, pk) -> tuple[int | None, int | None]:
        if pk is None:
            return None, None
        row = model.objects.filter(pk=pk).values().first()
        if row is None:  # removed as well
            return None, None
        return self.of(model, {model._meta.get_field(k).column: v for k, v in row.items()})

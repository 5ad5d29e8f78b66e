"""Recording and verifying the audit chain. Call ``record`` inside the writing transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditEvent, ChainHead


def to_jsonable(value: Any) -> Any:
    """A value as it is stored in an event's ``changes``."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys as ids), JSON-ready."""
    data = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        data[f.name] = to_jsonable(getattr(instance, f.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def event_hash(
    *,
    position: int,
    created_at: str,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    system_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    note: str,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        {
            "position": position,
            "created_at": created_at,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "organisation_id": organisation_id,
            "system_id": system_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "object_repr": object_repr,
            "changes": changes,
            "note": note,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        position=event.position,
        created_at=event.created_at.astimezone(dt.UTC).isoformat(),
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        organisation_id=event.organisation_id,
        system_id=event.system_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        changes=event.changes,
        note=event.note,
        prev_hash=event.prev_hash,
    )


def _lock_chain(organisation_ids, actor_ids) -> ChainHead:
    """Take the chain's lock last, after every row lock this transaction will need.

    The chain is one row that every writing transaction locks until it commits. Foreign keys
    are checked at COMMIT (Django makes them deferred), and a check locks the row it points
    at (FOR KEY SHARE): if that happened after this lock, a transaction holding the chain
    could wait at COMMIT for a system row that another transaction has locked FOR UPDATE
    while that one waits for the chain — a deadlock (seen with concurrent comments and
    edits on one system, ``bench/audit_concurrency.py``). So the pending checks run now, and
    the rows the new entries point at are locked now; the chain is then the last lock taken.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # runs the pending checks now
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # and back to Django's default
            organisations = sorted({i for i in organisation_ids if i})
            actors = sorted({i for i in actor_ids if i})
            if organisations:
                cursor.execute(
                    "SELECT 1 FROM accounts_organisation WHERE id = ANY(%s) FOR KEY SHARE",
                    [organisations],
                )
            if actors:
                cursor.execute(
                    "SELECT 1 FROM accounts_user WHERE id = ANY(%s) FOR KEY SHARE", [actors]
                )
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def record(
    actor,
    action: str,
    obj: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    note: str = "",
    organisation_id: int | None = None,
    system_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the transaction that made the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside a transaction")
    from accounts.permissions import organisation_id_of

    if organisation_id is None and hasattr(type(obj), "tenant_path"):
        organisation_id = organisation_id_of(obj)
    if organisation_id is None and obj._meta.label == "accounts.Organisation":
        organisation_id = obj.pk
    if system_id is None:
        system_id = _system_id_of(obj)
    head = _lock_chain([organisation_id], [getattr(actor, "pk", None)])
    # Microsecond precision in UTC, so the stored value hashes the same after a round trip.
    created_at = timezone.now().astimezone(dt.UTC)
    event = AuditEvent(
        position=head.position + 1,
        created_at=created_at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.email if getattr(actor, "pk", None) else str(actor or "system"))[:254],
        organisation_id=organisation_id,
        system_id=system_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=to_jsonable(changes or {}),
        note=note,
        prev_hash=head.hash,
    )
    event.hash = _hash_of(event)
    event.save(force_insert=True)
    head.position = event.position
    head.hash = event.hash
    head.save(update_fields=["position", "hash"])
    return event


@transaction.atomic
def record_bulk(entries: list[tuple[Any, str, models.Model, dict[str, Any]]]) -> int:
    """Append many events at once (seeding, bulk imports): ``(actor, action, obj, changes)``.

    Same chain and hashes as ``record``, one lock and one INSERT per 1,000 events.
    """
    from accounts.permissions import organisation_id_of

    organisation_ids = [
        organisation_id_of(obj) if hasattr(type(obj), "tenant_path") else None
        for _actor, _action, obj, _changes in entries
    ]
    head = _lock_chain(organisation_ids, [getattr(e[0], "pk", None) for e in entries])
    position, prev = head.position, head.hash
    events = []
    for (actor, action, obj, changes), organisation_id in zip(
        entries, organisation_ids, strict=True
    ):
        position += 1
        event = AuditEvent(
            position=position,
            created_at=timezone.now().astimezone(dt.UTC),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=(actor.email if getattr(actor, "pk", None) else str(actor or "system"))[
                :254
            ],
            organisation_id=organisation_id,
            system_id=_system_id_of(obj),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            changes=to_jsonable(changes or {}),
            note="",
            prev_hash=prev,
        )
        event.hash = prev = _hash_of(event)
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    head.position, head.hash = position, prev
    head.save(update_fields=["position", "hash"])
    return len(events)


def _system_id_of(obj: models.Model) -> int | None:
    if obj._meta.label == "registers.AlgorithmicSystem":
        return obj.pk
    system_id = getattr(obj, "system_id", None)
    return system_id


@dataclass
class Verification:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def verify(anchors: list[tuple[int, str]] | None = None) -> Verification:
    """Walk the chain from the start and report every break.

    ``anchors`` are ``(position, hash)`` pairs recorded outside the database earlier (in an audit
    pack, or the head printed by a previous run): someone able to rewrite the table and the
    chain head can recompute every later hash, but cannot make an entry match a hash that was
    already handed to an auditor.
    """
    anchors_left = dict(anchors or [])
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    expected_position = 1
    checked = 0
    for event in AuditEvent.objects.order_by("position").iterator(chunk_size=2000):
        checked += 1
        if event.position != expected_position:
            problems.append(
                f"entry #{event.position}: expected position #{expected_position} "
                f"(entries #{expected_position}–#{event.position - 1} are missing)"
            )
        if event.prev_hash != expected_prev:
            problems.append(
                f"entry #{event.position}: previous-hash link is broken "
                "(an earlier entry was altered, removed or inserted)"
            )
        if _hash_of(event) != event.hash:
            problems.append(f"entry #{event.position}: content does not match its hash (altered)")
        anchored = anchors_left.pop(event.position, None)
        if anchored is not None and anchored != event.hash:
            problems.append(
                f"entry #{event.position}: hash differs from the one recorded earlier "
                f"({anchored[:12]}…): the log was rewritten from here or before"
            )
        expected_prev = event.hash
        expected_position = event.position + 1
    for position in sorted(anchors_left):
        problems.append(f"entry #{position}, recorded earlier, is missing from the log")
    head = ChainHead.objects.filter(pk=1).first()
    head_position, head_hash = (head.position, head.hash) if head else (0, GENESIS_HASH)
    if head_position != expected_position - 1 or head_hash != expected_prev:
        problems.append(
            f"chain head records entry #{head_position} but the log ends at "
            f"#{expected_position - 1} (newest entries removed or added outside GovReg)"
        )
    return Verification(ok=not problems, checked=checked, problems=problems)


def chain_head() -> tuple[int, str]:
    head = ChainHead.objects.filter(pk=1).first()
    return (head.position, head.hash) if head else (0, GENESIS_HASH)

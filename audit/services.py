"""Recording and verifying the audit chains. Call ``record`` inside the writing transaction.

An event goes to its body's chain, or to the installation's when it has no body
(``audit.models``). Appending takes the chain's lock as late as it can: the event is prepared
first (who, what, the changes as JSON), then the foreign-key checks and row locks that could
otherwise deadlock run (``_check_references``), and only then is the chain's head row locked,
for numbering, linking and hashing, and one statement that inserts the entry and moves the head
(on PostgreSQL; two elsewhere). The lock is held until the transaction commits, so a service
should record its event as its last write; writers of different bodies never wait for each
other. A transaction that appends to several chains holds each until it commits:
``record_bulk`` takes them in ascending order, so that two bulk writers cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation

from .models import GENESIS_HASH, INSTALLATION, MARK_AUDITED, AuditEvent, ChainHead


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
    chain: int = INSTALLATION,
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
    """The SHA-256 of the event's canonical JSON. An installation-chain event's payload has no
    ``chain`` key, exactly as every event had before chains per body (so no stored hash
    changes); a body-chain event's has one (``audit.models``: what the hash covers)."""
    content = {
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
    }
    if chain != INSTALLATION:
        content["chain"] = chain
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        chain=event.chain,
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


def chain_of(organisation_id: int | None) -> int:
    """The chain an event of this organisation (None: installation-level) is appended to."""
    return organisation_id or INSTALLATION


def _bases_of(chains) -> dict[int, int]:
    """Where each body's chain starts: after the body's newest entry in the installation chain
    (recorded before chains per body), so the body's positions keep increasing. One query."""
    bodies = [c for c in chains if c != INSTALLATION]
    newest = (
        dict(
            AuditEvent.objects.filter(chain=INSTALLATION, organisation_id__in=bodies)
            .values("organisation_id")
            .annotate(n=Max("position"))
            .values_list("organisation_id", "n")
        )
        if bodies
        else {}
    )
    return {c: newest.get(c) or 0 for c in chains}


def _base_of(chain: int) -> int:
    return _bases_of([chain])[chain]


def _check_references(organisation_ids, actor_ids) -> None:
    """Take, before any chain's lock, every row lock this transaction would otherwise take
    while holding it.

    A chain's head row stays locked until the transaction commits. Foreign keys are checked at
    COMMIT (Django makes them deferred), and a check locks the row it points at (FOR KEY
    SHARE): if that happened after the chain's lock, a transaction holding the chain could
    wait at COMMIT for a system row that another transaction has locked FOR UPDATE while that
    one waits for the chain — a deadlock (seen with concurrent comments and edits on one
    system, ``bench/audit_concurrency.py``). So the pending checks run now, and the rows the new
    entries point at (organisation, actor) are locked now; the chain is then the last lock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The pending checks run now, and are then deferred again (Django's default). That
        # includes the capture of changes made outside GovReg (``audit.outside``), which would
        # find no audit event yet: the transaction first says that it is about to write one.
        # One round trip (no parameters, so the three statements go as one).
        cursor.execute(
            f"{MARK_AUDITED}; SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED"
        )
        organisations = sorted({i for i in organisation_ids if i})
        actors = sorted({i for i in actor_ids if i})
        if organisations:
            cursor.execute(
                "SELECT 1 FROM accounts_organisation WHERE id = ANY(%s) FOR KEY SHARE",
                [organisations],
            )
        if actors:
            cursor.execute("SELECT 1 FROM accounts_user WHERE id = ANY(%s) FOR KEY SHARE", [actors])


def _lock_heads(chains) -> dict[int, ChainHead]:
    """Lock the head row of each chain (created on a body's first entry), in ascending order.

    The lock is the head row's own (SELECT … FOR UPDATE), not an advisory lock: the row is
    updated by every append anyway, which locks it until COMMIT, so a second lock would only
    add a round trip; and the row lock needs no key scheme and works the same on SQLite (where
    the database lock serialises writers). It is held until the transaction ends.
    """
    heads = {}
    for chain in sorted(set(chains)):
        head = ChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:  # the body's first entry since chains per body
            base = _base_of(chain)
            # Two first writers of a body may race: the second INSERT waits for the first to
            # commit, fails in its savepoint, and the second then locks the first one's row.
            head, _created = ChainHead.objects.select_for_update().get_or_create(
                chain=chain, defaults={"base": base, "position": base}
            )
        heads[chain] = head
    return heads


def lock_chain(organisation_id: int | None) -> ChainHead:
    """Hold the chain of ``organisation_id`` (None: the installation's) until the transaction
    ends, so that no entry can be appended to it meanwhile; returns its head."""
    chain = chain_of(organisation_id)
    return _lock_heads([chain])[chain]


_BATCH = 1000  # entries per INSERT


def _append(head: ChainHead, events: list[AuditEvent]) -> None:
    """Number, link and hash ``events`` after ``head`` (whose lock is held), store them and
    move the head: the only work done under the chain's lock, with the COMMIT after it."""
    position, prev = head.position, head.hash
    for event in events:
        position += 1
        # Microsecond precision in UTC, so the stored value hashes the same after a round trip.
        event.created_at = timezone.now().astimezone(dt.UTC)
        event.position, event.prev_hash = position, prev
        event.hash = prev = _hash_of(event)
    head.position, head.hash = position, prev
    if connection.vendor == "postgresql" and len(events) <= _BATCH:
        _insert_and_move_head(head, events)
        return
    AuditEvent.objects.bulk_create(events, batch_size=_BATCH)
    head.save(update_fields=["position", "hash"])


def _insert_and_move_head(head: ChainHead, events: list[AuditEvent]) -> None:
    """The entries' INSERT and the head's UPDATE as one statement: one round trip fewer while
    the chain is locked (every round trip counts when writers queue for the lock)."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Only quoted model names and placeholders are put into the text; every value is a parameter.
    insert = (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row] * len(events))} "
        "RETURNING id, position"
    )
    sql = (
        f"WITH new AS ({insert}), head AS (UPDATE {quote(ChainHead._meta.db_table)} "  # noqa: S608
        "SET position = %s, hash = %s WHERE id = %s) SELECT id, position FROM new"
    )
    params = [f.get_db_prep_save(getattr(e, f.attname), connection) for e in events for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, head.position, head.hash, head.pk])
        ids = {position: pk for pk, position in cursor.fetchall()}
    for event in events:
        event.pk = ids[event.position]
        event._state.adding, event._state.db = False, connection.alias


def _unchained_event(
    actor, action: str, obj: models.Model, changes, *, note, organisation_id, system_id
) -> AuditEvent:
    """The event with everything but its place in the chain (time, position and hashes)."""
    known = getattr(actor, "pk", None)
    return AuditEvent(
        chain=chain_of(organisation_id),
        actor=actor if known else None,
        actor_label=(actor.email if known else str(actor or "system"))[:254],
        organisation_id=organisation_id,
        system_id=system_id,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=to_jsonable(changes or {}),
        note=note,
    )


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
    """Append one event to its body's chain (or the installation's, for an event of no body).
    Must run inside the transaction that made the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside a transaction")
    if organisation_id is None:
        organisation_id = _organisation_id_of(obj)
    if system_id is None:
        system_id = _system_id_of(obj)
    # Everything that does not depend on the chain's state is prepared before its lock.
    event = _unchained_event(
        actor,
        action,
        obj,
        changes,
        note=note,
        organisation_id=organisation_id,
        system_id=system_id,
    )
    _check_references([organisation_id], [event.actor_id])
    _append(_lock_heads([event.chain])[event.chain], [event])
    return event


@transaction.atomic
def record_bulk(entries: list[tuple[Any, str, models.Model, dict[str, Any]]]) -> int:
    """Append many events at once (seeding, bulk imports): ``(actor, action, obj, changes)``."""
    return record_events(
        [
            _unchained_event(
                actor,
                action,
                obj,
                changes,
                note="",
                organisation_id=_organisation_id_of(obj),
                system_id=_system_id_of(obj),
            )
            for actor, action, obj, changes in entries
        ]
    )


@transaction.atomic
def record_events(events: list[AuditEvent]) -> int:
    """Append events prepared with everything but their place in the chain (``chain`` set).

    Same chains and hashes as ``record``: one lock per chain (taken in ascending order, so two
    bulk writers never deadlock) and one INSERT per 1,000 events.
    """
    _check_references([e.organisation_id for e in events], [e.actor_id for e in events])
    by_chain: dict[int, list[AuditEvent]] = {}
    for event in events:
        by_chain.setdefault(event.chain, []).append(event)
    for chain, head in _lock_heads(by_chain).items():
        _append(head, by_chain[chain])
    return len(events)


def _organisation_id_of(obj: models.Model) -> int | None:
    """The body whose chain an event about ``obj`` goes to (None: the installation's)."""
    from accounts.permissions import organisation_id_of

    if isinstance(obj, Organisation):
        return obj.pk
    if hasattr(type(obj), "tenant_path"):
        return organisation_id_of(obj)
    return None


def _system_id_of(obj: models.Model) -> int | None:
    if obj._meta.label == "registers.AlgorithmicSystem":
        return obj.pk
    return getattr(obj, "system_id", None)


def chain_names(chains) -> dict[int, str]:
    """How each chain is named to people and on the command line: ``installation``, or the
    body's slug."""
    names = dict(
        Organisation.objects.filter(pk__in=[c for c in chains if c != INSTALLATION]).values_list(
            "pk", "slug"
        )
    )
    return {
        c: INSTALLATION_NAME if c == INSTALLATION else names.get(c, f"body-{c}") for c in chains
    }


INSTALLATION_NAME = "installation"


@dataclass
class ChainResult:
    chain: int
    name: str
    checked: int = 0
    position: int = 0  # the head, as found at the end of the log
    hash: str = GENESIS_HASH
    first_bad: int | None = None  # the first position found wrong, or None when intact


@dataclass
class Verification:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)
    chains: list[ChainResult] = field(default_factory=list)
    # Changes made outside GovReg, captured but not yet recorded (``audit.outside``): the
    # chains can be intact while the log is not yet complete.
    waiting: int = 0


def verify(anchors=None, *, chains: list[int] | None = None) -> Verification:
    """Walk every chain (or those keyed in ``chains``) from the start and report every break,
    naming the chain and the entry.

    ``anchors`` are ``(chain, position, hash)`` triples recorded outside the database earlier
    (in an audit pack, or the heads printed by a previous run; a ``(position, hash)`` pair is
    the installation chain's): someone able to rewrite the table and the chain heads can
    recompute every later hash, but cannot make an entry match a hash already handed to an
    auditor. Anchors of chains outside ``chains`` are not checked. It also counts the changes
    made outside GovReg that are captured but not yet recorded (``audit.outside``).
    """
    from . import outside

    anchors_left: dict[tuple[int, int], str] = {}
    for anchor in anchors or []:
        chain, position, digest = anchor if len(anchor) == 3 else (INSTALLATION, *anchor)
        if chains is None or chain in chains:
            anchors_left[(chain, position)] = digest
    events = AuditEvent.objects.order_by("chain", "position")
    heads = ChainHead.objects.all()
    if chains is not None:
        events, heads = events.filter(chain__in=chains), heads.filter(chain__in=chains)
    heads = {h.chain: h for h in heads}
    results: dict[int, ChainResult] = {}
    found: list[tuple[int, str]] = []

    def result_for(chain: int) -> ChainResult:
        return results.setdefault(chain, ChainResult(chain=chain, name=""))

    def problem(chain: int, position: int, text: str) -> None:
        found.append((chain, text))
        result = result_for(chain)
        if result.first_bad is None or position < result.first_bad:
            result.first_bad = position

    def start(chain: int) -> int:
        head = heads.get(chain)
        return (head.base if head else _base_of(chain)) + 1

    def finish(chain: int, expected_position: int, expected_prev: str) -> None:
        result, head = result_for(chain), heads.get(chain)
        result.position, result.hash = expected_position - 1, expected_prev
        if head is None:
            if result.checked:
                problem(
                    chain,
                    expected_position,
                    _(
                        "the chain has entries up to #%(n)d but no chain head "
                        "(removed outside GovReg)"
                    )
                    % {"n": expected_position - 1},
                )
        elif head.position != expected_position - 1 or head.hash != expected_prev:
            problem(
                chain,
                min(head.position, expected_position - 1) + 1,
                _(
                    "chain head records entry #%(head)d but the log ends at #%(end)d "
                    "(newest entries removed or added outside GovReg)"
                )
                % {"head": head.position, "end": expected_position - 1},
            )

    current: ChainResult | None = None
    expected_prev, expected_position = GENESIS_HASH, 1
    for event in events.iterator(chunk_size=2000):
        if current is None or event.chain != current.chain:
            if current is not None:
                finish(current.chain, expected_position, expected_prev)
            current = result_for(event.chain)
            expected_prev, expected_position = GENESIS_HASH, start(event.chain)
        current.checked += 1
        chain, where = event.chain, _("entry #%(n)d") % {"n": event.position}
        if event.position != expected_position:
            problem(
                chain,
                min(event.position, expected_position),
                (
                    _("%(where)s: expected position #%(n)d (entries #%(n)d–#%(last)d are missing)")
                    if event.position > expected_position
                    else _("%(where)s: expected position #%(n)d (an entry was inserted or moved)")
                )
                % {"where": where, "n": expected_position, "last": event.position - 1},
            )
        if event.prev_hash != expected_prev:
            problem(
                chain,
                event.position,
                _(
                    "%(where)s: previous-hash link is broken "
                    "(an earlier entry was altered, removed or inserted)"
                )
                % {"where": where},
            )
        if _hash_of(event) != event.hash:
            problem(
                chain,
                event.position,
                _("%(where)s: content does not match its hash (altered)") % {"where": where},
            )
        if chain != INSTALLATION and event.organisation_id != chain:
            problem(
                chain,
                event.position,
                _("%(where)s: the entry is another body's") % {"where": where},
            )
        anchored = anchors_left.pop((chain, event.position), None)
        if anchored is not None and anchored != event.hash:
            problem(
                chain,
                event.position,
                _(
                    "%(where)s: hash differs from the one recorded earlier (%(hash)s…): "
                    "the log was rewritten from here or before"
                )
                % {"where": where, "hash": anchored[:12]},
            )
        expected_prev = event.hash
        expected_position = event.position + 1
    if current is not None:
        finish(current.chain, expected_position, expected_prev)
    for chain in sorted(set(heads) | {c for c, _p in anchors_left}):
        if chain not in results:  # a head, or an anchor, but no entries at all
            finish(chain, start(chain), GENESIS_HASH)
    for chain, position in sorted(anchors_left):
        problem(
            chain,
            position,
            _("entry #%(n)d, recorded earlier, is missing from the log") % {"n": position},
        )
    names = chain_names(results)
    ordered = [results[c] for c in sorted(results)]
    for result in ordered:
        result.name = names[result.chain]
    return Verification(
        ok=not found,
        checked=sum(r.checked for r in ordered),
        problems=[f"{names[c]}: {text}" for c, text in found],
        chains=ordered,
        waiting=outside.pending().count(),
    )


def chain_heads(organisation_ids) -> dict[int, tuple[int, str]]:
    """``{chain: (position, hash)}`` for the chains of ``organisation_ids`` (None: the
    installation's). A body whose chain has not started yet has no entry: its head is the
    position its chain will start after, with the genesis hash."""
    chains = sorted({chain_of(i) for i in organisation_ids})
    found = {h.chain: (h.position, h.hash) for h in ChainHead.objects.filter(chain__in=chains)}
    bases = _bases_of([c for c in chains if c not in found])
    return {c: found.get(c) or (bases[c], GENESIS_HASH) for c in chains}


def chain_head(organisation_id: int | None = None) -> tuple[int, str]:
    """The head of the chain of ``organisation_id`` (None: the installation's)."""
    return chain_heads([organisation_id])[chain_of(organisation_id)]

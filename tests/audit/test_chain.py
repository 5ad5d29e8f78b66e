"""The audit log is hash-chained, one chain per body and one for the installation: any
alteration, removal, insertion or move of an entry is detected, and named with its chain.

The tampering cases run against a body's chain and against the installation chain, each with
entries in the other chains around it, which must stay intact whatever is done to this one.
"""

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone, translation

from audit import services as audit
from audit.models import GENESIS_HASH, INSTALLATION, AuditEvent, ChainHead
from registers import services
from registers.sections import BY_SLUG

from ..factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@dataclass
class Chain:
    key: int
    name: str
    events: list


def edit(system, actor, text: str):
    services.update_section(
        system,
        actor=actor,
        section=BY_SLUG["rationale"],
        data={"scope": text},
        expected_fingerprint=None,
    )


def installation_event(actor, i: int):
    """An installation-level entry: about a person, of no body."""
    audit.record(actor, "user.updated", actor, changes={"full_name": [f"n{i}", f"n{i + 1}"]})


def events_of(key: int) -> list:
    return list(AuditEvent.objects.filter(chain=key).order_by("position"))


@pytest.fixture(params=["body", "installation"])
def chain(request, cast, other, system, other_system):
    """Five entries in the chain under test, and entries in two other chains between them."""
    for i in range(5):
        if request.param == "body":
            edit(system, cast.hr, f"v{i}")
        else:
            installation_event(cast.hr, i)
        if i % 2:
            edit(other_system, other.hr, f"o{i}")
            if request.param == "body":
                installation_event(cast.hr, i)
            else:
                edit(system, cast.hr, f"v{i}")
    key = system.organisation_id if request.param == "body" else INSTALLATION
    events = events_of(key)
    assert [e.position for e in events] == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.count() == 9
    return Chain(key=key, name=request.param, events=events)


def run(*args, **options) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", *args, stdout=out, stderr=err, **options)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue()


def verify_command() -> tuple[bool, str]:
    return run()


def verify_command_against(*heads: str) -> tuple[bool, str]:
    return run(against=list(heads))


def tamper(sql: str, params=()):
    """Change the table behind GovReg's back, as a database administrator could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch triggers off for the session: the hash chain still tells.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def only_problems_of(chain: Chain, output: str) -> bool:
    """Every problem reported is about ``chain``: the other chains still verify."""
    problems = [line for line in output.splitlines() if ": entry #" in line or "chain head" in line]
    return bool(problems) and all(line.startswith(f"{chain.name}: ") for line in problems)


def test_an_intact_log_verifies_every_chain_and_prints_each_head(chain):
    ok, output = verify_command()
    assert ok, output
    assert "9 entries verified" in output
    head = chain.events[-1]
    assert f"Chain head: {chain.name}:5:{head.hash}" in output
    assert output.count("Chain head: ") == 3  # this chain, the other body's, the installation's


def test_each_entry_links_to_the_previous_one_of_its_chain(chain):
    assert chain.events[0].prev_hash == GENESIS_HASH
    for earlier, later in zip(chain.events, chain.events[1:], strict=False):
        assert later.prev_hash == earlier.hash
    head = ChainHead.objects.get(chain=chain.key)
    assert (head.position, head.hash) == (5, chain.events[-1].hash)
    assert audit.chain_head(chain.key or None) == (5, chain.events[-1].hash)


def test_altering_an_entrys_content_is_detected_and_named(chain):
    tamper(
        "UPDATE audit_auditevent SET changes = %s WHERE chain = %s AND position = 3",
        ['{"scope": ["a", "b"]}', chain.key],
    )
    ok, output = verify_command()
    assert not ok
    assert f"{chain.name}: entry #3: content does not match its hash" in output
    assert f"{chain.name}: first bad entry #3" in output
    assert only_problems_of(chain, output), output


def test_problems_are_reported_in_the_active_language(chain):
    tamper(
        "UPDATE audit_auditevent SET changes = %s WHERE chain = %s AND position = 3",
        ['{"scope": ["a", "b"]}', chain.key],
    )
    with translation.override("cy"):
        ok, output = verify_command()
    assert not ok
    assert (
        f"{chain.name}: eitem #3: nid yw'r cynnwys yn cyfateb i'w stwnsh (wedi'i newid)" in output
    )
    assert f"{chain.name}: yr eitem wael gyntaf yw #3" in output
    assert "Dilysu'r log archwilio WEDI METHU" in output


def test_altering_who_did_it_is_detected(chain):
    tamper(
        "UPDATE audit_auditevent SET actor_label = 'someone@else' WHERE chain = %s AND position = 2",
        [chain.key],
    )
    ok, output = verify_command()
    assert not ok and f"{chain.name}: entry #2" in output
    assert only_problems_of(chain, output), output


def test_rewriting_an_entry_and_its_hash_breaks_the_next_link(chain):
    event = chain.events[2]
    event.note = "rewritten"
    new_hash = audit._hash_of(event)
    tamper(
        "UPDATE audit_auditevent SET note = 'rewritten', hash = %s WHERE chain = %s AND position = 3",
        [new_hash, chain.key],
    )
    ok, output = verify_command()
    assert not ok
    assert f"{chain.name}: entry #4: previous-hash link is broken" in output
    assert only_problems_of(chain, output), output


def test_deleting_an_entry_in_the_middle_is_detected(chain):
    tamper("DELETE FROM audit_auditevent WHERE chain = %s AND position = 2", [chain.key])
    ok, output = verify_command()
    assert not ok
    assert f"{chain.name}: entry #3: expected position #2" in output
    assert f"{chain.name}: first bad entry #2" in output
    assert only_problems_of(chain, output), output


def test_deleting_the_newest_entry_is_detected_by_the_chain_head(chain):
    tamper("DELETE FROM audit_auditevent WHERE chain = %s AND position = 5", [chain.key])
    ok, output = verify_command()
    assert not ok
    assert f"{chain.name}: chain head records entry #5" in output
    assert only_problems_of(chain, output), output


def test_deleting_a_whole_chain_is_detected_by_its_head(chain):
    tamper("DELETE FROM audit_auditevent WHERE chain = %s", [chain.key])
    ok, output = verify_command()
    assert not ok
    assert f"{chain.name}: chain head records entry #5 but the log ends at #0" in output


def test_swapping_two_entries_is_detected(chain):
    for sql in (
        "UPDATE audit_auditevent SET position = 1000 WHERE chain = %s AND position = 2",
        "UPDATE audit_auditevent SET position = 2 WHERE chain = %s AND position = 3",
        "UPDATE audit_auditevent SET position = 3 WHERE chain = %s AND position = 1000",
    ):
        tamper(sql, [chain.key])
    ok, output = verify_command()
    assert not ok and f"{chain.name}: entry #2" in output
    assert only_problems_of(chain, output), output


def test_inserting_a_forged_entry_is_detected(chain):
    # Make room at position 3 and slip a forged entry in, linked to entry #2.
    tamper(
        "UPDATE audit_auditevent SET position = position + 100 WHERE chain = %s AND position >= 3",
        [chain.key],
    )
    tamper(
        "INSERT INTO audit_auditevent (chain, position, created_at, actor_label, action, "
        "object_type, object_id, object_repr, changes, note, prev_hash, hash, organisation_id) "
        "VALUES (%s, 3, %s, 'forger@example.org', 'system.updated', "
        "'registers.algorithmicsystem', %s, 'forged', '{}', '', %s, %s, %s)",
        [
            chain.key,
            chain.events[2].created_at,
            chain.events[2].object_id,
            chain.events[1].hash,
            "f" * 64,
            chain.key or None,
        ],
    )
    ok, output = verify_command()
    assert not ok
    assert f"{chain.name}: entry #3: content does not match its hash" in output
    assert only_problems_of(chain, output), output


def test_moving_a_chain_to_another_body_is_detected(chain):
    """Relabelling a whole chain, head included, as another body's keeps every link and
    position: the hash tells, because a body chain's entries hash their chain and the
    installation chain's hash none."""
    third = OrganisationFactory(slug="third")
    tamper("UPDATE audit_auditevent SET chain = %s WHERE chain = %s", [third.pk, chain.key])
    ChainHead.objects.filter(chain=chain.key).update(chain=third.pk)
    ok, output = verify_command()
    assert not ok
    assert "third: entry #1: content does not match its hash" in output


def test_the_hash_survives_a_round_trip_through_the_database(chain):
    for stored in AuditEvent.objects.all():
        assert audit._hash_of(stored) == stored.hash


def rehash_from(chain: Chain, position: int):
    """What an attacker with database rights does after editing: recompute every later hash of
    the chain and its head, so that the chain alone looks intact."""
    events = AuditEvent.objects.filter(chain=chain.key)
    prev = events.get(position=position - 1).hash if position > 1 else GENESIS_HASH
    last = None
    for event in events.filter(position__gte=position).order_by("position"):
        event.prev_hash = prev
        event.hash = prev = audit._hash_of(event)
        tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE chain = %s AND position = %s",
            [event.prev_hash, event.hash, chain.key, event.position],
        )
        last = event
    if last is None:
        last = events.order_by("-position").first()
    ChainHead.objects.filter(chain=chain.key).update(position=last.position, hash=last.hash)


def test_truncating_the_tail_and_rehashing_is_caught_by_an_earlier_head(chain):
    head = f"{chain.name}:5:{chain.events[-1].hash}"  # e.g. printed in an audit pack
    tamper("DELETE FROM audit_auditevent WHERE chain = %s AND position >= 4", [chain.key])
    rehash_from(chain, 4)
    assert verify_command()[0], "without the recorded head the rewrite is invisible"
    ok, output = verify_command_against(head)
    assert not ok
    assert f"{chain.name}: entry #5, recorded earlier, is missing" in output


def test_rewriting_and_recomputing_every_later_hash_is_caught_by_an_earlier_head(chain):
    head = f"{chain.name}:5:{chain.events[-1].hash}"
    tamper(
        "UPDATE audit_auditevent SET note = 'rewritten' WHERE chain = %s AND position = 2",
        [chain.key],
    )
    rehash_from(chain, 2)
    assert verify_command()[0]
    ok, output = verify_command_against(head)
    assert not ok
    assert f"{chain.name}: entry #5: hash differs from the one recorded earlier" in output


def test_an_anchor_without_a_chain_is_the_installation_chains(cast):
    """``--against POSITION:HASH``, as printed before chains per body, still works."""
    for i in range(3):
        installation_event(cast.hr, i)
    newest = events_of(INSTALLATION)[-1]
    assert verify_command_against(f"3:{newest.hash}")[0]
    ok, output = verify_command_against(f"3:{'e' * 64}")
    assert not ok and "installation: entry #3: hash differs" in output


def test_the_command_verifies_one_body_with_organisation(chain, other_system):
    tamper("UPDATE audit_auditevent SET note = 'x' WHERE chain = %s AND position = 1", [chain.key])
    ok, output = run(organisation="other-body")
    assert ok, output
    assert output.count("Chain head: ") == 1 and "Chain head: other-body:2:" in output
    ok, output = run(organisation=chain.name)
    assert not ok and f"{chain.name}: entry #1" in output
    ok, output = run(organisation="other-body", against=[f"{chain.name}:5:{'a' * 64}"])
    assert not ok and "not the chain verified" in output


def test_a_malformed_anchor_is_a_clear_error(chain):
    for value in ("five:abc", "body:5", "no-such-body:5:" + "a" * 64):
        ok, output = verify_command_against(value)
        assert not ok
    assert "POSITION:HASH" in verify_command_against("five:abc")[1]
    assert "no body with the slug 'no-such-body'" in output


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(cast, system):
    with pytest.raises(RuntimeError):
        audit.record(cast.hr, "system.updated", system)


# --- Chains per body ---------------------------------------------------------------------------


def test_two_bodies_chains_are_independent_and_each_gapless(cast, other, system, other_system):
    for i in range(6):
        edit(system, cast.hr, f"v{i}")
        if i % 3 == 0:
            edit(other_system, other.hr, f"o{i}")
        if i == 4:
            installation_event(cast.hr, i)
    mine, theirs = events_of(system.organisation_id), events_of(other_system.organisation_id)
    assert [e.position for e in mine] == [1, 2, 3, 4, 5, 6]
    assert [e.position for e in theirs] == [1, 2]
    assert [e.position for e in events_of(INSTALLATION)] == [1]
    for events in (mine, theirs):
        assert events[0].prev_hash == GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
        assert {e.organisation_id for e in events} == {events[0].chain}
    result = audit.verify()
    assert result.ok, result.problems
    assert [(c.name, c.checked, c.position) for c in result.chains] == [
        ("installation", 1, 1),
        ("body", 6, 6),
        ("other-body", 2, 2),
    ]
    # Breaking one body's chain leaves the other's intact.
    tamper(
        "UPDATE audit_auditevent SET note = 'x' WHERE chain = %s AND position = 2",
        [system.organisation_id],
    )
    result = audit.verify()
    assert [(c.name, c.first_bad) for c in result.chains] == [
        ("installation", None),
        ("body", 2),
        ("other-body", None),
    ]


def test_record_bulk_appends_to_each_bodys_chain(cast, other, system, other_system):
    with transaction.atomic():
        audit.record_bulk(
            [
                (cast.hr, "system.updated", system, {"scope": ["a", "b"]}),
                (other.hr, "system.updated", other_system, {"scope": ["c", "d"]}),
                (cast.hr, "user.updated", cast.hr, {}),
                (cast.hr, "system.updated", system, {"scope": ["b", "c"]}),
            ]
        )
    assert [e.action for e in events_of(system.organisation_id)] == ["system.updated"] * 2
    assert [e.position for e in events_of(other_system.organisation_id)] == [1]
    assert [e.action for e in events_of(INSTALLATION)] == ["user.updated"]
    assert audit.verify().ok


def test_an_existing_hash_is_unchanged_and_a_body_chain_hashes_its_key():
    """The installation chain's payload is the one every entry had before chains per body
    (this digest was computed then); a body chain's also covers the chain."""
    fields = {
        "position": 7,
        "created_at": "2026-01-02T03:04:05.678901+00:00",
        "actor_id": 3,
        "actor_label": "hr@body.example",
        "organisation_id": 2,
        "system_id": 11,
        "action": "system.updated",
        "object_type": "registers.algorithmicsystem",
        "object_id": "11",
        "object_repr": "Rota planner",
        "changes": {"scope": ["a", "b"]},
        "note": "Rationale",
        "prev_hash": "ab" * 32,
    }
    before = "ed1b66c88d357cea435bcf32c80629d71999f0dc90f1c27ca10837fa15cdf058"
    assert audit.event_hash(**fields) == before
    assert audit.event_hash(chain=INSTALLATION, **fields) == before
    assert audit.event_hash(chain=2, **fields) != before


def record_before_chains_per_body(system, actor, count: int) -> list:
    """Entries as GovReg wrote them before chains per body: in the one chain (now the
    installation chain), whatever their body."""
    head = ChainHead.objects.filter(chain=INSTALLATION).first() or ChainHead(chain=INSTALLATION)
    made = []
    for i in range(count):
        event = AuditEvent(
            chain=INSTALLATION,
            position=head.position + 1,
            created_at=timezone.now().astimezone(dt.UTC),
            actor=actor,
            actor_label=actor.email,
            organisation_id=system.organisation_id,
            system_id=system.pk,
            action="system.updated",
            object_type="registers.algorithmicsystem",
            object_id=str(system.pk),
            object_repr=str(system),
            changes={"scope": [f"old{i}", f"old{i + 1}"]},
            prev_hash=head.hash,
        )
        event.hash = audit._hash_of(event)
        event.save(force_insert=True)
        head.position, head.hash = event.position, event.hash
        made.append(event)
    head.save()
    return made


def test_a_body_with_earlier_entries_numbers_its_chain_on_from_them(cast, system):
    """Entries recorded before chains per body stay where they are; the body's own chain starts
    from the genesis hash after the body's newest one, so its positions keep increasing."""
    legacy = record_before_chains_per_body(system, cast.hr, 4)
    installation_event(cast.hr, 0)  # the installation chain goes on: #5
    hashes = [e.hash for e in legacy]
    edit(system, cast.hr, "new")
    edit(system, cast.hr, "newer")
    mine = events_of(system.organisation_id)
    assert [e.position for e in mine] == [5, 6]
    assert mine[0].prev_hash == GENESIS_HASH
    assert ChainHead.objects.get(chain=system.organisation_id).base == 4
    assert [e.hash for e in events_of(INSTALLATION)][:4] == hashes  # nothing rehashed
    assert [e.position for e in AuditEvent.objects.for_system(system.pk)] == [6, 5, 4, 3, 2, 1]
    ok, output = verify_command_against(f"4:{hashes[-1]}", f"body:6:{mine[-1].hash}")
    assert ok, output
    assert "Chain head: installation:5:" in output and "Chain head: body:6:" in output
    # A body's first entries removed: the chain no longer starts from the genesis hash.
    tamper(
        "DELETE FROM audit_auditevent WHERE chain = %s AND position = 5", [system.organisation_id]
    )
    ok, output = verify_command()
    assert not ok and "body: entry #6: expected position #5" in output


def test_after_the_split_what_was_recorded_after_a_position_is_still_found(cast, system):
    """Sign-off staleness asks which of a system's events came after a position of its body's
    chain: for a sign-off taken before chains per body (a position in the installation chain)
    and for one taken since (in the body's chain), across the split."""
    from oversight.services import material_events_after

    legacy = record_before_chains_per_body(system, cast.hr, 4)
    with transaction.atomic():
        position_now = audit.lock_chain(system.organisation_id).position  # as sign_off does
    assert position_now == 4  # no later entry of the body yet: its newest in the old chain
    edit(system, cast.hr, "after the signature")
    (new,) = events_of(system.organisation_id)
    assert [e.pk for e in material_events_after(system.pk, position_now)] == [new.pk]
    earlier = [e.pk for e in material_events_after(system.pk, 2)]  # signed before the split
    assert earlier == [legacy[2].pk, legacy[3].pk, new.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL id sequences")
def test_the_upgrade_lets_a_body_start_its_chain_after_the_old_head(cast, system):
    """The one chain head of before chains per body was created with an explicit id (1), so the
    table's id sequence was never used: the first body head after the upgrade would take id 1
    too and the body's write would fail. ``audit/0004`` moves the sequence past it."""
    import importlib

    from django.apps import apps
    from django.db import IntegrityError

    ChainHead.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_chainhead', 'id'), 1, false)")
    ChainHead.objects.create(pk=1, chain=INSTALLATION)  # as the old code made it
    with pytest.raises(IntegrityError), transaction.atomic():
        edit(system, cast.hr, "before the sequence is moved")
    upgrade = importlib.import_module("audit.migrations.0004_chain_head_id_sequence")
    with connection.schema_editor(atomic=False) as editor:
        upgrade.reset_sequence(apps, editor)
    edit(system, cast.hr, "after")
    assert ChainHead.objects.get(chain=system.organisation_id).pk == 2
    assert [e.position for e in events_of(system.organisation_id)] == [1]


# --- The database refuses changes ------------------------------------------------------------


@pytest.fixture
def body_chain(cast, system):
    for i in range(5):
        edit(system, cast.hr, f"v{i}")
    return events_of(system.organisation_id)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_refuses_updates_and_deletes_of_the_log(body_chain):
    for sql in (
        "UPDATE audit_auditevent SET note = 'x' WHERE position = 1",
        "DELETE FROM audit_auditevent WHERE position = 1",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEvent.objects.count() == 5
    ok, _ = verify_command()
    assert ok


APP_ROLE_STATEMENTS = {
    "update": "UPDATE audit_auditevent SET note = 'x' WHERE position = 1",
    "delete": "DELETE FROM audit_auditevent WHERE position = 1",
    "truncate": "TRUNCATE audit_auditevent CASCADE",
    "disable trigger": "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles and triggers")
@pytest.mark.parametrize("statement", sorted(APP_ROLE_STATEMENTS))
def test_the_application_role_cannot_change_the_log(body_chain, statement):
    """Production runs as a role granted SELECT, INSERT (and UPDATE, DELETE to prove the trigger)
    on the log, without ownership or TRUNCATE (docs/operations.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'govreg_app_test') "
            "THEN CREATE ROLE govreg_app_test NOLOGIN; END IF; END $$"
        )
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON audit_auditevent TO govreg_app_test"
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE govreg_app_test")
            cursor.execute(APP_ROLE_STATEMENTS[statement])
    assert AuditEvent.objects.count() == 5

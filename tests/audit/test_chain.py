"""The audit log is hash-chained: any alteration, removal or insertion is detected."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from audit import services as audit
from audit.models import AuditEvent, ChainHead
from registers import services
from registers.sections import BY_SLUG

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(cast, system):
    for i in range(5):
        services.update_section(
            system,
            actor=cast.hr,
            section=BY_SLUG["rationale"],
            data={"scope": f"v{i}"},
            expected_fingerprint=None,
        )
    assert AuditEvent.objects.count() == 5
    return list(AuditEvent.objects.order_by("position"))


def verify_command() -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


def tamper(sql: str, params=()):
    """Change the table behind GovReg's back, as a database administrator could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch triggers off for the session: the hash chain still tells.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_an_intact_chain_verifies(chain):
    ok, output = verify_command()
    assert ok, output
    assert "5 entries verified" in output


def test_each_entry_links_to_the_previous_one(chain):
    assert chain[0].prev_hash == "0" * 64
    for earlier, later in zip(chain, chain[1:], strict=False):
        assert later.prev_hash == earlier.hash
    head = ChainHead.objects.get()
    assert (head.position, head.hash) == (chain[-1].position, chain[-1].hash)


def test_altering_an_entrys_content_is_detected_and_named(chain):
    tamper("UPDATE audit_auditevent SET changes = %s WHERE position = 3", ['{"scope": ["a", "b"]}'])
    ok, output = verify_command()
    assert not ok
    assert "entry #3: content does not match its hash" in output


def test_altering_who_did_it_is_detected(chain, cast):
    tamper("UPDATE audit_auditevent SET actor_label = 'someone@else' WHERE position = 2")
    ok, output = verify_command()
    assert not ok and "entry #2" in output


def test_rewriting_an_entry_and_its_hash_breaks_the_next_link(chain):
    event = chain[2]
    event.note = "rewritten"
    new_hash = audit._hash_of(event)
    tamper(
        "UPDATE audit_auditevent SET note = 'rewritten', hash = %s WHERE position = 3", [new_hash]
    )
    ok, output = verify_command()
    assert not ok
    assert "entry #4: previous-hash link is broken" in output


def test_deleting_an_entry_in_the_middle_is_detected(chain):
    tamper("DELETE FROM audit_auditevent WHERE position = 2")
    ok, output = verify_command()
    assert not ok
    assert "entry #3: expected position #2" in output


def test_deleting_the_newest_entry_is_detected_by_the_chain_head(chain):
    tamper("DELETE FROM audit_auditevent WHERE position = 5")
    ok, output = verify_command()
    assert not ok
    assert "chain head records entry #5" in output


def test_swapping_two_entries_is_detected(chain):
    tamper("UPDATE audit_auditevent SET position = 1000 WHERE position = 2")
    tamper("UPDATE audit_auditevent SET position = 2 WHERE position = 3")
    tamper("UPDATE audit_auditevent SET position = 3 WHERE position = 1000")
    ok, output = verify_command()
    assert not ok and "entry #2" in output


def test_the_hash_survives_a_round_trip_through_the_database(chain):
    for stored in AuditEvent.objects.all():
        assert audit._hash_of(stored) == stored.hash


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused(cast, system):
    with pytest.raises(RuntimeError):
        audit.record(cast.hr, "system.updated", system)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_refuses_updates_and_deletes_of_the_log(chain):
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


def rehash_from(position: int):
    """What an attacker with database rights does after editing: recompute every later hash
    and the chain head, so that the chain alone looks intact."""
    prev = AuditEvent.objects.get(position=position - 1).hash if position > 1 else "0" * 64
    last = None
    for event in AuditEvent.objects.filter(position__gte=position).order_by("position"):
        event.prev_hash = prev
        event.hash = prev = audit._hash_of(event)
        tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE position = %s",
            [event.prev_hash, event.hash, event.position],
        )
        last = event
    if last is None:
        last = AuditEvent.objects.order_by("-position").first()
    ChainHead.objects.filter(pk=1).update(position=last.position, hash=last.hash)


def test_truncating_the_tail_and_rehashing_is_caught_by_an_earlier_head(chain):
    head = f"{chain[-1].position}:{chain[-1].hash}"  # e.g. printed in an audit pack
    tamper("DELETE FROM audit_auditevent WHERE position >= 4")
    rehash_from(4)
    assert verify_command()[0], "without the recorded head the rewrite is invisible"
    ok, output = verify_command_against(head)
    assert not ok
    assert "entry #5, recorded earlier, is missing" in output


def test_rewriting_and_recomputing_every_later_hash_is_caught_by_an_earlier_head(chain):
    head = f"{chain[-1].position}:{chain[-1].hash}"
    tamper("UPDATE audit_auditevent SET note = 'rewritten' WHERE position = 2")
    rehash_from(2)
    assert verify_command()[0]
    ok, output = verify_command_against(head)
    assert not ok
    assert "entry #5: hash differs from the one recorded earlier" in output


def test_inserting_a_forged_entry_is_detected(chain):
    # Make room at position 3 and slip a forged entry in, linked to entry #2.
    tamper("UPDATE audit_auditevent SET position = position + 100 WHERE position >= 3")
    tamper(
        "INSERT INTO audit_auditevent (position, created_at, actor_label, action, object_type, "
        "object_id, object_repr, changes, note, prev_hash, hash) "
        "VALUES (3, %s, 'forger@example.org', 'system.updated', 'registers.algorithmicsystem', "
        "%s, 'forged', '{}', '', %s, %s)",
        [chain[2].created_at, chain[2].object_id, chain[1].hash, "f" * 64],
    )
    ok, output = verify_command()
    assert not ok
    assert "entry #3: content does not match its hash" in output


def test_the_command_prints_the_head_to_record(chain):
    ok, output = verify_command()
    assert ok
    assert f"Chain head: {chain[-1].position}:{chain[-1].hash}" in output


def test_a_malformed_anchor_is_a_clear_error(chain):
    ok, output = verify_command_against("five:abc")
    assert not ok and "POSITION:HASH" in output


def verify_command_against(head: str) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", against=[head], stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


APP_ROLE_STATEMENTS = {
    "update": "UPDATE audit_auditevent SET note = 'x' WHERE position = 1",
    "delete": "DELETE FROM audit_auditevent WHERE position = 1",
    "truncate": "TRUNCATE audit_auditevent CASCADE",
    "disable trigger": "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only",
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles and triggers")
@pytest.mark.parametrize("statement", sorted(APP_ROLE_STATEMENTS))
def test_the_application_role_cannot_change_the_log(chain, statement):
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

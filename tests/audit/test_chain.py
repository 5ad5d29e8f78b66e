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
            system, actor=cast.hr, section=BY_SLUG["rationale"], data={"scope": f"v{i}"},
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
    tamper("UPDATE audit_auditevent SET note = 'rewritten', hash = %s WHERE position = 3", [new_hash])
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

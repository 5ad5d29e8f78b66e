"""Changes to a body's records made outside GovReg — a ``QuerySet.update()``, raw SQL — are
captured by the database at COMMIT and recorded in the body's audit chain (``audit.outside``).

These commit real transactions (the capture runs at COMMIT), so the rows the fixtures create
are captured too (a factory is outside GovReg's services): each test records those first.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from assessments.models import Risk
from audit import outside
from audit import services as audit
from audit.models import AuditEvent, OutsideChange
from registers import services as register_services
from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG
from tests.services import require_postgres

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def on_postgres(settings):
    require_postgres(settings, "the capture is a PostgreSQL trigger")


@pytest.fixture
def start(system, other_system):
    """The fixtures' own rows recorded; returns the newest event's id."""
    outside.seal_all()
    assert not outside.pending().exists()
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify() -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue()


def new_events(after: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=after).order_by("id"))


def test_a_bulk_update_is_captured_with_each_old_and_new_value(system, start):
    with transaction.atomic():
        AlgorithmicSystem.objects.filter(pk=system.pk).update(maintenance="Bulk-updated")
    [change] = outside.pending()
    assert change.table_name == "registers_algorithmicsystem"
    assert change.row_id == str(system.pk)
    assert change.changes["maintenance"] == [system.maintenance, "Bulk-updated"]
    assert change.database_user  # the database role that made it
    assert list(outside.pending()) == [change]


def test_a_captured_change_fails_verification_until_it_is_recorded(system, other, start):
    raw(
        "UPDATE registers_algorithmicsystem SET maintenance = %s WHERE id = %s",
        ["Raw-updated", system.pk],
    )
    [change] = outside.pending()
    ok, output = verify()
    assert not ok
    assert "1 change to a body's records made outside GovReg is captured" in output
    assert "Audit log intact" in output  # the chains themselves are intact

    out = io.StringIO()
    call_command("seal_outside_changes", stdout=out)
    assert "1 changes made outside GovReg recorded" in out.getvalue()

    [event] = new_events(start)
    assert event.action == "outside.changed"
    assert event.get_action_label() == "Changed outside GovReg"
    assert event.chain == event.organisation_id == system.organisation_id
    assert event.system_id == system.pk
    assert (event.object_type, event.object_id) == ("registers.algorithmicsystem", str(system.pk))
    assert event.changes["maintenance"][1] == "Raw-updated"
    assert event.actor is None and event.actor_label == change.database_user
    assert event.note == f"UPDATE registers_algorithmicsystem · {change.transaction}"
    assert ("Maintenance", system.maintenance, "Raw-updated") in event.labelled_changes()
    assert verify()[0]
    # Recorded once: a second run finds nothing, and the change stays covered.
    assert outside.seal_all() == 0
    assert not outside.pending().exists()


def test_a_change_to_a_systems_child_goes_to_the_systems_body(other, other_system, start):
    risk = Risk.objects.create(  # autocommit, no audit event: captured as an INSERT
        system=other_system,
        number=1,
        category="INTENS",
        description="Added behind GovReg's back",
        likelihood=2,
        impact=3,
        owner="Head of HR",
        created_by=other.hr,
    )
    raw("DELETE FROM assessments_risk WHERE id = %s", [risk.pk])
    assert outside.seal_all() == 2
    created, deleted = new_events(start)
    for event in (created, deleted):
        assert event.chain == other_system.organisation_id
        assert event.system_id == other_system.pk
        assert event.object_type == "assessments.risk"
    assert (created.action, deleted.action) == ("outside.created", "outside.deleted")
    assert deleted.changes["description"] == [risk.description, None]
    assert created.changes["description"] == [None, risk.description]
    assert verify()[0]


def test_changes_made_through_the_services_are_not_captured(cast, system, start):
    register_services.update_section(
        system,
        actor=cast.hr,
        section=BY_SLUG["summary"],
        data={"description": "Changed the proper way."},
        expected_fingerprint=None,
    )
    assert not outside.pending().exists()
    assert [e.action for e in new_events(start)] == ["system.updated"]


def test_an_update_that_changes_nothing_is_not_captured(system, start):
    with transaction.atomic():
        AlgorithmicSystem.objects.filter(pk=system.pk).update(maintenance=system.maintenance)
    assert not outside.pending().exists()


def test_a_rolled_back_change_leaves_nothing(system, start):
    with pytest.raises(RuntimeError), transaction.atomic():
        AlgorithmicSystem.objects.filter(pk=system.pk).update(maintenance="Never committed")
        raise RuntimeError("roll back")
    assert not outside.pending().exists()


def test_each_event_of_a_transaction_carries_its_key(cast, system, start):
    with transaction.atomic():
        audit.record(cast.hr, "system.updated", system)
        audit.record(cast.hr, "system.updated", system)
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_transaction_key()")
            key = cursor.fetchone()[0]
    first, second = new_events(start)
    assert first.transaction == second.transaction == key


@pytest.mark.parametrize("statement", ["UPDATE", "DELETE"])
def test_the_captured_changes_are_append_only(system, start, statement):
    with transaction.atomic():
        AlgorithmicSystem.objects.filter(pk=system.pk).update(maintenance="Kept")
    sql = {
        "UPDATE": "UPDATE audit_outsidechange SET row_id = 'x'",
        "DELETE": "DELETE FROM audit_outsidechange",
    }[statement]
    kept = list(OutsideChange.objects.values_list("id", "row_id"))
    with pytest.raises(DatabaseError, match="append-only"):
        raw(sql)
    assert list(OutsideChange.objects.values_list("id", "row_id")) == kept


def test_every_table_of_a_bodys_records_is_captured_or_excluded_with_a_reason():
    from django.apps import apps

    captured = {m._meta.label for m in outside.captured_models()}
    for model in apps.get_models():
        if hasattr(model, "tenant_path"):
            assert (model._meta.label in captured) != (model._meta.label in outside.NOT_CAPTURED)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [outside.TRIGGER],
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert triggered == {m._meta.db_table for m in outside.captured_models()}
    assert "registers_algorithmicsystem" in triggered and "assessments_risk" in triggered


def test_install_puts_a_missing_trigger_back_and_takes_a_stray_one_off():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {outside.TRIGGER} ON assessments_risk")
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {outside.TRIGGER} AFTER UPDATE ON notifications_notification "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION audit_capture_outside_change()"
        )
    outside.install()
    test_every_table_of_a_bodys_records_is_captured_or_excluded_with_a_reason()


def test_the_beat_schedule_records_captured_changes_every_minute(settings, system, start):
    from audit.tasks import seal_outside_changes

    entry = settings.CELERY_BEAT_SCHEDULE["audit-seal-outside-changes"]
    assert (entry["task"], entry["schedule"]) == ("audit.seal_outside_changes", 60)
    with transaction.atomic():
        AlgorithmicSystem.objects.filter(pk=system.pk).update(maintenance="By beat")
    assert seal_outside_changes.apply().get() == 1

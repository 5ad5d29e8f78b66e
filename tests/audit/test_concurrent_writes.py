"""Writers meeting at the chain's lock must queue, never deadlock.

Every audited write locks the chain's single head row until it commits. Foreign keys are
checked at COMMIT (Django declares them deferred), and such a check locks the row it points
at. Before ``audit.services._lock_chain``, a comment on a system could take the chain, then at
COMMIT wait for the system row that an edit of the same system had locked FOR UPDATE while
waiting for the chain: PostgreSQL broke the cycle by failing one of the two ("deadlock
detected"), which a user saw as a server error. Here the two transactions are lined up in
exactly that order, and both must succeed.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from audit import services as audit
from audit.models import AuditEvent
from consultations import services as consultation_services
from registers import services as register_services
from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG
from tests.services import postgres_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def blocked_on_a_lock(other_pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [other_pid])
        row = cursor.fetchone()
    return bool(row and row[0] == "Lock")


def test_a_comment_holding_the_chain_and_an_edit_of_the_same_system_both_commit(
    settings, cast, system
):
    postgres_url(settings)  # row locks: PostgreSQL only (fails under GOVREG_REQUIRE_SERVICES)
    commented, may_commit = threading.Event(), threading.Event()
    errors, pids = [], {}

    def comment():
        try:
            with transaction.atomic():
                consultation_services.add_comment(
                    actor=cast.rep, system=system, target=system, body="Holding the chain."
                )
                commented.set()  # this transaction now holds the chain's lock
                assert may_commit.wait(timeout=20)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(("comment", error))
        finally:
            commented.set()
            connection.close()

    def edit():
        try:
            pids["edit"] = connection.cursor().connection.info.backend_pid
            with transaction.atomic():
                register_services.update_section(
                    AlgorithmicSystem.objects.get(pk=system.pk),
                    actor=cast.hr,
                    section=BY_SLUG["summary"],
                    data={"description": "Edited while the comment holds the chain."},
                    expected_fingerprint=None,
                )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(("edit", error))
        finally:
            connection.close()

    before = AuditEvent.objects.count()
    commenter = threading.Thread(target=comment)
    commenter.start()
    assert commented.wait(timeout=20)
    editor = threading.Thread(target=edit)
    editor.start()
    # The edit is now waiting on a lock (the system row or the chain): let the comment commit.
    wait_for(
        lambda: "edit" in pids and blocked_on_a_lock(pids["edit"]),
        timeout=20,
        what="the edit to wait",
    )
    may_commit.set()
    commenter.join(timeout=30)
    editor.join(timeout=30)

    assert errors == []
    assert AuditEvent.objects.count() == before + 2
    assert audit.verify().ok

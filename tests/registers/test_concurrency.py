"""Two people save the same section at the same moment: exactly one wins, the other is told."""

import threading

import pytest
from django.db import connection

from registers import services
from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
@pytest.mark.parametrize("attempt", range(5))
def test_simultaneous_saves_of_one_section_never_lose_a_write(cast, system, attempt):
    section = BY_SLUG["rationale"]
    fingerprint = services.fingerprint(services.section_values(system, section))
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(who, actor):
        try:
            barrier.wait(timeout=10)
            services.update_section(
                AlgorithmicSystem.objects.get(pk=system.pk),
                actor=actor,
                section=section,
                data={"scope": f"scope by {who}"},
                expected_fingerprint=fingerprint,
            )
            outcomes[who] = "saved"
        except services.SectionConflict:
            outcomes[who] = "conflict"
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=save, args=("hr", cast.hr)),
        threading.Thread(target=save, args=("admin", cast.admin)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
    system.refresh_from_db()
    assert system.scope == f"scope by {winner}"
    assert system.version == 2

"""The benchmark data command: what it creates, that it refuses without --force outside DEBUG,
and that a second run adds nothing."""

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Assessment, Risk
from audit.models import AuditEvent
from consultations.models import Comment
from registers.models import AlgorithmicSystem

pytestmark = pytest.mark.django_db


def counts():
    return (
        AlgorithmicSystem.objects.filter(reference__startswith="bench-").count(),
        Assessment.objects.count(),
        Risk.objects.count(),
        Comment.objects.count(),
        AuditEvent.objects.filter(action__startswith="system.").count(),
    )


def test_refuses_outside_debug_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_bench", "--systems", "2", "--bodies", "1")
    assert not AlgorithmicSystem.objects.exists()


def test_seeds_systems_with_assessments_risks_comments_and_history():
    call_command("seed_bench", "--systems", "6", "--bodies", "3", "--history", "2", "--force")
    systems, assessments, risks, comments, history = counts()
    assert systems == 6
    assert history == 6 * 2
    rich = AlgorithmicSystem.objects.get(reference="bench-00000")
    assert rich.risks.count() == 20
    assert Comment.objects.filter(system=rich).count() == 20
    # Every system: an approved DPIA and a draft EqIA; an AIA for one in two (and the rich one).
    for system in AlgorithmicSystem.objects.all():
        kinds = dict(system.assessments.values_list("kind", "status"))
        assert kinds["dpia"] == "approved" and kinds["eqia"] == "draft"
    assert risks == 20 + 5 * 3
    assert comments == 20 + 5
    assert 6 + 6 + 3 <= assessments <= 6 + 6 + 4
    # The bodies are spread evenly and each has its four roles.
    assert AlgorithmicSystem.objects.values("organisation").distinct().count() == 3


def test_second_run_adds_nothing():
    call_command("seed_bench", "--systems", "4", "--bodies", "2", "--force")
    before = counts()
    call_command("seed_bench", "--systems", "4", "--bodies", "2", "--force")
    assert counts() == before

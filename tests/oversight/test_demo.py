"""The demo data gains a signed system, one needing a new signature, paused and retired systems
with their history, and a completed post-deployment audit; loading it twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from oversight import services
from oversight.models import LifecycleTransition, PostDeploymentAudit, SignOff
from registers.models import AlgorithmicSystem

pytestmark = pytest.mark.django_db


def state(reference):
    system = AlgorithmicSystem.objects.get(reference=reference)
    return system, services.signoff_status(system)


def test_the_demo_shows_every_oversight_state(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())

    nurse, status = state("nurse-e-rostering")
    assert status.state == "current" and status.signoff.decision == "conditional"
    assert len(status.signoff.conditions) == 2 and nurse.next_review_date

    rota, status = state("home-care-rota-planner")
    assert status.state == "stale"
    assert [row.what for row in services.changes_since(status.later_events)] == [
        "Human decisions and review"
    ]
    audit = PostDeploymentAudit.objects.get(system=rota)
    assert audit.outcome == "continue_with_changes" and audit.answers.count() == 6
    assert audit.bias_results.filter(passed=False).count() == 1
    assert rota.next_review_date == audit.next_review_date

    for reference, stage in (
        ("site-lone-worker-monitoring", "paused"),
        ("contact-centre-productivity", "paused"),
        ("staff-bank-matching", "retired"),
    ):
        system = AlgorithmicSystem.objects.get(reference=reference)
        assert system.lifecycle_stage == stage
        assert LifecycleTransition.objects.get(system=system).to_stage == stage

    absence, _status = state("absence-analytics")
    assert absence.next_review_date < timezone.localdate()  # an overdue review for the dashboard

    counts = (
        SignOff.objects.count(),
        LifecycleTransition.objects.count(),
        PostDeploymentAudit.objects.count(),
    )
    call_command("load_demo", stdout=io.StringIO())
    assert (
        SignOff.objects.count(),
        LifecycleTransition.objects.count(),
        PostDeploymentAudit.objects.count(),
    ) == counts

"""load_demo gives every demo body assessments in every state, risks and action plans."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessments import aia, services
from assessments.choices import Kind, Status
from assessments.models import Action, Assessment, Questionnaire, Risk

pytestmark = pytest.mark.django_db


def test_load_demo_creates_assessments_in_every_state_once():
    call_command("load_demo", "--force", stdout=StringIO())
    statuses = set(Assessment.objects.values_list("status", flat=True))
    assert statuses == {Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.SUPERSEDED}
    assert set(Assessment.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert Assessment.objects.filter(status=Status.DRAFT).exclude(returned_comment="").exists()
    assert any(
        a.result.get("screened_out")
        for a in Assessment.objects.filter(kind=Kind.DPIA, status=Status.APPROVED)
    )
    assert any(
        a.result.get("ico_blocks_go_live")
        for a in Assessment.objects.filter(kind=Kind.DPIA, status=Status.APPROVED)
    )
    assert Assessment.objects.filter(
        kind=Kind.EQIA, status=Status.APPROVED, content__outcome="stop"
    ).exists()
    drafts = Assessment.objects.filter(kind=Kind.AIA, status=Status.DRAFT).select_related(
        "questionnaire"
    )
    assert any(aia.blocking_findings(a.questionnaire.engine(), aia.answers_of(a)) for a in drafts)
    assert Questionnaire.objects.published().count() == 1
    assert Risk.objects.filter(status="accepted").exists()
    assert Action.objects.overdue().exists()
    assert Action.objects.filter(updates__isnull=False).exists()
    for approved in Assessment.objects.filter(status=Status.APPROVED):
        assert approved.content_hash == approved.compute_hash()
        assert approved.approved_by_id not in services.preparers(approved)
    counts = (Assessment.objects.count(), Risk.objects.count(), Action.objects.count())
    call_command("load_demo", "--force", stdout=StringIO())
    assert (Assessment.objects.count(), Risk.objects.count(), Action.objects.count()) == counts

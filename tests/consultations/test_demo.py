"""load_demo gives consultations in every status, with meetings, concerns and comments."""

import pytest
from django.core import mail
from django.core.management import call_command

from consultations.choices import ConcernStatus, ConsultationStatus
from consultations.models import Comment, Concern, Consultation, Disclosure, Meeting, RightsRequest

pytestmark = pytest.mark.django_db


def test_demo_data_covers_every_status_and_is_idempotent(capsys):
    call_command("load_demo", force=True)
    assert set(Consultation.objects.values_list("status", flat=True)) == set(
        ConsultationStatus.values
    )
    assert set(Concern.objects.values_list("status", flat=True)) == set(ConcernStatus.values)
    assert Concern.objects.overdue().exists()
    assert Concern.objects.filter(source="anonymous", raised_by__isnull=True).exists()
    assert (
        Meeting.objects.exists() and Disclosure.objects.exists() and RightsRequest.objects.exists()
    )
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Comment.objects.filter(resolved_at__isnull=False).exists()
    assert not mail.outbox  # demo data sends no e-mail
    counts = [
        m.objects.count()
        for m in (Consultation, Concern, Comment, Meeting, Disclosure, RightsRequest)
    ]
    call_command("load_demo", force=True)
    assert [
        m.objects.count()
        for m in (Consultation, Concern, Comment, Meeting, Disclosure, RightsRequest)
    ] == counts

"""The consultation pages' forms: what they save, and what they say when input is wrong."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.choices import ConsultationStatus
from consultations.models import Consultation, Disclosure, Meeting

from .conftest import open_one, plan, rep_union

pytestmark = pytest.mark.django_db


def test_hr_plans_a_consultation_and_opens_it(client, cast, system):
    client.force_login(cast.hr)
    url = reverse("consultations:create", args=[system.uuid])
    assert 'value="planning"' in client.get(url).content.decode()
    response = client.post(
        url, {"stage": "planning", "unions": [rep_union(cast).pk], "summary": "Why."}
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == consultation.get_absolute_url()
    assert consultation.points.count() == 4
    response = client.post(reverse("consultations:open", args=[system.uuid, consultation.uuid]))
    consultation.refresh_from_db()
    assert response.status_code == 302 and consultation.status == ConsultationStatus.OPEN


def test_planning_without_a_union_or_stage_shows_errors(client, cast, system):
    client.force_login(cast.hr)
    response = client.post(
        reverse("consultations:create", args=[system.uuid]), {"summary": "Kept summary"}
    )
    html = response.content.decode()
    assert "<title>Error:" in html
    assert (
        "Choose the stage of the consultation." in html
        and "Choose at least one union to consult." in html
    )
    assert 'href="#id_stage_0"' in html and 'href="#id_unions_0"' in html
    assert "Kept summary" in html
    assert not Consultation.objects.exists()


def test_a_duplicate_consultation_is_a_message_on_the_form(client, cast, system):
    plan(cast, system, "planning")
    client.force_login(cast.hr)
    response = client.post(
        reverse("consultations:create", args=[system.uuid]),
        {"stage": "planning", "unions": [rep_union(cast).pk], "summary": "Second"},
    )
    assert response.status_code == 200
    assert "already a consultation for this stage" in response.content.decode()


def test_the_checklist_page_saves_discussed_prompts_and_notes(client, cast, system):
    consultation = open_one(cast, system)
    first, second = list(consultation.points.all())[:2]
    client.force_login(cast.rep)
    url = reverse("consultations:checklist", args=[system.uuid, consultation.uuid])
    html = client.get(url).content.decode()
    assert "<legend" in html and str(first.text) in html
    response = client.post(
        url,
        {
            f"discussed_{first.pk}": "on",
            f"notes_{first.pk}": "Noted.",
            f"notes_{second.pk}": "x" * 5001,
        },
    )
    assert (
        response.status_code == 200
        and "Must be 5,000 characters or fewer." in response.content.decode()
    )
    first.refresh_from_db()
    assert not first.discussed  # nothing is saved while any box is wrong
    response = client.post(url, {f"discussed_{first.pk}": "on", f"notes_{first.pk}": "Noted."})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.discussed and first.notes == "Noted."


def test_recording_a_meeting_with_attendees(client, cast, system):
    consultation = open_one(cast, system)
    client.force_login(cast.hr)
    url = reverse("consultations:meeting_create", args=[system.uuid, consultation.uuid])
    html = client.get(url).content.decode()
    assert "Person 1" in html and cast.hr.full_name in html
    data = {
        "held_on": timezone.localdate().isoformat(),
        "title": "First meeting",
        "minutes": "We met.",
        "decisions": "",
        "attendees-TOTAL_FORMS": "2",
        "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "0",
        "attendees-MAX_NUM_FORMS": "40",
        "attendees-0-name": "Rhian Evans",
        "attendees-0-role": "HR",
        "attendees-0-side": "employer",
        "attendees-1-name": "Dafydd Morgan",
        "attendees-1-role": "Rep",
        "attendees-1-side": "union",
        "attendees-1-union": "",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert (
        "Choose the union this person attended for." in html
        and 'href="#id_attendees-1-union"' in html
    )
    assert "We met." in html
    data["attendees-1-union"] = str(rep_union(cast).pk)
    data["held_on"] = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.post(url, data)
    assert "today or in the past" in response.content.decode()
    data["held_on"] = timezone.localdate().isoformat()
    response = client.post(url, data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert [a.name for a in meeting.attendees.all()] == ["Rhian Evans", "Dafydd Morgan"]
    # Changing the meeting replaces its attendees.
    edit = reverse(
        "consultations:meeting_edit", args=[system.uuid, consultation.uuid, meeting.uuid]
    )
    assert "Dafydd Morgan" in client.get(edit).content.decode()
    data.update({"attendees-1-name": "", "attendees-0-name": "Rhian Evans-Jones"})
    client.post(edit, data)
    assert [a.name for a in meeting.attendees.all()] == ["Rhian Evans-Jones"]


def test_sharing_in_one_click_from_the_share_page(client, cast, system):
    consultation = open_one(cast, system)
    client.force_login(cast.hr)
    url = reverse("consultations:share", args=[system.uuid, consultation.uuid])
    html = client.get(url).content.decode()
    assert f'value="registers.algorithmicsystem:{system.uuid}"' in html
    # Named by its public identifier: the integer key is refused like any unknown object.
    assert client.post(url, {"target": f"registers.algorithmicsystem:{system.pk}"}).status_code == 404
    response = client.post(url, {"target": f"registers.algorithmicsystem:{system.uuid}"})
    assert response.status_code == 302 and response["Location"].endswith("#disclosures")
    assert Disclosure.objects.get().version == system.version
    assert "Already shared, unchanged since" in client.get(url).content.decode()
    assert client.post(url, {"target": f"accounts.user:{cast.hr.uuid}"}).status_code == 404
    assert client.post(url, {"target": "consultations.disclosure:1"}).status_code == 404
    assert client.post(url, {"target": "garbage"}).status_code == 404
    assert Disclosure.objects.count() == 1


def test_logging_another_document_needs_a_title(client, cast, system):
    consultation = open_one(cast, system)
    client.force_login(cast.hr)
    url = reverse("consultations:share", args=[system.uuid, consultation.uuid])
    response = client.post(url, {"title": "", "reference": "Kept ref", "note": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html and "Kept ref" in html
    assert not Disclosure.objects.exists()
    response = client.post(url, {"title": "Spec v2", "reference": "PROC-9", "note": ""})
    assert response.status_code == 302 and Disclosure.objects.get().label == "Spec v2"


def test_the_position_page_names_the_reps_union_and_requires_the_view(client, cast, system):
    consultation = open_one(cast, system)
    client.force_login(cast.rep)
    url = reverse("consultations:position", args=[system.uuid, consultation.uuid])
    assert str(rep_union(cast)) in client.get(url).content.decode()
    response = client.post(url, {"position": "agreed_with_conditions", "statement": ""})
    html = response.content.decode()
    assert (
        "Enter your union&#x27;s view." in html
        and "Enter the conditions of your agreement." in html
    )


def test_the_system_page_shows_the_consultation_section(client, cast, system):
    consultation = open_one(cast, system)
    client.force_login(cast.auditor)
    html = client.get(reverse("registers:system_detail", args=[system.uuid])).content.decode()
    assert 'id="consultation"' in html and 'id="comments"' in html
    assert consultation.get_absolute_url() in html
    assert "Plan a consultation" not in html and "Add a comment" not in html


def test_the_reps_dashboard_shows_what_awaits_the_unions_view(client, cast, system):
    consultation = open_one(cast, system)
    client.force_login(cast.rep)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Awaiting your union" in html and consultation.get_absolute_url() in html
    client.force_login(cast.auditor)
    assert "Awaiting your union" not in client.get(reverse("dashboard")).content.decode()

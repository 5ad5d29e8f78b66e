"""Consultations, comment threads, concerns and rights requests through the API: the pages'
forms and ``consultations.services``, and what each role may see."""

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from consultations import services
from consultations.models import Comment, Concern, RightsRequest

from .world import World

pytestmark = pytest.mark.django_db


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world(cast, other, outsider):
    return World(cast, other, outsider)


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def rows(response) -> list[dict]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- consultations ------------------------------------------------------------------------------


def test_a_consultation_shows_its_meetings_disclosures_and_positions(cast, world):
    consultation = world.consultation
    body = session(cast.auditor).get(f"/api/v1/consultations/{consultation.uuid}/").json()
    assert body["status"] == "open" and body["stage"] == "deployment"
    assert [u["slug"] for u in body["unions"]] == [world.union.slug]
    assert body["points"] and all({"key", "text", "discussed"} <= set(p) for p in body["points"])
    meeting = body["meetings"][0]
    assert meeting["minutes"] == "Talked it through."
    assert {a["side"] for a in meeting["attendees"]} == {"employer", "union"}
    assert body["disclosures"][0]["kind"] == "record"
    assert len(body["disclosures"][0]["sha256"]) == 64
    (position,) = body["positions"]
    assert position["position"] == "agreed" and position["is_current"]
    listed = session(cast.rep).get("/api/v1/consultations/", {"status": "open"}).json()
    assert [c["id"] for c in listed["results"]] == [str(consultation.uuid)]


def test_a_later_position_supersedes_but_keeps_the_earlier_one(cast, world):
    consultation = world.consultation
    services.record_position(
        consultation, actor=cast.rep, position="not_agreed", statement="We changed our minds."
    )
    positions = (
        session(cast.hr).get(f"/api/v1/consultations/{consultation.uuid}/").json()["positions"]
    )
    assert [(p["position"], p["is_current"]) for p in positions] == [
        ("not_agreed", True),
        ("agreed", False),
    ]


# --- comments -----------------------------------------------------------------------------------


def test_threads_are_listed_by_what_they_are_about(cast, world):
    on_record = world.thread
    on_risk = services.add_comment(
        actor=cast.rep, system=world.system, target=world.risk, body="Is this scored right?"
    )
    services.add_comment(
        actor=cast.hr, system=world.system, target=None, body="Yes.", parent=on_risk
    )
    client = session(cast.manager)
    listed = client.get(
        "/api/v1/comments/", {"target_type": "assessments.risk", "target_id": world.risk.uuid}
    ).json()["results"]
    assert [t["id"] for t in listed] == [str(on_risk.uuid)]
    assert listed[0]["target"] == {
        "type": "assessments.risk",
        "id": str(world.risk.uuid),
        "label": on_risk.target_label,
    }
    assert [r["body"] for r in listed[0]["replies"]] == ["Yes."]
    every = client.get("/api/v1/comments/", {"system": world.system.uuid}).json()["results"]
    assert {t["id"] for t in every} == {
        str(on_record.uuid),
        str(on_risk.uuid),
    }  # threads, not replies


def test_commenting_on_a_risk_goes_through_the_service(cast, world):
    response = session(cast.rep).post(
        "/api/v1/comments/",
        {
            "system": world.system.uuid,
            "target_type": "assessments.risk",
            "target_id": str(world.risk.uuid),
            "body": "  Breaks are being squeezed.  ",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    comment = Comment.objects.get(uuid=response.json()["id"])
    assert comment.body == "Breaks are being squeezed." and comment.author == cast.rep
    assert response["Location"] == f"/api/v1/comments/{comment.uuid}/"
    assert AuditEvent.objects.filter(action="comment.added", object_id=str(comment.pk)).exists()


def test_a_comment_must_be_about_an_object_of_the_named_system(cast, other, world):
    client = session(cast.hr)
    for target_type, target_id in [
        ("registers.algorithmicsystem", world.other_system.uuid),  # another body's system
        ("accounts.user", cast.hr.uuid),  # not commentable
        ("assessments.risk", 999999),
    ]:
        response = client.post(
            "/api/v1/comments/",
            {
                "system": world.system.uuid,
                "target_type": target_type,
                "target_id": str(target_id),
                "body": "x",
            },
            format="json",
        )
        assert response.status_code == 400, (target_type, response.content)
    blank = client.post(
        "/api/v1/comments/",
        {
            "system": world.system.uuid,
            "target_type": "registers.algorithmicsystem",
            "target_id": str(world.system.uuid),
            "body": "   ",
        },
        format="json",
    )
    assert blank.status_code == 400 and "body" in blank.json()
    assert Comment.objects.count() == 0


def test_a_resolved_thread_takes_no_reply_until_it_is_reopened(cast, world):
    thread = world.thread
    client = session(cast.rep)
    assert (
        client.post(f"/api/v1/comments/{thread.uuid}/resolve/", {}, format="json").status_code
        == 200
    )
    again = client.post(f"/api/v1/comments/{thread.uuid}/resolve/", {}, format="json")
    assert again.status_code == 409
    reply = client.post(f"/api/v1/comments/{thread.uuid}/reply/", {"body": "Hm."}, format="json")
    assert reply.status_code == 409 and "Reopen it" in reply.json()["detail"]
    reopened = client.post(f"/api/v1/comments/{thread.uuid}/reopen/", {}, format="json")
    assert reopened.status_code == 200 and reopened.json()["resolved_at"] is None
    reply = client.post(f"/api/v1/comments/{thread.uuid}/reply/", {"body": "Hm."}, format="json")
    assert reply.status_code == 201 and reply.json()["replies"][-1]["body"] == "Hm."


def test_auditors_read_threads_but_do_not_comment(cast, world):
    client = session(cast.auditor)
    assert client.get(f"/api/v1/comments/{world.thread.uuid}/").status_code == 200
    reply = client.post(
        f"/api/v1/comments/{world.thread.uuid}/reply/", {"body": "x"}, format="json"
    )
    assert reply.status_code == 403


# --- concerns -----------------------------------------------------------------------------------


def test_a_rep_raises_a_concern_and_hr_is_told(cast, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = session(cast.rep).post(
            "/api/v1/concerns/",
            {
                "system": world.system.uuid,
                "category": "SURV",
                "summary": "Tracking off shift",
                "details": "The app reports location after the shift ends.",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "rep" and body["raised_by"]["id"] == str(cast.rep.uuid)
    assert body["union"]["slug"] == world.union.slug
    assert [u["kind"] for u in body["updates"]] == ["raised"]
    assert body["due_on"] > timezone.localdate().isoformat()
    assert any(cast.hr.email in message.to for message in mail.outbox)


@pytest.mark.parametrize("role", ["hr", "manager", "auditor", "admin"])
def test_only_reps_raise_concerns(cast, world, role):
    response = session(cast.by_role(role)).post(
        "/api/v1/concerns/",
        {"system": world.system.uuid, "category": "SURV", "summary": "x", "details": "y"},
        format="json",
    )
    assert response.status_code == 403
    assert not Concern.objects.exists()


def test_hr_responds_and_the_timeline_grows(cast, world):
    concern = world.concern
    assert (
        session(cast.rep)
        .post(f"/api/v1/concerns/{concern.uuid}/respond/", {"text": "No."}, format="json")
        .status_code
        == 403
    )
    response = session(cast.hr).post(
        f"/api/v1/concerns/{concern.uuid}/respond/",
        {"text": "We will add a break rule."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "responded" and body["category"] == "INTENS"  # unchanged
    assert [u["kind"] for u in body["updates"]] == ["raised", "response"]
    assert body["updates"][-1]["actor"]["id"] == str(cast.hr.uuid)
    recategorised = session(cast.hr).post(
        f"/api/v1/concerns/{concern.uuid}/respond/",
        {"text": "Recategorised.", "category": "HSW"},
        format="json",
    )
    assert recategorised.json()["category"] == "HSW"


def test_the_workflow_of_a_concern_is_the_services(cast, world):
    concern = world.concern
    rep = session(cast.rep)
    url = f"/api/v1/concerns/{concern.uuid}/"
    assert rep.post(url + "escalate/", {"reason": "No answer."}, format="json").status_code == 200
    assert rep.post(url + "escalate/", {"reason": "Still none."}, format="json").status_code == 409
    assert rep.post(url + "resolve/", {}, format="json").status_code == 200
    assert rep.post(url + "resolve/", {}, format="json").status_code == 409
    assert rep.post(url + "reopen/", {"reason": ""}, format="json").status_code == 400
    reopened = rep.post(url + "reopen/", {"reason": "It happened again."}, format="json")
    assert reopened.status_code == 200
    assert [u["kind"] for u in reopened.json()["updates"]] == [
        "raised",
        "escalated",
        "resolved",
        "reopened",
    ]
    assert session(cast.auditor).post(url + "resolve/", {}, format="json").status_code == 403


def test_an_anonymous_concern_names_nobody(cast, world):
    world.system.publication_status = "published"
    world.system.save()
    concern = services.raise_anonymous_concern(
        system=world.system, category="", summary="Unfair rota", details="It always picks me."
    )
    body = session(cast.hr).get(f"/api/v1/concerns/{concern.uuid}/").json()
    assert body["source"] == "anonymous"
    assert body["raised_by"] is None and body["union"] is None
    assert body["updates"][0]["actor"] is None


def test_the_concerns_download_respects_filters_and_bodies(cast, other, world):
    concern = world.concern
    services.raise_concern(
        actor=other.rep,
        system=world.other_system,
        category="SURV",
        summary="Other body's concern",
        details="Secret.",
    )
    client = session(cast.auditor)
    response = client.get("/api/v1/concerns/export/", {"format": "csv", "status": "open"})
    assert response.status_code == 200
    found = rows(response)
    assert [r["summary"] for r in found] == ["Breaks squeezed"]
    assert found[0]["reference"] == concern.reference
    assert found[0]["raised_by"] == cast.rep.get_full_name()
    assert "Other body" not in response.content.decode()
    assert (
        client.get("/api/v1/concerns/export/", {"format": "json", "status": "resolved"}).json()
        == []
    )


# --- rights requests ----------------------------------------------------------------------------


def test_the_details_of_the_person_are_shown_only_to_those_who_handle_requests(cast, world):
    rights_request = world.rights_request
    for role, visible in [("hr", True), ("admin", True), ("rep", False), ("auditor", False)]:
        client = session(cast.by_role(role))
        detail = client.get(f"/api/v1/rights-requests/{rights_request.uuid}/").json()
        listed = client.get("/api/v1/rights-requests/").json()["results"][0]
        exported = client.get("/api/v1/rights-requests/export/", {"format": "json"}).json()[0]
        expected = "Employee 4411, night shift" if visible else None
        assert detail["requester_details"] == expected, role
        assert listed["requester_details"] == expected, role
        assert exported["requester_details"] == expected, role
        text = client.get("/api/v1/rights-requests/export/", {"format": "csv"}).content.decode()
        assert ("Employee 4411" in text) is visible, role


def test_hr_logs_changes_extends_and_closes_a_request(cast, world):
    client = session(cast.hr)
    logged = client.post(
        "/api/v1/rights-requests/",
        {
            "system": world.system.uuid,
            "case_reference": "HR-2026-014",
            "kind": "human_review",
            "received_on": days(-2),
        },
        format="json",
    )
    assert logged.status_code == 201, logged.content
    pk = logged.json()["id"]
    logged_pk = RightsRequest.objects.get(uuid=pk).pk
    assert logged.json()["due_on"] > days(20)
    duplicate = client.post(
        "/api/v1/rights-requests/",
        {
            "system": world.system.uuid,
            "case_reference": "hr-2026-014",
            "kind": "access",
            "received_on": days(-1),
        },
        format="json",
    )
    assert duplicate.status_code == 400
    assert "already logged" in duplicate.json()["non_field_errors"][0]
    changed = client.patch(
        f"/api/v1/rights-requests/{pk}/", {"summary": "Asked for a review."}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["summary"] == "Asked for a review."
    assert changed.json()["case_reference"] == "HR-2026-014"
    extended = client.post(
        f"/api/v1/rights-requests/{pk}/extend/",
        {"reason": "Linked to 30 others.", "notified_on": days(0)},
        format="json",
    )
    assert extended.status_code == 200 and extended.json()["extended"]
    twice = client.post(
        f"/api/v1/rights-requests/{pk}/extend/",
        {"reason": "Again.", "notified_on": days(0)},
        format="json",
    )
    assert twice.status_code == 400
    future = client.post(
        f"/api/v1/rights-requests/{pk}/close/",
        {"closed_on": days(3), "outcome": "upheld"},
        format="json",
    )
    assert future.status_code == 400
    closed = client.post(
        f"/api/v1/rights-requests/{pk}/close/",
        {"closed_on": days(0), "outcome": "partly_upheld", "outcome_notes": "Shift restored."},
        format="json",
    )
    assert closed.status_code == 200 and closed.json()["outcome"] == "partly_upheld"
    actions = list(
        AuditEvent.objects.filter(
            object_type="consultations.rightsrequest", object_id=str(logged_pk)
        )
        .order_by("position")
        .values_list("action", flat=True)
    )
    assert actions == [
        "rights_request.logged",
        "rights_request.updated",
        "rights_request.extended",
        "rights_request.closed",
    ]


def test_reps_read_requests_but_do_not_log_them(cast, world):
    client = session(cast.rep)
    assert client.get(f"/api/v1/rights-requests/{world.rights_request.uuid}/").status_code == 200
    response = client.post(
        "/api/v1/rights-requests/",
        {
            "system": world.system.uuid,
            "case_reference": "R-1",
            "kind": "access",
            "received_on": days(0),
        },
        format="json",
    )
    assert response.status_code == 403
    assert RightsRequest.objects.count() == 1  # the world's own


def test_open_and_overdue_requests_are_filtered(cast, world):
    late = world.new_rights_request()
    RightsRequest.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    closed = world.new_rights_request()
    services.close_rights_request(
        closed, actor=cast.hr, closed_on=timezone.localdate(), outcome="withdrawn", outcome_notes=""
    )
    client = session(cast.auditor)

    def ids(**params):
        return {r["id"] for r in client.get("/api/v1/rights-requests/", params).json()["results"]}

    assert ids(overdue="true") == {str(late.uuid)}
    assert ids(closed="true") == {str(closed.uuid)}
    assert str(closed.uuid) not in ids(closed="false")

"""``/api/v1/risks/`` and ``/api/v1/actions/``: registers and action plans, changed through
``assessments.services`` with a revision precondition, and downloadable."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Action, Risk
from audit.models import AuditEvent
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db

RISKS = "/api/v1/risks/"
ACTIONS = "/api/v1/actions/"


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def make_risk(system, actor, **data):
    values = {
        "category": "SURV",
        "description": "Location tracked off shift",
        "likelihood": 3,
        "impact": 4,
        "owner": "Head of HR",
        **data,
    }
    return services.create_risk(system, actor=actor, data=values)


def make_action(system, actor, **data):
    values = {"description": "Publish the rules", "owner": "HR", "due_date": timezone.localdate()}
    values.update(data)
    return services.create_action(system, actor=actor, data=values)


def rows(response) -> list[dict]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- risks --------------------------------------------------------------------------------------


def test_the_register_lists_the_users_bodies_scored_and_ordered(cast, other, system, other_system):
    low = make_risk(system, cast.hr, likelihood=1, impact=2)
    high = make_risk(system, cast.hr, likelihood=5, impact=5, category="DISCRIM")
    make_risk(other_system, other.hr)
    client = session(cast.rep)
    body = client.get(RISKS, {"ordering": "-score"}).json()
    assert [r["id"] for r in body["results"]] == [str(high.uuid), str(low.uuid)]
    assert body["results"][0]["score"] == 25 and body["results"][0]["band"] == "extreme"
    assert body["results"][1]["band"] == "low"
    filtered = client.get(RISKS, {"category": "DISCRIM"}).json()["results"]
    assert [r["id"] for r in filtered] == [str(high.uuid)]
    assert client.get(RISKS, {"ordering": "danger"}).status_code == 400


def test_recording_a_risk_goes_through_the_service(cast, system):
    response = session(cast.hr).post(
        RISKS,
        {
            "system": system.uuid,
            "category": "INTENS",
            "gwc_principle": "wellbeing",
            "description": "Rota squeezes breaks",
            "likelihood": 4,
            "impact": 3,
            "owner": "Head of HR",
            "review_due": days(60),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    risk = Risk.objects.get(system=system)
    assert response["Location"] == f"{RISKS}{risk.uuid}/"
    assert response["ETag"] == '"1"'
    assert risk.reference == "R1" and risk.created_by == cast.hr
    assert AuditEvent.objects.filter(action="risk.created", object_id=str(risk.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"likelihood": "4"}, "likelihood"),  # a number as text
        ({"likelihood": 6}, "likelihood"),
        ({"status": "accepted"}, "status"),  # accepting is its own operation
        ({"category": "GOSSIP"}, "category"),
        ({"review_due": "2001-01-01"}, "review_due"),  # the service: not in the past
        ({"residual_likelihood": 2}, "residual_impact"),  # both residual scores, or neither
        ({"number": 99}, "number"),
    ],
)
def test_invalid_risks_are_refused_and_nothing_is_recorded(cast, system, change, field):
    data = {
        "system": system.uuid,
        "category": "SURV",
        "description": "Tracking",
        "likelihood": 3,
        "impact": 3,
        "owner": "HR",
        **change,
    }
    response = session(cast.hr).post(RISKS, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Risk.objects.exists()


def test_changing_a_risk_needs_its_revision(cast, system):
    risk = make_risk(system, cast.hr)
    client = session(cast.hr)
    detail = client.get(f"{RISKS}{risk.uuid}/")
    etag = detail["ETag"]
    assert client.patch(f"{RISKS}{risk.uuid}/", {"owner": "X"}, format="json").status_code == 428
    ok = client.patch(
        f"{RISKS}{risk.uuid}/", {"owner": "Director"}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["revision"] == 2 and ok["ETag"] == '"2"'
    stale_header = client.patch(
        f"{RISKS}{risk.uuid}/", {"owner": "Someone"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale_header.status_code == 412
    assert stale_header.json()["current_version"] == 2
    stale_body = client.patch(
        f"{RISKS}{risk.uuid}/", {"owner": "Someone", "revision": 1}, format="json"
    )
    assert stale_body.status_code == 409
    assert stale_body.json()["code"] == "version_conflict"
    risk.refresh_from_db()
    assert risk.owner == "Director"
    assert AuditEvent.objects.filter(action="risk.updated", object_id=str(risk.pk)).count() == 1


def test_accepting_a_risk_is_for_the_accountable_manager_or_an_administrator(cast, system):
    risk = make_risk(system, cast.hr)
    payload = {"reason": "Tolerable with the mitigations.", "until": days(90)}
    for role in ("hr", "rep", "auditor"):
        response = session(cast.by_role(role)).post(
            f"{RISKS}{risk.uuid}/accept/", payload, format="json"
        )
        assert response.status_code == 403, role
    response = session(cast.manager).post(f"{RISKS}{risk.uuid}/accept/", payload, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["accepted_by"]["id"] == str(cast.manager.uuid)
    past = session(cast.admin).post(
        f"{RISKS}{risk.uuid}/accept/", {"reason": "x", "until": days(-1)}, format="json"
    )
    assert past.status_code == 400 and "until" in past.json()


def test_a_closed_risk_cannot_be_accepted(cast, system):
    risk = make_risk(system, cast.hr, status="closed")
    response = session(cast.admin).post(
        f"{RISKS}{risk.uuid}/accept/", {"reason": "x", "until": days(10)}, format="json"
    )
    assert response.status_code == 409


def test_another_bodys_risk_is_404_whatever_the_role(cast, other, system):
    risk = make_risk(system, cast.hr)
    for role in ("hr", "admin", "manager"):
        client = session(other.by_role(role))
        assert client.get(f"{RISKS}{risk.uuid}/").status_code == 404
        assert (
            client.patch(
                f"{RISKS}{risk.uuid}/", {"owner": "X", "revision": 1}, format="json"
            ).status_code
            == 404
        )


def test_the_register_download_respects_filters_and_bodies(cast, other, system, other_system):
    make_risk(system, cast.hr, description='=cmd|"calc" ŵ ŷ, "quoted"', category="DISCRIM")
    make_risk(system, cast.hr, description="Tracking off shift")
    make_risk(other_system, other.hr, description="Other body's secret risk")
    client = session(cast.auditor)
    response = client.get(f"{RISKS}export/", {"format": "csv", "category": "DISCRIM"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="risks-' in response["Content-Disposition"]
    found = rows(response)
    assert len(found) == 1
    assert found[0]["description"] == '\'=cmd|"calc" ŵ ŷ, "quoted"'
    assert found[0]["system_reference"] == system.reference and found[0]["score"] == "12"
    everything = client.get(f"{RISKS}export/", {"format": "json"}).json()
    assert {r["description"] for r in everything} >= {"Tracking off shift"}
    assert "Other body's secret risk" not in response.content.decode()
    assert all("secret" not in r["description"] for r in everything)


# --- actions ------------------------------------------------------------------------------------


def test_recording_an_action_for_a_risk_of_the_system(cast, system):
    risk = make_risk(system, cast.hr)
    client = session(cast.hr)
    response = client.post(
        ACTIONS,
        {
            "system": system.uuid,
            "description": "Add a break rule",
            "owner": "Rota team",
            "due_date": days(20),
            "risk": risk.uuid,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["risk"] == str(risk.uuid) and body["reference"] == "A1" and body["updates"] == []
    created = Action.objects.get(uuid=body["id"])
    assert AuditEvent.objects.filter(action="action.created", object_id=str(created.pk)).exists()


def test_an_action_cannot_point_at_another_systems_risk(cast, system):
    elsewhere = make_risk(SystemFactory(organisation=cast.organisation), cast.hr)
    response = session(cast.hr).post(
        ACTIONS,
        {
            "system": system.uuid,
            "description": "X",
            "owner": "HR",
            "due_date": days(5),
            "risk": elsewhere.uuid,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "risk" in response.json()
    assert not Action.objects.filter(system=system).exists()


def test_progress_updates_are_kept_and_move_the_action(cast, system):
    action = make_action(system, cast.hr, due_date=timezone.localdate() + dt.timedelta(days=3))
    client = session(cast.hr)
    url = f"{ACTIONS}{action.uuid}/progress/"
    first = client.post(
        url, {"on": days(-2), "progress": "progressing", "note": "Drafted."}, format="json"
    )
    assert first.status_code == 201, first.content
    assert first.json()["author"]["id"] == str(cast.hr.uuid)
    done = client.post(url, {"on": days(0), "progress": "achieved", "note": "Done."}, format="json")
    assert done.status_code == 201
    detail = client.get(f"{ACTIONS}{action.uuid}/").json()
    assert detail["progress"] == "achieved" and detail["completed_on"] == days(0)
    assert [u["note"] for u in detail["updates"]] == ["Done.", "Drafted."]
    future = client.post(url, {"on": days(1), "progress": "achieved", "note": "x"}, format="json")
    assert future.status_code == 400 and "on" in future.json()
    rep = session(cast.rep).post(
        url, {"on": days(0), "progress": "achieved", "note": "x"}, format="json"
    )
    assert rep.status_code == 403


def test_changing_an_action_needs_its_revision(cast, system):
    action = make_action(system, cast.hr, due_date=timezone.localdate() + dt.timedelta(days=3))
    client = session(cast.admin)
    response = client.patch(
        f"{ACTIONS}{action.uuid}/", {"owner": "Director", "revision": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == "Director"
    assert (
        client.patch(
            f"{ACTIONS}{action.uuid}/", {"owner": "X", "revision": 1}, format="json"
        ).status_code
        == 409
    )


def test_overdue_actions_are_filtered_and_downloaded(cast, system):
    late = make_action(system, cast.hr, description="Late one")
    make_action(
        system,
        cast.hr,
        description="Due later",
        due_date=timezone.localdate() + dt.timedelta(days=9),
    )
    from assessments.models import Action as ActionModel

    ActionModel.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    client = session(cast.auditor)
    overdue = client.get(ACTIONS, {"overdue": "true"}).json()["results"]
    assert [a["description"] for a in overdue] == ["Late one"] and overdue[0]["is_overdue"]
    assert [
        a["description"] for a in client.get(ACTIONS, {"overdue": "false"}).json()["results"]
    ] == ["Due later"]
    assert client.get(ACTIONS, {"overdue": "yes"}).status_code == 400
    found = rows(client.get(f"{ACTIONS}export/", {"format": "csv", "overdue": "true"}))
    assert [(r["reference"], r["is_overdue"]) for r in found] == [("A1", "true")]

"""The risk register (5×5, acceptance with expiry) and the action plan (dated progress)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import services
from assessments.choices import RiskStatus
from assessments.models import Action, ActionUpdate, Risk
from assessments.panels import heat_map
from assessments.tasks import reopen_expired_acceptances
from audit.models import AuditEvent

from .conftest import complete_dpia

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


RISK = {
    "category": "INTENS",
    "description": "Rotas leave no slack.",
    "likelihood": 4,
    "impact": 5,
    "owner": "Head of Home Care",
    "status": "open",
}


def risk_form(**changes):
    data = {**RISK, **changes}
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.fixture
def risk(system, cast):
    return services.create_risk(system, actor=cast.hr, data=dict(RISK))


def test_a_risk_is_numbered_scored_and_banded(system, cast, risk):
    second = services.create_risk(
        system, actor=cast.hr, data={**RISK, "likelihood": 1, "impact": 2}
    )
    assert (risk.reference, risk.score, risk.band) == ("R1", 20, "extreme")
    assert (second.reference, second.score, second.band) == ("R2", 2, "low")
    assert AuditEvent.objects.filter(action="risk.created", object_id=str(risk.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"likelihood": 6}, "likelihood"),
        ({"likelihood": 0}, "likelihood"),
        ({"impact": "high"}, "impact"),
        ({"category": "MADEUP"}, "category"),
        ({"description": ""}, "description"),
        ({"owner": ""}, "owner"),
        ({"review_due": "2001-01-01"}, "review_due"),
        ({"residual_likelihood": 2}, "residual_impact"),
        ({"status": "accepted"}, "status"),
    ],
)
def test_bad_risk_input_is_refused_on_the_page(client, system, cast, changes, field):
    client.force_login(cast.hr)
    response = client.post(f"/systems/{system.uuid}/risks/new/", risk_form(**changes))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in body
    assert f'href="#id_{field}' in body
    assert "Rotas leave no slack." in body or field == "description"
    assert not Risk.objects.exists()


def test_the_database_refuses_an_out_of_range_score(system, cast, risk):
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(likelihood=9)


def test_a_risk_is_added_on_the_page(client, system, cast):
    client.force_login(cast.hr)
    response = client.post(
        f"/systems/{system.uuid}/risks/new/",
        risk_form(review_due=(today() + dt.timedelta(days=30)).isoformat()),
    )
    assert response.status_code == 302
    assert Risk.objects.get().score == 20


def test_a_dpia_risk_is_added_to_the_register_with_its_source(client, system, cast):
    dpia = complete_dpia(system, cast.hr)
    row = dpia.content["risks"][0]
    client.force_login(cast.hr)
    url = f"/systems/{system.uuid}/risks/new/?from={dpia.uuid}&ref=risks/{row['id']}"
    page = client.get(url).content.decode()
    assert row["description"] in page
    response = client.post(
        url, risk_form(description=row["description"], category="DISCRIM", likelihood=3, impact=5)
    )
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert (risk.assessment, risk.source_ref) == (dpia, f"risks/{row['id']}")
    assert (
        "In the risk register."
        in client.get(
            f"/systems/{system.uuid}/assessments/{dpia.uuid}/sections/risks/"
        ).content.decode()
    )


def test_an_edit_after_someone_elses_is_a_conflict(client, system, cast, risk):
    client.force_login(cast.hr)
    stale = risk.revision
    services.update_risk(risk, actor=cast.admin, data={"owner": "Someone else"})
    response = client.post(
        f"/systems/{system.uuid}/risks/{risk.uuid}/edit/", risk_form(owner="Me", revision=stale)
    )
    assert response.status_code == 409
    assert "Me" in response.content.decode()
    risk.refresh_from_db()
    assert risk.owner == "Someone else"


def test_accepting_records_who_why_and_until_when(system, cast, risk):
    until = today() + dt.timedelta(days=90)
    services.accept_risk(risk, actor=cast.manager, reason="Small and visible.", until=until)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACCEPTED
    assert (risk.accepted_by, risk.acceptance_reason, risk.accepted_until) == (
        cast.manager,
        "Small and visible.",
        until,
    )
    assert AuditEvent.objects.filter(action="risk.accepted", object_id=str(risk.pk)).exists()


@pytest.mark.parametrize(
    ("reason", "until", "field"),
    [("", 30, "reason"), ("Fine", -1, "until"), ("Fine", 0, "until")],
)
def test_acceptance_needs_a_reason_and_a_future_date(
    client, system, cast, risk, reason, until, field
):
    client.force_login(cast.manager)
    response = client.post(
        f"/systems/{system.uuid}/risks/{risk.uuid}/accept/",
        {"reason": reason, "until": (today() + dt.timedelta(days=until)).isoformat()},
    )
    assert response.status_code == 200
    assert f'href="#id_{field}"' in response.content.decode()
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OPEN


@pytest.mark.parametrize("role", ["hr", "rep", "auditor"])
def test_only_the_accountable_manager_or_an_admin_accepts_a_risk(cast, risk, role):
    with pytest.raises(PermissionDenied):
        services.accept_risk(
            risk, actor=cast.by_role(role), reason="x", until=today() + dt.timedelta(days=5)
        )


def test_a_manager_not_accountable_for_the_system_cannot_accept(risk, second_manager):
    with pytest.raises(PermissionDenied):
        services.accept_risk(
            risk, actor=second_manager, reason="x", until=today() + dt.timedelta(days=5)
        )


def test_an_admin_accepts_through_the_page(client, system, cast, risk):
    client.force_login(cast.admin)
    until = (today() + dt.timedelta(days=60)).isoformat()
    response = client.post(
        f"/systems/{system.uuid}/risks/{risk.uuid}/accept/",
        {"reason": "Board agreed", "until": until},
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.accepted_by == cast.admin


def test_an_expired_acceptance_reopens_the_risk(system, cast, risk):
    services.accept_risk(
        risk, actor=cast.manager, reason="For now", until=today() + dt.timedelta(days=10)
    )
    assert reopen_expired_acceptances() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=11)):
        risk.refresh_from_db()
        assert risk.acceptance_expired
        assert reopen_expired_acceptances() == 1
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OPEN
    assert risk.accepted_by is None and risk.accepted_until is None
    event = AuditEvent.objects.get(action="risk.acceptance_expired", object_id=str(risk.pk))
    assert event.actor is None and event.changes["status"] == ["accepted", "open"]


def test_the_hr_officer_cannot_mark_a_risk_accepted_by_editing_it(system, cast, risk):
    with pytest.raises(ValidationError):
        services.update_risk(risk, actor=cast.hr, data={"status": "accepted"})


def test_the_heat_map_counts_risks_in_their_cells(system, cast, risk):
    services.create_risk(system, actor=cast.hr, data={**RISK, "likelihood": 4, "impact": 5})
    services.create_risk(system, actor=cast.hr, data={**RISK, "likelihood": 1, "impact": 1})
    closed = services.create_risk(
        system, actor=cast.hr, data={**RISK, "likelihood": 2, "impact": 2}
    )
    services.update_risk(closed, actor=cast.hr, data={"status": "closed"})
    grid = heat_map(Risk.objects.filter(system=system).live().heat_counts())
    cells = {(c["likelihood"], c["impact"]): c for row in grid["rows"] for c in row["cells"]}
    assert cells[(4, 5)]["count"] == 2 and cells[(4, 5)]["band"] == "extreme"
    assert cells[(1, 1)]["count"] == 1 and cells[(1, 1)]["band"] == "low"
    assert cells[(2, 2)]["count"] == 0  # closed risks are not on the map
    assert grid["total"] == 3
    assert [r["impact"] for r in grid["rows"]] == [5, 4, 3, 2, 1]


# --- actions ------------------------------------------------------------------------------------


@pytest.fixture
def action(system, cast, risk):
    return services.create_action(
        system,
        actor=cast.hr,
        data={
            "description": "Agree limits",
            "owner": "Head of Care",
            "due_date": today() + dt.timedelta(days=14),
            "risk": risk,
        },
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"due_date": "2001-01-01"}, "due_date"),
        ({"due_date": ""}, "due_date"),
        ({"description": ""}, "description"),
        ({"owner": ""}, "owner"),
    ],
)
def test_bad_action_input_is_refused(client, system, cast, data, field):
    client.force_login(cast.hr)
    form = {
        "description": "Agree limits",
        "owner": "HR",
        "due_date": (today() + dt.timedelta(days=3)).isoformat(),
        **data,
    }
    response = client.post(f"/systems/{system.uuid}/actions/new/", form)
    assert response.status_code == 200
    assert f'href="#id_{field}"' in response.content.decode()
    assert not Action.objects.exists()


def test_an_action_cannot_point_at_another_systems_risk(system, cast, other_system, other):
    theirs = services.create_risk(other_system, actor=other.hr, data=dict(RISK))
    with pytest.raises(ValidationError):
        services.create_action(
            system,
            actor=cast.hr,
            data={"description": "x", "owner": "y", "due_date": today(), "risk": theirs},
        )


def test_progress_updates_are_kept_as_dated_history(system, cast, action):
    services.add_progress_update(
        action,
        actor=cast.hr,
        on=today() - dt.timedelta(days=5),
        progress="progressing",
        note="Draft shared.",
    )
    services.add_progress_update(
        action, actor=cast.hr, on=today(), progress="achieved", note="Agreed with UNISON."
    )
    action.refresh_from_db()
    assert (action.progress, action.completed_on) == ("achieved", today())
    assert list(action.updates.values_list("progress", flat=True)) == ["achieved", "progressing"]
    # A late entry for an earlier date does not override the latest progress.
    services.add_progress_update(
        action,
        actor=cast.hr,
        on=today() - dt.timedelta(days=9),
        progress="not_started",
        note="Kick-off.",
    )
    action.refresh_from_db()
    assert action.progress == "achieved"
    assert ActionUpdate.objects.filter(action=action).count() == 3


def test_a_progress_update_needs_a_note_and_a_date_not_in_the_future(client, system, cast, action):
    client.force_login(cast.hr)
    url = f"/systems/{system.uuid}/actions/{action.uuid}/"
    response = client.post(
        url,
        {"progress": "progressing", "on": (today() + dt.timedelta(days=1)).isoformat(), "note": ""},
    )
    body = response.content.decode()
    assert 'href="#id_on"' in body and 'href="#id_note"' in body
    assert not action.updates.exists()
    assert (
        client.post(
            url, {"progress": "progressing", "on": today().isoformat(), "note": "Started"}
        ).status_code
        == 302
    )
    assert action.updates.get().note == "Started"


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_readers_cannot_record_progress(client, system, cast, action, role):
    client.force_login(cast.by_role(role))
    response = client.post(
        f"/systems/{system.uuid}/actions/{action.uuid}/",
        {"progress": "achieved", "on": today().isoformat(), "note": "x"},
    )
    assert response.status_code == 403
    assert not action.updates.exists()


def test_overdue_actions_show_on_the_dashboard_of_the_body_only(
    client, system, cast, other, action
):
    Action.objects.filter(pk=action.pk).update(due_date=today() - dt.timedelta(days=3))
    client.force_login(cast.rep)
    body = client.get("/").content.decode()
    assert "Overdue actions" in body and "Agree limits" in body
    client.force_login(other.rep)
    assert "Agree limits" not in client.get("/").content.decode()


def test_an_achieved_action_is_not_overdue(system, cast, action):
    services.add_progress_update(
        action, actor=cast.hr, on=today(), progress="achieved", note="Done"
    )
    Action.objects.filter(pk=action.pk).update(due_date=today() - dt.timedelta(days=3))
    assert not Action.objects.overdue().exists()

"""``/api/v1/systems/``: the register's filters, the record, recording and changing systems."""

import csv
import datetime as dt
import io
import json
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from api.serializers.systems import SystemListSerializer
from api.views.base import EXPORT_MAX_ROWS
from audit.models import AuditEvent
from registers import atrs
from registers.choices import LifecycleStage, PublicationStatus
from registers.models import AlgorithmicSystem, ModelSpecification
from tests.factories import MembershipFactory, SystemFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/systems/"


def detail(system) -> str:
    return f"/api/v1/systems/{system.uuid}/"


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# --- list -----------------------------------------------------------------------------------


def test_the_list_has_the_users_bodies_only(cast, other, system, other_system):
    response = session(cast.auditor).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [str(system.uuid)]
    assert body["results"][0]["organisation"]["slug"] == cast.organisation.slug
    assert body["results"][0]["links"]["api"] == detail(system)


def test_the_list_takes_the_register_pages_filters(cast, system):
    paused = SystemFactory(
        organisation=cast.organisation,
        name="Shift allocator",
        lifecycle_stage=LifecycleStage.PAUSED,
        external_supplier="RotaSoft",
        publication_status=PublicationStatus.PUBLISHED,
    )
    client = session(cast.hr)

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(q="rotasoft") == {str(paused.uuid)}
    assert ids(lifecycle_stage="paused") == {str(paused.uuid)}
    assert ids(publication_status="published") == {str(paused.uuid)}
    assert ids(accountable_manager=cast.manager.uuid) == {str(system.uuid)}
    assert ids(organisation=cast.organisation.slug) == {str(system.uuid), str(paused.uuid)}


def test_a_filter_naming_another_bodys_organisation_is_refused(cast, other, system):
    response = session(cast.hr).get(LIST, {"organisation": other.organisation.slug})
    assert response.status_code == 400
    assert "organisation" in response.json()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("accountable_manager", "7", "Enter a valid UUID."),
        ("accountable_manager", "not-a-uuid", "Enter a valid UUID."),
        ("accountable_manager", "", "Choose one of the values offered, or leave the filter out."),
        ("organisation", "7", "Select a valid choice."),
    ],
)
def test_a_filter_that_is_no_id_is_refused_with_a_message(cast, system, name, value, message):
    response = session(cast.hr).get(LIST, {name: value})
    assert response.status_code == 400
    assert message in response.json()[name][0]


def test_the_list_is_ordered_and_paged(cast):
    for n in range(5):
        SystemFactory(organisation=cast.organisation, name=f"System {chr(70 - n)}")
    client = session(cast.hr)
    names = [r["name"] for r in client.get(LIST, {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)
    page = client.get(LIST, {"page_size": 2, "page": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["previous"] and page["next"]
    assert client.get(LIST, {"page": 99}).status_code == 404


def test_each_row_of_the_list_is_what_the_record_says(cast, system):
    """The list makes its rows from ``values()`` (``SystemListSerializer.to_representation``):
    each field is the record's own, written the same way, in the documented order."""
    unnamed = UserFactory(full_name="")
    MembershipFactory(user=unnamed, organisation=cast.organisation, role=Role.SENIOR_MANAGER)
    SystemFactory(
        organisation=cast.organisation,
        accountable_manager=unnamed,
        name_cy="Trefnydd rotâu",
        one_sentence_description_cy="Yn cynnig rotâu i weithwyr gofal.",
        next_review_date=dt.date(2027, 3, 1),
    )
    SystemFactory(organisation=cast.organisation, accountable_manager=None)
    # Changed in summer: written in the site's time zone (+01:00), not as UTC.
    AlgorithmicSystem.objects.filter(pk=system.pk).update(
        updated_at=dt.datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    )
    client = session(cast.auditor)

    rows = client.get(LIST).json()["results"]

    assert len(rows) == 3
    for row in rows:
        assert list(row) == SystemListSerializer.Meta.fields
        record = client.get(row["links"]["api"]).json()
        assert row == {name: record[name] for name in row}
    by_id = {row["id"]: row for row in rows}
    assert by_id[str(system.uuid)]["updated_at"] == "2026-07-01T10:30:15.123456+01:00"
    assert {row["next_review_date"] for row in rows} == {None, "2027-03-01"}
    managers = [row["accountable_manager"] for row in rows]
    assert None in managers
    assert {"id": str(unnamed.uuid), "name": unnamed.email, "email": unnamed.email} in managers


def test_anonymous_callers_get_401(system):
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- detail and ATRS view -------------------------------------------------------------------


def test_the_detail_is_the_whole_record_with_its_version_as_etag(cast, system):
    ModelSpecification.objects.create(system=system, model_name="Optimiser")
    response = session(cast.rep).get(detail(system))
    assert response.status_code == 200
    data = response.json()
    assert response["ETag"] == f'"{system.version}"'
    assert data["version"] == system.version
    assert data["accountable_manager"]["email"] == cast.manager.email
    assert data["model_specifications"][0]["model_name"] == "Optimiser"
    assert {"human_in_command", "exit_plan", "name_cy"} <= set(data)


def test_another_bodys_record_is_404_like_a_missing_one(cast, other_system):
    client = session(cast.hr)
    assert client.get(detail(other_system)).status_code == 404
    missing = f"/api/v1/systems/{uuid.uuid4()}/"
    assert client.get(missing).status_code == 404
    assert client.get(detail(other_system)).json() == client.get(missing).json()


def test_the_atrs_view_is_what_export_atrs_writes(cast, system):
    response = session(cast.auditor).get(f"{detail(system)}atrs/")
    assert response.status_code == 200
    fresh = AlgorithmicSystem.objects.for_detail().get(pk=system.pk)
    assert response.json() == json.loads(json.dumps(atrs.export_record(fresh)))
    assert response.json()["govreg"]["accountable_manager"] == cast.manager.email


# --- create ---------------------------------------------------------------------------------


def test_an_hr_officer_records_a_system_through_the_service(cast):
    response = session(cast.hr).post(
        LIST,
        {
            "organisation": cast.organisation.slug,
            "name": "  Rota planner ",
            "one_sentence_description": "Plans rotas.",
            "lifecycle_stage": "in_use",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    system = AlgorithmicSystem.objects.get(uuid=response.json()["id"])
    assert response["Location"] == detail(system)
    assert system.name == "Rota planner" and system.created_by == cast.hr
    assert system.needs_initial_assessment  # the service's rule, not a copy of it
    assert AuditEvent.objects.filter(action="system.created", system_id=system.pk).count() == 1


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_roles_that_cannot_record_systems_get_403(cast, role):
    response = session(cast.by_role(role)).post(
        LIST, {"organisation": cast.organisation.slug, "name": "X"}, format="json"
    )
    assert response.status_code == 403
    assert not AlgorithmicSystem.objects.exists()


def test_recording_in_another_body_is_refused(cast, other):
    response = session(cast.hr).post(
        LIST, {"organisation": other.organisation.slug, "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert not AlgorithmicSystem.objects.exists()


def test_a_bridge_user_records_only_where_their_role_allows(cast, other):
    bridge = UserFactory(email="bridge@example.org")
    MembershipFactory(user=bridge, organisation=cast.organisation, role=Role.HR_OFFICER)
    MembershipFactory(user=bridge, organisation=other.organisation, role=Role.UNION_REP)
    client = session(bridge)
    assert (
        client.post(
            LIST, {"organisation": other.organisation.slug, "name": "X"}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.post(
            LIST, {"organisation": cast.organisation.slug, "name": "X"}, format="json"
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"name": "X", "lifecycle_stage": "paused"},
        {"name": "X", "publication_status": "published"},
        {"name": "X", "created_by": 1},
        {"name": "X", "organisation": 1},
    ],
)
def test_invalid_or_extra_fields_are_refused(cast, payload):
    response = session(cast.hr).post(
        LIST, {"organisation": cast.organisation.slug, **payload}, format="json"
    )
    assert response.status_code == 400
    assert not AlgorithmicSystem.objects.exists()


# --- partial update and optimistic locking ---------------------------------------------------


def test_a_patch_with_the_current_etag_saves_each_section_through_the_service(cast, system):
    client = session(cast.hr)
    etag = client.get(detail(system))["ETag"]
    response = client.patch(
        detail(system),
        {"team": "Scheduling", "scope": "Rotas only.", "capability": ["planning", "analysis"]},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.content
    system.refresh_from_db()
    assert (system.team, system.scope) == ("Scheduling", "Rotas only.")
    assert system.capability == ["planning", "analysis"]  # option order
    assert response["ETag"] == f'"{system.version}"' != etag
    events = AuditEvent.objects.filter(action="system.updated", system_id=system.pk)
    assert sorted(e.note for e in events) == sorted(
        ["Owner and responsibility", "Description and rationale", "Summary information (Tier 1)"]
    )


def test_a_stale_etag_gives_412_and_saves_nothing(cast, system):
    client = session(cast.hr)
    etag = client.get(detail(system))["ETag"]
    assert (
        client.patch(
            detail(system), {"team": "First"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )
    response = client.patch(detail(system), {"team": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "precondition_failed"
    assert body["current_version"] == system.version + 1
    assert "Nothing was saved" in body["detail"]
    system.refresh_from_db()
    assert system.team == "First"


def test_a_stale_version_in_the_body_gives_409_and_saves_nothing(cast, system):
    client = session(cast.hr)
    assert (
        client.patch(detail(system), {"team": "First", "version": 1}, format="json").status_code
        == 200
    )
    response = client.patch(detail(system), {"team": "Second", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "version_conflict"
    assert response.json()["current_version"] == 2
    system.refresh_from_db()
    assert system.team == "First"


def test_a_patch_without_a_version_gives_428(cast, system):
    response = session(cast.hr).patch(detail(system), {"team": "X"}, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    system.refresh_from_db()
    assert system.team != "X"


def test_the_version_check_and_the_write_are_one_step(cast, system):
    """A change between reading the version and saving is caught under the row lock."""
    from api import services

    stale = AlgorithmicSystem.objects.get(pk=system.pk)
    session(cast.hr).patch(detail(system), {"team": "Other person", "version": 1}, format="json")
    with pytest.raises(services.VersionConflict):
        services.update_system(stale, actor=cast.hr, data={"team": "Me"}, expected_version=1)
    system.refresh_from_db()
    assert system.team == "Other person"


@pytest.mark.parametrize(
    "payload",
    [
        {"organisation": 2},
        {"accountable_manager": 2},
        {"accountable_manager": "not-a-uuid"},
        {"publication_status": "published"},
        {"lifecycle_stage": "in_use"},
        {"reference": "new-ref"},
        {"contact_email": "not an e-mail"},
        {"capability": ["telepathy"]},
        {"name": ""},
        {"workers_affected": -1},
    ],
)
def test_fields_outside_the_sections_and_invalid_values_are_refused(cast, system, payload):
    before = AlgorithmicSystem.objects.filter(pk=system.pk).values().get()
    response = session(cast.hr).patch(detail(system), {**payload, "version": 1}, format="json")
    assert response.status_code == 400, response.content
    assert AlgorithmicSystem.objects.filter(pk=system.pk).values().get() == before


def test_the_accountable_manager_must_be_a_senior_manager_of_the_body(cast, other, system):
    client = session(cast.hr)
    for person in (other.manager, cast.rep):
        response = client.patch(
            detail(system), {"accountable_manager": str(person.uuid), "version": 1}, format="json"
        )
        assert response.status_code == 400
    named = client.patch(
        detail(system), {"accountable_manager": str(cast.manager.uuid), "version": 1}, format="json"
    )
    assert named.status_code == 200, named.content
    assert named.json()["accountable_manager"]["id"] == str(cast.manager.uuid)
    version = named.json()["version"]
    ok = client.patch(
        detail(system), {"accountable_manager": None, "version": version}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["accountable_manager"] is None


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_roles_that_cannot_edit_get_403(cast, system, role):
    response = session(cast.by_role(role)).patch(
        detail(system), {"team": "X", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_another_bodys_hr_officer_gets_404_on_patch(other, system):
    response = session(other.hr).patch(detail(system), {"team": "X", "version": 1}, format="json")
    assert response.status_code == 404


# --- list download (CSV and JSON) ----------------------------------------------------------

AWKWARD = 'Cynllun "rota", ŵyr a ŷd\nail linell; =cmd|calc'


def test_the_register_download_respects_filters_and_permissions(cast, other, other_system):
    SystemFactory(organisation=cast.organisation, name=AWKWARD, lifecycle_stage="pilot")
    SystemFactory(organisation=cast.organisation, name="Planning tool", lifecycle_stage="planning")
    other_system.name = "Other body secret"
    other_system.save()
    client = session(cast.auditor)

    response = client.get(f"{LIST}export/", {"format": "csv", "lifecycle_stage": "pilot"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert len(rows) == 1
    assert rows[0]["name"] == AWKWARD  # commas, quotes, newline and Welsh letters survive
    assert "Other body secret" not in text and "Planning tool" not in text

    data = client.get(f"{LIST}export/", {"format": "json"}).json()
    assert {row["name"] for row in data} == {AWKWARD, "Planning tool"}
    assert set(data[0]) == set(rows[0])


def test_the_download_neutralises_spreadsheet_formulas(cast):
    SystemFactory(organisation=cast.organisation, name='=HYPERLINK("http://x")')
    text = session(cast.hr).get(f"{LIST}export/", {"format": "csv"}).content.decode()
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert row["name"].startswith("'=")


def test_the_download_is_capped(cast, monkeypatch):
    assert EXPORT_MAX_ROWS == 10_000
    monkeypatch.setattr("api.views.base.EXPORT_MAX_ROWS", 2)
    SystemFactory.create_batch(3, organisation=cast.organisation)
    assert len(session(cast.hr).get(f"{LIST}export/", {"format": "json"}).json()) == 2


def test_an_unknown_download_format_is_404(cast):
    assert session(cast.hr).get(f"{LIST}export/", {"format": "xml"}).status_code == 404


def test_the_register_page_links_to_the_download_with_its_filters(client, cast, system):
    client.force_login(cast.hr)
    html = client.get("/systems/", {"lifecycle_stage": "planning", "page": "1"}).content.decode()
    assert "/api/v1/systems/export/?lifecycle_stage=planning&amp;format=csv" in html
    response = client.get(
        "/api/v1/systems/export/", {"lifecycle_stage": "planning", "format": "csv"}
    )
    assert response.status_code == 200
    assert system.name in response.content.decode()

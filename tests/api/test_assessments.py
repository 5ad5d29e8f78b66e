"""``/api/v1/assessments/``: versions, drafts and their sections, and the workflow, through
``assessments.services`` with the pages' checks."""

import json

import pytest
from rest_framework.test import APIClient

from assessments import services
from assessments.choices import Kind, Status
from assessments.models import Assessment
from audit.models import AuditEvent
from tests.assessments.conftest import approve, complete_aia, complete_dpia, complete_eqia
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/assessments/"


def url(assessment, *parts) -> str:
    return "/".join([f"{LIST}{assessment.uuid}", *parts]) + "/"


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def draft(system, cast):
    return services.start_assessment(system, actor=cast.hr, kind=Kind.DPIA)


# --- reading ------------------------------------------------------------------------------------


def test_the_list_has_the_users_bodies_only_and_takes_filters(cast, other, system, other_system):
    dpia = services.start_assessment(system, actor=cast.hr, kind=Kind.DPIA)
    eqia = services.start_assessment(system, actor=cast.hr, kind=Kind.EQIA)
    services.start_assessment(other_system, actor=other.hr, kind=Kind.DPIA)
    client = session(cast.auditor)

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {str(dpia.uuid), str(eqia.uuid)}
    assert ids(kind="eqia") == {str(eqia.uuid)}
    assert ids(status="approved") == set()
    assert ids(system=system.uuid) == {str(dpia.uuid), str(eqia.uuid)}
    row = client.get(LIST, {"kind": "dpia"}).json()["results"][0]
    assert "content" not in row  # the list is light; the content is on the version
    assert row["links"]["api"] == url(dpia)
    assert client.get(LIST, {"system": other_system.uuid}).status_code == 400
    assert client.get(LIST, {"kind": ""}).status_code == 400


def test_approved_versions_are_read_with_their_frozen_content(cast, system, questionnaire):
    approved = approve(complete_dpia(system, cast.hr), cast.hr, cast.manager)
    client = session(cast.rep)
    listed = client.get(LIST, {"status": "approved"}).json()["results"]
    assert [row["id"] for row in listed] == [str(approved.uuid)]
    body = client.get(url(approved)).json()
    assert body["status"] == "approved"
    assert body["content_hash"] == approved.content_hash
    assert body["approved_by"]["id"] == str(cast.manager.uuid)
    assert body["content"] == approved.content
    assert body["result"] == approved.result
    assert {s["slug"] for s in body["sections"]} >= {"screening", "risks", "signoff"}


def test_a_version_lists_what_stops_it_going_further(cast, draft):
    body = session(cast.hr).get(url(draft)).json()
    assert body["status"] == "draft"
    assert body["problems"], "an empty DPIA cannot be submitted"
    assert {p["stage"] for p in body["problems"]} <= {"submit", "approve"}
    statuses = {"not_started", "in_progress", "completed", "not_applicable", "optional"}
    assert {s["status"] for s in body["sections"]} <= statuses
    assert any(s["status"] == "not_started" for s in body["sections"])


def test_a_section_describes_its_questions_types_and_answers(cast, draft):
    section = session(cast.auditor).get(url(draft, "sections", "scope")).json()
    assert section["type"] == "fields"
    kinds = {f["name"]: f["kind"] for f in section["fields"]}
    assert kinds["individuals_count"] == "int"
    assert kinds["data_categories"] == "multi"
    frequency = next(f for f in section["fields"] if f["name"] == "frequency")
    assert frequency["choices"] and all({"value", "label"} == set(c) for c in frequency["choices"])
    assert section["values"]["individuals_count"] is None
    assert json.loads(section["fingerprint"])  # the section's fingerprint, for saving


def test_an_unknown_section_and_another_bodys_version_are_404(cast, other, draft):
    assert session(cast.hr).get(url(draft, "sections", "nope")).status_code == 404
    assert session(other.hr).get(url(draft)).status_code == 404
    assert session(other.hr).get(url(draft, "sections", "need")).status_code == 404


# --- starting a draft ---------------------------------------------------------------------------


def test_starting_a_draft_goes_through_the_service_and_returns_an_open_one_again(cast, system):
    client = session(cast.hr)
    response = client.post(LIST, {"system": system.uuid, "kind": "eqia"}, format="json")
    assert response.status_code == 201, response.content
    created = Assessment.objects.get(system=system, kind="eqia")
    assert response["Location"] == url(created)
    assert response.json()["prepared_by"]["id"] == str(cast.hr.uuid)
    assert AuditEvent.objects.filter(
        action="assessment.started", object_id=str(created.pk)
    ).exists()
    again = client.post(LIST, {"system": system.uuid, "kind": "eqia"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == str(created.uuid)
    assert Assessment.objects.filter(system=system, kind="eqia").count() == 1


def test_an_aia_cannot_start_without_a_published_questionnaire(cast, system):
    response = session(cast.hr).post(LIST, {"system": system.uuid, "kind": "aia"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "workflow_error"
    assert not Assessment.objects.filter(system=system).exists()


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_only_preparers_start_drafts(cast, system, role):
    response = session(cast.by_role(role)).post(
        LIST, {"system": system.uuid, "kind": "dpia"}, format="json"
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_an_unknown_kind_or_field_is_refused(cast, system):
    client = session(cast.hr)
    assert (
        client.post(LIST, {"system": system.uuid, "kind": "pia"}, format="json").status_code == 400
    )
    extra = client.post(
        LIST,
        {"system": system.uuid, "kind": "dpia", "prepared_by": str(cast.admin.uuid)},
        format="json",
    )
    assert extra.status_code == 400
    assert "prepared_by" in extra.json()


# --- saving sections ----------------------------------------------------------------------------


def test_saving_a_section_keeps_the_other_answers_and_is_audited(cast, draft):
    client = session(cast.hr)
    first = client.patch(
        url(draft, "sections", "scope"),
        {"values": {"individuals_count": 420, "data_categories": ["identity_contact"]}},
        format="json",
    )
    assert first.status_code == 200, first.content
    response = client.patch(
        url(draft, "sections", "scope"),
        {"values": {"geographic_area": "Gwynedd"}, "fingerprint": first.json()["fingerprint"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.content["individuals_count"] == 420
    assert draft.content["data_categories"] == ["identity_contact"]
    assert draft.content["geographic_area"] == "Gwynedd"
    assert response.json()["values"]["geographic_area"] == "Gwynedd"
    assert (
        AuditEvent.objects.filter(action="assessment.section_saved", object_id=str(draft.pk))
        .filter(actor=cast.hr)
        .count()
        == 2
    )
    cleared = client.patch(
        url(draft, "sections", "scope"), {"values": {"geographic_area": None}}, format="json"
    )
    assert cleared.status_code == 200
    draft.refresh_from_db()
    assert "geographic_area" not in draft.content


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"individuals_count": "420"}, "individuals_count"),  # a number as text
        ({"individuals_count": True}, "individuals_count"),
        ({"data_categories": "identity_contact"}, "data_categories"),  # not a list
        ({"frequency": "every full moon"}, "frequency"),  # not one of the choices
        ({"data_categories": ["telepathy"]}, "data_categories"),
        ({"individuals_count": -1}, "individuals_count"),
        ({"not_a_question": "x"}, "not_a_question"),
    ],
)
def test_answers_are_checked_as_on_the_page_and_nothing_is_saved(cast, draft, values, field):
    before = dict(draft.content)
    response = session(cast.hr).patch(
        url(draft, "sections", "scope"), {"values": values}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    draft.refresh_from_db()
    assert draft.content == before
    assert not AuditEvent.objects.filter(action="assessment.section_saved").exists()


def test_a_stale_fingerprint_saves_nothing(cast, draft):
    client = session(cast.hr)
    fingerprint = client.get(url(draft, "sections", "need")).json()["fingerprint"]
    client.patch(
        url(draft, "sections", "need"), {"values": {"why_dpia_needed": "Mine."}}, format="json"
    )
    response = client.patch(
        url(draft, "sections", "need"),
        {"values": {"why_dpia_needed": "Theirs."}, "fingerprint": fingerprint},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "section_conflict"
    assert response.json()["changed"] == ["why_dpia_needed"]
    draft.refresh_from_db()
    assert draft.content["why_dpia_needed"] == "Mine."


def test_only_a_draft_can_be_changed(cast, system):
    in_review = services.submit(complete_dpia(system, cast.hr), actor=cast.hr)
    response = session(cast.hr).patch(
        url(in_review, "sections", "need"), {"values": {"why_dpia_needed": "X"}}, format="json"
    )
    assert response.status_code == 409
    assert "can no longer be changed" in response.json()["detail"]


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_roles_that_do_not_prepare_assessments_cannot_save(cast, draft, role):
    response = session(cast.by_role(role)).patch(
        url(draft, "sections", "need"), {"values": {"why_dpia_needed": "X"}}, format="json"
    )
    assert response.status_code == 403


def test_sections_of_rows_are_changed_row_by_row(cast, draft):
    client = session(cast.hr)
    whole = client.patch(
        url(draft, "sections", "processors"), {"values": {"name": "Acme"}}, format="json"
    )
    assert whole.status_code == 400

    added = client.post(
        url(draft, "sections", "processors", "rows"),
        {"values": {"name": "RotaSoft Ltd", "art28_contract": "yes"}},
        format="json",
    )
    assert added.status_code == 201, added.content
    row = added.json()["rows"][0]
    assert row["values"]["name"] == "RotaSoft Ltd"

    changed = client.patch(
        url(draft, "sections", "processors", "rows", row["id"]),
        {"values": {"location": "Cardiff"}, "fingerprint": row["fingerprint"]},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["rows"][0]["values"] == {
        "name": "RotaSoft Ltd",
        "art28_contract": "yes",
        "sub_processors": None,
        "location": "Cardiff",
    }
    stale = client.patch(
        url(draft, "sections", "processors", "rows", row["id"]),
        {"values": {"location": "Bangor"}, "fingerprint": row["fingerprint"]},
        format="json",
    )
    assert stale.status_code == 409

    removed = client.delete(url(draft, "sections", "processors", "rows", row["id"]))
    assert removed.status_code == 204
    draft.refresh_from_db()
    assert draft.content.get("processors") == []
    assert client.delete(url(draft, "sections", "processors", "rows", row["id"])).status_code == 404
    actions = list(
        AuditEvent.objects.filter(object_id=str(draft.pk), action__startswith="assessment.row_")
        .order_by("position")
        .values_list("action", flat=True)
    )
    assert actions == ["assessment.row_added", "assessment.row_changed", "assessment.row_removed"]


def test_a_row_needs_its_required_answers(cast, draft):
    response = session(cast.hr).post(
        url(draft, "sections", "processors", "rows"), {"values": {"name": "Acme"}}, format="json"
    )
    assert response.status_code == 400
    assert "art28_contract" in response.json()
    draft.refresh_from_db()
    assert not draft.content.get("processors")


def test_fixed_rows_are_changed_but_never_added(cast, system):
    eqia = services.start_assessment(system, actor=cast.hr, kind=Kind.EQIA)
    client = session(cast.hr)
    added = client.post(
        url(eqia, "sections", "characteristics", "rows"),
        {"values": {"impact": "neutral"}},
        format="json",
    )
    assert added.status_code == 409
    changed = client.patch(
        url(eqia, "sections", "characteristics", "rows", "age"),
        {"values": {"impact": "neutral", "evidence": "Rota rules do not use age."}},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    eqia.refresh_from_db()
    age = next(r for r in eqia.content["characteristics"] if r["id"] == "age")
    assert age["evidence"] == "Rota rules do not use age."


def test_aia_pages_are_saved_as_answers_by_question_code(cast, system, questionnaire):
    aia = services.start_assessment(system, actor=cast.hr, kind=Kind.AIA)
    client = session(cast.hr)
    detail = client.get(url(aia)).json()
    assert {s["type"] for s in detail["sections"]} == {"questions"}
    slug = next(
        s["slug"]
        for s in detail["sections"]
        if any(
            f["kind"] == "choice"
            for f in client.get(url(aia, "sections", s["slug"])).json()["fields"]
        )
    )
    page = client.get(url(aia, "sections", slug)).json()
    question = next(f for f in page["fields"] if f["kind"] == "choice")
    choice = question["choices"][0]["value"]
    saved = client.patch(
        url(aia, "sections", slug), {"values": {question["name"]: choice}}, format="json"
    )
    assert saved.status_code == 200, saved.content
    aia.refresh_from_db()
    assert aia.content["answers"][question["name"]] == choice
    wrong = client.patch(
        url(aia, "sections", slug), {"values": {question["name"]: "not-a-choice"}}, format="json"
    )
    assert wrong.status_code == 400
    assert question["name"] in wrong.json()


# --- the workflow -------------------------------------------------------------------------------


def test_an_incomplete_draft_cannot_be_submitted_and_says_why(cast, draft):
    response = session(cast.hr).post(url(draft, "submit"), {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "workflow_error"
    assert body["problems"] and all(p["stage"] == "submit" for p in body["problems"])
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_then_approve_by_the_accountable_manager(cast, system):
    dpia = complete_dpia(system, cast.hr)
    submitted = session(cast.hr).post(url(dpia, "submit"), {}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review"
    approved = session(cast.manager).post(url(dpia, "approve"), {}, format="json")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved" and len(body["content_hash"]) == 64
    dpia.refresh_from_db()
    assert dpia.approved_by == cast.manager
    assert AuditEvent.objects.filter(action="assessment.approved", object_id=str(dpia.pk)).exists()


def test_nobody_can_approve_what_they_prepared(cast, system):
    """An administrator who edited the version may not approve it, however they ask."""
    dpia = complete_dpia(system, cast.hr)
    services.save_section(
        dpia, actor=cast.admin, section_slug="need", values={"related_documents": "Rota policy"}
    )
    services.submit(dpia, actor=cast.hr)
    response = session(cast.admin).post(url(dpia, "approve"), {}, format="json")
    assert response.status_code == 403
    assert "someone else must approve" in response.json()["detail"]
    dpia.refresh_from_db()
    assert dpia.status == Status.IN_REVIEW and dpia.approved_by is None
    assert session(cast.manager).post(url(dpia, "approve"), {}, format="json").status_code == 200


def test_only_the_accountable_manager_among_managers_approves(cast, system):
    from accounts.models import Role
    from tests.factories import MembershipFactory, UserFactory

    another = UserFactory(email="manager2@body.example")
    MembershipFactory(user=another, organisation=cast.organisation, role=Role.SENIOR_MANAGER)
    dpia = services.submit(complete_dpia(system, cast.hr), actor=cast.hr)
    assert session(another).post(url(dpia, "approve"), {}, format="json").status_code == 403
    assert session(cast.hr).post(url(dpia, "approve"), {}, format="json").status_code == 403


def test_returning_for_changes_needs_a_comment(cast, system):
    dpia = services.submit(complete_dpia(system, cast.hr), actor=cast.hr)
    client = session(cast.admin)
    assert client.post(url(dpia, "return"), {}, format="json").status_code == 400
    response = client.post(url(dpia, "return"), {"comment": "Add the retention."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["returned_comment"] == "Add the retention."


def test_approving_a_new_version_supersedes_the_old_one(cast, system):
    first = approve(complete_eqia(system, cast.hr), cast.hr, cast.manager)
    client = session(cast.hr)
    started = client.post(LIST, {"system": system.uuid, "kind": "eqia"}, format="json")
    assert started.status_code == 201
    second = Assessment.objects.get(uuid=started.json()["id"])
    assert second.version == 2 and second.content == first.content
    services.submit(second, actor=cast.hr)
    assert session(cast.manager).post(url(second, "approve"), {}, format="json").status_code == 200
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    versions = session(cast.auditor).get(LIST, {"kind": "eqia", "system": system.uuid}).json()
    assert [(r["version"], r["status"]) for r in versions["results"]] == [
        (2, "approved"),
        (1, "superseded"),
    ]


def test_an_aia_is_scored_when_approved(cast, system, questionnaire):
    aia = services.submit(complete_aia(system, cast.hr, questionnaire), actor=cast.hr)
    response = session(cast.manager).post(url(aia, "approve"), {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["level"] in {"I", "II", "III", "IV"}
    assert body["questionnaire"]["slug"] == questionnaire.slug
    assert body["result"]["level"] == body["level"]


def test_a_read_only_token_cannot_start_or_save(cast, draft, token_client):
    client = token_client(cast.hr, read_only=True)
    assert client.get(url(draft)).status_code == 200
    response = client.patch(
        url(draft, "sections", "need"), {"values": {"why_dpia_needed": "X"}}, format="json"
    )
    assert response.status_code == 403
    other_system = SystemFactory(organisation=cast.organisation)
    assert (
        client.post(LIST, {"system": other_system.uuid, "kind": "dpia"}, format="json").status_code
        == 403
    )

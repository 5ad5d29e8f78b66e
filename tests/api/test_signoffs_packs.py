"""Sign-offs (read only, never changed) and audit packs (202, status, download) through the API,
with the packs pages' permission rule."""

import hashlib
import json
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from oversight import hashing
from oversight.choices import Decision
from oversight.models import SignOff
from packs.models import AuditPack, PackStatus
from tests.factories import MembershipFactory, SystemFactory
from tests.oversight.legacy import sign_in_version_1
from tests.packs.factories import PartnershipCouncilFactory

from .world import PDF, World

pytestmark = pytest.mark.django_db


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def world(cast, other, outsider):
    return World(cast, other, outsider)


# --- sign-offs ----------------------------------------------------------------------------------


def test_sign_offs_are_read_with_what_was_signed(cast, other, world):
    signoff = world.signoff
    client = session(cast.rep)
    listed = client.get("/api/v1/sign-offs/", {"system": world.system.uuid}).json()["results"]
    assert [s["id"] for s in listed] == [str(signoff.uuid)]
    assert "snapshot" not in listed[0]
    body = client.get(f"/api/v1/sign-offs/{signoff.uuid}/").json()
    assert body["decision"] == "refused" and body["state"] == "refused"
    assert body["content_hash"] == signoff.content_hash and body["snapshot"] == signoff.snapshot
    assert body["signed_by"]["id"] == str(cast.manager.uuid)
    assert session(other.auditor).get(f"/api/v1/sign-offs/{signoff.uuid}/").status_code == 404


def test_a_sign_off_in_the_current_format_can_be_checked_against_its_hash(cast, world):
    """Format 2: the snapshot is what was hashed, and names objects by public identifier."""
    signoff = world.signoff
    client = session(cast.auditor)
    listed = client.get("/api/v1/sign-offs/", {"system": world.system.uuid}).json()["results"]
    assert listed[0]["snapshot_version"] == 2
    body = client.get(f"/api/v1/sign-offs/{signoff.uuid}/").json()
    assert body["snapshot_version"] == 2 and body["snapshot"]["format"] == 2
    blob = json.dumps(body["snapshot"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(blob.encode("utf-8")).hexdigest() == body["content_hash"]
    manager = world.system.accountable_manager
    assert body["snapshot"]["record"]["accountable_manager"] == str(manager.uuid)


def test_a_sign_off_in_format_1_is_shown_with_public_ids(cast, world):
    """Format 1 (recorded before public identifiers) hashed database keys: the API shows the
    public identifiers in their place; the hash is recomputed from the row as stored."""
    world.signoff  # noqa: B018 (an earlier sign-off of the system)
    signoff = sign_in_version_1(
        world.system, cast.manager, decision=Decision.REFUSED, statement="Not yet (format 1)."
    )
    stored = signoff.snapshot
    manager = world.system.accountable_manager
    assert stored["record"]["accountable_manager"] == manager.pk
    body = session(cast.auditor).get(f"/api/v1/sign-offs/{signoff.uuid}/").json()
    assert body["snapshot_version"] == 1 and body["state"] == "refused"
    assert body["snapshot"]["record"]["accountable_manager"] == str(manager.uuid)
    assert "format" not in body["snapshot"]
    assert body["snapshot"] == hashing.with_public_ids(stored, 1)
    assert body["content_hash"] == signoff.content_hash == hashing.hash_of(stored)
    assert hashing.hash_of(body["snapshot"]) != signoff.content_hash
    listed = session(cast.auditor).get("/api/v1/sign-offs/", {"system": world.system.uuid})
    assert [s["snapshot_version"] for s in listed.json()["results"]] == [1, 2]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_sign_off_can_never_be_changed_or_deleted(cast, world, method, role):
    signoff = world.signoff
    before = SignOff.objects.filter(pk=signoff.pk).values().get()
    client = session(cast.by_role(role))
    response = getattr(client, method)(
        f"/api/v1/sign-offs/{signoff.uuid}/",
        {"decision": "approved", "statement": "x"},
        format="json",
    )
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert SignOff.objects.filter(pk=signoff.pk).values().get() == before
    assert (
        getattr(client, method)(
            "/api/v1/sign-offs/", {"decision": "approved"}, format="json"
        ).status_code
        == 405
    )


def test_the_schema_offers_no_way_to_write_a_sign_off():
    from .openapi import operations

    assert {
        method for method, path, _op in operations() if path.startswith("/api/v1/sign-offs/")
    } == {"GET"}


# --- packs --------------------------------------------------------------------------------------


def test_asking_for_a_pack_answers_202_with_its_address(cast, world):
    response = session(cast.auditor).post(
        "/api/v1/packs/",
        {"scope": "system", "system": world.system.uuid, "language": "cy"},
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    pack = AuditPack.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/packs/{pack.pk}/" == body["links"]["api"]
    assert body["status"] == "queued" and body["links"]["download"] is None
    assert pack.requested_by == cast.auditor and pack.language == "cy"
    again = session(cast.rep).post(
        "/api/v1/packs/",
        {"scope": "system", "system": world.system.uuid, "language": "cy"},
        format="json",
    )
    assert again.status_code == 202 and again.json()["id"] == body["id"]  # the same content
    status = session(cast.hr).get(response["Location"])
    assert status.status_code == 200 and status.json()["status"] == "queued"


def test_a_pack_request_must_name_its_target(cast, other, world):
    client = session(cast.auditor)
    for payload in [
        {"scope": "system", "language": "en"},
        {"scope": "system", "system": world.other_system.uuid, "language": "en"},
        {"scope": "organisation", "organisation": other.organisation.slug, "language": "en"},
        {"scope": "system", "system": world.system.uuid, "language": "fr"},
        {
            "scope": "system",
            "system": world.system.uuid,
            "organisation": cast.organisation.slug,
            "language": "en",
        },
    ]:
        assert client.post("/api/v1/packs/", payload, format="json").status_code == 400, payload
    assert not AuditPack.objects.exists()


def test_a_body_pack_is_asked_for_by_a_member(cast, world):
    response = session(cast.manager).post(
        "/api/v1/packs/",
        {"scope": "organisation", "organisation": cast.organisation.slug, "language": "en"},
        format="json",
    )
    assert response.status_code == 202
    assert response.json()["organisations"][0]["slug"] == cast.organisation.slug


def test_too_many_requests_are_refused_with_429(cast, world, settings):
    settings.PACKS_MAX_REQUESTS_PER_WINDOW = 1
    client = session(cast.auditor)
    first = client.post(
        "/api/v1/packs/",
        {"scope": "system", "system": world.system.uuid, "language": "en"},
        format="json",
    )
    assert first.status_code == 202
    other_system = SystemFactory(organisation=cast.organisation)
    second = client.post(
        "/api/v1/packs/",
        {"scope": "system", "system": other_system.uuid, "language": "en"},
        format="json",
    )
    assert second.status_code == 429
    assert "packs in the last" in second.json()["detail"]


def test_the_pdf_is_downloaded_with_the_pages_rule(cast, other, outsider, world):
    pack = world.pack
    url = f"/api/v1/packs/{pack.pk}/download/"
    for role in ("rep", "manager", "auditor", "admin"):
        response = session(cast.by_role(role)).get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200, role
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content) == PDF
    forbidden = session(cast.hr).get(url, HTTP_ACCEPT="application/pdf")
    assert forbidden.status_code == 403
    assert forbidden["Content-Type"] == "application/json"  # errors are JSON whatever Accept says
    for person in (other.auditor, other.admin, outsider):
        assert session(person).get(url).status_code == 404
    assert session(cast.auditor).get(f"/api/v1/packs/{uuid.uuid4()}/download/").status_code == 404


def test_a_pack_that_is_not_ready_cannot_be_downloaded_yet(cast, world):
    pack = world.pack
    AuditPack.objects.filter(pk=pack.pk).update(status=PackStatus.RENDERING)
    response = session(cast.auditor).get(f"/api/v1/packs/{pack.pk}/download/")
    assert response.status_code == 409 and response.json()["code"] == "not_ready"


def test_a_council_pack_is_seen_only_with_a_role_in_every_body_it_covers(cast, other, world):
    council = PartnershipCouncilFactory()
    council.organisations.add(cast.organisation, other.organisation)
    both = cast.auditor
    MembershipFactory(user=both, organisation=other.organisation, role=Role.AUDITOR)
    response = session(both).post(
        "/api/v1/packs/",
        {"scope": "council", "council": council.slug, "language": "en"},
        format="json",
    )
    assert response.status_code == 202, response.content
    pack_id = response.json()["id"]
    assert session(both).get(f"/api/v1/packs/{pack_id}/").status_code == 200
    listed = {p["id"] for p in session(both).get("/api/v1/packs/").json()["results"]}
    assert pack_id in listed
    for person in (cast.rep, other.auditor):  # a role in only one of the bodies
        assert session(person).get(f"/api/v1/packs/{pack_id}/").status_code == 404
        listed = {p["id"] for p in session(person).get("/api/v1/packs/").json()["results"]}
        assert pack_id not in listed

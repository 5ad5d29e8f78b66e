"""The formats of the content a sign-off binds to (``SignOff.snapshot_version``).

Version 1 named the accountable manager, the approved assessment versions and the concluded
consultations by their database keys; version 2 names them by their public identifiers. A
sign-off keeps its format: whether it still holds is decided in that format, so the sign-offs
recorded before version 2 keep their hashes and stay current while nothing changes.
"""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import Assessment
from consultations.models import Consultation
from oversight import hashing, pack, services
from oversight.choices import SNAPSHOT_VERSION, SnapshotVersion
from oversight.models import SignOff
from registers.models import AlgorithmicSystem
from tests.factories import UserFactory

from .conftest import edit, fresh, sign
from .legacy import legacy_material_snapshot, sign_in_version_1

pytestmark = pytest.mark.django_db

# --- the two formats ----------------------------------------------------------------------------


def test_version_1_is_byte_for_byte_the_content_hashed_before_version_2(ready_system):
    system = fresh(ready_system)
    legacy = legacy_material_snapshot(system)
    assert hashing.material_snapshot(system, SnapshotVersion.DATABASE_KEYS) == legacy
    assert hashing.canonical(hashing.material_snapshot(fresh(ready_system), 1)) == (
        hashing.canonical(legacy)
    )
    digest, snapshot = hashing.content_hash(fresh(ready_system), 1)
    assert digest == hashing.hash_of(legacy) and snapshot == legacy
    assert isinstance(legacy["record"]["accountable_manager"], int)  # what version 2 is for
    assert isinstance(legacy["assessments"]["dpia"]["id"], int)
    assert isinstance(legacy["consultations"][0]["id"], int)


def test_version_2_names_every_object_by_its_public_identifier(ready_system):
    system = fresh(ready_system)
    digest, snapshot = hashing.content_hash(system)
    assert SNAPSHOT_VERSION == 2 and snapshot["format"] == 2
    assert snapshot["record"]["accountable_manager"] == str(system.accountable_manager.uuid)
    approved = {a.kind: a for a in Assessment.objects.filter(system=system, status="approved")}
    assert {kind: entry["id"] for kind, entry in snapshot["assessments"].items()} == {
        kind: str(a.uuid) for kind, a in approved.items()
    }
    # Each frozen version keeps its own hash, whatever the format.
    assert {kind: entry["content_hash"] for kind, entry in snapshot["assessments"].items()} == {
        kind: a.content_hash for kind, a in approved.items()
    }
    (consultation,) = Consultation.objects.filter(system=system, status="concluded")
    assert snapshot["consultations"][0]["id"] == str(consultation.uuid)
    assert uuid.UUID(snapshot["record"]["accountable_manager"]).version == 4
    for spec in snapshot["model_specifications"] + snapshot["data_specifications"]:
        assert "id" not in spec and "system" not in spec
    assert not integers_naming_objects(snapshot)
    assert digest != hashing.content_hash(fresh(ready_system), 1)[0]


def integers_naming_objects(value, where="") -> list[str]:
    found = []
    if isinstance(value, dict):
        for name, item in value.items():
            relation = name in {"id", "accountable_manager"} or name.endswith("_id")
            if type(item) is int and relation:
                found.append(f"{where}.{name}")
            found += integers_naming_objects(item, f"{where}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += integers_naming_objects(item, f"{where}[{index}]")
    return found


def test_every_record_field_that_names_an_object_has_a_public_identifier():
    meta = AlgorithmicSystem._meta
    related = [
        meta.get_field(n).related_model
        for n in hashing.MATERIAL_FIELDS
        if meta.get_field(n).is_relation
    ]
    assert related  # the accountable manager at least
    for model in related:
        names = {f.name for f in model._meta.concrete_fields}
        assert "uuid" in names or "slug" in names, model


def test_version_2_is_version_1_with_public_identifiers(ready_system):
    """What the API shows of a version-1 sign-off is what version 2 would have stored."""
    v1 = hashing.material_snapshot(fresh(ready_system), 1)
    v2 = hashing.material_snapshot(fresh(ready_system), 2)
    assert {**hashing.with_public_ids(v1, 1), "format": 2} == v2
    assert hashing.with_public_ids(v2, 2) is v2  # already so: as stored
    assert hashing.with_public_ids(v1, 1) != v1 and isinstance(
        v1["record"]["accountable_manager"], int
    )  # the stored one is left alone


def test_a_key_that_names_nothing_any_more_is_shown_as_null():
    stored = {
        "record": {"accountable_manager": 987654321, "name": "Rota planner", "gone_field": 4},
        "assessments": {"dpia": {"id": 987654321, "version": 2}, "eqia": None},
        "consultations": [{"id": 987654321, "stage": "planning"}],
    }
    shown = hashing.with_public_ids(stored, 1)
    assert shown == {
        "record": {"accountable_manager": None, "name": "Rota planner", "gone_field": 4},
        "assessments": {"dpia": {"id": None, "version": 2}, "eqia": None},
        "consultations": [{"id": None, "stage": "planning"}],
    }


def test_an_unknown_format_is_refused(ready_system):
    with pytest.raises(ValueError):
        hashing.material_snapshot(fresh(ready_system), 3)


# --- staleness in the sign-off's own format -------------------------------------------------------


def test_a_new_sign_off_is_version_2_and_current(ready_system, cast):
    signoff = sign(ready_system, cast.manager)
    signoff.refresh_from_db()
    assert signoff.snapshot_version == SnapshotVersion.PUBLIC_IDS
    assert signoff.content_hash == hashing.hash_of(signoff.snapshot)
    status = services.signoff_status(fresh(ready_system))
    assert status.state == "current" and status.hash_matches
    assert status.hash_now == signoff.content_hash


def test_a_version_1_sign_off_of_unchanged_content_is_still_current(ready_system, cast):
    signoff = sign_in_version_1(ready_system, cast.manager)
    assert signoff.snapshot_version == SnapshotVersion.DATABASE_KEYS
    assert signoff.snapshot == legacy_material_snapshot(fresh(ready_system))
    assert signoff.content_hash == hashing.hash_of(legacy_material_snapshot(fresh(ready_system)))
    status = services.signoff_status(fresh(ready_system))
    assert status.state == "current" and status.hash_matches
    assert status.hash_now == signoff.content_hash
    # In the current format the same content hashes differently: comparing in it would have
    # made every earlier sign-off look out of date.
    assert hashing.content_hash(fresh(ready_system))[0] != signoff.content_hash
    # The system page's panel and the gate agree.
    part = pack.snapshot(fresh(ready_system))
    assert part["state"] == "current" and part["hash_matches"] is True
    assert part["signoffs"][0]["snapshot_version"] == 1


@pytest.mark.parametrize("version", [1, 2])
def test_a_change_makes_a_sign_off_of_either_format_stale(ready_system, cast, version):
    signoff = (sign_in_version_1 if version == 1 else sign)(ready_system, cast.manager)
    assert services.signoff_status(fresh(ready_system)).state == "current"
    edit(ready_system, cast.hr, "rationale", scope="Now also overtime.")
    status = services.signoff_status(fresh(ready_system))
    assert status.state == "stale" and not status.hash_matches
    assert signoff.content_hash != status.hash_now


@pytest.mark.parametrize("version", [1, 2])
def test_another_accountable_manager_set_outside_govreg_is_found_in_either_format(
    ready_system, cast, version
):
    (sign_in_version_1 if version == 1 else sign)(ready_system, cast.manager)
    other = UserFactory()
    AlgorithmicSystem.objects.filter(pk=ready_system.pk).update(accountable_manager=other)
    status = services.signoff_status(fresh(ready_system))
    assert status.state == "stale" and not status.hash_matches


def test_signing_again_moves_a_system_to_version_2(ready_system, cast):
    sign_in_version_1(ready_system, cast.manager, statement="First.")
    signoff = sign(ready_system, cast.manager, statement="Again, in the current format.")
    assert signoff.snapshot_version == 2
    assert services.latest_signoff(fresh(ready_system)).pk == signoff.pk
    assert services.signoff_status(fresh(ready_system)).state == "current"


# --- the sign-off page --------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_the_sign_off_page_shows_the_format_and_whether_it_holds(
    client, ready_system, cast, version
):
    signoff = (sign_in_version_1 if version == 1 else sign)(ready_system, cast.manager)
    client.force_login(cast.manager)
    page = client.get(reverse("oversight:signoff_detail", args=[ready_system.uuid, signoff.uuid]))
    assert page.status_code == 200
    assert page.context["status"].state == "current"
    html = page.content.decode()
    label = SnapshotVersion(version).label
    assert str(label) in html and signoff.content_hash in html
    assert "out of date" not in html


def test_the_pack_shows_a_version_1_sign_off_as_current(ready_system, cast):
    signoff = sign_in_version_1(ready_system, cast.manager)
    part = pack.snapshot(fresh(ready_system))
    html = render_to_string("oversight/pack.html", {"part": part, "collection": False})
    assert signoff.content_hash in html and "matches the signed hash" in html


# --- recomputing a hash from the content kept --------------------------------------------------


def test_every_sign_off_verifies_against_the_content_kept_in_its_own_format(ready_system, cast):
    first = sign_in_version_1(ready_system, cast.manager)
    second = sign(ready_system, cast.manager)
    out = io.StringIO()
    call_command("verify_signoffs", stdout=out)
    assert "2 sign-off(s) verified." in out.getvalue()
    assert f"{first.uuid} ({ready_system.uuid}, format 1)" in out.getvalue()
    for signoff in (first, second):
        out = io.StringIO()
        call_command("verify_signoffs", canonical=str(signoff.uuid), stdout=out)
        digest = hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest()
        assert digest == signoff.content_hash  # what `… --canonical UUID | sha256sum` prints


def test_a_sign_off_whose_content_does_not_hash_to_its_hash_is_reported(ready_system, cast):
    signed = sign(ready_system, cast.manager)
    SignOff.objects.create(
        system=ready_system,
        decision="refused",
        statement="Written around the services.",
        content_hash="0" * 64,
        snapshot=signed.snapshot,
        record_version=1,
        lifecycle_stage="development",
        signed_by=cast.manager,
        signed_at=signed.signed_at,
        reauthenticated_with="password",
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 sign-off"):
        call_command("verify_signoffs", system=str(ready_system.uuid), stdout=out)
    assert "does not hash to the content hash" in out.getvalue()
    with pytest.raises(CommandError, match="no such sign-off"):
        call_command("verify_signoffs", canonical=str(uuid.uuid4()))

"""The oversight part of the PDF audit packs: what it holds, its queries and its template."""

import pytest
from django.template.loader import render_to_string

from oversight import pack, services
from packs.snapshot import jsonable, parts
from tests.factories import SystemFactory

from .conftest import edit, fresh
from .test_audits import record

pytestmark = pytest.mark.django_db


def test_the_packs_find_this_part_and_its_template():
    (part,) = [p for p in parts() if p.key == "oversight"]
    assert part.module is pack
    assert part.template_name == "oversight/pack.html"


def test_the_part_holds_the_signature_what_changed_since_moves_and_audits(cast, signed_system):
    services.change_stage(
        fresh(signed_system), actor=cast.hr, to_stage="pilot", reason="Two teams."
    )
    record(fresh(signed_system), cast.hr, bias_rows=[])
    edit(signed_system, cast.hr, "rationale", scope="Now also overtime.")
    part = jsonable(pack.snapshot(fresh(signed_system)))
    signoff = services.latest_signoff(signed_system)
    assert part["state"] == "stale" and part["hash_matches"] is False
    assert part["signoffs"][0]["content_hash"] == signoff.content_hash
    assert part["covers"] == [
        {
            "kind": "sign-off",
            "id": signoff.pk,
            "version": signoff.record_version,
            "status": "approved",
            "label": part["covers"][0]["label"],
            "hash": signoff.content_hash,
        }
    ]
    assert [row["what"] for row in part["changes_since"]] == ["Scope"]
    assert [m["to"] for m in part["moves"]] == [
        "Tender and award",
        "Development and customisation",
        "Pilot",
    ]
    assert len(part["audits"]) == 1 and len(part["audits"][0]["answers"]) == 6
    assert part["summary"]["sign_off"] == "Re-sign required"

    html = render_to_string("oversight/pack.html", {"part": part, "collection": False})
    assert signoff.content_hash in html and "Now also overtime." in html and "Two teams." in html
    condensed = render_to_string("oversight/pack.html", {"part": part, "collection": True})
    assert signoff.content_hash in condensed and "Two teams." not in condensed


def test_a_system_with_nothing_recorded_is_empty(cast):
    system = SystemFactory(organisation=cast.organisation)
    part = pack.snapshot(system)
    assert part["empty"] is True and part["state"] == "none"
    assert "Not signed off." in render_to_string("oversight/pack.html", {"part": jsonable(part)})


def test_many_systems_take_the_same_queries_as_two(cast, django_assert_num_queries):
    def build(n):
        out = []
        for i in range(n):
            system = SystemFactory(
                organisation=cast.organisation,
                accountable_manager=cast.manager,
                lifecycle_stage="in_use",
            )
            services.sign_off(
                system,
                actor=cast.manager,
                decision="refused",
                statement="No.",
                reauthenticated_with="password",
            )
            record(system, cast.hr, bias_rows=[])
            services.pause(fresh(system), actor=cast.manager, reason=f"Paused {i}.")
            out.append(fresh(system))
        return out

    few = build(2)
    with django_assert_num_queries(8):
        pack.snapshot_many(few)
    many = few + build(8)
    with django_assert_num_queries(8):
        result = pack.snapshot_many(many)
    assert set(result) == {s.pk for s in many}

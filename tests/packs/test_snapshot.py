"""The data snapshot a pack is rendered from: its content, its byte form, its limits, and how
other apps add their parts to it."""

import json
import sys
import types

import pytest
from django.test import override_settings

from audit import services as audit
from packs import services, snapshot
from packs.models import PackScope

from ..factories import SystemFactory
from .conftest import COMMENT, fill_record


def _pack(actor, **kwargs):
    kwargs.setdefault("scope", PackScope.SYSTEM)
    kwargs.setdefault("language", "en")
    return services.request_pack(actor=actor, **kwargs).pack


def test_the_snapshot_holds_the_record_evidence_and_history(rich_system, cast):
    document = snapshot.build_snapshot(_pack(cast.auditor, system=rich_system))

    assert document["format"] == snapshot.FORMAT
    assert document["pack"]["requested_by"]["email"] == cast.auditor.email
    assert [o["slug"] for o in document["pack"]["organisations"]] == ["body"]
    (entry,) = document["systems"]
    assert entry["name"] == rich_system.name
    assert entry["version"] == rich_system.version
    record = entry["parts"]["registers"]
    rationale = next(s for s in record["sections"] if s["slug"] == "rationale")
    described = next(f for f in rationale["fields"] if f["name"] == "detailed_description")
    assert described["display"] == COMMENT
    assert record["models"][0]["title"] == "Rota optimiser"
    (evidence,) = record["evidence"]
    assert len(evidence["sha256"]) == 64
    events = entry["history"]["events"]
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    assert {"system.updated", "specification.created", "evidence.uploaded"} <= {
        e["action"] for e in events
    }
    installation, mine = document["audit_chains"]  # the chains covered, with their heads
    assert (installation["chain"], installation["organisation"]) == ("installation", None)
    assert (mine["chain"], mine["organisation"]) == ("body", rich_system.organisation_id)
    assert (mine["position"], mine["hash"]) == audit.chain_head(rich_system.organisation_id)
    assert mine["position"] > 0


def test_history_leaves_pack_events_out_and_shows_readable_values(rich_system, cast):
    _pack(cast.auditor, system=rich_system, language="cy")  # records "pack.requested" on the system
    document = snapshot.build_snapshot(_pack(cast.auditor, system=rich_system))
    events = document["systems"][0]["history"]["events"]
    assert not [e for e in events if e["action"].startswith("pack.")]
    owner = next(
        e for e in events if any(c["field"] == "Third-party involvement" for c in e["changes"])
    )
    change = next(c for c in owner["changes"] if c["field"] == "Third-party involvement")
    assert change["new"] == "Yes"  # the choice label, not the stored "yes"


def test_the_canonical_bytes_are_stable_and_hash_to_the_printed_value(rich_system, cast):
    document = snapshot.build_snapshot(_pack(cast.auditor, system=rich_system))
    data = snapshot.canonical_json(document)
    assert snapshot.canonical_json(json.loads(data)) == data
    assert data.startswith(b'{"audit_chains":[{"chain":')  # keys sorted, no spaces
    assert "Llŷn".encode() in data  # UTF-8, not \u escapes
    assert snapshot.sha256_hex(data) == snapshot.sha256_hex(
        snapshot.canonical_json(json.loads(data))
    )


@override_settings(PACKS_MAX_TEXT_CHARS=1000, PACKS_MAX_LIST_ITEMS=5, PACKS_HISTORY_PER_SYSTEM=7)
def test_limits_cut_huge_text_and_long_lists_before_rendering(system, cast):
    fill_record(system, cast.hr, history=20, text="W" * 1_000_000)  # a megabyte-long word
    document = snapshot.build_snapshot(_pack(cast.auditor, system=system))

    entry = document["systems"][0]
    text = next(
        f["display"]
        for s in entry["parts"]["registers"]["sections"]
        for f in s["fields"]
        if f["name"] == "detailed_description"
    )
    assert len(text) < 1100 and "more characters not shown" in text
    assert entry["history"]["shown"] == 7 and entry["history"]["total"] > 20
    assert document["limits"]["truncated_count"] >= 1


def test_body_packs_print_every_system_with_a_summary_row(cast, body):
    SystemFactory.create_batch(3, organisation=body, accountable_manager=cast.manager)
    document = snapshot.build_snapshot(
        _pack(cast.auditor, scope=PackScope.ORGANISATION, organisation=body)
    )
    assert len(document["systems"]) == 3
    assert [row["name"] for row in document["summary"]] == [
        e["display_name"] for e in document["systems"]
    ]
    assert {row["overdue"] for row in document["summary"]} == {0}


@pytest.fixture
def contributed_part(settings, tmp_path):
    """A stand-in for an app's ``pack.py``, exactly as the contract describes it (in place of
    the consultations app's own part for the test)."""
    saved = sys.modules.get("consultations.pack")
    module = types.ModuleType("consultations.pack")
    module.TEMPLATE = "packs/pdf/generic_part.html"  # what any part without a template gets
    module.snapshot = lambda system: {
        "comments": [{"author": "Dafydd Morgan", "text": f"Comment on {system.name}"}],
        "summary": {
            "sign_off": "Signed off 3 May 2026",
            "overdue": 2,
            "overdue_items": ["Concern 4"],
        },
        "covers": [
            {
                "kind": "Consultation",
                "id": 7,
                "version": 2,
                "status": "concluded",
                "hash": "ab" * 32,
            }
        ],
    }
    sys.modules["consultations.pack"] = module
    snapshot.parts.cache_clear()
    yield module
    if saved is None:
        del sys.modules["consultations.pack"]
    else:
        sys.modules["consultations.pack"] = saved  # the app's own part
    snapshot.parts.cache_clear()


def test_other_apps_contribute_parts_in_the_fixed_order(contributed_part, rich_system, cast):
    keys = [p.key for p in snapshot.parts()]
    fixed = [spec.key for spec in snapshot.PARTS]
    assert keys[0] == "registers" and "consultations" in keys
    assert keys == sorted(keys, key=lambda k: fixed.index(k) if k in fixed else len(fixed))
    part = next(p for p in snapshot.parts() if p.key == "consultations")
    assert part.template_name in ("packs/pdf/consultations.html", "packs/pdf/generic_part.html")
    assert snapshot._template_for("no-such-part") == "packs/pdf/generic_part.html"

    document = snapshot.build_snapshot(_pack(cast.auditor, system=rich_system))
    entry = document["systems"][0]
    assert (
        entry["parts"]["consultations"]["comments"][0]["text"] == f"Comment on {rich_system.name}"
    )
    (row,) = document["summary"]
    assert row["sign_off"] == "Signed off 3 May 2026" and row["overdue"] == 2
    covered = snapshot.covers(document)["systems"][0]["items"]
    assert {
        "kind": "Consultation",
        "id": 7,
        "version": 2,
        "status": "concluded",
        "hash": "ab" * 32,
    } in covered


def test_a_contributed_part_is_printed_escaped(contributed_part, rich_system, cast):
    from packs import rendering

    contributed_part.snapshot = lambda system: {"comments": ["<b>bold</b> & <img src=x>"]}
    snapshot.parts.cache_clear()
    document = snapshot.build_snapshot(_pack(cast.auditor, system=rich_system))
    html = rendering.render_html(document, "0" * 64)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x&gt;" in html
    assert "<img src=x>" not in html


def test_heat_map_counts_risks_by_likelihood_and_impact():
    grid = snapshot.heat_map([(1, 1), (5, 5), (5, 5), (2, 4), (9, 9)])
    assert [row["impact"] for row in grid] == [5, 4, 3, 2, 1]
    assert grid[0]["cells"][4] == {"likelihood": 5, "count": 2, "band": "very-high"}
    assert grid[1]["cells"][1]["count"] == 1
    assert grid[4]["cells"][0] == {"likelihood": 1, "count": 1, "band": "low"}


def test_history_shows_people_in_many_valued_changes_by_name(system, cast):
    """Changes of a many-to-many field (e.g. a meeting's attendees) are lists of ids."""
    from django.db import transaction

    from audit import services as audit

    with transaction.atomic():
        audit.record(
            cast.hr,
            "system.updated",
            system,
            changes={
                "accountable_manager": [[cast.hr.pk, cast.rep.pk], [cast.manager.pk]],
                "uploaded_by": [None, [cast.rep.pk]],
            },
        )
    event = snapshot.history_for([system], 10)[system.pk]["events"][-1]
    change = next(c for c in event["changes"] if c["field"] == "Accountable senior manager")
    assert change["old"] == f"{cast.hr.get_full_name()}, {cast.rep.get_full_name()}"
    assert change["new"] == cast.manager.get_full_name()
    unknown = next(c for c in event["changes"] if c["field"] == "uploaded_by")  # not a field here
    assert unknown["new"] == f"[{cast.rep.pk}]"


def test_verifying_a_format_1_pack_checks_its_head_in_the_installation_chain(cast):
    """Packs made before chains per body record one ``audit_chain``: the chain that is now
    the installation chain."""
    from django.db import transaction

    from packs.verify import Verification, _verify_against_database

    with transaction.atomic():
        for _ in range(2):
            audit.record(cast.hr, "user.updated", cast.hr)
    position, digest = audit.chain_head()
    for recorded, ok in ((digest, True), ("e" * 64, False)):
        result = Verification()
        document = {"format_version": 1, "audit_chain": {"position": position, "hash": recorded}}
        _verify_against_database(b"", document, "", result)
        assert result.ok is ok
        assert f"entry #{position} of the chain installation" in " ".join(
            result.facts + result.problems
        )

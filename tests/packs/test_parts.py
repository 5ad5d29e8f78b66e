"""The assessments and consultations parts of the packs (``assessments/pack.py``,
``consultations/pack.py``): what they hold, what they keep out, how they print, and their
queries."""

import io
import json

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from assessments import pack as assessments_pack
from consultations import pack as consultations_pack
from packs import rendering, services, snapshot
from packs.models import PackScope

from ..factories import SystemFactory
from .conftest import COMMENT_TEXT, PRIVATE, fill_parts

HOSTILE = "<img src=x onerror=alert(1)></table><table><tr><td>"


def _pack(actor, **kwargs):
    kwargs.setdefault("scope", PackScope.SYSTEM)
    kwargs.setdefault("language", "en")
    return services.request_pack(actor=actor, **kwargs).pack


def _render(template, part, *, collection=False):
    return render_to_string(
        f"packs/pdf/{template}.html", {"part": snapshot.jsonable(part), "collection": collection}
    )


def test_the_packs_find_both_parts_and_their_templates():
    found = {p.key: p for p in snapshot.parts()}
    assert found["assessments"].module is assessments_pack
    assert found["assessments"].template_name == "packs/pdf/assessments.html"
    assert found["consultations"].module is consultations_pack
    assert found["consultations"].template_name == "packs/pdf/consultations.html"
    keys = [p.key for p in snapshot.parts()]
    assert keys[:4] == ["registers", "assessments", "consultations", "oversight"]


def test_each_approved_assessment_is_printed_in_full_with_its_hash(full_system):
    part = snapshot.jsonable(assessments_pack.snapshot(full_system))
    kinds = {k["kind"]: k for k in part["assessments"]}
    assert list(kinds) == ["dpia", "eqia", "aia"]
    for entry in kinds.values():
        approved = entry["approved"]
        assert approved["status"] == "approved" and len(approved["content_hash"]) == 64
        assert approved["approved_by"] and approved["approved_at"]

    dpia = kinds["dpia"]["approved"]
    steps = {s["group"] for s in dpia["sections"]}
    assert len(steps) >= 5  # screening, the processing, … the sign-off
    screening = next(s for s in dpia["sections"] if s["slug"] == "screening")
    assert screening["applies"] and screening["fields"]
    risks = next(s for s in dpia["sections"] if s["slug"] == "risks")
    assert any("automation bias" in r["title"] for r in risks["rows"])
    assert any(
        f["label"] == "Prior consultation with the ICO (UK GDPR Article 36)"
        for f in dpia["findings"]["rows"]
    )
    signed = [f for s in dpia["sections"] for f in s["fields"] if "name" in f["label"]]
    assert any(f["display"] == "Siân Griffiths" for f in signed)  # a sign-off item

    eqia = kinds["eqia"]["approved"]
    characteristics = next(s for s in eqia["sections"] if s["slug"] == "characteristics")
    assert [r["title"] for r in characteristics["rows"]][:2] == ["Age", "Disability"]
    assert {f["label"] for r in characteristics["rows"] for f in r["fields"]} >= {
        "Evidence",
        "Mitigation",
    }

    aia = kinds["aia"]["approved"]
    assert aia["level"] and aia["aia"]["result"]["level"] == aia["level"]
    assert aia["aia"]["questionnaire"]["slug"] == "govreg-workplace-aia"
    assert aia["aia"]["requirements"]["level"] == aia["level"]
    scored = [s for s in aia["aia"]["sections"] if s["scored"]]
    assert scored and all(q["points"] is not None for q in scored[0]["questions"] if q["answer"])
    breakdown = aia["aia"]["result"]["sections"]
    assert sum(s["score"] for s in breakdown if s["kind"] == "risk") == aia["aia"]["result"]["raw"]

    assert part["summary"]["impact_level"] == aia["level"]
    covered = {c["kind"]: c for c in part["covers"]}
    assert set(covered) == {"DPIA", "EqIA", "AIA"}
    assert covered["AIA"]["hash"] == aia["content_hash"]
    assert covered["AIA"]["version"] == aia["version"]

    html = _render("assessments", part)
    for entry in kinds.values():
        assert entry["approved"]["content_hash"] in html
    assert f"Level {aia['level']}" in html and "Score by section" in html
    assert "Siân Griffiths" in html and "Disability" in html


def test_the_risk_register_and_action_plan_with_heat_maps_and_progress(full_system):
    part = snapshot.jsonable(assessments_pack.snapshot(full_system))
    refs = {r["ref"]: r for r in part["risks"]}
    assert len(refs) >= 3
    accepted = next(r for r in part["risks"] if r["status"] == "accepted")
    assert accepted["accepted_by"] and accepted["acceptance_reason"]
    assert any(r["review_overdue"] for r in part["risks"])
    assert sum(c["count"] for row in part["heat_map"] for c in row["cells"]) == len(
        [r for r in part["risks"] if r["status"] != "closed"]
    )
    carers = next(r for r in part["risks"] if r["description"].startswith("Carers"))
    assert (carers["likelihood"], carers["impact"], carers["score"]) == (4, 4, 16)
    assert carers["source"].startswith("DPIA v")

    with_updates = next(a for a in part["actions"] if a["updates"])
    assert [u["note"] for u in with_updates["updates"]] == [
        "Draft shared.",
        "Sent.",
    ]  # oldest first
    assert any(a["overdue"] for a in part["actions"])
    assert part["summary"]["overdue"] == len(part["summary"]["overdue_items"]) >= 2
    assert any(i.startswith("Action A") for i in part["summary"]["overdue_items"])

    html = _render("assessments", part)
    assert html.count('class="heat-map"') == 2  # before and after mitigation
    assert "Draft shared." in html and "Training covers overriding proposals." in html
    condensed = _render("assessments", part, collection=True)
    assert condensed.count('class="heat-map"') == 1
    assert "Draft shared." not in condensed and "Overdue actions" in condensed


def test_the_consultation_record_by_stage(full_system):
    part = snapshot.jsonable(consultations_pack.snapshot(full_system))
    stages = {c["stage"]: c for c in part["stages"]}
    assert list(stages) == ["tender_award", "development"]  # in the toolkit's order
    disputed = stages["tender_award"]
    assert disputed["disagreement"] and disputed["outcome"] == "not_agreed"
    assert disputed["positions"][0]["position_label"] == "Not agreed"
    assert disputed["counts"] == {"meetings": 1, "disclosures": 2, "points": 5, "discussed": 2}
    assert [p["discussed"] for p in disputed["points"]] == [True, True, False, False, False]
    (meeting,) = disputed["meetings"]
    assert [a["name"] for a in meeting["attendees"]] == ["Rhian Evans", "Dafydd Morgan"]
    assert meeting["decisions"] == "Ask the suppliers about data retention."
    record = next(d for d in disputed["disclosures"] if d["kind_label"] == "System record")
    assert len(record["sha256"]) == 64
    assert not stages["development"]["disagreement"]

    (thread,) = part["threads"]
    assert thread["text"] == COMMENT_TEXT and thread["resolved"] and thread["resolved_by"]
    assert thread["role"].startswith("Union representative")
    assert thread["replies"][0]["role"] == "HR officer"

    html = _render("consultations", part)
    assert COMMENT_TEXT in html and "Disagreement recorded" in html
    assert record["sha256"] in html and "Ten minutes between visits" in html
    condensed = _render("consultations", part, collection=True)
    assert "Disagreement recorded" in condensed and COMMENT_TEXT not in condensed


def test_an_anonymous_concern_shows_no_identity(full_system, cast):
    part = snapshot.jsonable(consultations_pack.snapshot(full_system))
    by_summary = {c["summary"]: c for c in part["concerns"]}
    rep = by_summary["Breaks are squeezed"]
    assert rep["raised_by"] == cast.rep.get_full_name() and rep["union"]
    assert rep["updates"][-1]["kind"] == "response" and rep["updates"][-1]["by"]
    anonymous = by_summary["Location tracking off duty"]
    assert anonymous["anonymous"] and anonymous["raised_by"] == "" and anonymous["union"] == ""
    assert [u["by"] for u in anonymous["updates"]] == [""]
    html = _render("consultations", part)
    block = html[html.index("Location tracking off duty") :]
    block = block[: block.index("</table>")]
    assert "anonymously by a worker" in block and "Anonymous worker" in block
    assert cast.rep.get_full_name() not in block and cast.rep.email not in block


def test_rights_requests_are_counted_without_personal_data(full_system, cast):
    part = snapshot.jsonable(consultations_pack.snapshot(full_system))
    rights = part["rights"]
    assert rights["totals"]["total"] == 3 and rights["totals"]["open"] == 2
    assert rights["totals"]["overdue"] >= 1
    assert {k["label"]: k["total"] for k in rights["by_kind"]} == {
        "Explanation of a decision": 2,
        "Human review of an automated decision": 1,
    }
    assert any("Rights requests overdue" in i for i in part["summary"]["overdue_items"])

    document = snapshot.build_snapshot(_pack(cast.auditor, system=full_system))
    data = snapshot.canonical_json(document).decode()
    html = rendering.render_html(document, "0" * 64)
    for private in (*PRIVATE, "Rota week 14"):
        assert private not in data and private not in html


def test_hostile_text_in_comments_and_minutes_is_printed_as_text(
    rich_system, cast, pack_questionnaire
):
    system = fill_parts(rich_system, cast, pack_questionnaire, hostile=HOSTILE)
    pack = _pack(cast.auditor, system=system)
    assert services.build_pack(pack.pk) == "ready"
    pack.refresh_from_db()
    document = snapshot.build_snapshot(pack)
    html = rendering.render_html(document, "0" * 64)
    assert "<img src=x" not in html and "onerror=alert(1)></table>" not in html
    escaped = "&lt;img src=x onerror=alert(1)&gt;&lt;/table&gt;&lt;table&gt;"
    assert html.count(escaped) >= 2  # the comment and the minutes

    reader = PdfReader(io.BytesIO(pack.file.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "<img src=x onerror=alert(1)></table>" in text
    assert COMMENT_TEXT in text


def test_body_packs_summarise_the_level_and_overdue_items_from_the_parts(full_system, cast, body):
    SystemFactory(organisation=body, name="Absence analytics", accountable_manager=cast.manager)
    document = snapshot.build_snapshot(
        _pack(cast.auditor, scope=PackScope.ORGANISATION, organisation=body)
    )
    rows = {row["system_id"]: row for row in document["summary"]}
    row = rows[full_system.pk]
    entry = next(e for e in document["systems"] if e["id"] == full_system.pk)
    condensed = entry["parts"]["assessments"]
    aia = next(k for k in condensed["assessments"] if k["kind"] == "aia")
    assert row["impact_level"] == aia["approved"]["level"] != ""
    assert row["sign_off"]  # from the oversight part
    assert row["overdue"] == len(row["overdue_items"]) == 4
    assert [i.split(" ")[0] for i in row["overdue_items"]] == [
        "Risk",
        "Action",
        "Concern",
        "Rights",
    ]
    assert "risks" not in condensed and "sections" not in condensed["assessments"][0]["approved"]
    assert condensed["covers"] and condensed["heat_map"]
    assert "threads" in entry["parts"]["consultations"]
    assert entry["parts"]["consultations"]["threads"] == []  # counts only in a body pack

    covered = snapshot.covers(document)
    items = next(s for s in covered["systems"] if s["id"] == full_system.pk)["items"]
    assert [i["kind"] for i in items][:4] == ["record", "DPIA", "EqIA", "AIA"]
    assert all(len(i["hash"]) == 64 for i in items[1:4])

    html = rendering.render_html(document, "0" * 64)
    summary = html[html.index('id="summary"') : html.index('class="system"')]
    assert row["impact_level"] in summary and f">{row['overdue']}<" in summary


def _light_system(cast, n, *, approve=None):
    """A system with a little of everything, through the services (for query counts)."""
    import datetime as dt

    from assessments import services as assessments
    from consultations import services as consultations
    from tests.oversight.conftest import rep_union

    today = timezone.localdate()
    system = SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        reference=f"light-{n}",
        name=f"Light system {n:02d}",
    )
    risk = assessments.create_risk(
        system,
        actor=cast.hr,
        data={
            "category": "INTENS",
            "description": "Workload.",
            "likelihood": 3,
            "impact": 4,
            "owner": "HR",
        },
    )
    action = assessments.create_action(
        system,
        actor=cast.hr,
        data={"description": "Check", "owner": "HR", "due_date": today, "risk": risk},
    )
    assessments.add_progress_update(
        action, actor=cast.hr, on=today, progress="progressing", note="Started."
    )
    assessments.start_assessment(system, actor=cast.hr, kind="dpia")
    if approve:
        approve(system)
    consultation = consultations.create_consultation(
        actor=cast.hr, system=system, stage="planning", unions=[rep_union(cast)]
    )
    consultations.open_consultation(consultation, actor=cast.hr)
    consultations.record_position(
        consultation, actor=cast.rep, position="agreed", statement="Fine."
    )
    consultations.add_comment(actor=cast.rep, system=system, target=consultation, body="Hm.")
    consultations.raise_concern(
        actor=cast.rep, system=system, category="INTENS", summary="Pace", details="Fast."
    )
    consultations.log_rights_request(
        actor=cast.hr,
        system=system,
        case_reference=f"R-{n}",
        kind="access",
        received_on=today - dt.timedelta(days=60),
        decision_reference="",
        requester_details="",
        summary="",
    )
    return system


def _queries(module, systems) -> int:
    from registers.models import AlgorithmicSystem

    systems = list(
        AlgorithmicSystem.objects.filter(pk__in=[s.pk for s in systems]).select_related(
            "organisation", "accountable_manager"
        )
    )
    with CaptureQueriesContext(connection) as captured:
        result = module.snapshot_many(systems)
    assert set(result) == {s.pk for s in systems}
    json.dumps(snapshot.jsonable(result))
    return len(captured)


def test_condensed_parts_take_the_same_queries_for_5_and_50_systems(cast, pack_questionnaire):
    from tests.oversight.conftest import approve_assessments

    systems = [
        _light_system(
            cast,
            n,
            approve=(lambda s: approve_assessments(s, cast, pack_questionnaire)) if n < 2 else None,
        )
        for n in range(50)
    ]
    for module in (assessments_pack, consultations_pack):
        few, many = _queries(module, systems[:5]), _queries(module, systems)
        assert few == many, (module.__name__, few, many)
        assert many <= 8


def _more_of_everything(system, cast):
    """Another risk, action update, meeting, disclosure, comment, concern and rights request."""
    import datetime as dt

    from assessments import services as assessments
    from assessments.models import Action
    from consultations import services as consultations
    from consultations.models import Comment, Consultation

    today = timezone.localdate()
    assessments.create_risk(
        system,
        actor=cast.hr,
        data={
            "category": "SURV",
            "description": "More.",
            "likelihood": 1,
            "impact": 5,
            "owner": "X",
        },
    )
    for action in Action.objects.filter(system=system):
        assessments.add_progress_update(
            action, actor=cast.hr, on=today, progress="progressing", note="Again."
        )
    consultation = Consultation.objects.filter(system=system).first()
    consultations.share_document(consultation, actor=cast.hr, title="Another document")
    consultations.add_comment(actor=cast.hr, system=system, target=consultation, body="More.")
    thread = Comment.objects.filter(system=system, parent=None).last()
    consultations.add_comment(actor=cast.rep, system=system, target=None, parent=thread, body="+1")
    concern = consultations.raise_concern(
        actor=cast.rep, system=system, category="HSW", summary="Heat", details="Hot vans."
    )
    consultations.respond_to_concern(concern, actor=cast.hr, text="Fans ordered.")
    consultations.log_rights_request(
        actor=cast.hr,
        system=system,
        case_reference="MORE-1",
        kind="erasure",
        received_on=today - dt.timedelta(days=1),
        decision_reference="",
        requester_details="",
        summary="",
    )


@pytest.mark.parametrize("module", [assessments_pack, consultations_pack])
def test_a_systems_own_part_takes_a_fixed_number_of_queries(module, full_system, cast):
    from registers.models import AlgorithmicSystem

    def count(pk):
        system = AlgorithmicSystem.objects.select_related("organisation").get(pk=pk)
        with CaptureQueriesContext(connection) as captured:
            json.dumps(snapshot.jsonable(module.snapshot(system)))
        return len(captured)

    empty = count(SystemFactory(organisation=cast.organisation).pk)  # prefetches skipped
    rich = count(full_system.pk)
    _more_of_everything(full_system, cast)
    assert empty <= rich == count(full_system.pk) <= 12, (empty, rich)


def test_a_system_with_nothing_recorded_prints_as_empty(cast):
    system = SystemFactory(organisation=cast.organisation)
    for module, template in (
        (assessments_pack, "assessments"),
        (consultations_pack, "consultations"),
    ):
        part = snapshot.jsonable(module.snapshot(system))
        assert part["empty"] is True
        assert part["summary"]["overdue"] == 0
        _render(template, part)
        _render(template, part, collection=True)

"""The gate to pilot or in use: one function listing exactly what is missing, with the
assessments' part from this app and plug-in parts from the consultation and sign-off apps."""

import sys
import types

import pytest
from django.utils import timezone

from assessments import demo, services
from assessments.choices import Kind
from assessments.models import Assessment
from registers import gates
from registers.gates import GateItem, gate

from .conftest import approve, complete_aia, complete_dpia, complete_eqia, start

pytestmark = pytest.mark.django_db

ASSESSMENT_KEYS = ["dpia", "eqia", "aia", "aia_findings"]


def items(system):
    return {item.key: item for item in gate(system).items}


def test_with_nothing_done_every_assessment_item_is_missing(system):
    result = gate(system)
    assert not result.passed
    found = items(system)
    assert all(not found[key].done for key in ASSESSMENT_KEYS)
    assert found["dpia"].detail == "Not started."
    assert {item.key for item in result.missing} >= set(ASSESSMENT_KEYS)


def test_the_gate_cannot_pass_without_a_sign_off_item(system):
    """Whether or not the sign-off app is installed yet, its item is never done here."""
    found = items(system)
    assert "sign_off" in found and not found["sign_off"].done
    assert "consultation" in found and not found["consultation"].done


def test_approved_assessments_tick_their_items(system, approved_set):
    found = items(system)
    assert all(found[key].done for key in ASSESSMENT_KEYS), [found[k] for k in ASSESSMENT_KEYS]
    assert f"Impact level {approved_set['aia'].level}" in found["aia"].detail
    assert not gate(system).passed  # consultation and sign-off are still missing


def test_an_open_version_is_reported_but_does_not_count(system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    found = items(system)
    assert not found["dpia"].done
    assert found["dpia"].detail == "Version 1 is in review."


def test_a_screening_decision_that_no_dpia_is_needed_counts(system, cast):
    draft = start(system, Kind.DPIA, cast.hr)
    services.save_section(
        draft, actor=cast.hr, section_slug="screening", values=demo.screened_out_dpia()
    )
    approve(draft, cast.hr, cast.manager)
    found = items(system)
    assert found["dpia"].done
    assert "no DPIA is needed" in found["dpia"].detail


def test_pending_prior_consultation_with_the_ico_closes_the_gate(system, cast):
    dpia = approve(complete_dpia(system, cast.hr, variant="health"), cast.hr, cast.manager)
    assert not items(system)["dpia"].done
    assert "ICO" in items(system)["dpia"].detail
    v2 = start(system, Kind.DPIA, cast.hr)
    services.save_section(
        v2,
        actor=cast.hr,
        section_slug="ico",
        values={"ico_outcome": "advice_given", "ico_response_on": dpia.content["ico_submitted_on"]},
    )
    approve(v2, cast.hr, cast.admin)
    services.forget_current_assessments(system)
    assert items(system)["dpia"].done


def test_an_approved_eqia_that_says_stop_closes_the_gate(system, cast):
    approve(complete_eqia(system, cast.hr, outcome="stop"), cast.hr, cast.manager)
    found = items(system)
    assert not found["eqia"].done
    assert "stop" in found["eqia"].detail


def test_the_aia_findings_item_reads_the_approved_result(system, cast, questionnaire):
    approve(complete_aia(system, cast.hr, questionnaire), cast.hr, cast.manager)
    assert items(system)["aia_findings"].done


def test_a_finding_recorded_on_an_approved_version_still_closes_the_gate(
    system, cast, questionnaire
):
    """E.g. a version approved before a rule existed, imported with its recorded result."""
    Assessment.objects.create(
        system=system,
        kind=Kind.AIA,
        version=1,
        status="approved",
        questionnaire=questionnaire,
        prepared_by=cast.hr,
        approved_by=cast.manager,
        approved_at=timezone.now(),
        content_hash="0" * 64,
        level="II",
        result={"findings": ["WPC-NO-OVERRIDE"]},
    )
    found = items(system)
    assert found["aia"].done and not found["aia_findings"].done
    assert "WPC-NO-OVERRIDE" in found["aia_findings"].detail


def test_other_apps_plug_in_through_an_items_function(system, monkeypatch, settings):
    module = types.ModuleType("assessments.gate_plugin_for_test")
    module.items = lambda s: [GateItem("sign_off", "Sign-off", True, "Signed off", None)]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(
        gates, "GATE_MODULES", (("assessments.gate", None), (module.__name__, None))
    )
    found = items(system)
    assert found["sign_off"].done
    assert set(found) == {*ASSESSMENT_KEYS, "sign_off"}


def test_a_missing_plug_in_module_shows_its_placeholder(system, monkeypatch):
    placeholder = GateItem("sign_off", "Sign-off", False, "Not yet available")
    monkeypatch.setattr(
        gates,
        "GATE_MODULES",
        (("assessments.gate", None), ("assessments.no_such_gate", placeholder)),
    )
    assert items(system)["sign_off"] == placeholder


def test_the_system_page_shows_the_checklist(client, system, cast, approved_set):
    client.force_login(cast.auditor)
    body = client.get(f"/systems/{system.uuid}/").content.decode()
    assert "Ready for pilot or use?" in body
    assert "DPIA approved, or a screening decision that none is needed" in body
    assert "Missing" in body and "Done" in body

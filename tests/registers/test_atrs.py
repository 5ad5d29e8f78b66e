"""ATRS import and export: the sample file, re-imports, round trips, every refusal, key variants
and the quirks of real records (docs/atrs-import-export.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role
from audit.models import AuditEvent
from registers import atrs, services
from registers.atrs_services import IMPORT_SECTION
from registers.choices import AtrsPhase, Capability, LifecycleStage, Region
from registers.models import AlgorithmicSystem, DataSpecification, ModelSpecification
from tests.factories import MembershipFactory, UserFactory

DATA = Path(atrs.__file__).parent / "atrs_data"
SAMPLE = DATA / "atrs-sample.csv"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def run_import(path, organisation="body", **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_atrs", str(path), organisation=organisation, stdout=out, stderr=err, **options
    )
    return out.getvalue(), err.getvalue()


def run_export(organisation="body", fmt="json", **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "export_atrs", organisation=organisation, format=fmt, stdout=out, stderr=err, **options
    )
    return out.getvalue()


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def csv_text(rows: list[dict]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def refused(path, organisation="body", **options) -> str:
    """Import ``path`` expecting a refusal; check nothing was written; return the message."""
    systems, events = AlgorithmicSystem.objects.count(), AuditEvent.objects.count()
    specs = ModelSpecification.objects.count() + DataSpecification.objects.count()
    with pytest.raises(CommandError) as caught:
        run_import(path, organisation, **options)
    assert AlgorithmicSystem.objects.count() == systems
    assert AuditEvent.objects.count() == events
    assert ModelSpecification.objects.count() + DataSpecification.objects.count() == specs
    return str(caught.value)


def system_values(system) -> dict:
    system.refresh_from_db()
    values = {name: getattr(system, name) for name in atrs.IMPORTED_FIELDS}
    values["accountable_manager"] = system.accountable_manager_id
    values["reference"] = system.reference
    values["lifecycle_stage"] = system.lifecycle_stage
    return values


def spec_values(system) -> tuple[list, list]:
    models = [
        {k: getattr(s, k) for k in atrs.MODEL_SPEC_KEYS}
        for s in system.model_specifications.order_by("position")
    ]
    data = [
        {k: getattr(s, k) for k in atrs.DATA_SPEC_KEYS}
        for s in system.data_specifications.order_by("position")
    ]
    return models, data


FULL = {
    "name": "Rota planner ŵ",
    "one_sentence_description": "Proposes weekly rotas, for home-care workers.",
    "region": Region.ENGLAND_AND_WALES,
    "capability": [Capability.PLANNING, Capability.ANALYSIS],
    "standard_version": "4.0",
    "description": 'Proposes rotas; says "draft" first.\nA second line, with commas, and ŷ.',
    "website_url": "https://example-county.gov.wales/rotas",
    "contact_email": "rota-team@example-county.gov.wales",
    "organisation_or_department": "Example County Council",
    "team": "Adult Social Care Scheduling",
    "senior_responsible_owner": "Head of Adult Social Care",
    "external_supplier_involvement": "yes",
    "external_supplier": "CareRoute Ltd, MapCo Ltd",
    "companies_house_number": "01234567, 07654321",
    "external_supplier_role": '=HYPERLINK("http://evil.example")',
    "procurement_procedure_type": "call-off from framework",
    "data_access_terms": "- names\n- contracted hours\n- home postcodes",
    "detailed_description": "First paragraph.\n\nSecond paragraph.",
    "scope": "+ proposes rotas only",
    "benefit": "@ fewer missed visits",
    "previous_process": "Spreadsheets.",
    "alternatives_considered": "Keeping spreadsheets.",
    "process_integration": "An officer reviews each rota.",
    "provided_information": "A draft rota per worker.",
    "frequency_and_scale_of_usage": "Weekly, 420 workers.",
    "human_decisions_and_review": "Every rota is approved by an officer.",
    "required_training": "Half-day course.",
    "appeals_and_review": "Through the line manager.",
    "system_architecture": "Hosted software-as-a-service.",
    "system_level_input": "Visits, availability, skills.",
    "system_level_output": "Draft rotas.",
    "maintenance": "Quarterly review.",
    "tool_models": "Constraint solver",
    "impact_assessment": "DPIA 2025-03-01.",
    "risks_and_mitigations": "Work intensification: agreed travel allowance.",
    "build_or_buy": "buy_customise",
    "readiness_check": "Data ready; staff trained.",
    "worker_groups": "Home-care workers",
    "workers_affected": 420,
    "employment_decisions": ["scheduling", "pay"],
    "human_in_the_loop": "An officer approves.",
    "human_in_command": "The director reviews quarterly.",
    "override_and_switch_off": "Officers edit any rota.",
    "training_plan": "Annual refresher.",
    "contract_reference": "DCC-2024-117",
    "contract_end_date": dt.date(2027, 3, 31),
    "supplier_welsh_language": "partial",
    "exit_plan": "CSV export at any time.",
    "next_review_date": dt.date(2026, 9, 30),
    "name_cy": "Cynllunydd rota",
    "one_sentence_description_cy": "Mae'n cynnig rotâu wythnosol.",
    "description_cy": "Disgrifiad yn Gymraeg.",
}
MODELS = [
    {
        "model_name": "Rota optimiser",
        "model_version": "4.2",
        "model_task": "Assign visits.",
        "model_input": "Visits.",
        "model_output": "Assignments.",
        "model_architecture": "Constraint solver.",
        "model_performance": "Covers 99% of visits.",
        "datasets": "Visits 2024",
        "dataset_purposes": "Testing.",
    },
    {"model_name": "Travel-time estimator", "model_version": "", "model_task": "Estimate travel."},
]
DATA_SPECS = [
    {
        "source_data_name": "Care visits",
        "data_modality": "tabular",
        "data_description": "Visit times and places.",
        "data_quantities": "9,000 visits a week.",
        "sensitive_attributes": "Home postcodes.",
        "data_completeness_and_representativeness": "Complete.",
        "source_data_url": "https://data.example.gov.wales/visits",
        "data_collection": "Care-management system.",
        "data_cleaning": "Duplicates removed.",
        "data_sharing_agreements": "DPA with CareRoute.",
        "data_access_and_storage": "Council tenancy, 6 years.",
    }
]


def full_system(cast, reference="rota-planner"):
    """A system with every imported field and specification filled in, recorded by the services."""
    values = dict(FULL)
    system = services.create_system(
        actor=cast.hr,
        organisation=cast.organisation,
        name=values.pop("name"),
        one_sentence_description=values.pop("one_sentence_description"),
        lifecycle_stage=LifecycleStage.PILOT,
        reference=reference,
        accountable_manager=cast.manager,
        **values,
    )
    for position, row in enumerate(MODELS, start=1):
        ModelSpecification.objects.create(system=system, position=position, **row)
    for position, row in enumerate(DATA_SPECS, start=1):
        DataSpecification.objects.create(system=system, position=position, **row)
    return system


# --------------------------------------------------------------------------------------------
# the sample file
# --------------------------------------------------------------------------------------------


def test_it_imports_the_sample_csv_field_by_field(cast):
    out, err = run_import(SAMPLE, as_email=cast.hr.email)

    assert "3 record(s) for Demo Body Council: 3 created, 0 updated, 0 unchanged." in out
    # Lines are the file's lines: the first record's description spans three.
    assert "line 2: created: Rota Planner (rota-planner)" in out
    assert "line 5: created: Shortlist Assist (shortlist-assist)" in out
    assert "line 6: created: Absence Insights (absence-insights)" in out
    rota = AlgorithmicSystem.objects.get(organisation=cast.organisation, name="Rota Planner")
    assert rota.reference == "rota-planner"
    assert rota.standard_version == "3.0"
    assert rota.lifecycle_stage == LifecycleStage.IN_USE  # production
    assert rota.needs_initial_assessment is True  # already in use when first recorded
    assert rota.region == "wales"
    assert (
        rota.one_sentence_description
        == "Software that proposes weekly rotas for home-care workers."
    )
    assert rota.website_url == ""  # N/A
    assert rota.contact_email == "rota-team@example-county.gov.wales"
    assert rota.organisation_or_department == "Example County Council"
    assert rota.team == "Adult Social Care Scheduling"
    assert rota.external_supplier_involvement == "yes"
    assert rota.external_supplier == "CareRoute Ltd, MapCo Ltd"
    assert rota.companies_house_number == "01234567, 07654321"
    assert rota.procurement_procedure_type == "call-off from framework"
    assert rota.detailed_description.startswith("The planner takes the week's care visits")
    assert "\n\nIt does not decide pay, discipline or performance." in rota.detailed_description
    assert rota.tool_models == "Constraint-based scheduler (no machine learning)"
    assert (
        rota.system_level_input == "Visits, worker availability and skills, travel-time estimates."
    )
    assert rota.system_level_output == "Draft weekly rotas."
    assert rota.risks_and_mitigations.startswith("Work intensification through tight travel times")
    assert rota.created_by == cast.hr
    # The second address of the contact field is reported, not silently dropped.
    assert (
        "line 2: contact_email: several e-mail addresses: kept rota-team@example-county.gov.wales; "
        "not kept gofal@example-county.llyw.cymru" in err
    )

    shortlist = AlgorithmicSystem.objects.get(name="Shortlist Assist")
    assert shortlist.standard_version == "4.0"
    assert shortlist.lifecycle_stage == LifecycleStage.PLANNING  # pre-deployment
    assert shortlist.needs_initial_assessment is False
    assert shortlist.website_url == "https://example-health-board.nhs.wales/recruitment-ai"
    assert shortlist.companies_house_number == "00987654"  # leading zeros kept
    assert (
        shortlist.frequency_and_scale_of_usage
        == "About 2,000 applications a month during the pilot."
    )

    absence = AlgorithmicSystem.objects.get(name="Absence Insights")
    assert absence.lifecycle_stage == LifecycleStage.RETIRED
    assert absence.external_supplier_involvement == "no"
    assert absence.external_supplier == ""  # N/A
    assert absence.companies_house_number == ""
    assert absence.data_access_terms == ""
    assert absence.senior_responsible_owner == "Chief Officer, People"
    assert absence.alternatives_considered == ""  # N/A
    assert absence.maintenance == "None since retirement."  # only a bare "None" means empty

    created = AuditEvent.objects.filter(action="system.created", organisation=cast.organisation)
    assert created.count() == 3
    assert {e.actor_id for e in created} == {cast.hr.pk}


def test_reimporting_the_same_file_changes_nothing_and_records_nothing(cast):
    run_import(SAMPLE, as_email=cast.hr.email)
    systems = AlgorithmicSystem.objects.count()
    events = AuditEvent.objects.count()
    versions = dict(AlgorithmicSystem.objects.values_list("pk", "version"))

    out, _err = run_import(SAMPLE, as_email=cast.hr.email)

    assert "0 created, 0 updated, 3 unchanged" in out
    assert AlgorithmicSystem.objects.count() == systems
    assert AuditEvent.objects.count() == events
    assert dict(AlgorithmicSystem.objects.values_list("pk", "version")) == versions


def test_reimporting_after_a_change_in_govreg_updates_the_record_in_place(cast):
    run_import(SAMPLE, as_email=cast.hr.email)
    rota = AlgorithmicSystem.objects.get(name="Rota Planner")
    services.update_section(
        rota,
        actor=cast.hr,
        section=IMPORT_SECTION,
        data={"team": "Somebody else", "capability": ["planning"]},
        expected_fingerprint=None,
    )
    before = AuditEvent.objects.count()

    out, _err = run_import(SAMPLE, as_email=cast.admin.email)

    assert "0 created, 1 updated, 2 unchanged" in out
    assert AlgorithmicSystem.objects.filter(name="Rota Planner").count() == 1
    rota.refresh_from_db()
    assert rota.team == "Adult Social Care Scheduling"
    assert rota.capability == ["planning"]  # the sample has no capability column: left alone
    event = AuditEvent.objects.get(position=before + 1)
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.actor, event.note) == ("system.updated", cast.admin, "ATRS import")
    assert event.changes == {"team": ["Somebody else", "Adult Social Care Scheduling"]}


def test_without_as_the_history_names_the_import_command(body):
    out, _err = run_import(SAMPLE)

    assert "3 created" in out
    events = AuditEvent.objects.filter(action="system.created")
    assert events.count() == 3
    for event in events:
        assert event.actor is None
        assert event.actor_label.startswith("import_atrs command (run by ")
    assert set(AlgorithmicSystem.objects.values_list("created_by", flat=True)) == {None}


def test_a_user_who_may_not_record_systems_is_refused(cast):
    message = refused(SAMPLE, as_email=cast.rep.email)
    assert "rep@body.example may not record systems in Demo Body Council" in message


def test_a_user_of_another_body_is_refused(cast, other):
    message = refused(SAMPLE, as_email=other.hr.email)
    assert "may not record systems in Demo Body Council" in message


def test_an_unknown_organisation_or_user_is_refused(cast):
    assert "no organisation with the slug 'nowhere'" in refused(SAMPLE, organisation="nowhere")
    assert "no active user with the e-mail address ghost@example.org" in refused(
        SAMPLE, as_email="ghost@example.org"
    )


def test_a_dry_run_reports_and_saves_nothing(cast):
    out, _err = run_import(SAMPLE, as_email=cast.hr.email, dry_run=True)

    assert "Dry run, nothing saved. 3 record(s) for Demo Body Council: 3 created" in out
    assert AlgorithmicSystem.objects.count() == 0
    assert AuditEvent.objects.count() == 0


# --------------------------------------------------------------------------------------------
# export and round trips
# --------------------------------------------------------------------------------------------


def test_export_json_is_a_list_of_records_keyed_by_the_canonical_atrs_names(cast):
    system = full_system(cast)

    records = json.loads(run_export())

    assert len(records) == 1
    record = records[0]
    assert list(record) == [
        *atrs.METADATA_KEYS,
        *atrs.SYSTEM_KEYS,
        "model_specifications",
        "data_specifications",
        "govreg",
    ]
    assert record["title"] == "Demo Body Council: Rota planner ŵ"
    assert record["organisation_name"] == "Demo Body Council"
    assert record["phase"] == "private-beta"
    assert record["region"] == "england-and-wales"
    assert record["capability"] == ["planning", "analysis"]
    assert record["standard_version"] == "4.0"
    assert record["external_supplier_involvement"] == "Yes"
    assert record["models"] == "Constraint solver"
    assert record["model_specifications"][0] == MODELS[0]
    assert record["data_specifications"][0]["data_modality"] == "Tabular"
    govreg = record["govreg"]
    assert list(govreg) == list(atrs.GOVREG_EXPORT_KEYS)
    assert govreg["organisation"] == "body"
    assert govreg["reference"] == system.reference
    assert govreg["lifecycle_stage"] == "pilot"
    assert govreg["accountable_manager"] == cast.manager.email
    assert govreg["contract_end_date"] == "2027-03-31"
    assert govreg["employment_decisions"] == ["scheduling", "pay"]
    assert govreg["workers_affected"] == 420


def test_export_public_records_leave_out_private_fields(cast):
    system = full_system(cast)
    record = atrs.export_record(
        AlgorithmicSystem.objects.select_related("organisation").get(pk=system.pk), public=True
    )
    assert not atrs.PRIVATE_GOVREG_KEYS & set(record["govreg"])
    assert record["govreg"]["reference"] == "rota-planner"


def test_export_csv_has_numbered_specification_and_govreg_columns(cast, tmp_path):
    full_system(cast)
    output = tmp_path / "register.csv"

    run_export(fmt="csv", output=str(output))

    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheet programs then read Welsh letters right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1
    row = rows[0]
    assert row["model_1_name"] == "Rota optimiser"
    assert row["model_2_name"] == "Travel-time estimator"
    assert row["data_1_source_data_name"] == "Care visits"
    assert row["data_1_modality"] == "Tabular"
    assert row["capability"] == "planning; analysis"
    assert row["govreg_reference"] == "rota-planner"
    assert row["govreg_employment_decisions"] == "scheduling; pay"
    # A cell a spreadsheet would run as a formula is guarded with an apostrophe.
    assert row["external_supplier_role"] == '\'=HYPERLINK("http://evil.example")'
    assert row["data_access_terms"].startswith("'- names")


def test_export_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    full_system(cast, "one")
    queryset = AlgorithmicSystem.objects.filter(organisation=cast.organisation)
    # systems (with organisation and manager), model specifications, data specifications
    with django_assert_num_queries(3):
        atrs.export_records(queryset)
    for n in range(5):
        full_system(cast, f"more-{n}")
    with django_assert_num_queries(3):
        records = atrs.export_records(queryset)
    assert len(records) == 6


def test_export_of_an_empty_register_and_an_unknown_body(body):
    assert json.loads(run_export()) == []
    assert run_export(fmt="csv").splitlines()[0].startswith("standard_version,title,")
    with pytest.raises(CommandError, match="no organisation with the slug 'nowhere'"):
        run_export(organisation="nowhere")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_record_exported_and_imported_again_comes_back_field_for_field(cast, tmp_path, fmt):
    system = full_system(cast)
    original = system_values(system)
    original_specs = spec_values(system)
    path = tmp_path / f"export.{fmt}"
    run_export(fmt=fmt, output=str(path))
    # Change every field and the specifications in GovReg.
    services.update_section(
        system,
        actor=cast.hr,
        section=IMPORT_SECTION,
        data={
            **{
                name: ""
                for name in atrs.IMPORTED_FIELDS
                if isinstance(FULL.get(name), str) and name not in ("name", "region")
            },
            "name": "Renamed",
            "region": "scotland",
            "capability": [],
            "employment_decisions": ["monitoring"],
            "workers_affected": None,
            "contract_end_date": None,
            "next_review_date": None,
            "accountable_manager": None,
        },
        expected_fingerprint=None,
    )
    system.model_specifications.filter(position=1).update(model_version="9.9")
    system.model_specifications.filter(position=2).delete()
    system.data_specifications.all().delete()
    assert system_values(system) != original

    out, _err = run_import(path, as_email=cast.hr.email)

    assert "1 updated" in out
    assert system_values(system) == original
    assert spec_values(system) == original_specs
    assert AlgorithmicSystem.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_record_copied_to_another_body_comes_back_field_for_field(cast, other, tmp_path, fmt):
    system = full_system(cast)
    exported = run_export(fmt=fmt)
    # Copying between bodies: drop the body's slug and name the other body's manager.
    if fmt == "json":
        records = json.loads(exported)
        del records[0]["govreg"]["organisation"]
        records[0]["govreg"]["accountable_manager"] = other.manager.email
        path = write(tmp_path, "copy.json", json.dumps(records))
    else:
        rows = list(csv.DictReader(io.StringIO(exported, newline="")))
        for row in rows:
            del row["govreg_organisation"]
            row["govreg_accountable_manager"] = other.manager.email
        path = write(tmp_path, "copy.csv", csv_text(rows))

    run_import(path, organisation="other-body", as_email=other.hr.email)

    copy = AlgorithmicSystem.objects.get(organisation=other.organisation)
    expected = system_values(system) | {"accountable_manager": other.manager.pk}
    assert system_values(copy) == expected
    assert spec_values(copy) == spec_values(system)
    assert copy.pk != system.pk


def test_a_record_exported_from_one_body_is_not_imported_into_another_by_mistake(
    cast, other, tmp_path
):
    full_system(cast)
    path = write(tmp_path, "export.json", run_export())
    message = refused(path, organisation="other-body", as_email=other.hr.email)
    assert "line 2: govreg.organisation: this record belongs to the organisation 'body'" in message


def test_fewer_specifications_in_the_file_removes_the_others_with_history(cast, tmp_path):
    system = full_system(cast)
    records = json.loads(run_export())
    records[0]["model_specifications"] = records[0]["model_specifications"][:1]
    records[0]["data_specifications"] = []
    path = write(tmp_path, "fewer.json", json.dumps(records))

    run_import(path, as_email=cast.hr.email)

    assert list(system.model_specifications.values_list("model_name", flat=True)) == [
        "Rota optimiser"
    ]
    assert not system.data_specifications.exists()
    deleted = AuditEvent.objects.filter(action="specification.deleted", note="ATRS import")
    assert sorted(e.object_repr for e in deleted) == ["Care visits", "Travel-time estimator"]


def test_csv_specifications_are_numbered_columns(body, tmp_path):
    path = write(
        tmp_path,
        "specs.csv",
        csv_text(
            [
                {
                    "name": "Chatbot",
                    "model_1_name": "Language model",
                    "model_1_version": "2",
                    "model_2_model_name": "Retriever",  # the full ATRS name works too
                    "data_1_source_data_name": "Policies",
                    "data_1_modality": "TEXT",
                    "data_1_source_data_url": "www.example.gov.wales/policies",
                }
            ]
        ),
    )
    run_import(path)
    system = AlgorithmicSystem.objects.get(name="Chatbot")
    assert [
        (m.position, m.model_name, m.model_version) for m in system.model_specifications.all()
    ] == [
        (1, "Language model", "2"),
        (2, "Retriever", ""),
    ]
    data = system.data_specifications.get()
    assert (data.data_modality, data.source_data_url) == (
        "text",
        "https://www.example.gov.wales/policies",
    )


# --------------------------------------------------------------------------------------------
# refusals: every problem, with its line and field, and nothing written
# --------------------------------------------------------------------------------------------


def test_a_file_without_the_name_column_is_refused(body, tmp_path):
    path = write(tmp_path, "no-name.csv", "title,description\nOrg: Tool,Does things\n")
    message = refused(path)
    assert "Nothing was imported: the file" in message
    assert (
        "line 1: name: the required column 'name' (the tool's name, ATRS 1.1) is missing" in message
    )


def test_unknown_columns_are_refused_and_listed(body, tmp_path):
    path = write(tmp_path, "unknown.csv", "name,colour,descripton,phase\nTool,blue,typo,soon\n")
    message = refused(path)
    assert "has 2 problem(s)" in message
    assert "line 1: colour, descripton: unknown column(s)" in message
    assert "line 2: phase: 'soon' is not one of the allowed values" in message  # rows still checked


def test_a_column_given_twice_under_two_names_is_refused(body, tmp_path):
    path = write(tmp_path, "twice.csv", "name,benefit,benefits\nTool,a,b\n")
    assert "line 1: benefits: this column gives benefit, as the column benefit does" in refused(
        path
    )


def test_every_bad_row_is_reported_and_nothing_is_written(body, tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        csv_text(
            [
                {
                    "name": "Good tool",
                    "phase": "production",
                    "govreg_contract_end_date": "2026-03-31",
                },
                {
                    "name": "Bad date",
                    "phase": "production",
                    "govreg_contract_end_date": "31/03/2026",
                },
                {"name": "Bad phase", "phase": "beta-ish", "govreg_contract_end_date": ""},
                {
                    "name": "Not a date",
                    "phase": "Production",
                    "govreg_contract_end_date": "2026-02-30",
                },
            ]
        ),
    )
    message = refused(path)
    assert "the file" in message and "has 3 problem(s)" in message
    assert (
        "line 3: govreg_contract_end_date: '31/03/2026' is not a date in the form YYYY-MM-DD"
        in message
    )
    assert "line 4: phase: 'beta-ish' is not one of the allowed values: pre-deployment," in message
    assert "line 5: govreg_contract_end_date: '2026-02-30' is not a real date" in message
    assert not AlgorithmicSystem.objects.filter(name="Good tool").exists()


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("region", "Atlantis", "line 2: region: 'Atlantis' is not one of the allowed values"),
        ("region", "wales; england", "line 2: region: GovReg records one region"),
        ("capability", "Telepathy; analysis", "line 2: capability: 'Telepathy' not among"),
        (
            "external_supplier_involvement",
            "maybe",
            "line 2: external_supplier_involvement: 'maybe'",
        ),
        ("third_party_involvement", "perhaps", "line 2: third_party_involvement: 'perhaps'"),
        ("data_1_modality", "hologram", "line 2: data_1_modality: 'hologram' is not one of"),
        ("govreg_lifecycle_stage", "finished", "line 2: govreg_lifecycle_stage: 'finished'"),
        ("govreg_employment_decisions", "hiring", "line 2: govreg_employment_decisions: 'hiring'"),
        (
            "govreg_workers_affected",
            "about 400",
            "line 2: govreg_workers_affected: 'about 400' is not a whole number",
        ),
        (
            "govreg_next_review_date",
            "next year",
            "line 2: govreg_next_review_date: 'next year' is not a date",
        ),
        ("contact_email", "the team", "line 2: contact_email: 'the team' is not an e-mail address"),
        (
            "website_url",
            "https://exa mple",
            "line 2: website_url: Enter a valid URL. (given: 'https://exa mple')",
        ),
        (
            "standard_version",
            "v5",
            "line 2: standard_version: 'v5' is not an ATRS version GovReg knows",
        ),
        (
            "govreg_reference",
            "has spaces",
            "line 2: govreg_reference: 'has spaces' is not a valid reference",
        ),
        (
            "one_sentence_description",
            "x" * 301,
            "line 2: one_sentence_description: Ensure this value has at most 300 characters",
        ),
        (
            "data_1_description",
            "no name",
            "line 2: data_1_source_data_name: enter the name of the dataset",
        ),
        (
            "govreg_accountable_manager",
            "hr@body.example",
            "line 2: govreg_accountable_manager: 'hr@body.example' is not a senior accountable manager of Demo Body Council",
        ),
    ],
)
def test_a_bad_value_is_refused_with_its_line_and_field(cast, tmp_path, column, value, expected):
    path = write(tmp_path, "bad.csv", csv_text([{"name": "Tool", column: value}]))
    assert expected in refused(path)


def test_duplicated_references_and_names_in_a_file_are_refused(body, tmp_path):
    path = write(
        tmp_path,
        "dupes.csv",
        csv_text(
            [
                {"name": "One", "govreg_reference": "same"},
                {"name": "Two", "govreg_reference": "same"},
                {"name": "  one ", "govreg_reference": "three"},
            ]
        ),
    )
    message = refused(path)
    assert "line 3: govreg_reference: 'same' is also the reference on line 2" in message
    assert "line 4: name: 'one' is also the name on line 2" in message


def test_a_row_with_a_different_number_of_values_is_refused(body, tmp_path):
    path = write(tmp_path, "ragged.csv", "name,team,scope\nOne,A,B\nTwo,A\nThree,A,B,C\n")
    message = refused(path)
    assert "line 3: row: the row has 2 values but the header has 3 columns" in message
    assert "line 4: row: the row has 4 values but the header has 3 columns" in message


def test_an_empty_file_or_one_without_records_is_refused(body, tmp_path):
    assert "line 1: file: the file is empty" in refused(write(tmp_path, "empty.csv", ""))
    assert "line 1: file: the file is empty" in refused(write(tmp_path, "blank.json", " \n"))
    assert "line 1: file: the file holds no records" in refused(
        write(tmp_path, "header.csv", "name,team\n")
    )
    assert "line 1: file: the file holds no records" in refused(write(tmp_path, "none.json", "[]"))


def test_a_file_that_is_not_utf8_is_refused_with_the_line(body, tmp_path):
    content = "name,team\nOne,A\nCaf\u00e9,B\n".encode("latin-1")
    message = refused(write(tmp_path, "latin1.csv", content))
    assert "line 3: file: the file is not UTF-8 text (byte 0xE9 at position 19)" in message


def test_a_50_mb_file_is_refused_quickly_without_reading_it(body, tmp_path):
    path = tmp_path / "huge.csv"
    row = b"Tool,Some team,Some scope that goes on for a while\n"
    with path.open("wb") as handle:
        handle.write(b"name,team,scope\n")
        handle.write(row * (50 * 1024 * 1024 // len(row) + 1))
    assert path.stat().st_size > 50 * 1024 * 1024

    started = time.perf_counter()
    message = refused(path)
    elapsed = time.perf_counter() - started

    assert (
        "Nothing was imported: the file is 50.0 MB; GovReg imports files of up to 10 MB" in message
    )
    assert elapsed < 1.0, f"refusing a 50 MB file took {elapsed:.2f} s"


def test_a_broken_json_file_is_refused_with_the_line(body, tmp_path):
    path = write(tmp_path, "broken.json", '[\n  {"name": "One"},\n  {"name": "Two",}\n]\n')
    assert "line 3: file: the file is not valid JSON" in refused(path)


def test_json_problems_name_the_record_line_and_key(cast, tmp_path):
    text = (
        "[\n"
        '  {"name": "One", "colour": "blue"},\n'
        '  "not a record",\n'
        "  {\n"
        '    "name": "Three",\n'
        '    "govreg": {"reference": "three", "mood": "happy", "contract_end_date": "soon"},\n'
        '    "model_specifications": [{"model_version": "1"}, {"model_name": "B", "size": 3}]\n'
        "  }\n"
        "]\n"
    )
    message = refused(write(tmp_path, "problems.json", text))
    assert "line 2: colour: unknown field" in message
    assert "line 3: record: each record must be a JSON object" in message
    assert "line 4: govreg.mood: unknown GovReg field" in message
    assert "line 4: govreg.contract_end_date: 'soon' is not a date" in message
    assert "line 4: model_specifications[2].size: unknown field" in message
    assert "line 4: model_specifications[1].model_name: enter the name of the model" in message


def test_an_import_does_not_move_a_system_to_another_stage(cast, tmp_path):
    run_import(SAMPLE, as_email=cast.hr.email)
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8", newline="")))
    rows[0]["phase"] = "retired"
    message = refused(write(tmp_path, "retire.csv", csv_text(rows)))
    assert (
        "line 2: phase: 'retired' does not describe 'Rota Planner', which is at the stage "
        "'in_use'; an import does not change a recorded system's stage" in message
    )
    rows[0]["phase"] = "production"
    rows[0]["govreg_lifecycle_stage"] = "paused"
    message = refused(write(tmp_path, "pause.csv", csv_text(rows)))
    assert "line 2: govreg_lifecycle_stage: 'Rota Planner' is at the stage 'in_use'" in message


def test_a_phase_that_contradicts_the_lifecycle_stage_is_refused(body, tmp_path):
    path = write(
        tmp_path,
        "contradiction.csv",
        csv_text([{"name": "Tool", "phase": "production", "govreg_lifecycle_stage": "planning"}]),
    )
    assert (
        "line 2: phase: 'production' does not describe the lifecycle stage 'planning'"
        in refused(path)
    )


def test_a_new_reference_for_an_existing_name_is_refused_rather_than_duplicated(cast, tmp_path):
    run_import(SAMPLE, as_email=cast.hr.email)
    path = write(
        tmp_path, "clash.csv", csv_text([{"name": "rota planner", "govreg_reference": "rp-2"}])
    )
    assert (
        "line 2: govreg_reference: no system has the reference 'rp-2', but 'Rota Planner' "
        "already exists with the reference 'rota-planner'" in refused(path)
    )


def test_a_name_shared_by_two_systems_needs_a_reference(cast, tmp_path):
    services.create_system(
        actor=cast.hr, organisation=cast.organisation, name="Chatbot", reference="a"
    )
    services.create_system(
        actor=cast.hr, organisation=cast.organisation, name="Chatbot", reference="b"
    )
    path = write(tmp_path, "which.csv", csv_text([{"name": "Chatbot", "team": "X"}]))
    assert "line 2: name: several systems are called 'Chatbot' (references a, b)" in refused(path)
    path = write(
        tmp_path, "this.csv", csv_text([{"name": "Chatbot", "team": "X", "govreg_reference": "b"}])
    )
    run_import(path)
    assert AlgorithmicSystem.objects.get(reference="b").team == "X"
    assert AlgorithmicSystem.objects.get(reference="a").team == ""


# --------------------------------------------------------------------------------------------
# v4.0 and v2.1 keys, versions
# --------------------------------------------------------------------------------------------


def test_v4_keys_and_labels_are_accepted(body, tmp_path):
    header = [
        "Standard version",
        "Name",
        "Phase",
        "Third party involvement",
        "Third party",
        "Companies House Number",
        "Third party role",
        "Third party data access terms",
        "Integration into broader operational process",
        "Human review",
        "Benefits",
        "System-level input",
        "System-level output",
        "Impact assessment(s)",
        "Datasets and their purposes",
        "Model name",
    ]
    values = [
        "v4.0",
        "Magic notes",
        "Private Beta",
        "Yes",
        "NoteCo Ltd",
        "SC123456",
        "Hosts the service.",
        "Meeting audio, deleted after 30 days.",
        "Drafts notes that a social worker edits.",
        "Every note is checked by its author.",
        "Time back for visits.",
        "Audio of a meeting.",
        "A draft case note.",
        "DPIA 2025.",
        "None of its own.",
        "Speech-to-text service",
    ]
    out = io.StringIO()
    csv.writer(out).writerows([header, values])
    run_import(write(tmp_path, "v4.csv", out.getvalue()))

    system = AlgorithmicSystem.objects.get(name="Magic notes")
    assert system.standard_version == "4.0"
    assert system.lifecycle_stage == LifecycleStage.PILOT
    assert system.external_supplier_involvement == "yes"
    assert system.external_supplier == "NoteCo Ltd"
    assert system.companies_house_number == "SC123456"
    assert system.external_supplier_role == "Hosts the service."
    assert system.data_access_terms == "Meeting audio, deleted after 30 days."
    assert system.process_integration == "Drafts notes that a social worker edits."
    assert system.human_decisions_and_review == "Every note is checked by its author."
    assert system.benefit == "Time back for visits."
    assert system.system_level_input == "Audio of a meeting."
    assert system.system_level_output == "A draft case note."
    assert system.impact_assessment == "DPIA 2025."
    model = system.model_specifications.get()
    assert (model.model_name, model.datasets) == ("Speech-to-text service", "None of its own.")


def test_v4_keys_without_a_version_are_recorded_as_v4(body, tmp_path):
    path = write(tmp_path, "v4.json", json.dumps([{"name": "Tool", "human_review": "Always."}]))
    run_import(path)
    assert AlgorithmicSystem.objects.get(name="Tool").standard_version == "4.0"


def test_v21_names_are_accepted(body, tmp_path):
    record = {
        "standard_version": 2.1,
        "title": "Demo Body Council: Absence analytics",
        "organisation_name": "Demo Body Council",
        "phase": "Development",
        "one_sentence_description": "Flags absence patterns.",
        "name": "Absence analytics",
        "website": "www.example.gov.wales/absence",
        "organisation": "Demo Body Council HR",
        "method": "Rule-based flags",
        "model_performance": "Flags 95% of patterns.",
        "source_data_name": "Absence records",
        "source_data_description": "Dates and reasons of absence.",
        "data_collection": "HR system.",
        "impact_assessments": "EqIA 2023.",
        "risks": "Disability discrimination.",
        "date_completion": "01/02/2023",
        "id": 17,
    }
    _out, err = run_import(write(tmp_path, "v21.json", json.dumps([record], indent=2)))

    system = AlgorithmicSystem.objects.get(name="Absence analytics")
    assert system.standard_version == "2.1"
    assert system.lifecycle_stage == LifecycleStage.DEVELOPMENT
    assert system.website_url == "https://www.example.gov.wales/absence"
    assert system.organisation_or_department == "Demo Body Council HR"
    assert system.tool_models == "Rule-based flags"
    assert system.impact_assessment == "EqIA 2023."
    assert system.risks_and_mitigations == "Disability discrimination."
    model = system.model_specifications.get()
    assert (model.model_name, model.model_performance) == (
        "Rule-based flags",
        "Flags 95% of patterns.",
    )
    data = system.data_specifications.get()
    assert (data.source_data_name, data.data_description, data.data_collection) == (
        "Absence records",
        "Dates and reasons of absence.",
        "HR system.",
    )
    assert "line 1: date_completion, id: ATRS fields GovReg does not keep: ignored" in err
    assert (
        "line 2: model_1_name: no model name given: took 'Rule-based flags' from the method" in err
    )


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("v3.0", "3.0"),
        ("3.0", "3.0"),
        ("v3", "3.0"),
        ("V4.0", "4.0"),
        ("4.0", "4.0"),
        ("v2.1", "2.1"),
        ("v1.1", "1.1"),
        (" 4 ", "4.0"),
    ],
)
def test_standard_version_spellings_are_normalised(body, tmp_path, given, stored):
    run_import(write(tmp_path, "v.csv", csv_text([{"name": "Tool", "standard_version": given}])))
    assert AlgorithmicSystem.objects.get(name="Tool").standard_version == stored


def test_every_v3_attribute_of_the_standard_is_mapped_or_knowingly_ignored():
    with (DATA / "atrs-fields.csv").open(encoding="utf-8", newline="") as handle:
        attributes = {
            row["attribute"] for row in csv.DictReader(handle) if row["atrs_version"] == "3.0"
        }
    assert len(attributes) == 64  # "phase" is both 0.13 and 2.4.1.2
    for attribute in attributes:
        target = atrs.resolve_key(attribute)
        assert target is not None, attribute
        if target.kind == "ignored":
            assert attribute in {
                "id",
                "organisation_type",
                "function",
                "task",
                "tags",
                "date_of_completion",
                "date_updated",
                "date_archived",
            }, attribute


def test_choice_lists_match_the_govuk_finder_schema():
    schema = json.loads((DATA / "govuk-atrs-finder-schema.json").read_text(encoding="utf-8"))
    facets = {f["key"]: [v["value"] for v in f.get("allowed_values", [])] for f in schema["facets"]}
    assert facets["algorithmic_transparency_record_phase"] == [v for v, _l in AtrsPhase.choices]
    assert facets["algorithmic_transparency_record_region"] == [v for v, _l in Region.choices]
    assert facets["algorithmic_transparency_record_capability"] == [
        v for v, _l in Capability.choices
    ]


# --------------------------------------------------------------------------------------------
# quirks of real records
# --------------------------------------------------------------------------------------------


def test_quirks_of_real_records_are_normalised(cast, tmp_path):
    records = [
        {
            "title": "  Demo Body Council:   Rota   planner  ",
            "name": "",
            "website_url": "n/a",
            "contact_email": "Rota team <rota@example.gov.wales>; gofal@example.llyw.cymru",
            "external_supplier": ["CareRoute Ltd", "MapCo Ltd"],
            "companies_house_number": 987654,
            "external_supplier_involvement": "YES",
            "region": "WALES",
            "capability": "Computer Vision; analysis",
            "phase": "Beta/Pilot",
            "team": "  Scheduling  ",
            "scope": "None",
            "benefit": "N/A",
            "govreg": {"employment_decisions": "Scheduling, rotas and work allocation; pay"},
        },
        {"title": "Shift swapper", "name": None, "companies_house_number": "123456, 07654321"},
    ]
    text = json.dumps(records, indent=1)
    second = text.splitlines().index(" {", 2) + 1  # the line the second record starts on
    _out, err = run_import(write(tmp_path, "quirks.json", text))

    rota = AlgorithmicSystem.objects.get(name="Rota planner")
    assert rota.website_url == ""
    assert rota.contact_email == "rota@example.gov.wales"
    assert rota.external_supplier == "CareRoute Ltd, MapCo Ltd"
    assert rota.companies_house_number == "00987654"
    assert rota.external_supplier_involvement == "yes"
    assert rota.region == "wales"
    assert rota.capability == ["computer-vision", "analysis"]
    assert rota.lifecycle_stage == LifecycleStage.PILOT
    assert rota.team == "Scheduling"
    assert rota.scope == "" and rota.benefit == ""
    assert rota.employment_decisions == ["scheduling", "pay"]
    swapper = AlgorithmicSystem.objects.get(name="Shift swapper")  # a title without "Org: "
    assert swapper.companies_house_number == "00123456, 07654321"
    assert "line 2: name: no name given: took 'Rota planner' from the title" in err
    assert f"line {second}: name: no name given: took 'Shift swapper' from the title" in err
    assert "line 2: contact_email: several e-mail addresses: kept rota@example.gov.wales" in err
    assert "line 2: companies_house_number: read as 00987654" in err
    assert f"line {second}: companies_house_number: read as 00123456" in err


def test_an_n_a_already_recorded_is_kept_when_the_file_leaves_the_field_empty(cast, tmp_path):
    system = services.create_system(
        actor=cast.hr, organisation=cast.organisation, name="Tool", external_supplier="N/A"
    )
    events = AuditEvent.objects.count()
    run_import(write(tmp_path, "tool.csv", csv_text([{"name": "Tool", "external_supplier": ""}])))
    system.refresh_from_db()
    assert system.external_supplier == "N/A"
    assert AuditEvent.objects.count() == events


def test_a_name_recorded_with_extra_spaces_is_not_changed_by_a_reimport(cast, tmp_path):
    services.create_system(actor=cast.hr, organisation=cast.organisation, name="Rota  planner")
    events = AuditEvent.objects.count()
    run_import(write(tmp_path, "tool.csv", csv_text([{"name": "Rota planner", "team": ""}])))
    assert AlgorithmicSystem.objects.get().name == "Rota  planner"
    assert AuditEvent.objects.count() == events


def test_organisation_name_of_another_body_is_reported(body, tmp_path):
    _out, err = run_import(SAMPLE)
    assert (
        "line 2: organisation_name: the record names 'Example County Council'; it is being "
        "recorded for Demo Body Council" in err
    )


def test_the_accountable_manager_is_matched_by_e_mail(cast, tmp_path):
    other_manager = UserFactory(email="second.manager@body.example")
    MembershipFactory(user=other_manager, organisation=cast.organisation, role=Role.SENIOR_MANAGER)
    path = write(
        tmp_path,
        "manager.csv",
        csv_text([{"name": "Tool", "govreg_accountable_manager": "Second.Manager@Body.Example"}]),
    )
    run_import(path)
    assert AlgorithmicSystem.objects.get(name="Tool").accountable_manager == other_manager


# --------------------------------------------------------------------------------------------
# pure functions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("name", ("atrs", "name", 0)),
        ("Third party involvement", ("atrs", "external_supplier_involvement", 0)),
        ("models", ("atrs", "models", 0)),
        ("model_3_performance", ("model", "model_performance", 3)),
        ("data_2_modality", ("data", "data_modality", 2)),
        ("govreg_reference", ("govreg", "reference", 0)),
        ("govreg_colour", None),
        ("model_0_name", None),
        ("tags", ("ignored", "tags", 0)),
        ("algorithmic_transparency_record_atrs_version", ("atrs", "standard_version", 0)),
    ],
)
def test_keys_resolve_to_their_field(key, target):
    assert atrs.resolve_key(key) == (atrs.Target(*target) if target else None)


def test_csv_formula_guard_is_undone_on_import():
    records = [{"name": "=1+2", "scope": "- a\n- b", "team": "'kept as written"}]
    text = atrs.to_csv(records)
    assert "'=1+2" in text
    parsed = atrs.parse(text.encode(), filename="x.csv")
    assert parsed.all_problems == []
    values = parsed.records[0].values
    assert (values["name"], values["scope"], values["team"]) == (
        "=1+2",
        "- a\n- b",
        "'kept as written",
    )


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"[{}]", "records.txt", "json"),
        (b'\xef\xbb\xbf  {"name": 1}', "", "json"),
        (b"name\nTool\n", "", "csv"),
        (b"[not json", "export.csv", "csv"),
        (b"name\n", "export.JSON", "json"),
    ],
)
def test_format_is_detected_by_extension_then_content(data, filename, expected):
    assert atrs.detect_format(data, filename) == expected

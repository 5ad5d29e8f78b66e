"""Open data: the published register as JSON and CSV in ATRS field names, matching
``export_atrs``, valid against the served JSON Schema, with only public fields."""

import csv
import io
import json

import jsonschema
import pytest
from django.core.management import call_command

from registers import atrs
from registers.models import AlgorithmicSystem
from transparency import opendata

from .helpers import PRIVATE_TEXT_FIELDS, published_system, secret, unpublished_system

pytestmark = pytest.mark.django_db

AWKWARD = 'Rotâu, "shifts" a\'r ŵyl\nail linell, ŷd; =SUM(A1)'


@pytest.fixture
def register(body, other_body):
    mark = secret()
    systems = [
        published_system(
            body,
            marker=mark,
            name=AWKWARD,
            name_cy="Cynllunydd ŵyl",
            description=AWKWARD,
            employment_decisions=["scheduling", "pay"],
            capability=["planning"],
        ),
        published_system(other_body, marker=mark, lifecycle_stage="paused"),
    ]
    unpublished_system(body, marker=mark)
    unpublished_system(other_body, marker=mark, status="withdrawn")
    return mark, systems


def served_schema(client):
    response = client.get("/transparency/schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    return response.json()


def test_the_json_validates_against_the_served_schema(client, register):
    schema = served_schema(client)
    jsonschema.Draft202012Validator.check_schema(schema)
    records = client.get("/transparency/register.json").json()
    assert len(records) == 2
    jsonschema.Draft202012Validator(schema).validate(records)


def test_the_schema_catches_a_leak(client, register):
    """The schema is strict: a record with an extra GovReg field does not validate."""
    schema = served_schema(client)
    records = client.get("/transparency/register.json").json()
    records[0]["govreg"]["accountable_manager"] = "someone@example.org"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(records, schema, cls=jsonschema.Draft202012Validator)


def test_the_schema_describes_exactly_what_the_export_produces(register):
    schema = opendata.schema()
    record = schema["items"]
    exported = opendata.public_records(AlgorithmicSystem.objects.all())[0]
    assert set(record["properties"]) == set(exported) == set(record["required"])
    assert set(record["properties"]["govreg"]["properties"]) == set(opendata.PUBLIC_GOVREG_KEYS)
    assert set(record["properties"]["govreg"]["properties"]) <= set(atrs.GOVREG_EXPORT_KEYS)


def test_non_public_unpublished_and_draft_content_never_appears(client, register, body):
    mark, _systems = register
    for url in (
        "/transparency/register.json",
        "/transparency/register.csv",
        f"/transparency/{body.slug}/register.json",
        f"/transparency/{body.slug}/register.csv",
        "/cy/transparency/register.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert mark not in text, url
        for name in PRIVATE_TEXT_FIELDS + ("accountable_manager", "publication_status"):
            assert name not in text, (url, name)


def test_the_records_are_export_atrs_records_narrowed_to_public_fields(client, register, body):
    out = io.StringIO()
    call_command("export_atrs", organisation=body.slug, format="json", stdout=out)
    exported = [
        r for r in json.loads(out.getvalue()) if r["govreg"]["publication_status"] == "published"
    ]
    public = client.get(f"/transparency/{body.slug}/register.json").json()
    assert len(public) == len(exported) == 1
    for key in atrs.ATRS_KEYS + ("model_specifications", "data_specifications"):
        assert public[0][key] == exported[0][key], key
    for key in opendata.PUBLIC_GOVREG_KEYS:
        assert public[0]["govreg"][key] == exported[0]["govreg"][key], key


def test_the_csv_is_well_formed_with_awkward_text(client, register, body):
    response = client.get("/transparency/register.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
    assert len(rows) == 2
    header = next(csv.reader(io.StringIO(text, newline="")))
    assert all(len(row) == len(header) for row in rows)
    ours = next(r for r in rows if r["govreg_organisation"] == body.slug)
    assert ours["name"] == AWKWARD  # commas, quotes, apostrophes, newline, ŵ and ŷ
    assert ours["govreg_name_cy"] == "Cynllunydd ŵyl"
    assert ours["govreg_employment_decisions"] == "scheduling; pay"
    assert not any(
        column.startswith("govreg_")
        and column.removeprefix("govreg_") not in opendata.PUBLIC_GOVREG_KEYS
        for column in header
    )
    # The same as export_atrs writes for these records.
    assert text == atrs.to_csv(client.get("/transparency/register.json").json())


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, body):
    published_system(body, marker=secret(), name='=HYPERLINK("http://x","y")')
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/transparency/register.csv").content.decode(), newline="")
        )
    )
    assert rows[0]["name"].startswith("'=")


def test_an_empty_register_still_has_a_header_and_valid_json(client):
    assert client.get("/transparency/register.json").json() == []
    header = client.get("/transparency/register.csv").content.decode().splitlines()[0].split(",")
    assert "name" in header and "govreg_reference" in header
    assert "govreg_accountable_manager" not in header


def test_per_body_data_has_that_body_only(client, register, body, other_body):
    ours = client.get(f"/transparency/{body.slug}/register.json").json()
    assert {r["govreg"]["organisation"] for r in ours} == {body.slug}
    theirs = client.get(f"/transparency/{other_body.slug}/register.json").json()
    assert [r["govreg"]["lifecycle_stage"] for r in theirs] == ["paused"]
    assert client.get("/transparency/no-such-body/register.json").status_code == 404


def test_open_data_may_be_read_from_any_site(client, register):
    for url in (
        "/transparency/register.json",
        "/transparency/register.csv",
        "/transparency/schema.json",
    ):
        assert client.get(url)["Access-Control-Allow-Origin"] == "*"

"""Open data: the published register in ATRS field names, as JSON and CSV.

The records are ``registers.atrs.export_records(published, public=True)`` — the same records
``export_atrs`` writes — with the ``govreg`` object narrowed to ``PUBLIC_GOVREG_KEYS``. Why
these and no others is documented in ``docs/open-data.md``: the ATRS Tier 1 and Tier 2 fields
are written to be published; of GovReg's own fields only identifiers, the lifecycle stage (so
a paused or retired system shows as such), the kinds of employment decision the system takes
or supports, and the Welsh Tier 1 text are public. Named people, contracts, exit plans,
readiness checks, review dates and workflow state stay inside the bodies.

``schema/atrs-register.schema.json`` (served at ``/transparency/schema.json``) describes
``register.json`` exactly; the tests validate the export against it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.urls import reverse

from registers import atrs

# Bump with any change of the shape of the public records (and of the schema).
VERSION = "1.0"

PUBLIC_GOVREG_KEYS = (
    "reference",
    "organisation",
    "lifecycle_stage",
    "employment_decisions",
    "name_cy",
    "one_sentence_description_cy",
    "description_cy",
)

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "atrs-register.schema.json"


def public_record(record: dict[str, Any]) -> dict[str, Any]:
    """An exported record with only the public GovReg fields."""
    govreg = record.get("govreg") or {}
    public = {key: value for key, value in record.items() if key != "govreg"}
    public["govreg"] = {key: govreg.get(key) for key in PUBLIC_GOVREG_KEYS}
    return public


def public_records(systems) -> list[dict[str, Any]]:
    """The published systems of ``systems`` as public ATRS records (a fixed number of queries)."""
    published = systems.published().order_by("organisation__name", "name", "id")
    return [public_record(r) for r in atrs.export_records(published, public=True)]


def public_json(records: list[dict[str, Any]]) -> str:
    return atrs.to_json(records)


def public_csv(records: list[dict[str, Any]]) -> str:
    """CSV as ``export_atrs`` writes it (``atrs.to_csv``); the header alone when empty."""
    if records:
        return atrs.to_csv(records)
    columns = [
        column
        for column in atrs.csv_columns([])
        if not column.startswith("govreg_") or column.removeprefix("govreg_") in PUBLIC_GOVREG_KEYS
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(columns)
    return out.getvalue()


@cache
def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


@cache
def schema() -> dict[str, Any]:
    return json.loads(schema_text())


@cache
def schema_digest() -> str:
    return hashlib.sha256(schema_text().encode()).hexdigest()[:16]


def links(body=None) -> dict[str, str]:
    """Where the open data of the whole register, or of one body, is."""
    if body is None:
        return {
            "json": reverse("transparency:register_json"),
            "csv": reverse("transparency:register_csv"),
            "schema": reverse("transparency:schema"),
        }
    return {
        "json": reverse("transparency:body_register_json", args=[body.slug]),
        "csv": reverse("transparency:body_register_csv", args=[body.slug]),
        "schema": reverse("transparency:schema"),
    }


def system_links(system) -> dict[str, str]:
    return links(system.organisation)

"""The ATRS view of a system: ``registers.atrs.export_record``, as ``export_atrs`` writes it.

Its OpenAPI schema is the open-data JSON Schema's record (``transparency/schema/``) with the
full ``govreg`` object that members of the body see (``ATRS_GOVREG_PROPERTIES``).
"""

from __future__ import annotations

import copy
from typing import Any

from rest_framework import serializers

from registers import atrs
from registers.choices import (
    BuildOrBuy,
    EmploymentDecision,
    LifecycleStage,
    PublicationStatus,
    WelshLanguageCapability,
)


def atrs_record(system) -> dict[str, Any]:
    """The system (fetched with ``for_detail()``) as one ATRS record."""
    return atrs.export_record(system)


class AtrsRecordSerializer(serializers.Serializer):
    """Marker for the OpenAPI schema (``api.schema.AtrsRecordSchema``); never instantiated."""


def _text(nullable: bool = False) -> dict:
    return {"type": ["string", "null"]} if nullable else {"type": "string"}


def _choice(choices, *, blank: bool = True) -> dict:
    values = [value for value, _label in choices]
    return {"type": "string", "enum": values + ([""] if blank else [])}


ATRS_GOVREG_PROPERTIES: dict[str, dict] = {
    "reference": {"type": "string"},
    "organisation": {"type": "string"},
    "lifecycle_stage": _choice(LifecycleStage.choices, blank=False),
    "build_or_buy": _choice(BuildOrBuy.choices),
    "readiness_check": _text(),
    "worker_groups": _text(),
    "workers_affected": {"type": ["integer", "null"], "minimum": 0},
    "employment_decisions": {
        "type": "array",
        "items": {"type": "string", "enum": [v for v, _l in EmploymentDecision.choices]},
    },
    "human_in_the_loop": _text(),
    "human_in_command": _text(),
    "override_and_switch_off": _text(),
    "training_plan": _text(),
    "contract_reference": _text(),
    "contract_end_date": {"type": ["string", "null"], "format": "date"},
    "supplier_welsh_language": _choice(WelshLanguageCapability.choices),
    "exit_plan": _text(),
    "accountable_manager": {
        "type": "string",
        "description": "E-mail address of the accountable senior manager, or empty.",
    },
    "next_review_date": {"type": ["string", "null"], "format": "date"},
    "name_cy": _text(),
    "one_sentence_description_cy": _text(),
    "description_cy": _text(),
    "publication_status": _choice(PublicationStatus.choices, blank=False),
    "needs_initial_assessment": {"type": "boolean"},
}


def atrs_record_schema() -> dict:
    """JSON Schema (2020-12) of one record of the ATRS view."""
    from transparency.opendata import schema as open_data_schema

    record = copy.deepcopy(open_data_schema()["items"])
    record["properties"]["govreg"] = {
        "type": "object",
        "description": "GovReg's own fields (not ATRS), as members of the body see them.",
        "properties": ATRS_GOVREG_PROPERTIES,
        "required": list(atrs.GOVREG_EXPORT_KEYS),
        "additionalProperties": False,
    }
    return record


def to_openapi_30(schema: Any) -> Any:
    """JSON Schema 2020-12 → the OpenAPI 3.0 dialect (``nullable``; no ``const``/``$schema``)."""
    if isinstance(schema, list):
        return [to_openapi_30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {}
    for key, value in schema.items():
        if key in ("$schema", "$id", "$comment"):
            continue
        if key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            result["type"] = types[0]
            if "null" in value:
                result["nullable"] = True
        elif key == "const":
            result["enum"] = [value]
        elif key in ("properties",):
            result[key] = {name: to_openapi_30(sub) for name, sub in value.items()}
        else:
            result[key] = to_openapi_30(value)
    return result

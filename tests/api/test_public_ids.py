"""The API names objects by their public identifiers (UUIDs; bodies and councils by their
slugs), never by their primary keys, which would let anyone count a body's records:

- in the OpenAPI schema, every path parameter is a UUID (or the slug of a part of an
  assessment) and nothing that names an object is an integer;
- an integer where a URL names an object is no address of the API: 404, as JSON;
- a filter or a request field that names an object refuses anything but a UUID, with a message.
"""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from api import services

from .matrix import EXPECTATIONS, ROLES
from .openapi import api_schema, operations
from .world import World, public_id

pytestmark = pytest.mark.django_db

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


@pytest.fixture
def world(cast, other, outsider):
    return World(cast, other, outsider)


def client_for(user) -> APIClient:
    _token, raw = services.create_token(user=user, name="public ids", read_only=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --- the schema -------------------------------------------------------------------------------


def names_of_objects() -> set[str]:
    """Names under which a payload or a filter may name an object: ``id``, ``…_id`` (checked
    apart) and the name of any relation of the project's models (``system``, ``risk``, …)."""
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation
    }


def _is_integer(schema: dict) -> bool:
    items = schema.get("items")
    return schema.get("type") == "integer" or (isinstance(items, dict) and _is_integer(items))


def _names_an_object(name: str, relations: set[str]) -> bool:
    return name == "id" or name.endswith("_id") or name in relations


def _properties(schema: dict, where: str):
    """``(where, name, schema)`` of every property of ``schema``, nested ones included."""
    for name, prop in (schema.get("properties") or {}).items():
        yield where, name, prop
        yield from _properties(prop, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _properties(schema[key], where)
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key) or []:
            yield from _properties(part, where)


def integer_ids(schema: dict) -> list[str]:
    """Where ``schema`` lets an object be named by an integer: a path parameter that is neither
    a UUID nor a slug, or a query parameter or property that names an object as an integer."""
    relations = names_of_objects()
    found = []
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            name, value = parameter["name"], parameter.get("schema") or {}
            if parameter["in"] == "path":
                if value.get("format") != "uuid" and value.get("pattern") != SLUG_PATTERN:
                    found.append(f"{method} {path}: path parameter {name} is {value}")
            elif _names_an_object(name, relations) and _is_integer(value):
                found.append(f"{method} {path}: query parameter {name} is an integer")
    for component, body in schema["components"]["schemas"].items():
        for where, name, value in _properties(body, component):
            if _names_an_object(name, relations) and _is_integer(value):
                found.append(f"{where}.{name} is an integer")
    return found


def test_the_schema_names_no_object_by_an_integer():
    found = integer_ids(api_schema())
    assert not found, "\n".join(found)


def test_the_schema_check_finds_integer_ids():
    """The check itself: each way of naming an object by an integer is found."""
    schema = {
        "paths": {
            "/api/v1/things/{pk}/": {
                "get": {
                    "parameters": [
                        {"in": "path", "name": "pk", "schema": {"type": "integer"}},
                        {"in": "query", "name": "system", "schema": {"type": "integer"}},
                    ]
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "properties": {
                        "id": {"type": "integer"},
                        "risk": {"type": "integer", "nullable": True},
                        "conditions": {
                            "type": "array",
                            "items": {"properties": {"action_id": {"type": "integer"}}},
                        },
                        "organisations": {"type": "array", "items": {"type": "integer"}},
                        "owner": {"oneOf": [{"properties": {"id": {"type": "integer"}}}]},
                        "number": {"type": "integer"},
                    }
                }
            }
        },
    }
    assert integer_ids(schema) == [
        "GET /api/v1/things/{pk}/: path parameter pk is {'type': 'integer'}",
        "GET /api/v1/things/{pk}/: query parameter system is an integer",
        "Thing.id is an integer",
        "Thing.risk is an integer",
        "Thing.conditions.action_id is an integer",
        "Thing.organisations is an integer",
        "Thing.owner.id is an integer",
    ]


# --- what the API answers ---------------------------------------------------------------------


def integers_naming_objects(value, relations: set[str], where: str = "") -> list[str]:
    """Where a JSON payload names an object by an integer (its free-form parts included)."""
    found = []
    if isinstance(value, dict):
        for name, item in value.items():
            if type(item) is int and _names_an_object(name, relations):
                found.append(f"{where}.{name} = {item}")
            found += integers_naming_objects(item, relations, f"{where}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += integers_naming_objects(item, relations, f"{where}[{index}]")
    return found


READS = [key for key in EXPECTATIONS if key.startswith("GET") and not key.endswith("/download/")]


@pytest.mark.parametrize("operation_key", READS)
def test_no_answer_names_an_object_by_an_integer(operation_key, world):
    expect = EXPECTATIONS[operation_key]
    expect.prepare(world)
    path = operation_key.split(" ", 1)[1]
    query = {"format": "json"} if path.endswith("/export/") else {}
    response = client_for(world.cast.admin).get(path.format(**expect.params(world)), query)
    assert response.status_code == 200, response.content
    found = integers_naming_objects(response.json(), names_of_objects())
    assert not found, "\n".join(found)


def test_the_answer_check_finds_integer_ids():
    payload = {"id": "a-uuid", "results": [{"owner": {"id": 7}, "conditions": [{"action_id": 3}]}]}
    assert integers_naming_objects(payload, {"system"}) == [
        ".results[0].owner.id = 7",
        ".results[0].conditions[0].action_id = 3",
    ]
    assert integers_naming_objects({"system": 4, "number": 2}, {"system"}) == [".system = 4"]


# --- an integer in a URL ----------------------------------------------------------------------

OBJECT_OPERATIONS = [f"{m} {p}" for m, p, _op in operations() if "{id}" in p]


def object_path(path: str, object_id) -> str:
    section = "processors" if "/rows/" in path else "need"
    return path.format(id=object_id, section=section, row="x")


@pytest.mark.parametrize("operation_key", OBJECT_OPERATIONS)
def test_an_objects_integer_key_is_no_address(operation_key, world, cast):
    method, path = operation_key.split(" ", 1)
    obj = world.object_of(path.split("/")[3])
    key = obj.pk if isinstance(obj.pk, int) else 1  # a pack's key is already a UUID
    response = getattr(client_for(cast.admin), method.lower())(object_path(path, key))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("operation_key", [k for k in OBJECT_OPERATIONS if k.startswith("GET")])
def test_the_same_object_is_found_by_its_public_id(operation_key, world, cast):
    """The other half of the test above: the object is there, named by its UUID."""
    path = operation_key.split(" ", 1)[1]
    obj = world.object_of(path.split("/")[3])
    response = client_for(cast.admin).get(object_path(path, public_id(obj)))
    assert response.status_code == 200, response.content


# --- filters and request fields -----------------------------------------------------------------

ID_FILTERS = [
    (path, parameter["name"])
    for method, path, operation in operations()
    if method == "GET"
    for parameter in operation.get("parameters", [])
    if parameter["in"] == "query" and (parameter.get("schema") or {}).get("format") == "uuid"
]


def test_the_filters_that_name_objects_are_found():
    assert ("/api/v1/risks/", "system") in ID_FILTERS
    assert ("/api/v1/actions/", "risk") in ID_FILTERS
    assert ("/api/v1/comments/", "target_id") in ID_FILTERS
    assert ("/api/v1/systems/", "accountable_manager") in ID_FILTERS


@pytest.mark.parametrize(("path", "name"), ID_FILTERS, ids=[f"{p}?{n}" for p, n in ID_FILTERS])
@pytest.mark.parametrize("value", ["1", "not-a-uuid"])
def test_a_filter_refuses_what_is_not_a_uuid(path, name, value, cast):
    response = client_for(cast.hr).get(path, {name: value})
    assert response.status_code == 400, response.content
    assert response.json()[name] == ["Enter a valid UUID."]


def _request_schema(operation: dict) -> dict:
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return api_schema()["components"]["schemas"][ref.rsplit("/", 1)[1]]


ID_FIELDS = [
    (f"{method} {path}", name)
    for method, path, operation in operations()
    if "requestBody" in operation
    for name, prop in (_request_schema(operation).get("properties") or {}).items()
    if prop.get("format") == "uuid"
]


def test_the_request_fields_that_name_objects_are_found():
    assert ("POST /api/v1/risks/", "system") in ID_FIELDS
    assert ("POST /api/v1/actions/", "risk") in ID_FIELDS
    assert ("POST /api/v1/comments/", "target_id") in ID_FIELDS
    assert ("PATCH /api/v1/systems/{id}/", "accountable_manager") in ID_FIELDS


@pytest.mark.parametrize(("operation_key", "name"), ID_FIELDS, ids=[" ".join(f) for f in ID_FIELDS])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "valid UUID"),
        ("not-a-uuid", "valid UUID"),
        (1, "wrong type"),
        ("00000000-0000-4000-8000-000000000000", ""),  # a UUID, but of nothing of yours
    ],
)
def test_a_field_refuses_what_is_not_the_id_of_one_of_your_objects(
    operation_key, name, value, message, world
):
    """The operation's own valid request (``matrix.py``), with the field changed."""
    method, path = operation_key.split(" ", 1)
    expect = EXPECTATIONS[operation_key]
    expect.prepare(world)
    role = next(role for role in ROLES if expect.own[role] < 300)
    data = {**expect.request(world)["data"], name: value}
    url = path.format(**expect.params(world))
    response = getattr(client_for(world.cast.by_role(role)), method.lower())(
        url, data, format="json"
    )
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[name])


def test_the_same_request_with_a_real_id_is_accepted(world):
    """The other half of the test above."""
    data = EXPECTATIONS["POST /api/v1/risks/"].request(world)["data"]
    response = client_for(world.cast.hr).post("/api/v1/risks/", data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["system"]["id"] == str(world.system.uuid) == str(data["system"])
    assert uuid.UUID(response.json()["id"])

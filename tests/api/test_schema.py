"""The OpenAPI schema at /api/schema/ is valid and complete, and the docs are self-hosted."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from .openapi import operations

pytestmark = pytest.mark.django_db

ERRORS_EVERY_OPERATION_DOCUMENTS = {"401", "403", "429"}


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned while generating the schema"
    return generated


def test_the_served_schema_is_valid_openapi_3(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    validate_schema(served)
    assert served["openapi"].startswith("3.")
    json_response = client.get("/api/schema/", {"format": "json"})
    assert json_response.json()["paths"] == served["paths"]


def test_the_schema_generates_without_warnings(schema):
    validate_schema(schema)


def test_every_operation_has_typed_bodies_and_documented_errors(schema):
    problems = []
    for method, path, op in operations(schema):
        name = f"{method} {path}"
        if not op.get("summary"):
            problems.append(f"{name}: no summary")
        codes = set(op["responses"])
        success = [c for c in codes if c.startswith("2")]
        if not success:
            problems.append(f"{name}: no success response")
        for code in success:
            content = op["responses"][code].get("content") or {}
            if not content and code != "204":  # 204: no content, by definition
                problems.append(f"{name}: {code} has no body schema")
            for media, body in content.items():
                if not body.get("schema"):
                    problems.append(f"{name}: {code} {media} untyped")
        for code in ERRORS_EVERY_OPERATION_DOCUMENTS - codes:
            problems.append(f"{name}: {code} not documented")
        if "{" in path and "404" not in codes:
            problems.append(f"{name}: 404 not documented for an object URL")
        if method in ("POST", "PUT", "PATCH"):
            if "400" not in codes:
                problems.append(f"{name}: 400 not documented")
            content = (op.get("requestBody") or {}).get("content") or {}
            if not content or not all(body.get("schema") for body in content.values()):
                problems.append(f"{name}: request body untyped")
        for code in codes - {"200", "201", "202", "204"}:
            content = op["responses"][code].get("content") or {}
            if "application/json" not in content:
                problems.append(f"{name}: error {code} has no JSON body schema")
        if not op.get("security"):
            problems.append(f"{name}: no security requirement")
    assert not problems, "\n".join(problems)


def test_token_and_session_authentication_are_declared(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["tokenAuth"]["description"],
    }
    assert "cookieAuth" in schemes


def test_the_atrs_record_schema_matches_the_export_keys(schema):
    from registers import atrs

    record = schema["components"]["schemas"]["AtrsRecord"]
    expected = set(atrs.ATRS_KEYS) | {"model_specifications", "data_specifications", "govreg"}
    assert set(record["properties"]) == expected
    assert set(record["properties"]["govreg"]["properties"]) == set(atrs.GOVREG_EXPORT_KEYS)


def test_the_docs_are_served_from_the_apps_own_static_files(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    for url in sources:
        assert url.startswith("/"), f"{url} is not served by the app"
        assert "//" not in url
    assert "<style" not in html and "<script>" not in html  # nothing inline (CSP)
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    static = [url.removeprefix("/static/") for url in sources if url.startswith("/static/")]
    assert len(static) >= 3
    for path in static:
        assert finders.find(path), f"{path} is not among the app's static files"


def test_the_schema_and_docs_are_rate_limited(client, one_window):
    from govreg.ratelimit import API_DOCS

    statuses = [client.get("/api/schema/").status_code for _ in range(API_DOCS.limit + 1)]
    assert statuses[:-1] == [200] * API_DOCS.limit
    assert statuses[-1] == 429


def test_the_schema_does_not_need_sign_in_but_the_api_does():
    anonymous = APIClient()
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/v1/systems/").status_code == 401

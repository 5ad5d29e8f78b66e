"""The API's OpenAPI schema, generated as ``/api/schema/`` serves it, and its operations."""

from __future__ import annotations

from functools import cache

from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def api_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict | None = None) -> list[tuple[str, str, dict]]:
    """``(METHOD, path, operation)`` for every operation, in schema order."""
    schema = schema or api_schema()
    found = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                found.append((method.upper(), path, item[method]))
    return found


def operation_keys() -> list[str]:
    return [f"{method} {path}" for method, path, _op in operations()]

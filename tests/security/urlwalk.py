"""Every URL pattern of the project, found by walking ``get_resolver()`` recursively."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_OPERATIONS_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Pattern:
    key: str  # the namespaced name, or the route when the pattern has none
    route: str  # the full route, as the resolver spells it
    callback: object


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            if p.name:
                key = f"{namespace}:{p.name}" if namespace else p.name
            else:
                key = route
            yield Pattern(key, route, p.callback)


def all_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def api_operation_patterns() -> list[Pattern]:
    """The API's operations (covered by ``tests/api``' schema walk)."""
    return [p for p in all_patterns() if p.route.startswith(API_OPERATIONS_PREFIX)]


def page_patterns() -> list[Pattern]:
    """Everything else: pages, allauth, admin, packs, transparency, the API's schema and docs."""
    return [p for p in all_patterns() if not p.route.startswith(API_OPERATIONS_PREFIX)]

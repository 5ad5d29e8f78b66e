"""S4: no page or API address names an object by an integer id.

Like GOV.UK Notify's ``test_routes_require_uuids``: every URL pattern of the project is walked;
a captured parameter may be a UUID (``govreg.public_ids``), a slug checked by the permission
layer (S1), or a fixed word (a section, a kind), never an integer that could be counted through.
"""

import re
import uuid

import pytest
from django.urls import resolve
from django.urls.exceptions import Resolver404

from registers.models import AlgorithmicSystem
from tests.factories import SystemFactory

from .urlwalk import all_patterns

_INT_CONVERTER = re.compile(r"<int:(\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


# What a captured parameter naming an object is called (``pk``, ``aid``, ``concern_pk``, ``id``,
# ``uuid``). Other regex parameters are allauth's signed keys and the admin's catch-all.
_NAMES_AN_OBJECT = re.compile(r"^(?:pk|id|uuid|[a-z]id|\w+_(?:pk|id))$")


def integer_parameters(route: str) -> list[str]:
    """The parameters of ``route`` that accept a bare integer id."""
    found = _INT_CONVERTER.findall(route)
    for name, body in _REGEX_GROUP.findall(route):
        if _NAMES_AN_OBJECT.match(name) and re.fullmatch(body, "12345"):
            found.append(name)
    return found


def test_no_url_pattern_takes_an_integer_id():
    offenders = {p.route: params for p in all_patterns() if (params := integer_parameters(p.route))}
    assert not offenders, f"URL parameters that accept integer ids: {offenders}"


def test_the_walk_finds_the_patterns_that_name_objects():
    routes = [p.route for p in all_patterns()]
    assert len(routes) > 200
    assert any("<uuid:pk>/risks/<uuid:rid>/" in r for r in routes)
    assert any(r.startswith("api/v1/systems/") and r != "api/v1/systems/" for r in routes)


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("systems/<int:pk>/", ["pk"]),
        ("systems/<uuid:pk>/risks/<int:rid>/", ["rid"]),
        ("^api/v1/systems/(?P<uuid>[^/.]+)/$", ["uuid"]),
        ("^api/v1/systems/(?P<pk>[0-9]+)/$", ["pk"]),
        ("systems/<uuid:pk>/edit/<slug:section>/", []),
        ("^api/v1/systems/(?P<uuid>[0-9a-f-]{36})/$", []),
        ("^accounts/confirm-email/(?P<key>[-:\\w]+)/$", []),
    ],
)
def test_the_check_catches_integer_parameters(route, expected):
    assert integer_parameters(route) == expected


@pytest.mark.django_db
def test_a_system_page_is_not_found_by_its_integer_id():
    system = SystemFactory()
    assert isinstance(system.uuid, uuid.UUID)
    with pytest.raises(Resolver404):
        resolve(f"/systems/{system.pk}/")
    assert resolve(system.get_absolute_url()).kwargs == {"pk": system.uuid}


@pytest.mark.django_db
def test_each_object_gets_its_own_random_identifier():
    first, second = SystemFactory(), SystemFactory()
    assert first.uuid != second.uuid
    assert first.uuid.version == 4
    assert AlgorithmicSystem.objects.get(uuid=second.uuid) == second

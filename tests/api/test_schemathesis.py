"""Property-based run of every operation of /api/schema/ (schemathesis, bounded examples):
no server errors, and every response conforms to the schema (status code, content type,
headers and body). Cases schemathesis makes invalid on purpose must be refused.

All of schemathesis's checks run except ``positive_data_acceptance``: ids in filters and
bodies (a body's slug, a manager's id) refer to objects the schema cannot know, so a schema-valid
but unknown id is rightly refused with 400; and a version precondition that does not match
the record is rightly refused with 409, 412 or 428 (all documented)."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation as Location
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import services

from .world import World, public_id

pytestmark = pytest.mark.django_db

# The coverage phase (schemathesis's deterministic boundary and invalid values of every
# parameter and body field, and the methods an operation does not declare) runs in full; the
# random fuzzing phase adds this many examples per operation. Together they keep the whole run
# (every operation) at about a minute.
MAX_EXAMPLES = 5

# The schema as the running application serves it (no database is needed for that).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
# Undeclared methods that must be refused (405): e.g. PUT, PATCH and DELETE of a sign-off.
schema.config.phases.coverage.unexpected_methods = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def in_test_transaction(db):
    """Keep each call inside the test's transaction, as Django's test client does: the end of
    a request must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth(cast, other, outsider, in_test_transaction):
    """An HR officer's read-and-write token, and real objects of their body to aim at."""
    _token, raw = services.create_token(user=cast.hr, name="schemathesis", read_only=False)
    return {"Authorization": f"Bearer {raw}"}, World(cast, other, outsider)


def negative_at(case, *locations) -> bool:
    meta = case.meta
    return meta is not None and any(meta.is_negative_at(location) for location in locations)


def aim(case, world: World) -> None:
    """Half the calls aim at real objects (the other half at random ids: 404s). A path made
    invalid on purpose is left as it is."""
    params = case.path_parameters or {}
    if "id" not in params or hash(str(params["id"])) % 2 or negative_at(case, Location.PATH):
        return
    area = case.path.split("/")[3]
    params["id"] = public_id(world.object_of(area))
    if "section" in params:
        params["section"] = "processors" if "/rows/" in case.path else "need"
    if "row" in params:
        params["row"] = world.row


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_conforms_to_its_schema(case, auth):
    headers, world = auth
    cache.clear()  # rate limits are for people, not for this run
    aim(case, world)
    if negative_at(case, Location.HEADER, Location.COOKIE):
        headers = {}  # keep the invalid credentials schemathesis made: they must be refused
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

"""API lists answer in the same number of queries at 10 and at 500 systems."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api import services
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db

# token (1: token + user) + memberships (1) + count (1) + rows (1), with room for the
# session-authenticated variant
BUDGET = 8


def count_queries(client, url, params=None) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/systems/", {}),
        ("/api/v1/systems/", {"q": "System", "lifecycle_stage": "planning", "ordering": "-name"}),
        ("/api/v1/systems/", {"page_size": 200}),
        ("/api/v1/systems/export/", {"format": "csv"}),
        ("/api/v1/systems/export/", {"format": "json"}),
    ],
)
def test_list_queries_do_not_grow_with_the_register(
    cast, url, params, django_assert_max_num_queries
):
    _token, raw = services.create_token(user=cast.hr, name="count")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    SystemFactory.create_batch(10, organisation=cast.organisation, accountable_manager=cast.manager)
    client.get(url, params)  # the first use of a token records it (once a minute at most)
    small, _sql = count_queries(client, url, params)
    SystemFactory.create_batch(
        490, organisation=cast.organisation, accountable_manager=cast.manager
    )
    with django_assert_max_num_queries(BUDGET):
        large, sql = count_queries(client, url, params)
    assert large == small, "\n".join(sql)


def test_detail_queries_are_fixed(cast, django_assert_max_num_queries):
    system = SystemFactory(organisation=cast.organisation, accountable_manager=cast.manager)
    client = APIClient()
    client.force_login(cast.auditor)
    # session, user, memberships, system (+ organisation, manager), model specs, data specs
    with django_assert_max_num_queries(7):
        assert client.get(f"/api/v1/systems/{system.pk}/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(f"/api/v1/systems/{system.pk}/atrs/").status_code == 200

"""The public register, its pages and its data answer in the same number of queries at 10 and
at 500 published systems."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registers.models import DataSpecification, ModelSpecification
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db

BUDGET = 8


def publish(organisation, n):
    systems = SystemFactory.create_batch(
        n, organisation=organisation, publication_status="published"
    )
    ModelSpecification.objects.bulk_create(
        ModelSpecification(system=s, model_name="m") for s in systems
    )
    DataSpecification.objects.bulk_create(
        DataSpecification(system=s, source_data_name="d") for s in systems
    )
    return systems


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), "\n".join(q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/transparency/", {}),
        ("/cy/transparency/", {}),
        ("/transparency/", {"q": "System", "stage": "planning", "organisation": "body"}),
        ("/transparency/body/", {}),
        ("/transparency/register.json", {}),
        ("/transparency/register.csv", {}),
        ("/transparency/body/register.json", {}),
        ("/sitemap.xml", {}),
    ],
)
def test_public_queries_do_not_grow(
    client, body, other_body, url, params, django_assert_max_num_queries
):
    publish(body, 5)
    publish(other_body, 5)
    small, _ = queries(client, url, params)
    publish(body, 245)
    publish(other_body, 245)
    with django_assert_max_num_queries(BUDGET):
        large, sql = queries(client, url, params)
    assert large == small, sql


def test_a_system_page_has_a_fixed_number_of_queries(client, body, django_assert_max_num_queries):
    system = publish(body, 1)[0]
    # system (with organisation), model specifications, data specifications
    with django_assert_max_num_queries(3):
        assert client.get(f"/transparency/{body.slug}/{system.reference}/").status_code == 200

"""The register list and the system page cost the same number of queries at any size."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registers import services
from registers.models import Attachment, DataSpecification, ModelSpecification
from registers.sections import BY_SLUG
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), "\n".join(q["sql"] for q in ctx.captured_queries)


def test_register_list_queries_do_not_grow(client, cast):
    client.force_login(cast.hr)
    SystemFactory.create_batch(5, organisation=cast.organisation, accountable_manager=cast.manager)
    small, _ = count_queries(client, reverse("registers:system_list"))
    SystemFactory.create_batch(
        495, organisation=cast.organisation, accountable_manager=cast.manager
    )
    large, sql = count_queries(client, reverse("registers:system_list"))
    assert large == small, sql
    # session, user, memberships, filter choices (organisations, managers), count, rows
    assert large <= 10, sql


def test_filtered_register_queries_do_not_grow(client, cast):
    client.force_login(cast.hr)
    url = (
        reverse("registers:system_list")
        + f"?lifecycle_stage=planning&organisation={cast.organisation.slug}&q=System"
    )
    SystemFactory.create_batch(5, organisation=cast.organisation)
    small, _ = count_queries(client, url)
    SystemFactory.create_batch(200, organisation=cast.organisation)
    large, sql = count_queries(client, url)
    assert large == small, sql


def add_parts(system, cast, numbers):
    for i in numbers:
        ModelSpecification.objects.create(system=system, model_name=f"Model {i}")
        DataSpecification.objects.create(system=system, source_data_name=f"Data {i}")
        services.update_section(
            system,
            actor=cast.hr,
            section=BY_SLUG["rationale"],
            data={"scope": f"v{i}"},
            expected_fingerprint=None,
        )
        Attachment.objects.create(
            system=system,
            uuid=uuid.uuid4(),
            title=f"Doc {i}",
            file=f"evidence/x{i}.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=cast.hr,
        )


def test_system_page_queries_do_not_grow(client, cast, system):
    client.force_login(cast.auditor)
    url = reverse("registers:system_detail", args=[system.uuid])
    add_parts(system, cast, range(5))
    client.get(url)  # per-process caches (content types) filled, as in any later request
    small, _ = count_queries(client, url)
    add_parts(system, cast, range(5, 100))
    large, sql = count_queries(client, url)
    assert large == small, sql
    # Session, user, memberships; the system, its model and data specifications; current
    # assessments; consultations and sign-offs (each read once for the gate and its section);
    # moves, post-deployment audits, review intervals; action counts, heat map, top risks,
    # overdue actions; concern and rights-request counts, open concerns; comment threads;
    # packs; evidence; history.
    assert large == 23, sql

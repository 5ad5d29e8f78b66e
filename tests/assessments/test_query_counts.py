"""The pages keep a constant number of SQL queries whatever the number of risks, actions and
versions: the count measured with 5 is the ceiling with 100."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.choices import Kind, Status
from assessments.models import Action, ActionUpdate, Assessment, Risk

from .conftest import approve, complete_dpia

pytestmark = pytest.mark.django_db


def grow(system, user, n):
    """``n`` more risks (varied scores and statuses) and ``n`` actions, each with an update."""
    start = Risk.objects.filter(system=system).count()
    today = timezone.localdate()
    risks = Risk.objects.bulk_create(
        Risk(
            system=system,
            number=start + i + 1,
            category="INTENS",
            description=f"Risk {i}",
            likelihood=i % 5 + 1,
            impact=(i // 5) % 5 + 1,
            owner="Owner",
            status=["open", "mitigating", "closed"][i % 3],
            residual_likelihood=1 if i % 2 else None,
            residual_impact=1 if i % 2 else None,
            created_by=user,
        )
        for i in range(n)
    )
    actions = Action.objects.bulk_create(
        Action(
            system=system,
            number=start + i + 1,
            description=f"Action {i}",
            owner="Lead",
            due_date=today + dt.timedelta(days=(i % 7) - 3),
            risk=risks[i],
            created_by=user,
        )
        for i in range(n)
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(action=a, on=today, progress="progressing", note="Update", author=user)
        for a in actions
    )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def assert_constant(client, django_assert_max_num_queries, url, system, user):
    grow(system, user, 5)
    small = queries(client, url)
    grow(system, user, 95)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    return small


@pytest.fixture
def logged_in(client, cast):
    client.force_login(cast.hr)
    return client


def test_system_page_with_5_and_100_risks_and_actions(
    logged_in, django_assert_max_num_queries, system, cast, questionnaire
):
    approve(complete_dpia(system, cast.hr), cast.hr, cast.manager)
    assert_constant(
        logged_in, django_assert_max_num_queries, f"/systems/{system.uuid}/", system, cast.hr
    )


def test_risk_register_with_5_and_100_risks(logged_in, django_assert_max_num_queries, system, cast):
    assert_constant(
        logged_in,
        django_assert_max_num_queries,
        f"/systems/{system.uuid}/risks/?closed=1",
        system,
        cast.hr,
    )


def test_action_plan_with_5_and_100_actions(logged_in, django_assert_max_num_queries, system, cast):
    assert_constant(
        logged_in,
        django_assert_max_num_queries,
        f"/systems/{system.uuid}/actions/",
        system,
        cast.hr,
    )


def test_dashboard_with_5_and_100_risks_and_actions(
    logged_in, django_assert_max_num_queries, system, cast
):
    assert_constant(logged_in, django_assert_max_num_queries, "/", system, cast.hr)


def test_overview_and_detail_with_2_and_20_versions(
    logged_in, django_assert_max_num_queries, system, cast
):
    def versions(n):
        base = Assessment.objects.filter(system=system, kind=Kind.EQIA).count()
        Assessment.objects.bulk_create(
            Assessment(
                system=system,
                kind=Kind.EQIA,
                version=base + i + 1,
                status=Status.SUPERSEDED,
                prepared_by=cast.hr,
                approved_by=cast.manager,
                approved_at=timezone.now(),
                content_hash="0" * 64,
            )
            for i in range(n)
        )

    dpia = complete_dpia(system, cast.hr)
    versions(2)
    overview = queries(logged_in, f"/systems/{system.uuid}/assessments/")
    detail = queries(logged_in, f"/systems/{system.uuid}/assessments/{dpia.uuid}/")
    versions(18)
    with django_assert_max_num_queries(overview):
        logged_in.get(f"/systems/{system.uuid}/assessments/")
    with django_assert_max_num_queries(detail):
        logged_in.get(f"/systems/{system.uuid}/assessments/{dpia.uuid}/")

"""The dashboard's oversight panels for each role, across bodies for a partnership-council
member, and constant query counts on the pages this app adds to."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from oversight import panels, services
from registers.models import AlgorithmicSystem
from tests.factories import MembershipFactory, SystemFactory

from .conftest import conclude_consultation, edit, fresh, sign
from .test_audits import record

pytestmark = pytest.mark.django_db

ROLES = ["hr", "rep", "manager", "auditor", "admin"]


def today():
    return timezone.localdate()


@pytest.fixture
def landscape(cast, signed_system):
    """One system needing a new signature, one never signed, an overdue and an upcoming review."""
    edit(signed_system, cast.hr, "rationale", scope="Changed after the signature.")
    unsigned = SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage="in_use",
        name="Unsigned monitor",
        next_review_date=today() - dt.timedelta(days=3),
    )
    soon = SystemFactory(
        organisation=cast.organisation,
        lifecycle_stage="pilot",
        name="Soon reviewed",
        next_review_date=today() + dt.timedelta(days=10),
    )
    return {"stale": fresh(signed_system), "unsigned": unsigned, "soon": soon}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_what_needs_attention_in_its_body(client, cast, other, landscape, role):
    SystemFactory(
        organisation=other.organisation,
        lifecycle_stage="in_use",
        name="Elsewhere",
        next_review_date=today() - dt.timedelta(days=9),
    )
    client.force_login(cast.by_role(role))
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    data = {p.key: d for p, d in response.context["panels"]}["oversight-attention"]
    assert [s.pk for s in data["resign"]] == [landscape["stale"].pk]
    # Systems in development or later without a sign-off, by name.
    assert [s.pk for s in data["unsigned"]] == [landscape["soon"].pk, landscape["unsigned"].pk]
    assert [s.pk for s in data["reviews_overdue"]] == [landscape["unsigned"].pk]
    assert [s.pk for s in data["reviews_upcoming"]] == [landscape["soon"].pk]
    assert data["review_counts"] == {"overdue": 1, "upcoming": 1, "unscheduled": 0}
    assert "Elsewhere" not in html
    assert "Needs attention" in html and "Re-sign required" in html
    assert ("yours to sign" in html) is (role == "manager")


def test_the_counts_by_stage_and_level_come_as_a_chart_and_a_table(client, cast, landscape):
    client.force_login(cast.auditor)
    response = client.get(reverse("dashboard"))
    data = {p.key: d for p, d in response.context["panels"]}["oversight-overview"]
    by_stage = {row["stage"].value: row["total"] for row in data["stage_rows"]}
    assert by_stage == {
        "planning": 0,
        "tender_award": 0,
        "development": 1,
        "pilot": 1,
        "in_use": 1,
        "paused": 0,
        "retired": 0,
    }
    level = services.impact_level(landscape["stale"])
    by_level = {row["key"]: row["value"] for row in data["level_totals"]}
    assert by_level[level] == 1 and by_level[""] == 2
    html = response.content.decode()
    assert '<svg class="app-chart"' in html and 'role="img"' in html
    assert (
        '<desc id="chart-stage-desc">Planning: 0; Tender and award: 0; Development and customisation: 1;'
        in html
    )
    assert "Show the figures as a table" in html
    assert "Systems by lifecycle stage and impact level" in html  # the table's caption
    assert data["bodies"] == []  # one body: no comparison table


def test_a_partnership_council_member_sees_every_body_they_can_see(client, cast, other, landscape):
    SystemFactory(
        organisation=other.organisation,
        lifecycle_stage="in_use",
        next_review_date=today() - dt.timedelta(days=1),
    )
    MembershipFactory(user=cast.auditor, organisation=other.organisation, role=Role.AUDITOR)
    client.force_login(cast.auditor)
    response = client.get(reverse("dashboard"))
    panels_data = {p.key: d for p, d in response.context["panels"]}
    overview = panels_data["oversight-overview"]
    rows = {row["organisation"].slug: row for row in overview["bodies"]}
    assert set(rows) == {cast.organisation.slug, other.organisation.slug}
    assert (
        rows[cast.organisation.slug]["resign"] == 1 and rows[cast.organisation.slug]["total"] == 3
    )
    assert (
        rows[other.organisation.slug]["reviews_overdue"] == 1
        and rows[other.organisation.slug]["total"] == 1
    )
    assert overview["total"] == 4
    assert panels_data["oversight-attention"]["review_counts"]["overdue"] == 2
    assert "By body" in response.content.decode()


def test_someone_with_no_role_sees_no_oversight_panels(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Needs attention" not in response.content.decode()


def test_an_administrator_gets_a_link_to_the_review_intervals(client, cast, landscape):
    client.force_login(cast.admin)
    html = client.get(reverse("dashboard")).content.decode()
    assert reverse("oversight:review_policy", args=[cast.organisation.slug]) in html
    client.force_login(cast.hr)
    assert (
        reverse("oversight:review_policy", args=[cast.organisation.slug])
        not in client.get(reverse("dashboard")).content.decode()
    )


# --- Query counts -------------------------------------------------------------------------------


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(cast, n):
    """``n`` more systems with sign-offs (some out of date), moves, audits and reviews."""
    for i in range(n):
        system = SystemFactory(
            organisation=cast.organisation,
            accountable_manager=cast.manager,
            lifecycle_stage="in_use",
            next_review_date=today() + dt.timedelta(days=i - n // 2),
        )
        sign(system, cast.manager, "refused", statement=f"Refused {i}.")
        record(system, cast.hr, bias_rows=[])
        if i % 2:
            services.pause(fresh(system), actor=cast.manager, reason="Paused.")


def test_the_dashboard_runs_the_same_queries_whatever_the_data_size(
    client, cast, landscape, django_assert_max_num_queries
):
    client.force_login(cast.manager)
    grow(cast, 2)
    client.get(reverse("dashboard"))  # warm the per-process caches
    small = count(client, reverse("dashboard"))
    grow(cast, 12)
    edit(landscape["stale"], cast.hr, "rationale", scope="Changed again.")
    assert count(client, reverse("dashboard")) == small
    with django_assert_max_num_queries(small):
        client.get(reverse("dashboard"))


def test_the_oversight_panels_have_fixed_query_budgets(cast, landscape, django_assert_num_queries):
    from accounts.permissions import forget_memberships

    grow(cast, 3)
    forget_memberships(cast.hr)
    with django_assert_num_queries(
        9
    ):  # memberships, 2 counts, 2 sign-off lists, 2 review lists, actions, concerns
        panels.attention_context(cast.hr)
    with django_assert_num_queries(1):  # stage × level (memberships are cached now)
        panels.overview_context(cast.hr)


def test_the_system_page_runs_the_same_queries_however_long_its_history(
    client, cast, signed_system, django_assert_max_num_queries
):
    client.force_login(cast.manager)
    url = reverse("registers:system_detail", args=[signed_system.uuid])
    services.change_stage(fresh(signed_system), actor=cast.hr, to_stage="pilot", reason="Pilot.")
    conclude_consultation(signed_system, cast)  # the pilot's (deployment) consultation
    edit(signed_system, cast.hr, "rationale", scope="A change.")
    client.get(url)  # warm the per-process caches (content types)
    small = count(client, url)
    for i in range(6):
        edit(signed_system, cast.hr, "rationale", scope=f"Change {i}.")
        edit(signed_system, cast.hr, "readiness", readiness_check=f"Check {i}.")
        sign(signed_system, cast.manager, statement=f"Signed again {i}.")
        record(
            fresh(signed_system),
            cast.hr,
            bias_rows=[services.BiasRow("age", "55+", "selection_rate_ratio", 1, 0.8)],
        )
        services.pause(fresh(signed_system), actor=cast.manager, reason="Paused.")
        services.restart(
            fresh(signed_system), actor=cast.manager, to_stage="pilot", reason="Fixed."
        )
    edit(signed_system, cast.hr, "rationale", scope="Stale again.")
    assert count(client, url) == small
    with django_assert_max_num_queries(small):
        client.get(url)


def test_the_panel_of_the_system_page_has_a_fixed_query_budget(
    cast, signed_system, django_assert_num_queries
):
    edit(signed_system, cast.hr, "rationale", scope="A change.")
    system = AlgorithmicSystem.objects.for_detail().get(pk=signed_system.pk)  # as the page has it
    services.impact_level(system)  # the current assessments, shared with the gate on the page
    from accounts.permissions import memberships

    memberships(cast.manager)
    # sign-offs (the latest among them), events after it, approved assessments and concluded
    # consultations (the content hash), moves, audits, review policy
    with django_assert_num_queries(7):
        panels.system_panel_context(system, cast.manager)

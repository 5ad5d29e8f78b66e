"""List and detail pages and panels run a fixed number of queries whatever the data size.

Each test measures at a small size, grows the data several-fold, and asserts the count did
not grow (``django_assert_max_num_queries``). Panels are also held to an absolute number.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.choices import Agreement, Stage
from consultations.panels import comments_panel_context, dashboard_context, system_panel_context
from tests.factories import SystemFactory

from .conftest import attendees, rep_union

pytestmark = pytest.mark.django_db


def grow(cast, system, n: int) -> None:
    """Add ``n`` of everything about ``system`` (consultations concluded so more can start)."""
    for i in range(n):
        stage = list(Stage)[i % len(Stage)]
        for earlier in system.consultations.filter(stage=stage, status="open"):
            services.conclude_consultation(
                earlier, actor=cast.hr, outcome=Agreement.AGREED, outcome_summary=""
            )
        consultation = services.create_consultation(
            actor=cast.hr,
            system=system,
            stage=stage,
            unions=[rep_union(cast)],
            summary=f"Round {i}",
        )
        services.open_consultation(consultation, actor=cast.hr)
        services.record_meeting(
            consultation,
            actor=cast.hr,
            held_on=timezone.localdate() - dt.timedelta(days=i),
            attendees=attendees(cast),
        )
        services.share(consultation, actor=cast.hr, obj=system)
        services.share_document(consultation, actor=cast.hr, title=f"Doc {i}")
        services.record_position(
            consultation, actor=cast.rep, position=Agreement.AGREED, statement="Yes."
        )
        services.update_points(
            consultation,
            actor=cast.rep,
            values={p.pk: (True, "noted") for p in consultation.points.all()},
        )
        thread = services.add_comment(
            actor=cast.rep, system=system, target=consultation, body=f"Thread {i}"
        )
        services.add_comment(actor=cast.hr, system=system, target=None, parent=thread, body="Reply")
        record_thread = services.add_comment(
            actor=cast.rep, system=system, target=system, body=f"On the record {i}"
        )
        services.add_comment(
            actor=cast.manager, system=system, target=None, parent=record_thread, body="Reply"
        )
        services.mark_comment_as_concern(
            record_thread, actor=cast.rep, category="VOICE", summary=f"From comment {i}"
        )
        concern = services.raise_concern(
            actor=cast.rep, system=system, category="INTENS", summary=f"C{i}", details="d"
        )
        services.respond_to_concern(concern, actor=cast.hr, text="Answer")
        services.log_rights_request(
            actor=cast.hr,
            system=system,
            case_reference=f"R-{system.pk}-{i}-{timezone.now().timestamp()}",
            kind="access",
            received_on=timezone.localdate(),
            decision_reference="",
            requester_details="",
            summary="",
        )


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def assert_flat(client, django_assert_max_num_queries, cast, system, url_of):
    grow(cast, system, 1)
    small = count(client, url_of())
    grow(cast, system, 8)
    url = url_of()
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["hr", "rep", "auditor"])
def test_the_consultation_page(client, cast, system, role, django_assert_max_num_queries):
    client.force_login(cast.by_role(role))

    def url():
        latest = system.consultations.order_by("-pk").first()
        return reverse("consultations:detail", args=[system.uuid, latest.uuid])

    assert_flat(client, django_assert_max_num_queries, cast, system, url)


@pytest.mark.parametrize(
    "name", ["consultations:list", "consultations:concern_list", "consultations:rights_list"]
)
def test_the_list_pages(client, cast, system, name, django_assert_max_num_queries):
    client.force_login(cast.rep)
    assert_flat(
        client,
        django_assert_max_num_queries,
        cast,
        system,
        lambda: reverse(name, args=[system.uuid]),
    )


def test_the_share_page(client, cast, system, django_assert_max_num_queries):
    client.force_login(cast.hr)

    def url():
        latest = system.consultations.order_by("-pk").first()
        return reverse("consultations:share", args=[system.uuid, latest.uuid])

    assert_flat(client, django_assert_max_num_queries, cast, system, url)


def test_the_system_page_does_not_grow_with_consultation_data(
    client, cast, system, django_assert_max_num_queries
):
    client.force_login(cast.rep)
    assert_flat(
        client,
        django_assert_max_num_queries,
        cast,
        system,
        lambda: reverse("registers:system_detail", args=[system.uuid]),
    )


@pytest.mark.parametrize("role", ["rep", "hr"])
def test_the_dashboard_does_not_grow(client, cast, system, role, django_assert_max_num_queries):
    client.force_login(cast.by_role(role))
    grow(cast, system, 1)
    small = count(client, reverse("dashboard"))
    grow(cast, system, 4)
    grow(cast, SystemFactory(organisation=cast.organisation), 4)
    with django_assert_max_num_queries(small):
        client.get(reverse("dashboard"))


def test_the_panels_run_a_fixed_small_number_of_queries(
    cast, system, django_assert_max_num_queries
):
    from accounts.permissions import memberships

    grow(cast, system, 6)
    memberships(cast.rep)  # cached per request by the page
    memberships(cast.hr)
    with django_assert_max_num_queries(
        6
    ):  # consultations, unions, positions, 2 aggregates, concerns
        data = system_panel_context(system, cast.rep)
    assert len(data["consultations"]) == 6 and data["concern_counts"]["total"] == 12
    with django_assert_max_num_queries(4):  # content type, threads, replies, reps
        data = comments_panel_context(system, cast.rep)
    assert len(data["threads"]) == 6
    with django_assert_max_num_queries(3):  # awaiting, concerns, disclosures
        data = dashboard_context(cast.rep)
    assert data["is_rep"] and data["disclosures"]
    with django_assert_max_num_queries(1):  # concerns awaiting a response
        data = dashboard_context(cast.hr)
    assert data["is_responder"] and not data["is_rep"]

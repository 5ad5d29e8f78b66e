"""API lists and downloads answer in the same number of queries however long they are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
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
        assert client.get(f"/api/v1/systems/{system.uuid}/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(f"/api/v1/systems/{system.uuid}/atrs/").status_code == 200


# --- every other list and download: 10 rows and 200 rows, the same queries -------------------

LIST_BUDGET = 10


def _risks(cast, system, start, n):
    from assessments.models import Risk

    Risk.objects.bulk_create(
        Risk(
            system=system,
            number=start + i,
            category="SURV",
            description=f"Risk {start + i}",
            likelihood=1 + i % 5,
            impact=1 + (i // 5) % 5,
            owner="HR",
            created_by=cast.hr,
        )
        for i in range(n)
    )


def _actions(cast, system, start, n):
    from assessments.models import Action

    risk = _one_risk(cast, system)
    Action.objects.bulk_create(
        Action(
            system=system,
            number=start + i,
            description=f"Action {start + i}",
            owner="HR",
            due_date=timezone.localdate(),
            risk=risk if i % 2 else None,
            created_by=cast.hr,
        )
        for i in range(n)
    )


def _one_risk(cast, system):
    from assessments.models import Risk

    return Risk.objects.filter(system=system).first() or Risk.objects.create(
        system=system,
        number=10_000,
        category="SURV",
        description="Linked",
        likelihood=2,
        impact=2,
        owner="HR",
        created_by=cast.hr,
    )


def _assessments(cast, system, start, n):
    from assessments.models import Assessment

    Assessment.objects.bulk_create(
        Assessment(
            system=system,
            kind="dpia",
            version=start + i,
            status="superseded",
            content={"need": "x"},
            prepared_by=cast.hr,
            approved_by=cast.manager,
            approved_at=timezone.now(),
            content_hash="a" * 64,
        )
        for i in range(n)
    )


def _consultations(cast, system, start, n):
    from accounts.models import Membership
    from consultations.models import Consultation

    union = Membership.objects.get(user=cast.rep).union
    made = Consultation.objects.bulk_create(
        Consultation(
            system=system,
            stage="planning",
            status="concluded",
            outcome="agreed",
            concluded_at=timezone.now(),
            created_by=cast.hr,
        )
        for _ in range(n)
    )
    Consultation.unions.through.objects.bulk_create(
        Consultation.unions.through(consultation_id=c.pk, union_id=union.pk) for c in made
    )


def _comments(cast, system, start, n):
    from django.contrib.contenttypes.models import ContentType

    from consultations.models import Comment

    content_type = ContentType.objects.get_for_model(system)
    threads = Comment.objects.bulk_create(
        Comment(
            system=system,
            content_type=content_type,
            object_id=str(system.pk),
            target_label="System record",
            author=cast.rep if i % 2 else cast.hr,
            body=f"Thread {start + i}",
        )
        for i in range(n)
    )
    Comment.objects.bulk_create(
        Comment(
            system=system,
            content_type=content_type,
            object_id=str(system.pk),
            target_label="System record",
            parent=thread,
            author=cast.manager,
            body="Reply",
        )
        for thread in threads
    )


def _concerns(cast, system, start, n):
    from accounts.models import Membership
    from consultations.models import Concern

    union = Membership.objects.get(user=cast.rep).union
    Concern.objects.bulk_create(
        Concern(
            system=system,
            source="rep",
            raised_by=cast.rep,
            union=union,
            category="INTENS",
            summary=f"Concern {start + i}",
            details="Details",
            due_on=timezone.localdate(),
        )
        for i in range(n)
    )


def _rights_requests(cast, system, start, n):
    from consultations.models import RightsRequest

    RightsRequest.objects.bulk_create(
        RightsRequest(
            system=system,
            case_reference=f"CASE-{start + i}",
            kind="access",
            received_on=timezone.localdate(),
            due_on=timezone.localdate(),
            requester_details="Employee",
            recorded_by=cast.hr,
        )
        for i in range(n)
    )


def _signoffs(cast, system, start, n):
    from oversight.models import SignOff

    SignOff.objects.bulk_create(
        SignOff(
            system=system,
            decision="refused",
            statement="Not yet.",
            content_hash="b" * 64,
            snapshot={"record": {"name": system.name}},
            record_version=1,
            lifecycle_stage="planning",
            signed_by=cast.manager,
            signed_at=timezone.now(),
            reauthenticated_with="password",
        )
        for _ in range(n)
    )


def _packs(cast, system, start, n):
    from packs.models import AuditPack

    made = AuditPack.objects.bulk_create(
        AuditPack(
            scope="system",
            system=system,
            organisation=cast.organisation,
            title=f"Pack {start + i}",
            language="en",
            content_key=f"key-{start + i}",
            requested_by=cast.auditor,
        )
        for i in range(n)
    )
    AuditPack.organisations.through.objects.bulk_create(
        AuditPack.organisations.through(auditpack_id=p.pk, organisation_id=cast.organisation.pk)
        for p in made
    )


AREAS = [
    ("/api/v1/assessments/", {}, _assessments),
    ("/api/v1/risks/", {"ordering": "-score"}, _risks),
    ("/api/v1/risks/export/", {"format": "csv"}, _risks),
    ("/api/v1/actions/", {"overdue": "false"}, _actions),
    ("/api/v1/actions/export/", {"format": "json"}, _actions),
    ("/api/v1/consultations/", {}, _consultations),
    ("/api/v1/comments/", {}, _comments),
    ("/api/v1/concerns/", {"status": "open"}, _concerns),
    ("/api/v1/concerns/export/", {"format": "csv"}, _concerns),
    ("/api/v1/rights-requests/", {}, _rights_requests),
    ("/api/v1/rights-requests/export/", {"format": "csv"}, _rights_requests),
    ("/api/v1/sign-offs/", {}, _signoffs),
    ("/api/v1/packs/", {}, _packs),
]


@pytest.mark.parametrize(("url", "params", "make"), AREAS, ids=[f"{a[0]}{a[1]}" for a in AREAS])
@pytest.mark.parametrize("role", ["hr", "auditor"])
def test_every_list_answers_in_the_same_queries_at_10_and_200_rows(
    cast, system, url, params, make, role, django_assert_max_num_queries
):
    _token, raw = services.create_token(user=cast.by_role(role), name="count")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    make(cast, system, 1, 10)
    client.get(url, params)  # the first use of a token records it (once a minute at most)
    small, _sql = count_queries(client, url, {**params, "page_size": 200})
    make(cast, system, 11, 190)
    with django_assert_max_num_queries(LIST_BUDGET):
        large, sql = count_queries(client, url, {**params, "page_size": 200})
    assert large == small, "\n".join(sql)

"""Every page and action of the assessments app for every role, in their own body and in
another: another body's object is a 404, a disallowed action on one's own body's is a 403."""

import datetime as dt

import pytest
from django.utils import timezone

from assessments import services
from assessments.choices import Kind

from .conftest import approve, complete_aia, complete_dpia, start

pytestmark = pytest.mark.django_db

ROLES = ["hr", "rep", "manager", "auditor", "admin"]
EVERYONE = dict.fromkeys(ROLES, 200)
PREPARERS = {"hr": 200, "admin": 200, "rep": 403, "manager": 403, "auditor": 403}
APPROVERS = {"admin": 200, "manager": 200, "hr": 403, "rep": 403, "auditor": 403}


@pytest.fixture
def world(system, cast, questionnaire):
    """A draft DPIA (with a risk row), an AIA in review, an approved EqIA v1 + draft v2,
    a register risk and an action."""
    dpia = complete_dpia(system, cast.hr)
    aia = complete_aia(system, cast.hr, questionnaire)
    services.submit(aia, actor=cast.hr)
    from .conftest import complete_eqia

    eqia1 = approve(complete_eqia(system, cast.hr), cast.hr, cast.admin)
    eqia2 = start(system, Kind.EQIA, cast.hr)
    risk = services.create_risk(
        system,
        actor=cast.hr,
        data={
            "category": "INTENS",
            "description": "Pace",
            "likelihood": 3,
            "impact": 4,
            "owner": "Head of Care",
            "status": "open",
        },
    )
    action = services.create_action(
        system,
        actor=cast.hr,
        data={
            "description": "Agree limits",
            "owner": "HR",
            "due_date": timezone.localdate() + dt.timedelta(days=10),
            "risk": risk,
        },
    )
    return {
        "system": system,
        "dpia": dpia,
        "aia": aia,
        "eqia1": eqia1,
        "eqia2": eqia2,
        "risk": risk,
        "action": action,
    }


def pages(w):
    s, d, a = w["system"].uuid, w["dpia"].uuid, w["aia"].uuid
    row = w["dpia"].content["risks"][0]["id"]
    return [
        (f"/systems/{s}/assessments/", EVERYONE),
        (f"/systems/{s}/assessments/{d}/", EVERYONE),
        (f"/systems/{s}/assessments/{a}/", EVERYONE),
        (f"/systems/{s}/assessments/{a}/result/", EVERYONE),
        (f"/systems/{s}/assessments/{w['eqia2'].uuid}/compare/", EVERYONE),
        (f"/systems/{s}/assessments/{d}/sections/need/", PREPARERS),
        (f"/systems/{s}/assessments/{d}/sections/risks/", PREPARERS),
        (f"/systems/{s}/assessments/{d}/sections/risks/add/", PREPARERS),
        (f"/systems/{s}/assessments/{d}/sections/risks/rows/{row}/", PREPARERS),
        (f"/systems/{s}/assessments/{d}/sections/risks/rows/{row}/remove/", PREPARERS),
        (f"/systems/{s}/assessments/{d}/check/", PREPARERS),
        (f"/systems/{s}/assessments/{a}/review/", APPROVERS),
        (f"/systems/{s}/risks/", EVERYONE),
        (f"/systems/{s}/risks/new/", PREPARERS),
        (f"/systems/{s}/risks/{w['risk'].uuid}/", EVERYONE),
        (f"/systems/{s}/risks/{w['risk'].uuid}/edit/", PREPARERS),
        (f"/systems/{s}/risks/{w['risk'].uuid}/accept/", APPROVERS),
        (f"/systems/{s}/actions/", EVERYONE),
        (f"/systems/{s}/actions/new/", PREPARERS),
        (f"/systems/{s}/actions/{w['action'].uuid}/", EVERYONE),
        (f"/systems/{s}/actions/{w['action'].uuid}/edit/", PREPARERS),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_in_its_own_body(client, world, cast, role):
    client.force_login(cast.by_role(role))
    wrong = []
    for url, expected in pages(world):
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append((url, status, expected[role]))
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_every_role_of_another_body_gets_404(client, world, other, role):
    client.force_login(other.by_role(role))
    wrong = [(url, client.get(url).status_code) for url, _e in pages(world)]
    assert [w for w in wrong if w[1] != 404] == []


def test_someone_with_no_membership_gets_404(client, world, outsider):
    client.force_login(outsider)
    assert {client.get(url).status_code for url, _e in pages(world)} == {404}


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for url, _e in pages(world):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_an_assessment_of_another_system_is_not_reachable_through_this_one(
    client, world, cast, other_system, other, questionnaire
):
    theirs = start(other_system, Kind.DPIA, other.hr)
    client.force_login(cast.hr)
    assert (
        client.get(f"/systems/{world['system'].uuid}/assessments/{theirs.uuid}/").status_code == 404
    )


def test_a_manager_not_accountable_for_the_system_cannot_review_or_accept(
    client, world, second_manager
):
    client.force_login(second_manager)
    s = world["system"].uuid
    assert client.get(f"/systems/{s}/assessments/{world['aia'].uuid}/review/").status_code == 403
    assert client.get(f"/systems/{s}/risks/{world['risk'].uuid}/accept/").status_code == 403
    assert client.get(f"/systems/{s}/assessments/{world['aia'].uuid}/").status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"),
    [("hr", 302), ("admin", 302), ("rep", 403), ("manager", 403), ("auditor", 403)],
)
def test_starting_an_assessment(client, system, cast, questionnaire, role, expected):
    client.force_login(cast.by_role(role))
    assert client.post(f"/systems/{system.uuid}/assessments/start/dpia/").status_code == expected


def test_starting_in_another_body_is_404(client, system, other):
    client.force_login(other.admin)
    assert client.post(f"/systems/{system.uuid}/assessments/start/dpia/").status_code == 404


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_posting_a_section_without_the_right_is_403_and_changes_nothing(client, world, cast, role):
    client.force_login(cast.by_role(role))
    s, d = world["system"].uuid, world["dpia"].uuid
    response = client.post(
        f"/systems/{s}/assessments/{d}/sections/need/", {"why_dpia_needed": "Changed"}
    )
    assert response.status_code == 403
    world["dpia"].refresh_from_db()
    assert world["dpia"].content["why_dpia_needed"] != "Changed"


@pytest.mark.parametrize("role", ["hr", "rep", "auditor"])
def test_approving_without_the_right_is_403(client, world, cast, role):
    client.force_login(cast.by_role(role))
    s, a = world["system"].uuid, world["aia"].uuid
    assert (
        client.post(f"/systems/{s}/assessments/{a}/review/", {"decision": "approve"}).status_code
        == 403
    )
    world["aia"].refresh_from_db()
    assert world["aia"].status == "in_review"


def test_the_approver_who_prepared_the_version_is_refused_with_an_explanation(client, system, cast):
    dpia = complete_dpia(system, cast.admin)
    services.submit(dpia, actor=cast.admin)
    client.force_login(cast.admin)
    page = client.get(f"/systems/{system.uuid}/assessments/{dpia.uuid}/review/").content.decode()
    assert "you cannot approve it" in page
    response = client.post(
        f"/systems/{system.uuid}/assessments/{dpia.uuid}/review/", {"decision": "approve"}
    )
    assert response.status_code == 403
    assert "someone else must approve it" in response.content.decode()
    dpia.refresh_from_db()
    assert dpia.status == "in_review"


def test_the_accountable_manager_approves_through_the_page(client, system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    client.force_login(cast.manager)
    response = client.post(
        f"/systems/{system.uuid}/assessments/{dpia.uuid}/review/", {"decision": "approve"}
    )
    assert response.status_code == 302
    dpia.refresh_from_db()
    assert dpia.status == "approved" and dpia.approved_by == cast.manager


def test_returning_for_changes_needs_a_comment(client, system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    client.force_login(cast.manager)
    url = f"/systems/{system.uuid}/assessments/{dpia.uuid}/review/"
    response = client.post(url, {"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert "<title>Error:" in response.content.decode()
    assert "Say what needs to change." in response.content.decode()
    response = client.post(url, {"decision": "return", "comment": "Add retention."})
    assert response.status_code == 302
    dpia.refresh_from_db()
    assert (dpia.status, dpia.returned_comment) == ("draft", "Add retention.")


def test_submitting_an_incomplete_assessment_lists_what_is_missing_with_links(client, system, cast):
    draft = start(system, Kind.DPIA, cast.hr)
    client.force_login(cast.hr)
    response = client.post(f"/systems/{system.uuid}/assessments/{draft.uuid}/check/")
    body = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in body
    assert "govuk-error-summary" in body
    assert (
        f"/systems/{system.uuid}/assessments/{draft.uuid}/sections/need/#id_aims_and_processing_type"
        in body
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_frozen_version_cannot_be_edited_through_the_page(client, system, cast):
    dpia = approve(complete_dpia(system, cast.hr), cast.hr, cast.manager)
    client.force_login(cast.hr)
    response = client.post(
        f"/systems/{system.uuid}/assessments/{dpia.uuid}/sections/need/",
        {"why_dpia_needed": "Changed"},
    )
    assert response.status_code == 302
    dpia.refresh_from_db()
    assert dpia.content["why_dpia_needed"] != "Changed"

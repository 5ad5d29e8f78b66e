"""Every register page for anonymous users, each role of the owning body and of another body."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROLES = ["hr", "rep", "manager", "auditor", "admin"]


def pages(system):
    return {
        "detail": reverse("registers:system_detail", args=[system.uuid]),
        "history": reverse("registers:system_history", args=[system.uuid]),
        "tasks": reverse("registers:system_tasks", args=[system.uuid]),
        "section": reverse("registers:section_edit", args=[system.uuid, "summary"]),
        "models": reverse("registers:section_edit", args=[system.uuid, "models"]),
        "evidence": reverse("registers:evidence_upload", args=[system.uuid]),
    }


# page: roles of the owning body that get 200 (the others get 403)
OWN_BODY = {
    "detail": set(ROLES),
    "history": set(ROLES),
    "tasks": {"hr", "admin"},
    "section": {"hr", "admin"},
    "models": {"hr", "admin"},
    "evidence": {"hr", "admin"},
}


@pytest.mark.parametrize("page", sorted(OWN_BODY))
def test_anonymous_users_are_sent_to_sign_in(client, system, page):
    url = pages(system)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", sorted(OWN_BODY))
@pytest.mark.parametrize("role", ROLES)
def test_own_body(client, cast, system, role, page):
    client.force_login(cast.by_role(role))
    response = client.get(pages(system)[page])
    assert response.status_code == (200 if role in OWN_BODY[page] else 403)


@pytest.mark.parametrize("page", sorted(OWN_BODY))
@pytest.mark.parametrize("role", ROLES)
def test_another_bodys_system_is_not_found(client, other, system, role, page):
    client.force_login(other.by_role(role))
    assert client.get(pages(system)[page]).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_register_lists_only_the_users_bodies(client, cast, other, system, other_system, role):
    client.force_login(cast.by_role(role))
    response = client.get(reverse("registers:system_list"))
    assert response.status_code == 200
    assert [s["uuid"] for s in response.context["systems"]] == [system.uuid]
    assert other_system.name not in response.content.decode()


def test_only_preparers_may_create_systems(client, cast):
    url = reverse("registers:system_create")
    for role in ROLES:
        client.force_login(cast.by_role(role))
        assert client.get(url).status_code == (200 if role in ("hr", "admin") else 403), role


def test_posting_a_section_of_another_bodys_system_changes_nothing(client, other, system):
    client.force_login(other.hr)
    url = reverse("registers:section_edit", args=[system.uuid, "summary"])
    response = client.post(url, {"name": "Hijacked", "one_sentence_description": "x"})
    assert response.status_code == 404
    system.refresh_from_db()
    assert system.name != "Hijacked"


def test_a_rep_cannot_post_a_section_of_their_own_body(client, cast, system):
    client.force_login(cast.rep)
    url = reverse("registers:section_edit", args=[system.uuid, "summary"])
    assert client.post(url, {"name": "Changed by rep"}).status_code == 403
    system.refresh_from_db()
    assert system.name != "Changed by rep"


def test_an_unknown_section_is_not_found(client, cast, system):
    client.force_login(cast.hr)
    assert client.get(reverse("registers:section_edit", args=[system.uuid, "nope"])).status_code == 404


def test_sign_in_with_email_and_password(client, cast):
    response = client.post(
        reverse("account_login"), {"login": cast.hr.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"] == cast.hr


def test_wrong_password_shows_a_clear_error(client, cast):
    response = client.post(reverse("account_login"), {"login": cast.hr.email, "password": "nope"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not response.context["user"].is_authenticated

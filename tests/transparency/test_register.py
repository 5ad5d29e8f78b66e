"""The public register: every body's published systems, searchable and filterable, bilingual."""

import pytest

from registers.choices import LifecycleStage, PublicationStatus
from tests.factories import OrganisationFactory, SystemFactory

from .helpers import published_system, secret, unpublished_system

pytestmark = pytest.mark.django_db


def test_anyone_sees_every_bodys_published_systems_and_nothing_else(client, body, other_body):
    mark = secret()
    ours = published_system(body, marker=mark, name="Rota planner")
    theirs = published_system(other_body, marker=mark, name="Shift matcher")
    unpublished_system(body, marker=mark)
    unpublished_system(other_body, marker=mark, status=PublicationStatus.WITHDRAWN)
    response = client.get("/transparency/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rota planner" in html and "Shift matcher" in html
    assert f"/transparency/{body.slug}/{ours.reference}/" in html
    assert f"/transparency/{other_body.slug}/{theirs.reference}/" in html
    assert mark not in html
    assert "2 published systems" in html


def test_search_finds_words_in_english_and_welsh(client, body):
    published_system(body, marker=secret(), name="Rota planner", name_cy="Cynllunydd rota")
    published_system(body, marker=secret(), name="Recruitment screener", external_supplier="HireCo")
    html = client.get("/transparency/", {"q": "cynllunydd"}).content.decode()
    assert "Rota planner" in html and "Recruitment screener" not in html
    assert "1 system matches your search" in html
    html = client.get("/transparency/", {"q": "hireco"}).content.decode()
    assert "Recruitment screener" in html and "Rota planner" not in html


def test_filters_by_body_and_stage(client, body, other_body):
    published_system(
        body, marker=secret(), name="Paused tool", lifecycle_stage=LifecycleStage.PAUSED
    )
    published_system(body, marker=secret(), name="Live tool", lifecycle_stage=LifecycleStage.IN_USE)
    published_system(
        other_body, marker=secret(), name="Their tool", lifecycle_stage=LifecycleStage.PAUSED
    )
    html = client.get(
        "/transparency/", {"organisation": body.slug, "stage": "paused"}
    ).content.decode()
    assert "Paused tool" in html
    assert "Live tool" not in html and "Their tool" not in html


def test_the_body_filter_offers_only_bodies_with_published_systems(client, body, other_body):
    silent = OrganisationFactory(slug="silent-body", name="Silent Body")
    unpublished_system(silent, marker=secret())
    published_system(body, marker=secret())
    html = client.get("/transparency/").content.decode()
    assert body.name in html
    assert "Silent Body" not in html
    assert client.get("/transparency/silent-body/").status_code == 404


def test_an_unknown_filter_value_is_an_error_not_a_crash(client, body):
    published_system(body, marker=secret(), name="Live tool")
    response = client.get("/transparency/", {"stage": "bogus", "organisation": "nobody"})
    assert response.status_code == 200
    assert "govuk-error-message" in response.content.decode()


def test_each_body_has_its_own_page(client, body, other_body):
    published_system(body, marker=secret(), name="Ours")
    published_system(other_body, marker=secret(), name="Theirs")
    response = client.get(f"/transparency/{body.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ours" in html and "Theirs" not in html
    assert f"/transparency/{body.slug}/register.json" in html


def test_the_welsh_register_shows_the_welsh_content_the_body_entered(client, body):
    published_system(
        body,
        marker=secret(),
        name="Rota planner",
        name_cy="Cynllunydd rota",
        one_sentence_description="Plans rotas.",
        one_sentence_description_cy="Yn cynllunio rotâu.",
    )
    published_system(body, marker=secret(), name="English only tool", name_cy="")
    html = client.get("/cy/transparency/").content.decode()
    assert 'lang="cy"' in html
    assert "Cynllunydd rota" in html and "Yn cynllunio rotâu." in html
    assert "Rota planner" not in html
    # English content on a Welsh page is marked as English (WCAG 3.1.2).
    assert 'lang="en">English only tool</a>' in html
    assert body.name_cy in html


def test_the_register_is_paged(client, body):
    for n in range(55):
        SystemFactory(organisation=body, publication_status="published", name=f"Tool {n:02d}")
    first = client.get("/transparency/").content.decode()
    second = client.get("/transparency/", {"page": 2}).content.decode()
    assert "55 published systems" in first
    assert "Tool 00" in first and "Tool 54" not in first
    assert "Tool 54" in second


def test_the_register_links_to_its_open_data(client, body):
    published_system(body, marker=secret())
    html = client.get("/transparency/").content.decode()
    for url in (
        "/transparency/register.json",
        "/transparency/register.csv",
        "/transparency/schema.json",
    ):
        assert url in html


def test_only_reading_is_allowed(client):
    assert client.post("/transparency/").status_code == 405
    assert client.head("/transparency/").status_code == 200

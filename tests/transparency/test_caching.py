"""Conditional GET: ETag and Last-Modified on public pages and data; 304 when unchanged."""

import pytest

from registers.models import AlgorithmicSystem

from .helpers import published_system, secret

pytestmark = pytest.mark.django_db

URLS = ("/transparency/", "/transparency/register.json", "/transparency/register.csv")


@pytest.fixture
def system(body):
    return published_system(body, marker=secret())


def system_url(system):
    return f"/transparency/{system.organisation.slug}/{system.reference}/"


@pytest.mark.parametrize("kind", ["register", "json", "csv", "system", "schema"])
def test_an_unchanged_resource_answers_304(client, system, kind):
    url = {
        "register": "/transparency/",
        "json": "/transparency/register.json",
        "csv": "/transparency/register.csv",
        "system": system_url(system),
        "schema": "/transparency/schema.json",
    }[kind]
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    if kind != "schema":
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304


def test_a_change_gives_a_new_etag(client, system, body):
    before = {url: client.get(url)["ETag"] for url in (*URLS, system_url(system))}
    AlgorithmicSystem.objects.get(pk=system.pk).save()  # any edit moves updated_at
    for url, etag in before.items():
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, url
        assert response["ETag"] != etag


def test_unpublishing_changes_the_etag_even_if_nothing_newer_exists(client, system, body):
    other = published_system(body, marker=secret())
    etags = {url: client.get(url)["ETag"] for url in URLS}
    AlgorithmicSystem.objects.filter(pk=other.pk).update(publication_status="withdrawn")
    for url, etag in etags.items():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, url


def test_the_etag_differs_by_language_and_query(client, system):
    english = client.get("/transparency/")["ETag"]
    welsh = client.get("/cy/transparency/")["ETag"]
    searched = client.get("/transparency/", {"q": "rota"})["ETag"]
    assert len({english, welsh, searched}) == 3
    assert client.get("/cy/transparency/", HTTP_IF_NONE_MATCH=english).status_code == 200


def test_signed_in_people_get_private_uncached_pages(client, system, cast):
    client.force_login(cast.hr)
    response = client.get("/transparency/")
    assert response.status_code == 200
    assert "ETag" not in response
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert client.get(system_url(system), HTTP_IF_NONE_MATCH="*").status_code == 200


def test_a_visitor_with_a_pending_message_gets_a_private_page(client, system):
    client.cookies["messages"] = "anything"
    response = client.get("/transparency/")
    assert response.status_code == 200
    assert "ETag" not in response and "no-store" in response["Cache-Control"]

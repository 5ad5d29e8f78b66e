"""Indexable: /sitemap.xml lists the public register, bodies and published systems in both
languages; robots.txt points to it."""

import xml.etree.ElementTree as ET

import pytest

from .helpers import published_system, secret, unpublished_system

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def test_the_sitemap_lists_published_pages_in_english_and_welsh(client, body, other_body):
    system = published_system(body, marker=secret())
    hidden = unpublished_system(other_body, marker=secret())
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    tree = ET.fromstring(response.content)  # noqa: S314 - our own sitemap, in a test
    locations = [loc.text for loc in tree.findall("s:url/s:loc", NS)]
    path = f"/transparency/{body.slug}/{system.reference}/"
    assert any(loc.endswith(path) for loc in locations)
    assert any(loc.endswith(f"/cy{path}") for loc in locations)
    assert any(loc.endswith(f"/transparency/{body.slug}/") for loc in locations)
    assert any(loc.endswith("/cy/transparency/") for loc in locations)
    assert not any(hidden.reference in loc for loc in locations)
    assert not any(f"/transparency/{other_body.slug}/" in loc for loc in locations)
    alternates = tree.findall("s:url/x:link", NS)
    assert {a.get("hreflang") for a in alternates} == {"en", "cy", "x-default"}
    assert tree.findall("s:url/s:lastmod", NS)


def test_robots_txt_points_to_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Allow: /transparency/" in text and "Disallow: /api/" in text

"""Errors say nothing useful to an attacker; every response carries the security headers."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_another_bodys_system_looks_exactly_like_a_missing_one(client, other, system):
    client.force_login(other.hr)
    forbidden_url = reverse("registers:system_detail", args=[system.uuid])
    missing_url = reverse("registers:system_detail", args=[uuid.uuid4()])
    forbidden, missing = client.get(forbidden_url), client.get(missing_url)
    assert forbidden.status_code == missing.status_code == 404
    # Identical but for the page's own address (language switcher) and the masked CSRF token.
    def normalise(response, url):
        body = response.content.decode().replace(url, "")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert normalise(forbidden, forbidden_url) == normalise(missing, missing_url)


def test_the_404_page_is_the_service_page_without_details(client, cast):
    client.force_login(cast.hr)
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in body
    assert "URLconf" not in body and "Traceback" not in body


def test_a_server_error_shows_a_generic_page(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    from django.urls import path

    from govreg import urls

    def boom(request):
        raise RuntimeError("SELECT secret FROM settings")

    urls.urlpatterns.append(path("__test-boom__", boom))
    try:
        response = client.get("/__test-boom__")
    finally:
        urls.urlpatterns.pop()
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    for leak in ("Traceback", "SELECT", "RuntimeError", "SECRET_KEY", "Django"):
        assert leak not in body


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/transparency/", "/healthz", "/systems/"])
def test_security_headers_on_every_response(client, cast, path):
    client.force_login(cast.hr)
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("path", ["/admin/doc/", "/__debug__/", "/.git/config", "/static/"])
def test_no_debug_or_documentation_endpoints_are_exposed(client, path):
    assert client.get(path).status_code in (302, 404)


def test_random_identifiers_are_simply_not_found(client, cast):
    client.force_login(cast.hr)
    assert client.get(f"/systems/{uuid.uuid4().int % 10**9}/").status_code == 404

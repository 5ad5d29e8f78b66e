"""S5 and S17: ``check --deploy`` is clean for the production settings, and those settings give
HSTS, a CSP without inline code, X-Frame-Options, nosniff and a strict referrer policy. (The
headers themselves are checked on every response of the matrix, ``test_url_matrix.py``.)"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from .authz_matrix import ENTRIES
from .production import ROOT, production_env, production_settings

pytestmark = pytest.mark.django_db

YEAR = 365 * 24 * 60 * 60


@pytest.fixture(scope="module")
def production():
    return production_settings()


def test_check_deploy_is_clean_with_the_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_for_a_year_with_subdomains(production):
    assert production["SECURE_HSTS_SECONDS"] >= YEAR
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_headers(production):
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["SECURE_REFERRER_POLICY"] in ("same-origin", "no-referrer", "strict-origin")
    middleware = production["MIDDLEWARE"]
    for name in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "csp.middleware.CSPMiddleware",
        "accounts.middleware.MfaPolicyMiddleware",
        "accounts.middleware.PrivatePagesMiddleware",
    ):
        assert name in middleware, name


def test_production_csp_allows_no_inline_code(production):
    directives = production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    for name, sources in directives.items():
        for source in sources:
            assert source not in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"), (
                f"{name} allows {source}"
            )
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "data:" not in directives["script-src"] + directives["default-src"]


def test_an_https_response_carries_hsts(world):
    response = Client().get(reverse("transparency:register"), secure=True)
    hsts = response["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= YEAR
    assert "includeSubDomains" in hsts


def test_the_csp_header_matches_the_settings(world):
    csp = Client().get(reverse("transparency:register"))["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_a_signed_in_page_is_not_kept_by_any_cache(world):
    client = Client()
    client.force_login(world.a.user("hr"))
    response = client.get(reverse("registers:system_detail", args=[world.a.system.uuid]))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    public = Client().get(reverse("transparency:register"))
    assert "public" in public["Cache-Control"], "public pages stay cacheable"


def _normalise(body: str, url: str) -> str:
    body = body.replace(url, "")
    # The seconds left before an idle sign-out (accounts/idle.py) count down with the clock.
    body = re.sub(r'data-idle-remaining="\d+"', "", body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_another_bodys_object_looks_exactly_like_a_missing_one(world):
    """S17 on every URL of the matrix that names objects: what another body's HR officer gets
    for the body's object is byte for byte what they get for an id that exists nowhere."""
    client = Client()
    client.force_login(world.b.user("hr"))
    compared, different = 0, []
    for key, entry in ENTRIES.items():
        if entry.path is not None:
            continue
        kwargs = entry.kwargs(world)
        ids = {k for k, v in kwargs.items() if isinstance(v, uuid.UUID) or str(v).isdigit()}
        if not ids:
            continue
        missing = {
            **kwargs,
            **{k: uuid.uuid4() if isinstance(kwargs[k], uuid.UUID) else 10**9 for k in ids},
        }
        url, missing_url = reverse(key, kwargs=kwargs), reverse(key, kwargs=missing)
        forbidden, absent = client.get(url), client.get(missing_url)
        if forbidden.status_code != 404:
            continue  # not an object of the caller's reach at all (e.g. the admin)
        compared += 1
        if absent.status_code != 404 or _normalise(forbidden.content.decode(), url) != _normalise(
            absent.content.decode(), missing_url
        ):
            different.append(key)
    assert compared >= 60
    assert different == []

"""The public endpoints are rate-limited per client address."""

import datetime as dt

import pytest
import time_machine

from govreg.ratelimit import OPEN_DATA, PUBLIC_PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window(settings):
    """Rate limits on, and every request of a test in one window (the clock stands still)."""
    settings.GOVREG_RATE_LIMITS_ENABLED = True
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, 5, tzinfo=dt.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("/transparency/", PUBLIC_PAGES),
        ("/sitemap.xml", PUBLIC_PAGES),
        ("/transparency/register.json", OPEN_DATA),
        ("/transparency/register.csv", OPEN_DATA),
        ("/transparency/schema.json", OPEN_DATA),
    ],
)
def test_an_address_over_the_limit_gets_429_with_retry_after(client, url, limit):
    statuses = [client.get(url).status_code for _ in range(limit.limit)]
    assert set(statuses) == {200}
    blocked = client.get(url)
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= limit.window
    assert client.get(url, REMOTE_ADDR="192.0.2.10").status_code == 200


def test_the_forwarded_for_header_does_not_reset_the_limit(client):
    for _ in range(OPEN_DATA.limit):
        client.get("/transparency/register.json")
    spoofed = client.get("/transparency/register.json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert spoofed.status_code == 429


def test_rate_limits_are_on_unless_a_test_switches_them_off(settings):
    import govreg.settings as project

    assert getattr(project, "GOVREG_RATE_LIMITS_ENABLED", True) is True
    del settings.GOVREG_RATE_LIMITS_ENABLED
    assert PUBLIC_PAGES.enabled and OPEN_DATA.enabled

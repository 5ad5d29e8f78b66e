"""The public, anonymous concern form: nothing about the sender is stored or logged, it reads
nothing back, and it resists spam without third-party services."""

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from consultations import public, services
from consultations.choices import ConcernSource
from consultations.forms import PublicConcernForm
from consultations.models import Concern, ConcernUpdate
from notifications.models import Notification

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
AGENT = "Agent-Identifying-1234"
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(seconds=30)


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def form_url(system):
    return reverse("public_concerns:form", args=[system.organisation.slug, system.reference])


def token_for(system, when=T0):
    with time_machine.travel(when, tick=False):
        return PublicConcernForm(system_pk=system.pk).token()


def post(client, system, *, when=LATER, address=ADDRESS, token=None, **fields):
    data = {
        "category": "SURV",
        "summary": "Tracked between visits",
        "details": "The app tracks my location all day.",
        "website": "",
        "started": token if token is not None else token_for(system),
    }
    data.update(fields)
    with time_machine.travel(when, tick=False):
        return client.post(form_url(system), data, REMOTE_ADDR=address, HTTP_USER_AGENT=AGENT)


def test_the_form_is_shown_for_a_published_system_and_says_what_is_kept(client, published_system):
    response = client.get(form_url(published_system))
    html = response.content.decode()
    assert response.status_code == 200
    assert "What we keep, and what we do not" in html
    assert "we do not record your IP address" in html
    assert 'name="website"' in html and "<div hidden>" in html


def test_there_is_no_form_for_an_unpublished_system(client, system):
    assert client.get(form_url(system)).status_code == 404
    assert post(client, system).status_code == 404
    assert not Concern.objects.exists()


def test_a_published_system_is_found_only_under_its_own_body(client, published_system, other_body):
    url = reverse("public_concerns:form", args=[other_body.slug, published_system.reference])
    assert client.get(url).status_code == 404


def test_a_concern_is_stored_with_no_identity_at_all(client, cast, published_system, caplog):
    caplog.set_level(logging.DEBUG)
    response = post(client, published_system)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "public_concerns:sent",
        args=[published_system.organisation.slug, published_system.reference],
    )
    concern = Concern.objects.get()
    assert concern.source == ConcernSource.ANONYMOUS
    assert concern.raised_by is None and concern.union is None
    stored = " ".join(str(v) for v in Concern.objects.values().get().values())
    stored += " ".join(str(v) for v in ConcernUpdate.objects.values().get().values())
    assert ADDRESS not in stored and AGENT not in stored
    assert ConcernUpdate.objects.get().actor is None
    event = AuditEvent.objects.get(action="concern.raised")
    assert event.actor is None and event.actor_label == "anonymous worker"
    assert ADDRESS not in str(event.changes) and AGENT not in str(event.changes)
    # Nothing logged carries the address or the browser.
    logged = " ".join(r.getMessage() + repr(r.args) + repr(r.__dict__) for r in caplog.records)
    assert ADDRESS not in logged and AGENT not in logged
    # The rate-limit counters in the cache are keyed by a daily hash, not the address.
    keys = list(cache._cache.keys())
    assert keys and all(ADDRESS not in key for key in keys)
    assert not Session.objects.exists()
    # HR is told.
    assert Notification.objects.filter(event="concern.raised", user=cast.hr).exists()


def test_a_signed_in_person_using_the_form_is_not_recorded_either(client, cast, published_system):
    client.force_login(cast.hr)
    post(client, published_system)
    concern = Concern.objects.get()
    assert concern.raised_by is None
    assert AuditEvent.objects.get(action="concern.raised").actor is None


def test_the_form_reads_nothing_back(client, cast, published_system):
    services.raise_concern(
        actor=cast.rep,
        system=published_system,
        category="DISCRIM",
        summary="Secret summary",
        details="Secret details of members",
    )
    form_html = client.get(form_url(published_system)).content.decode()
    response = post(client, published_system, summary="Mine", details="My own concern text")
    sent_html = client.get(response["Location"]).content.decode()
    for html in (form_html, sent_html):
        assert "Secret" not in html
        assert "My own concern text" not in html
        assert not re.search(r"C-\d{5}", html)


def test_the_honeypot_keeps_nothing_but_looks_like_success(client, published_system):
    response = post(client, published_system, website="http://spam.example")
    assert response.status_code == 302
    assert not Concern.objects.exists()


def test_a_form_sent_too_quickly_is_refused_with_what_was_typed_kept(client, published_system):
    response = post(
        client, published_system, when=T0 + dt.timedelta(seconds=1), details="Typed fast."
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html and "sent too quickly" in html
    assert "Typed fast." in html
    old_token = token_for(published_system)
    new_token = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert new_token != old_token
    assert not Concern.objects.exists()
    # Sending it again (after the minimum time) works.
    response = post(
        client,
        published_system,
        token=new_token,
        when=T0 + dt.timedelta(seconds=40),
        details="Typed fast.",
    )
    assert response.status_code == 302 and Concern.objects.get().details == "Typed fast."


@pytest.mark.parametrize("token", ["", "forged", "OTHER"])
def test_a_missing_forged_or_foreign_timestamp_is_refused(
    client, published_system, other_system, token
):
    if token == "OTHER":
        token = token_for(other_system)
    response = post(client, published_system, token=token)
    assert response.status_code == 200 and "expired" in response.content.decode()
    assert not Concern.objects.exists()


def test_an_old_form_has_expired(client, published_system):
    response = post(client, published_system, when=T0 + dt.timedelta(hours=7))
    assert "expired" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": ""}, "Enter a summary of your concern."),
        ({"details": "   "}, "Enter your concern."),
        ({"details": "x" * 5001}, "Must be 5,000 characters or fewer."),
        ({"category": "BOGUS"}, "Select a valid choice."),
        ({"details": " ".join(f"https://spam{i}.example" for i in range(4))}, "more than 3 links"),
    ],
)
def test_bad_input_is_refused_and_kept(client, published_system, fields, message):
    response = post(client, published_system, **fields)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert not Concern.objects.exists()


def test_html_in_an_anonymous_concern_is_escaped_for_hr(client, cast, published_system):
    post(
        client,
        published_system,
        summary="<img src=x onerror=alert(1)>",
        details="<script>x()</script>",
    )
    concern = Concern.objects.get()
    client.force_login(cast.hr)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "<script>x()" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_the_category_is_optional_for_workers(client, published_system):
    post(client, published_system, category="")
    assert Concern.objects.get().category == ""


@override_settings(CONCERN_RATE_LIMIT_PER_CLIENT=2)
def test_one_connection_is_limited_per_day_and_keeps_what_was_typed(client, published_system):
    assert post(client, published_system).status_code == 302
    assert post(client, published_system).status_code == 302
    response = post(client, published_system, details="Third one, kept.")
    assert response.status_code == 429
    assert "Third one, kept." in response.content.decode()
    assert Concern.objects.count() == 2
    # Another connection is not affected; the next day the count starts again.
    assert post(client, published_system, address="198.51.100.5").status_code == 302
    assert (
        post(
            client,
            published_system,
            when=LATER + dt.timedelta(days=1),
            token=token_for(published_system, T0 + dt.timedelta(days=1)),
        ).status_code
        == 302
    )


@override_settings(CONCERN_RATE_LIMIT_PER_SYSTEM=1)
def test_a_flood_about_one_system_is_stopped(client, published_system):
    assert post(client, published_system, address="198.51.100.1").status_code == 302
    assert post(client, published_system, address="198.51.100.2").status_code == 429
    assert Concern.objects.count() == 1


def test_the_client_key_changes_every_day_and_is_not_the_address(rf):
    request = rf.get("/", REMOTE_ADDR=ADDRESS)
    with time_machine.travel(T0, tick=False):
        today_key = public.client_key(request)
        assert public.client_key(request) == today_key
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        assert public.client_key(request) != today_key
    assert ADDRESS not in today_key and ADDRESS.replace(".", "") not in today_key

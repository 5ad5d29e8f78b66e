"""Pack pages: who may ask, follow and download (role × own/other body), and the system panel."""

import re
import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from packs import services
from packs.models import AuditPack, PackScope, PackStatus, pack_storage

from .conftest import free_port, use_broker

ROLES = ("hr", "rep", "manager", "auditor", "admin")
DOWNLOADERS = {"rep", "manager", "auditor", "admin"}
PDF = b"%PDF-1.7\n% test pack\n"


def ready(pack: AuditPack) -> AuditPack:
    """A pack made ready without rendering (the views only need the row and a file)."""
    name = pack_storage().save(services.storage_name(pack), ContentFile(PDF))
    AuditPack.objects.filter(pk=pack.pk).update(
        status=PackStatus.READY, file=name, page_count=1, byte_size=len(PDF), sha256="a" * 64
    )
    pack.refresh_from_db()
    return pack


@pytest.fixture
def pack(system, cast):
    return ready(
        services.request_pack(
            actor=cast.hr, scope=PackScope.SYSTEM, system=system, language="en"
        ).pack
    )


@pytest.fixture
def failed_pack(system, cast):
    pack = services.request_pack(
        actor=cast.hr, scope=PackScope.SYSTEM, system=system, language="cy"
    ).pack
    AuditPack.objects.filter(pk=pack.pk).update(
        status=PackStatus.FAILED, attempts=3, error="It <b>broke</b>."
    )
    return pack


def people(cast, other, outsider):
    yield from ((f"own {key}", cast.by_role(key), key) for key in ROLES)
    yield from ((f"other {key}", other.by_role(key), None) for key in ROLES)
    yield ("outsider", outsider, None)


def test_every_role_of_the_body_can_follow_a_pack_and_nobody_else_sees_it(
    client, pack, cast, other, outsider
):
    urls = [
        reverse("packs:pack_detail", args=[pack.pk]),
        reverse("packs:pack_status", args=[pack.pk]),
    ]
    for label, person, own_role in people(cast, other, outsider):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == (200 if own_role else 404), (label, url)


def test_downloads_need_the_download_permission_in_the_body(client, pack, cast, other, outsider):
    url = reverse("packs:pack_download", args=[pack.pk])
    for label, person, own_role in people(cast, other, outsider):
        client.force_login(person)
        response = client.get(url)
        expected = 404 if own_role is None else (200 if own_role in DOWNLOADERS else 403)
        assert response.status_code == expected, label
        if expected == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment;")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "no-store" in response["Cache-Control"]


def test_guessing_ids_is_the_same_404_as_another_bodys_pack(client, pack, other):
    client.force_login(other.auditor)
    guess = uuid.uuid4()
    theirs = client.get(reverse("packs:pack_download", args=[pack.pk]))
    guessed = client.get(reverse("packs:pack_download", args=[guess]))
    assert theirs.status_code == guessed.status_code == 404

    def normalised(response, pk):  # the page's own URL (language link) and the CSRF mask differ
        body = response.content.replace(str(pk).encode(), b"ID")
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)

    assert normalised(theirs, pack.pk) == normalised(guessed, guess)


def test_anonymous_people_are_sent_to_sign_in(client, pack, system):
    for url in (
        reverse("packs:pack_list"),
        reverse("packs:pack_detail", args=[pack.pk]),
        reverse("packs:pack_download", args=[pack.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("packs:request_system", args=[system.uuid]), {"language": "en"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert AuditPack.objects.count() == 1


def test_a_pack_not_ready_cannot_be_downloaded(client, failed_pack, cast):
    client.force_login(cast.auditor)
    assert client.get(reverse("packs:pack_download", args=[failed_pack.pk])).status_code == 404


def test_removing_a_membership_removes_access_at_once(client, pack, cast):
    client.force_login(cast.auditor)
    url = reverse("packs:pack_download", args=[pack.pk])
    assert client.get(url).status_code == 200
    cast.auditor.memberships.all().delete()
    assert client.get(url).status_code == 404


def test_asking_for_a_system_pack(
    client, system, cast, other, outsider, django_capture_on_commit_callbacks
):
    url = reverse("packs:request_system", args=[system.uuid])
    for person in (other.auditor, outsider):
        client.force_login(person)
        assert client.post(url, {"language": "en"}).status_code == 404
    assert not AuditPack.objects.exists()

    client.force_login(cast.rep)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"language": "cy"})
    pack = AuditPack.objects.get()
    assert response.status_code == 302 and response["Location"] == pack.get_absolute_url()
    assert (pack.scope, pack.system, pack.language, pack.requested_by) == (
        "system",
        system,
        "cy",
        cast.rep,
    )
    assert len(callbacks) == 1  # the worker is told after commit
    again = client.post(url, {"language": "cy"}, follow=True)
    assert AuditPack.objects.count() == 1
    assert "already been asked for" in again.content.decode()


def test_a_body_pack_for_another_body_is_a_form_error(client, cast, other_body):
    client.force_login(cast.auditor)
    response = client.post(
        reverse("packs:request_collection"),
        {"scope": "organisation", "organisation": other_body.slug, "language": "en"},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert not AuditPack.objects.exists()


def test_asking_for_a_body_pack(client, cast, body, django_capture_on_commit_callbacks):
    client.force_login(cast.admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("packs:request_collection"),
            {"scope": "organisation", "organisation": body.slug, "language": "en"},
        )
    pack = AuditPack.objects.get()
    assert (
        response.status_code == 302 and pack.scope == "organisation" and pack.organisation == body
    )


def test_the_list_shows_only_the_persons_packs(client, pack, cast, other, other_system):
    theirs = ready(
        services.request_pack(
            actor=other.hr, scope=PackScope.SYSTEM, system=other_system, language="en"
        ).pack
    )
    client.force_login(cast.auditor)
    page = client.get(reverse("packs:pack_list")).content.decode()
    assert str(pack.pk) in page and str(theirs.pk) not in page


def test_retrying_from_the_page(
    client, failed_pack, cast, other, django_capture_on_commit_callbacks
):
    url = reverse("packs:pack_retry", args=[failed_pack.pk])
    client.force_login(other.auditor)
    assert client.post(url).status_code == 404
    client.force_login(cast.hr)
    page = client.get(failed_pack.get_absolute_url()).content.decode()
    assert "It &lt;b&gt;broke&lt;/b&gt;." in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url)
    assert response.status_code == 302
    failed_pack.refresh_from_db()
    assert failed_pack.status == PackStatus.QUEUED and failed_pack.attempts == 0


def test_the_status_box_refreshes_itself_without_inline_script(
    client, system, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        pack = services.request_pack(
            actor=cast.hr, scope=PackScope.SYSTEM, system=system, language="en"
        ).pack
    client.force_login(cast.hr)
    page = client.get(pack.get_absolute_url()).content.decode()
    assert 'data-pack-status-url="{}"'.format(reverse("packs:pack_status", args=[pack.pk])) in page
    assert 'role="status"' in page and 'aria-live="polite"' in page
    assert 'type="module" src="/static/packs/pack-status.mjs"' in page
    assert "<script>" not in page and " style=" not in page
    fragment = client.get(reverse("packs:pack_status", args=[pack.pk]))
    assert 'data-pack-state="queued"' in fragment.content.decode()
    assert "no-store" in fragment["Cache-Control"]


def test_the_system_page_lists_its_packs_in_a_fixed_number_of_queries(client, system, cast):
    client.force_login(cast.rep)
    url = reverse("registers:system_detail", args=[system.uuid])
    services.request_pack(actor=cast.rep, scope=PackScope.SYSTEM, system=system, language="en")
    client.get(url)  # warm up (first-request caches)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "Ask for a pack" in page and "Audit pack: " in page
    for n in range(12):
        AuditPack.objects.create(
            scope=PackScope.SYSTEM,
            system=system,
            organisation=system.organisation,
            title=f"Old pack {n}",
            language="en",
            content_key=f"{n:064d}",
            requested_by=cast.hr,
            status=PackStatus.FAILED,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "Old pack 11" in page
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_people_who_may_not_download_see_no_download_link(client, pack, system, cast):
    client.force_login(cast.hr)
    page = client.get(pack.get_absolute_url()).content.decode()
    assert reverse("packs:pack_download", args=[pack.pk]) not in page
    assert "can follow this pack but not download it" in page
    client.force_login(cast.auditor)
    page = client.get(pack.get_absolute_url()).content.decode()
    assert reverse("packs:pack_download", args=[pack.pk]) in page


def test_with_the_broker_down_pages_answer_and_the_request_is_kept(
    client, system, cast, settings, django_capture_on_commit_callbacks
):
    """R6 without a worker: the broker is a closed port. The request is answered (not hung),
    says so, and the row waits for the sweep. Timing figures are in bench/packs.py."""
    from govreg.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    use_broker(f"redis://127.0.0.1:{free_port()}/4")
    app.conf.task_always_eager = False
    try:
        client.force_login(cast.auditor)
        assert client.get(reverse("registers:system_detail", args=[system.uuid])).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("packs:request_system", args=[system.uuid]), {"language": "en"}, follow=True
            )
        assert response.status_code == 200
        assert "cannot be reached at the moment" in response.content.decode()
        pack = AuditPack.objects.get()
        assert (
            pack.status == PackStatus.QUEUED
            and pack.enqueued_at is None
            and pack.waiting_for_broker
        )
        assert client.get(reverse("packs:pack_list")).status_code == 200
        assert services.sweep().unsent == 0  # too new to resend yet
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved


def test_a_ready_pack_whose_file_went_missing_is_a_404_not_a_500(client, pack, cast):
    pack_storage().delete(pack.file.name)
    client.force_login(cast.auditor)
    assert client.get(reverse("packs:pack_download", args=[pack.pk])).status_code == 404

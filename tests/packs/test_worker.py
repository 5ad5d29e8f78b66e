"""Packs through the real broker and real Celery worker processes (QUALITY.md R1–R3, R6).

Workers run with a 4 s lease renewed every second and a sweep every second (see conftest), so
each recovery takes seconds rather than the production minute. Loops are bounded; the bounds
are generous because these tests share two cores with the rest of the suite — the figures
themselves are printed by bench/packs.py.
"""

import hashlib
import io
import re
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from packs import services
from packs.models import AuditPack, PackScope, PackStage, PackStatus
from packs.verify import verify

from .conftest import (
    COMMENT,
    COMMENT_TEXT,
    fill_parts,
    fill_record,
    partial_files,
    stored_pdfs,
    use_broker,
    wait_for,
)

pytestmark = pytest.mark.worker


@pytest.fixture
def signed_off_system(rich_system, cast, pack_questionnaire):
    """``rich_system`` with approved DPIA, EqIA and AIA, risks and actions, consultations with
    meetings, disclosures and union positions, comments, concerns, rights requests and the
    accountable manager's sign-off, built with those apps' own services."""
    from tests.oversight import conftest as oversight

    system = fill_parts(rich_system, cast, pack_questionnaire)
    signoff = oversight.sign(system, cast.manager)
    return oversight.fresh(system), signoff


def expected_texts(system, signoff) -> list[str]:
    """What a pack of ``system`` must show, read back from the PDF: the record and its history
    (this app), the approved AIA's impact level and a comment's text (the assessments and
    consultations parts), the sign-off and its content hash (the oversight part)."""
    from assessments.models import Assessment

    level = Assessment.objects.get(system=system, kind="aia", status="approved").level
    return [
        system.name,
        COMMENT,
        f"Impact level {level} (current score",
        COMMENT_TEXT,
        "Change history",
        "Integrity appendix",
        signoff.content_hash,
        str(signoff.get_decision_display()),
    ]


def status_of(pack) -> str:
    return AuditPack.objects.values_list("status", flat=True).get(pk=pack.pk)


def wait_until_final(pack, timeout: float) -> AuditPack:
    wait_for(
        lambda: status_of(pack) in (PackStatus.READY, PackStatus.FAILED),
        timeout=timeout,
        what=f"pack {pack.pk} to be ready or failed",
    )
    pack.refresh_from_db()
    return pack


def completions(pack) -> int:
    return AuditEvent.objects.filter(action="pack.completed", object_id=str(pack.pk)).count()


def ask_through_the_page(client, person, system, language="en") -> AuditPack:
    client.force_login(person)
    response = client.post(
        reverse("packs:request_system", args=[system.uuid]), {"language": language}
    )
    assert response.status_code == 302, response.content
    return AuditPack.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_request_ready_download(client, signed_off_system, cast, start_worker, pack_media):
    system, signoff = signed_off_system
    start_worker()
    pack = ask_through_the_page(client, cast.auditor, system)
    pack = wait_until_final(pack, timeout=60)
    assert pack.status == PackStatus.READY, pack.error

    page = client.get(pack.get_absolute_url()).content.decode()
    assert "Download the PDF" in page
    response = client.get(reverse("packs:pack_download", args=[pack.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)

    assert hashlib.sha256(data).hexdigest() == pack.sha256
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pack.page_count
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for expected in expected_texts(system, signoff):
        assert expected in text, expected
    covered = [i for s in pack.covers["systems"] for i in s["items"]]
    assert signoff.content_hash in [i.get("hash") for i in covered]
    result = verify(data, database=True)
    assert result.ok, result.problems
    assert completions(pack) == 1
    assert stored_pdfs(pack_media) == [pack_media / pack.file.name]


def test_a_worker_killed_mid_render_is_replaced_and_the_pack_is_ready_once(
    cast, system, start_worker, pack_media
):
    big = fill_record(system, cast.hr, history=300)  # several seconds of layout
    first = start_worker()
    pack = services.request_pack(
        actor=cast.auditor, scope=PackScope.SYSTEM, system=big, language="en"
    ).pack
    wait_for(
        lambda: AuditPack.objects.filter(pk=pack.pk, stage=PackStage.LAYING_OUT).exists(),
        timeout=60,
        what="the render to start",
    )
    first.kill()
    killed_at = time.monotonic()
    assert status_of(pack) == PackStatus.RENDERING  # it really died mid-render

    start_worker()
    pack = wait_until_final(pack, timeout=60)
    print(f"\nR1: ready {time.monotonic() - killed_at:.1f} s after SIGKILL (target ≤ 30 s)")
    assert pack.status == PackStatus.READY, pack.error
    assert pack.attempts == 2
    assert completions(pack) == 1
    (stored,) = stored_pdfs(pack_media)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == pack.sha256
    assert partial_files(pack_media) == []


def test_duplicate_requests_and_deliveries_build_once(
    client, rich_system, cast, start_worker, pack_media
):
    worker = start_worker()
    first = ask_through_the_page(client, cast.auditor, rich_system)
    second = ask_through_the_page(client, cast.rep, rich_system)
    assert first.pk == second.pk
    assert services.enqueue(first.pk) and services.enqueue(first.pk)  # redelivered messages
    pack = wait_until_final(first, timeout=60)
    assert pack.status == PackStatus.READY
    wait_for(
        lambda: worker.log().count("packs.render_pack[") >= 6,
        timeout=30,
        what="all three messages to be handled",
    )  # received + succeeded, three times
    assert AuditPack.objects.count() == 1
    assert completions(pack) == 1
    assert worker.log().count("produced in") == 1
    assert len(stored_pdfs(pack_media)) == 1


def test_a_failing_render_ends_failed_with_its_error_and_can_be_tried_again(
    client, rich_system, cast, start_worker
):
    broken = start_worker(fault="raise")
    pack = ask_through_the_page(client, cast.hr, rich_system)
    pack = wait_until_final(pack, timeout=90)
    assert pack.status == PackStatus.FAILED and pack.attempts == 3
    page = client.get(pack.get_absolute_url()).content.decode()
    assert "The pack could not be produced." in page
    assert "GovReg tried 3 times to produce this pack without success" in page
    assert "RuntimeError: Injected failure" in page
    assert "Try again" in page

    broken.stop()
    start_worker()
    response = client.post(reverse("packs:pack_retry", args=[pack.pk]))
    assert response.status_code == 302
    pack = wait_until_final(pack, timeout=60)
    assert pack.status == PackStatus.READY and pack.attempts == 1


def test_a_pack_that_kills_its_worker_every_time_ends_failed(rich_system, cast, start_worker):
    start_worker(fault="exit")  # the pool child dies mid-render, like an out-of-memory kill
    pack = services.request_pack(
        actor=cast.auditor, scope=PackScope.SYSTEM, system=rich_system, language="en"
    ).pack
    pack = wait_until_final(pack, timeout=120)
    assert pack.status == PackStatus.FAILED and pack.attempts == 3
    assert "stopped before it finished" in pack.error
    assert completions(pack) == 0


def test_requests_made_while_the_broker_is_down_are_built_when_it_returns(
    client, rich_system, cast, start_worker, throwaway_redis, body, pack_media
):
    throwaway_redis.start()
    start_worker(broker_url=throwaway_redis.url)
    use_broker(throwaway_redis.url)
    throwaway_redis.stop()  # the outage

    client.force_login(cast.auditor)
    assert (
        client.get(reverse("registers:system_detail", args=[rich_system.uuid])).status_code == 200
    )
    packs = [
        ask_through_the_page(client, cast.auditor, rich_system, language)
        for language in ("en", "cy")
    ]
    response = client.post(
        reverse("packs:request_collection"),
        {"scope": "organisation", "organisation": body.slug, "language": "en"},
    )
    packs.append(AuditPack.objects.get(pk=response["Location"].rstrip("/").split("/")[-1]))
    assert all(p.enqueued_at is None and p.status == PackStatus.QUEUED for p in packs)
    page = client.get(packs[0].get_absolute_url()).content.decode()
    assert "cannot be reached at the moment" in page

    throwaway_redis.start()  # back, empty: nothing was kept in the broker
    back_at = time.monotonic()
    for pack in packs:
        wait_until_final(pack, timeout=120)
    print(
        f"\nR6: {len(packs)} kept requests ready {time.monotonic() - back_at:.1f} s after the broker returned"
    )
    assert [p.status for p in packs] == [PackStatus.READY] * 3
    assert len(stored_pdfs(pack_media)) == 3

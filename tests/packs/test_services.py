"""Requesting, claiming, storing and recovering packs (the services, without a broker).

Reliability behaviour with a real broker and worker processes is in ``test_worker.py``; here
the same functions are driven directly, with the clock moved by passing ``now``."""

import ast
import datetime as dt
import threading
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Role
from audit.models import AuditEvent
from packs import rendering, services
from packs.models import AuditPack, PackScope, PackStatus
from registers import services as register_services
from registers.sections import BY_SLUG

from ..factories import MembershipFactory, OrganisationFactory, SystemFactory, UserFactory
from .conftest import partial_files, stored_pdfs
from .factories import PartnershipCouncilFactory

PACKS_DIR = Path(services.__file__).parent


def ask(actor, system=None, **kwargs):
    kwargs.setdefault("scope", PackScope.SYSTEM)
    kwargs.setdefault("language", "en")
    return services.request_pack(actor=actor, system=system, **kwargs)


# --- Requesting ------------------------------------------------------------------------------


def test_the_same_content_asked_twice_is_one_pack(system, cast):
    first = ask(cast.auditor, system)
    again = ask(cast.rep, system)
    assert first.created and not again.created
    assert again.pack.pk == first.pack.pk
    assert AuditPack.objects.count() == 1


def test_changed_content_or_another_language_is_a_new_pack(system, cast):
    first = ask(cast.auditor, system).pack
    assert ask(cast.auditor, system, language="cy").pack.pk != first.pk
    register_services.update_section(
        system,
        actor=cast.hr,
        section=BY_SLUG["summary"],
        data={"description": "Changed."},
        expected_fingerprint=None,
    )
    assert ask(cast.auditor, system).pack.pk != first.pk
    assert AuditPack.objects.count() == 3


def test_a_failed_pack_is_not_reused(system, cast):
    first = ask(cast.auditor, system).pack
    AuditPack.objects.filter(pk=first.pk).update(status=PackStatus.FAILED)
    assert ask(cast.auditor, system).created


@override_settings(PACKS_MAX_REQUESTS_PER_WINDOW=2)
def test_one_person_cannot_flood_the_workers(system, cast):
    ask(cast.auditor, system)
    ask(cast.auditor, system, language="cy")
    with pytest.raises(services.PackRequestRefused, match="2 packs in the last 10 minutes"):
        ask(cast.auditor, system=None, scope=PackScope.ORGANISATION, organisation=cast.organisation)
    assert ask(cast.auditor, system).created is False  # reusing an existing pack is always fine


@override_settings(PACKS_MAX_SYSTEMS=2)
def test_a_pack_too_large_is_refused_before_anything_is_queued(cast, body):
    SystemFactory.create_batch(3, organisation=body)
    with pytest.raises(services.PackRequestRefused, match="at most 2"):
        ask(cast.auditor, scope=PackScope.ORGANISATION, organisation=body)
    assert not AuditPack.objects.exists()


def test_nobody_can_ask_for_another_bodys_pack(system, other, outsider):
    for person in (other.auditor, other.admin, outsider):
        with pytest.raises(PermissionDenied):
            ask(person, system)
        with pytest.raises(PermissionDenied):
            ask(person, scope=PackScope.ORGANISATION, organisation=system.organisation)
    assert not AuditPack.objects.exists()


def test_a_council_pack_covers_only_the_bodies_the_requester_may_download(
    cast, body, other_body, other
):
    council = PartnershipCouncilFactory()
    third = OrganisationFactory(slug="third")
    for organisation in (body, other_body, third):
        organisation.councils.add(council)
    bridge = UserFactory(email="bridge@example.org")
    MembershipFactory(user=bridge, organisation=body, role=Role.UNION_REP)
    MembershipFactory(
        user=bridge, organisation=other_body, role=Role.HR_OFFICER
    )  # no download there

    pack = ask(bridge, scope=PackScope.COUNCIL, council=council).pack
    assert list(pack.organisations.all()) == [body]
    assert services.visible_packs(bridge).filter(pk=pack.pk).exists()
    assert not services.visible_packs(other.auditor).filter(pk=pack.pk).exists()
    with pytest.raises(PermissionDenied):
        ask(cast.hr, scope=PackScope.COUNCIL, council=council)  # HR downloads nothing


def test_a_pack_spanning_two_bodies_needs_a_role_in_both(cast, body, other_body, other):
    council = PartnershipCouncilFactory()
    body.councils.add(council)
    other_body.councils.add(council)
    auditor = UserFactory(email="council-auditor@example.org")
    for organisation in (body, other_body):
        MembershipFactory(user=auditor, organisation=organisation, role=Role.AUDITOR)
    pack = ask(auditor, scope=PackScope.COUNCIL, council=council).pack
    assert set(pack.organisations.all()) == {body, other_body}
    assert services.visible_packs(auditor).filter(pk=pack.pk).exists()
    for person in (cast.auditor, other.auditor):
        assert not services.visible_packs(person).filter(pk=pack.pk).exists()


def test_the_worker_is_told_only_after_commit(system, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                ask(cast.auditor, system)
                raise RuntimeError("the request fails after the pack row was written")
    assert callbacks == [] and not AuditPack.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pack = ask(cast.auditor, system).pack
    assert len(callbacks) == 1
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.enqueued_at is not None  # eager: built at once


def test_sending_happens_only_in_enqueue_and_only_after_commit():
    """A static check: ``.delay``/``.apply_async`` appear only in ``services.enqueue``, and
    ``enqueue`` is called from ``on_commit`` or from the sweep (which runs outside requests)."""
    tree = ast.parse((PACKS_DIR / "services.py").read_text())
    after_commit = {
        id(n.args[0].body)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and getattr(n.func, "attr", None) == "on_commit"
        and isinstance(n.args[0], ast.Lambda)
        and getattr(n.args[0].body.func, "id", None) == "enqueue"
    }
    assert len(after_commit) == 3  # request, retry from the page, retry after an error
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for name, function in functions.items():
        for node in ast.walk(function):
            if isinstance(node, ast.Attribute) and node.attr in (
                "delay",
                "apply_async",
                "send_task",
            ):
                assert name == "enqueue", f"{name} sends a task directly"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "enqueue":
                assert id(node) in after_commit or name == "sweep", (
                    f"{name} calls enqueue outside transaction.on_commit"
                )


# --- Producing --------------------------------------------------------------------------------


def test_building_twice_renders_once(system, cast, pack_media):
    pack = ask(cast.auditor, system).pack
    assert services.build_pack(pack.pk) == "ready"
    assert services.build_pack(pack.pk) == "skipped"
    pack.refresh_from_db()
    assert len(stored_pdfs(pack_media)) == 1 and partial_files(pack_media) == []
    assert AuditEvent.objects.filter(action="pack.completed", object_id=str(pack.pk)).count() == 1


def test_a_requester_who_lost_access_gets_no_pack(system, cast, pack_media):
    pack = ask(cast.auditor, system).pack
    Membership.objects.filter(user=cast.auditor).delete()
    assert services.build_pack(pack.pk) == "failed"
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED
    assert "no longer has access" in pack.error
    assert not pack.file and stored_pdfs(pack_media) == []


def test_a_worker_that_lost_its_claim_throws_its_work_away(system, cast, pack_media):
    pack = ask(cast.auditor, system).pack
    claimed = services.claim(pack.pk, worker="slow")
    produced = services.produce(claimed)
    AuditPack.objects.filter(pk=pack.pk).update(claim_token=None, status=PackStatus.QUEUED)  # swept
    assert services.finish(pack.pk, claimed.claim_token, produced) is False
    assert stored_pdfs(pack_media) == [] and partial_files(pack_media) == []


def test_a_file_left_by_a_crashed_attempt_is_replaced_not_duplicated(system, cast, pack_media):
    pack = ask(cast.auditor, system).pack
    orphan = pack_media / services.storage_name(pack)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF- half written")
    assert services.build_pack(pack.pk) == "ready"
    pack.refresh_from_db()
    assert stored_pdfs(pack_media) == [orphan]
    assert pack.file.name == services.storage_name(pack)
    assert orphan.read_bytes()[:5] == b"%PDF-" and len(orphan.read_bytes()) == pack.byte_size


def test_an_unexpected_error_is_retried_then_fails_readably(
    system, cast, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ValueError("layout engine exploded")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    pack = ask(cast.auditor, system).pack
    with django_capture_on_commit_callbacks(execute=True):
        assert services.build_pack(pack.pk) == "error"  # … and the eager retries run on commit
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED and pack.attempts == 3
    assert pack.error.startswith("GovReg tried 3 times to produce this pack")
    assert "ValueError: layout engine exploded" in pack.error


# --- Recovering -------------------------------------------------------------------------------


def later(seconds):
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_the_sweep_requeues_a_pack_whose_worker_died(system, cast, settings, pack_media):
    pack = ask(cast.auditor, system).pack
    services.claim(pack.pk, worker="dead")  # … and the worker was killed here
    assert services.sweep(now=later(1)).requeued == 0  # the lease still runs

    result = services.sweep(now=later(settings.PACKS_LEASE_SECONDS + 1))
    assert (result.requeued, result.sent) == (1, 1)  # eager: sending builds it
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.attempts == 2
    assert len(stored_pdfs(pack_media)) == 1


def test_a_pack_whose_worker_keeps_dying_ends_failed(system, cast, settings):
    pack = ask(cast.auditor, system).pack
    for attempt in range(1, 4):
        assert services.claim(pack.pk, worker=f"dies-{attempt}") is not None
        AuditPack.objects.filter(pk=pack.pk).update(lease_expires_at=later(-1))  # it died
        if attempt < 3:
            AuditPack.objects.filter(pk=pack.pk).update(status=PackStatus.QUEUED, claim_token=None)
    result = services.sweep()
    assert result.failed == 1
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED and pack.attempts == 3
    assert "tried 3 times" in pack.error and "stopped before it finished" in pack.error


def test_the_sweep_sends_requests_the_broker_never_got(system, cast, settings, pack_media):
    pack = ask(cast.auditor, system).pack  # on_commit never ran: as if the broker was down
    assert pack.enqueued_at is None
    assert services.sweep().sent == 0  # too new: its own on_commit may still be sending it
    assert services.sweep(now=later(settings.PACKS_SEND_GRACE_SECONDS + 1)).sent == 1
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY


def test_a_failed_pack_can_be_tried_again(system, cast, django_capture_on_commit_callbacks):
    pack = ask(cast.auditor, system).pack
    AuditPack.objects.filter(pk=pack.pk).update(
        status=PackStatus.FAILED, attempts=3, error="It broke."
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.retry_pack(pack, actor=cast.rep)
    assert result.pack.pk == pack.pk
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY and pack.attempts == 1 and pack.error == ""
    with pytest.raises(services.PackRequestRefused):
        services.retry_pack(pack, actor=cast.rep)


def test_only_people_who_may_ask_can_retry(system, cast, other):
    pack = ask(cast.auditor, system).pack
    AuditPack.objects.filter(pk=pack.pk).update(status=PackStatus.FAILED)
    with pytest.raises(PermissionDenied):
        services.retry_pack(pack, actor=other.auditor)


# --- Concurrency (separate connections, committed data) ----------------------------------------


def run_in_threads(target, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql",
    reason="SQLite locks the whole database for one writer",
)
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_make_one_pack(cast, system):
    results = run_in_threads(lambda: ask(cast.auditor, system).pack.pk)
    assert len(set(results)) == 1
    assert AuditPack.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_moment_render_once(cast, system, monkeypatch, pack_media):
    calls = []
    real = rendering.html_to_pdf

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "html_to_pdf", counting)
    with transaction.atomic():
        pack = AuditPack.objects.create(
            scope=PackScope.SYSTEM,
            system=system,
            organisation=system.organisation,
            title="Audit pack",
            language="en",
            content_key="k" * 64,
            requested_by=cast.auditor,
        )
        pack.organisations.set([system.organisation])
    outcomes = run_in_threads(lambda: services.build_pack(pack.pk))
    assert sorted(outcomes) == ["ready", "skipped"]
    assert len(calls) == 1
    assert len(stored_pdfs(pack_media)) == 1
    assert AuditEvent.objects.filter(action="pack.completed").count() == 1


def test_the_sweep_resends_a_pack_whose_message_was_lost(system, cast, settings):
    pack = ask(cast.auditor, system).pack
    sent_at = later(-settings.PACKS_RESEND_AFTER_SECONDS - 1)
    AuditPack.objects.filter(pk=pack.pk).update(enqueued_at=sent_at)  # e.g. Redis restarted empty
    assert services.sweep().sent == 1
    pack.refresh_from_db()
    assert pack.status == PackStatus.READY


def test_a_system_check_warns_while_fault_injection_is_on(settings):
    from packs.apps import check_fault_injection_off

    assert check_fault_injection_off() == []
    settings.PACKS_TEST_FAULT = "raise"
    assert [w.id for w in check_fault_injection_off()] == ["packs.W001"]

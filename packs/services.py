"""Requesting, producing and recovering audit packs.

Reliability design (QUALITY.md R1–R8): the ``AuditPack`` row is the source of truth and the
outbox; a broker message only says "look at pack X".

- ``request_pack`` writes the row (``queued``) and audits it in one transaction, and sends the
  message only after commit (``transaction.on_commit``). If the broker is down the request
  still succeeds: the row stays ``queued`` with no ``enqueued_at`` and the sweep sends it later.
- ``build_pack`` (the task body) claims the row under a row lock: ``queued`` → ``rendering``
  with a fresh claim token and a lease that a background thread keeps renewing. A duplicate or
  redelivered message finds the row ready, failed or leased and does nothing, so every message
  is safe to deliver twice.
- The PDF is written to a work file, fsynced, then moved into storage and the row set
  ``ready`` (with SHA-256 and page count) in one transaction, only if the claim token is still
  the worker's: no half-written pack is ever visible, and a worker that lost its lease throws
  its work away.
- ``sweep`` (Celery beat) re-queues packs whose lease expired (their worker died), fails them
  after ``PACKS_MAX_ATTEMPTS`` tries, and re-sends queued packs whose message never arrived —
  whatever the broker did with the original message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts import permissions
from accounts.models import Organisation, PartnershipCouncil
from audit import services as audit
from audit.models import INSTALLATION, AuditEvent
from registers.models import AlgorithmicSystem

from . import snapshot as snap
from .models import AuditPack, PackScope, PackStage, PackStatus, pack_storage

log = logging.getLogger("govreg.packs")
security_log = logging.getLogger("govreg.security")


class PackRequestRefused(Exception):
    """A request GovReg will not take (the message is shown to the person)."""


class PackProblem(Exception):
    """A reason a pack cannot be produced that no retry will fix (shown on the pack's page)."""


@dataclass
class PackRequest:
    pack: AuditPack
    created: bool


# --- Who may see and do what ----------------------------------------------------------------


def visible_packs(user, action: str = "view"):
    """Packs all of whose bodies allow ``user`` to ``action``; everything else is a 404."""
    return AuditPack.objects.covering_only(permissions.organisation_ids(user, action))


def pack_action(pack: AuditPack, action: str) -> str:
    """Council packs need ``download_pack`` to be requested too (they span several bodies)."""
    if action == "request_pack" and pack.scope == PackScope.COUNCIL:
        return "download_pack"
    return action


def can_on_pack(user, action: str, pack: AuditPack) -> bool:
    organisations = list(pack.organisations.all())
    action = pack_action(pack, action)
    return bool(organisations) and all(permissions.can(user, action, o) for o in organisations)


def require_on_pack(user, action: str, pack: AuditPack) -> None:
    if not can_on_pack(user, action, pack):
        raise PermissionDenied(action)


def councils_for(user):
    """Partnership councils in which the user may download packs of at least one body."""
    ids = permissions.organisation_ids(user, "download_pack")
    return PartnershipCouncil.objects.filter(organisations__in=ids).distinct().order_by("name")


# --- Requesting -----------------------------------------------------------------------------


def content_key(*, scope: str, target_id: int, organisation_ids: list[int], language: str) -> str:
    """The content version of a pack: scope, language and the newest change in its bodies.

    Every write in GovReg is audited, so the newest audit entry of each covered body moves
    whenever anything a pack shows changes: per body, because positions are numbered per chain
    (one body's increase across its chains, ``audit.models``). That is the newest in the body's
    own chain, or, before its first, its newest in the installation chain (from before chains
    per body, so it no longer moves). Pack events themselves are left out, or asking for a pack
    would change the version of the next one.
    """
    ids = sorted(organisation_ids)

    def newest_position(**where):
        """The newest position of these entries (read backwards along the chain's index)."""
        return Subquery(
            AuditEvent.objects.filter(**where)
            .exclude(action__startswith="pack.")
            .order_by("-position")
            .values("position")[:1]
        )

    newest = list(
        Organisation.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk",
            Coalesce(
                newest_position(chain=OuterRef("pk")),
                newest_position(chain=INSTALLATION, organisation_id=OuterRef("pk")),
            ),
        )
    )
    systems = AlgorithmicSystem.objects.filter(organisation_id__in=ids).aggregate(
        n=Count("id"), changed=Max("updated_at")
    )
    payload = json.dumps(
        [
            snap.FORMAT_VERSION,
            scope,
            target_id,
            ids,
            language,
            newest,
            systems["n"],
            systems["changed"].isoformat() if systems["changed"] else None,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _title(scope: str, language: str, *, system=None, organisation=None, council=None) -> str:
    with override(language):
        if scope == PackScope.SYSTEM:
            name = system.display_name
        elif scope == PackScope.ORGANISATION:
            name = organisation.display_name
        else:
            name = council.display_name
        return _("Audit pack: {name}").format(name=name)[:300]


@transaction.atomic
def request_pack(
    *,
    actor,
    scope: str,
    language: str,
    system: AlgorithmicSystem | None = None,
    organisation: Organisation | None = None,
    council: PartnershipCouncil | None = None,
) -> PackRequest:
    """Ask for a pack; returns the existing one when the same content version is queued,
    being produced or ready. The worker is told after commit."""
    if language not in dict(settings.LANGUAGES):
        raise PackRequestRefused(_("Choose English or Welsh."))
    if scope == PackScope.SYSTEM:
        system = AlgorithmicSystem.objects.select_related("organisation").get(pk=system.pk)
        permissions.require(actor, "request_pack", system)
        organisation = system.organisation
        organisations = [organisation]
        target_id = system.pk
    elif scope == PackScope.ORGANISATION:
        permissions.require(actor, "request_pack", organisation)
        organisations = [organisation]
        target_id = organisation.pk
    elif scope == PackScope.COUNCIL:
        allowed = set(permissions.organisation_ids(actor, "download_pack"))
        organisations = [o for o in council.organisations.order_by("name") if o.pk in allowed]
        if not organisations:
            raise PermissionDenied("download_pack")
        for body in organisations:
            permissions.require(actor, "download_pack", body)
        organisation = None
        target_id = council.pk
    else:
        raise PackRequestRefused(_("Choose what the pack should cover."))

    ids = [o.pk for o in organisations]
    if scope != PackScope.SYSTEM:
        count = AlgorithmicSystem.objects.filter(organisation_id__in=ids).count()
        if count > settings.PACKS_MAX_SYSTEMS:
            raise PackRequestRefused(
                _(
                    "This pack would cover {count} systems, and a pack can cover at most {limit}. "
                    "Ask for packs of single bodies or systems instead."
                ).format(count=count, limit=settings.PACKS_MAX_SYSTEMS)
            )
    key = content_key(scope=scope, target_id=target_id, organisation_ids=ids, language=language)
    existing = AuditPack.objects.active().filter(content_key=key).first()
    if existing is not None:
        return PackRequest(existing, created=False)

    window = timezone.now() - dt.timedelta(seconds=settings.PACKS_REQUEST_WINDOW_SECONDS)
    recent = AuditPack.objects.filter(requested_by=actor, requested_at__gte=window).count()
    if recent >= settings.PACKS_MAX_REQUESTS_PER_WINDOW:
        raise PackRequestRefused(
            _(
                "You have asked for {n} packs in the last {minutes} minutes. Wait for them to be "
                "produced before asking for more."
            ).format(n=recent, minutes=settings.PACKS_REQUEST_WINDOW_SECONDS // 60)
        )

    try:
        with transaction.atomic():
            pack = AuditPack.objects.create(
                scope=scope,
                system=system if scope == PackScope.SYSTEM else None,
                organisation=organisation,
                council=council if scope == PackScope.COUNCIL else None,
                title=_title(
                    scope, language, system=system, organisation=organisation, council=council
                ),
                language=language,
                content_key=key,
                requested_by=actor,
            )
    except IntegrityError:
        # Someone asked for the same content at the same moment: theirs is the pack.
        return PackRequest(AuditPack.objects.active().get(content_key=key), created=False)
    pack.organisations.set(organisations)
    audit.record(
        actor,
        "pack.requested",
        pack,
        changes={
            "scope": [None, scope],
            "language": [None, language],
            "organisations": [None, sorted(ids)],
        },
    )
    transaction.on_commit(lambda: enqueue(pack.pk))
    return PackRequest(pack, created=True)


@transaction.atomic
def retry_pack(pack: AuditPack, *, actor) -> PackRequest:
    """Try a failed pack again (from its page), unless the same content is already available."""
    pack = AuditPack.objects.select_for_update().get(pk=pack.pk)
    require_on_pack(actor, "request_pack", pack)
    if pack.status != PackStatus.FAILED:
        raise PackRequestRefused(_("Only a pack that failed can be tried again."))
    ids = sorted(pack.organisations.values_list("pk", flat=True))
    target_id = pack.system_id or pack.organisation_id or pack.council_id
    key = content_key(
        scope=pack.scope, target_id=target_id, organisation_ids=ids, language=pack.language
    )
    other = AuditPack.objects.active().filter(content_key=key).exclude(pk=pack.pk).first()
    if other is not None:
        return PackRequest(other, created=False)
    before = audit.snapshot(pack, ["status", "attempts", "error"])
    pack.content_key = key
    _reset(pack)
    pack.save()
    audit.record(
        actor,
        "pack.retried",
        pack,
        changes=audit.diff(before, audit.snapshot(pack, ["status", "attempts", "error"])),
    )
    transaction.on_commit(lambda: enqueue(pack.pk))
    return PackRequest(pack, created=True)


def _reset(pack: AuditPack) -> None:
    pack.status = PackStatus.QUEUED
    pack.stage = PackStage.WAITING
    pack.attempts = 0
    pack.error = ""
    pack.claim_token = None
    pack.claimed_by = ""
    pack.lease_expires_at = None
    pack.enqueued_at = None
    pack.started_at = None
    pack.finished_at = None


# --- Sending to a worker --------------------------------------------------------------------


def enqueue(pack_id) -> bool:
    """Send "render pack X" to the workers. Never blocks long, never raises for the broker:
    ``False`` means the broker was unreachable and the sweep will send it later."""
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import RedisError

    from govreg.celery import app

    from .tasks import render_pack

    try:
        if app.conf.task_always_eager:
            render_pack.apply_async((str(pack_id),))
        else:
            options = {
                "socket_connect_timeout": settings.PACKS_BROKER_TIMEOUT,
                "socket_timeout": settings.PACKS_BROKER_TIMEOUT,
            }
            with app.connection_for_write(transport_options=options) as connection:
                render_pack.apply_async(
                    (str(pack_id),),
                    connection=connection,
                    queue=settings.PACKS_QUEUE,
                    retry=True,
                    retry_policy={"max_retries": 0},
                )
    except (KombuOperationalError, RedisError, OSError) as exc:
        log.warning("pack %s kept queued: broker unreachable (%s)", pack_id, type(exc).__name__)
        return False
    AuditPack.objects.filter(pk=pack_id).update(enqueued_at=timezone.now())
    return True


# --- Producing (the task body) --------------------------------------------------------------


def work_dir() -> Path:
    """Where PDFs are written before they are moved into storage (same file system when the
    storage is local, so the move is an atomic rename)."""
    configured = getattr(settings, "PACKS_WORK_DIR", None)
    if configured:
        path = Path(configured)
    else:
        storage = pack_storage()
        if isinstance(storage, FileSystemStorage):
            path = Path(storage.location) / "packs-work"
        else:
            path = Path(tempfile.gettempdir()) / "govreg-packs-work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_partials(pack_id, *, older_than: float | None = None) -> int:
    removed = 0
    pattern = f"{pack_id}-*.part" if pack_id else "*.part"
    cutoff = time.time() - older_than if older_than else None
    for path in work_dir().glob(pattern):
        try:
            if cutoff is None or path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed


def _lease_until() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.PACKS_LEASE_SECONDS)


def worker_name() -> str:
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def claim(pack_id, *, worker: str = "") -> AuditPack | None:
    """Take the pack for this worker, or None when there is nothing to do (already done,
    failed, or leased to a live worker). Gives up on a pack tried too often."""
    with transaction.atomic():
        pack = AuditPack.objects.select_for_update().filter(pk=pack_id).first()
        if pack is None or pack.status in (PackStatus.READY, PackStatus.FAILED):
            return None
        now = timezone.now()
        if (
            pack.status == PackStatus.RENDERING
            and pack.lease_expires_at
            and pack.lease_expires_at > now
        ):
            return None
        if pack.attempts >= settings.PACKS_MAX_ATTEMPTS:
            _mark_failed(pack, _gave_up(pack.attempts, pack.error or _worker_lost()))
            return None
        pack.status = PackStatus.RENDERING
        pack.stage = PackStage.COLLECTING
        pack.attempts += 1
        pack.claim_token = uuid.uuid4()
        pack.claimed_by = (worker or worker_name())[:200]
        pack.lease_expires_at = now + dt.timedelta(seconds=settings.PACKS_LEASE_SECONDS)
        pack.started_at = now
        pack.save(
            update_fields=[
                "status",
                "stage",
                "attempts",
                "claim_token",
                "claimed_by",
                "lease_expires_at",
                "started_at",
            ]
        )
    _remove_partials(pack.pk)  # work left by a worker that died on an earlier attempt
    return pack


class LeaseKeeper:
    """Renews the claim's lease while the render runs (a background thread with its own
    database connection). A killed worker stops renewing, so its lease runs out."""

    def __init__(self, pack_id, token, *, every: float):
        self.pack_id, self.token, self.every = pack_id, token, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"pack-lease-{pack_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.every + 5)
        return False

    def _run(self):
        try:
            while not self._stop.wait(self.every):
                try:
                    AuditPack.objects.filter(
                        pk=self.pack_id, claim_token=self.token, status=PackStatus.RENDERING
                    ).update(lease_expires_at=_lease_until())
                except Exception:  # noqa: BLE001 - a missed renewal only shortens the lease
                    log.warning("pack %s: lease renewal failed", self.pack_id, exc_info=True)
        finally:
            connections.close_all()


class _NoLease:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _set_stage(pack: AuditPack, stage: str) -> None:
    AuditPack.objects.filter(pk=pack.pk, claim_token=pack.claim_token).update(
        stage=stage, lease_expires_at=_lease_until()
    )


@dataclass
class Produced:
    path: Path
    sha256: str
    pages: int
    size: int
    snapshot_sha256: str
    covers: dict
    timings: dict = field(default_factory=dict)
    html: str = ""  # kept for the benchmark's raw-WeasyPrint comparison; never stored


def check_requester(pack: AuditPack) -> None:
    """The requester must still be allowed to ask for this pack when it is produced."""
    from accounts.models import User

    requester = User.objects.get(pk=pack.requested_by_id)
    action = pack_action(pack, "request_pack")
    lost = [o for o in pack.organisations.all() if not permissions.can(requester, action, o)]
    if not requester.is_active or lost:
        names = ", ".join(o.display_name for o in lost) or requester.email
        raise PackProblem(
            _(
                "The person who asked for this pack no longer has access to {bodies}, so it was not produced."
            ).format(bodies=names)
        )


def _inject_fault(point: str) -> None:
    """Fault injection for the reliability tests only (``PACKS_TEST_FAULT``; a system check
    warns when it is set)."""
    fault = getattr(settings, "PACKS_TEST_FAULT", "") or ""
    if not fault:
        return
    kind, _sep, arg = fault.partition(":")
    if kind == "raise" and point == "layout":
        raise RuntimeError("Injected failure (PACKS_TEST_FAULT)")
    if kind == "exit" and point == "layout":
        os._exit(70)
    if kind == "sleep" and point == "layout":
        time.sleep(float(arg or 5))


def produce(pack: AuditPack) -> Produced:
    """Snapshot → HTML → PDF in a work file. Reads only; writes nothing visible."""
    from . import rendering  # WeasyPrint is loaded by workers only, not by web processes

    timings = {}
    started = time.perf_counter()
    check_requester(pack)
    pack = AuditPack.objects.select_related("requested_by", "council", "system").get(pk=pack.pk)
    try:
        document = snap.build_snapshot(pack)
    except snap.PackTooLarge as exc:
        raise PackProblem(
            _(
                "This pack would cover {count} systems, and a pack can cover at most {limit}."
            ).format(count=exc.count, limit=settings.PACKS_MAX_SYSTEMS)
        ) from exc
    if not document["systems"] and pack.scope == PackScope.SYSTEM:
        raise PackProblem(_("The system is no longer in this body's register."))
    data = snap.canonical_json(document)
    snapshot_sha256 = snap.sha256_hex(data)
    timings["snapshot"] = time.perf_counter() - started

    mark = time.perf_counter()
    html = rendering.render_html(document, snapshot_sha256)
    timings["html"] = time.perf_counter() - mark
    _set_stage(pack, PackStage.LAYING_OUT)
    _inject_fault("layout")

    rendered = rendering.html_to_pdf(html, snapshot_bytes=data, language=pack.language)
    timings["weasyprint"] = rendered.seconds
    _set_stage(pack, PackStage.STORING)

    mark = time.perf_counter()
    digest = hashlib.sha256(rendered.data).hexdigest()
    path = work_dir() / f"{pack.pk}-{pack.claim_token}.part"
    with open(path, "wb") as handle:
        handle.write(rendered.data)
        handle.flush()
        os.fsync(handle.fileno())
    timings["write"] = time.perf_counter() - mark
    return Produced(
        path=path,
        sha256=digest,
        pages=rendered.pages,
        size=len(rendered.data),
        snapshot_sha256=snapshot_sha256,
        covers=snap.covers(document),
        timings=timings,
        html=html,
    )


class _WorkFile(File):
    """A finished work file; local storage moves it into place with one rename."""

    def __init__(self, path: Path):
        super().__init__(open(path, "rb"), name=path.name)  # noqa: SIM115 - closed by finish()
        self._path = str(path)

    def temporary_file_path(self) -> str:
        return self._path


def storage_name(pack: AuditPack) -> str:
    return f"packs/{pack.requested_at:%Y/%m}/{pack.pk}.pdf"


def finish(pack_id, token, produced: Produced) -> bool:
    """Store the PDF and mark the pack ready, in one transaction, if the claim is still ours."""
    storage = pack_storage()
    try:
        with transaction.atomic():
            pack = AuditPack.objects.select_for_update().get(pk=pack_id)
            if pack.status != PackStatus.RENDERING or pack.claim_token != token:
                log.warning("pack %s: claim lost before storing; work discarded", pack_id)
                return False
            name = storage_name(pack)
            if storage.exists(name):
                storage.delete(name)  # left by an attempt that died before its commit
            work_file = _WorkFile(produced.path)
            try:
                saved = storage.save(name, work_file, max_length=300)
            finally:
                work_file.close()
            try:
                pack.file.name = saved
                pack.sha256 = produced.sha256
                pack.snapshot_sha256 = produced.snapshot_sha256
                pack.page_count = produced.pages
                pack.byte_size = produced.size
                pack.covers = produced.covers
                pack.status = PackStatus.READY
                pack.stage = PackStage.WAITING
                pack.error = ""
                pack.lease_expires_at = None
                pack.finished_at = timezone.now()
                pack.save()
                audit.record(
                    None,
                    "pack.completed",
                    pack,
                    changes={
                        "status": [PackStatus.RENDERING, PackStatus.READY],
                        "sha256": [None, produced.sha256],
                        "snapshot_sha256": [None, produced.snapshot_sha256],
                        "page_count": [None, produced.pages],
                    },
                )
            except BaseException:
                storage.delete(saved)
                raise
    finally:
        produced.path.unlink(missing_ok=True)
    return True


def _mark_failed(pack: AuditPack, error: str) -> None:
    """Inside a transaction holding the row lock."""
    before = pack.status
    pack.status = PackStatus.FAILED
    pack.stage = PackStage.WAITING
    pack.error = error
    pack.lease_expires_at = None
    pack.claim_token = None
    pack.finished_at = timezone.now()
    pack.save(
        update_fields=["status", "stage", "error", "lease_expires_at", "claim_token", "finished_at"]
    )
    audit.record(
        None, "pack.failed", pack, changes={"status": [before, PackStatus.FAILED]}, note=error[:500]
    )


def _worker_lost() -> str:
    return _(
        "The worker producing the pack stopped before it finished (it may have been restarted or run out of memory)."
    )


def _gave_up(attempts: int, last: str) -> str:
    return _(
        "GovReg tried {n} times to produce this pack without success. The last problem was: {error}"
    ).format(n=attempts, error=last)


def fail(pack_id, token, error: str) -> None:
    """A problem no retry will fix: the pack ends failed."""
    with transaction.atomic():
        pack = AuditPack.objects.select_for_update().get(pk=pack_id)
        if pack.claim_token != token or pack.status != PackStatus.RENDERING:
            return
        _mark_failed(pack, error)


def retry_later_or_fail(pack_id, token, error: str) -> None:
    """A problem that may pass (a crash, a lost connection): queue it again, or fail it after
    ``PACKS_MAX_ATTEMPTS`` attempts."""
    with transaction.atomic():
        pack = AuditPack.objects.select_for_update().get(pk=pack_id)
        if pack.claim_token != token or pack.status != PackStatus.RENDERING:
            return
        if pack.attempts >= settings.PACKS_MAX_ATTEMPTS:
            _mark_failed(pack, _gave_up(pack.attempts, error))
            return
        pack.status = PackStatus.QUEUED
        pack.stage = PackStage.WAITING
        pack.error = error
        pack.claim_token = None
        pack.lease_expires_at = None
        pack.save(update_fields=["status", "stage", "error", "claim_token", "lease_expires_at"])
        transaction.on_commit(lambda: enqueue(pack_id))


def describe_error(exc: BaseException) -> str:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    name = type(exc).__name__
    return _("An unexpected error stopped the pack ({error}).").format(
        error=f"{name}: {detail}" if detail else name
    )


def build_pack(pack_id, *, worker: str = "") -> str:
    """The task body: claim, produce, store. Returns what happened (for logs and tests)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from govreg.celery import app

    pack = claim(pack_id, worker=worker)
    if pack is None:
        return "skipped"
    token = pack.claim_token
    keeper = (
        _NoLease()
        if app.conf.task_always_eager
        else LeaseKeeper(pack.pk, token, every=settings.PACKS_HEARTBEAT_SECONDS)
    )
    try:
        with keeper:
            produced = produce(pack)
            stored = finish(pack.pk, token, produced)
    except SoftTimeLimitExceeded:
        fail(
            pack.pk,
            token,
            _(
                "The pack took longer than {seconds} seconds to produce, so it was stopped. "
                "Packs of single systems or bodies are smaller."
            ).format(seconds=settings.PACKS_SOFT_TIME_LIMIT),
        )
        return "failed"
    except PackProblem as problem:
        fail(pack.pk, token, str(problem))
        return "failed"
    except Exception as exc:  # noqa: BLE001 - recorded on the row, retried, and logged
        log.exception("pack %s: attempt %s failed", pack.pk, pack.attempts)
        retry_later_or_fail(pack.pk, token, describe_error(exc))
        return "error"
    log.info(
        "pack %s produced in %s",
        pack.pk,
        {k: round(v, 3) for k, v in produced.timings.items()},
    )
    return "ready" if stored else "discarded"


# --- Recovering -----------------------------------------------------------------------------


@dataclass
class SweepResult:
    requeued: int = 0
    failed: int = 0
    sent: int = 0
    unsent: int = 0
    partials_removed: int = 0


def sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Recover packs whatever happened to their messages or workers (run by Celery beat)."""
    now = now or timezone.now()
    result = SweepResult()
    expired = list(
        AuditPack.objects.filter(status=PackStatus.RENDERING, lease_expires_at__lt=now).values_list(
            "pk", flat=True
        )
    )
    for pack_id in expired:
        with transaction.atomic():
            pack = (
                AuditPack.objects.select_for_update(skip_locked=True)
                .filter(pk=pack_id, status=PackStatus.RENDERING, lease_expires_at__lt=now)
                .first()
            )
            if pack is None:
                continue
            if pack.attempts >= settings.PACKS_MAX_ATTEMPTS:
                _mark_failed(pack, _gave_up(pack.attempts, _worker_lost()))
                result.failed += 1
                continue
            pack.status = PackStatus.QUEUED
            pack.stage = PackStage.WAITING
            pack.error = _worker_lost()
            pack.claim_token = None
            pack.lease_expires_at = None
            pack.enqueued_at = None
            pack.save(
                update_fields=[
                    "status",
                    "stage",
                    "error",
                    "claim_token",
                    "lease_expires_at",
                    "enqueued_at",
                ]
            )
            result.requeued += 1
    grace = now - dt.timedelta(seconds=settings.PACKS_SEND_GRACE_SECONDS)
    resend_before = now - dt.timedelta(seconds=settings.PACKS_RESEND_AFTER_SECONDS)
    waiting = AuditPack.objects.filter(status=PackStatus.QUEUED).filter(
        Q(enqueued_at__isnull=True, requested_at__lt=grace)
        | Q(enqueued_at__isnull=True, pk__in=expired)
        | Q(enqueued_at__lt=resend_before)
    )
    for pack_id in waiting.order_by("requested_at").values_list("pk", flat=True)[:500]:
        if enqueue(pack_id):
            result.sent += 1
        else:
            result.unsent += 1
            break  # the broker is down: the next sweep tries again
    result.partials_removed = _remove_partials(
        None, older_than=max(3600, 2 * settings.PACKS_TIME_LIMIT)
    )
    return result


# --- Downloading ----------------------------------------------------------------------------


def open_download(user, pack: AuditPack, *, ip: str = ""):
    """A ready pack's file, opened for ``user`` to download (logged); ``None`` when the file
    is missing from storage (logged as an error: the row says ready, the storage disagrees)."""
    try:
        handle = pack.file.open("rb")
    except FileNotFoundError:
        log.error(
            "pack %s is ready but its file %s is missing from storage", pack.pk, pack.file.name
        )
        return None
    log_download(user, pack, ip=ip)
    return handle


def log_download(user, pack: AuditPack, *, ip: str = "") -> None:
    security_log.info(
        "pack.download",
        extra={
            "actor": user.email,
            "body": ",".join(str(o.pk) for o in pack.organisations.all()),
            "action": "pack.download",
            "object": str(pack.pk),
            "outcome": "allowed",
            "ip": ip,
        },
    )

"""Fixtures of the pack tests: media in a temporary directory, a system with a full record and
history, and — for the tests marked ``worker`` — the real Redis and real Celery workers.

Worker tests start ``celery -A govreg worker`` (prefork, one child, with embedded beat for the
sweep) as subprocesses on the test database, with a short lease and sweep period so recovery
takes seconds, and stop them by PID. Each test uses its own queue name on Redis DB 4.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit import services as audit
from registers import services as register_services
from registers.models import DataSpecification, ModelSpecification
from registers.sections import BY_SLUG
from tests.services import postgres_url, redis_reachable, require_redis, wait_for

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = str(BASE_DIR / ".venv" / "bin" / "celery")
REDIS_URL = os.environ.get("PACKS_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
COMMENT = "Staff on the Llŷn peninsula said the rota ignores ferry times — ŵ ŷ."
# A comment thread's first comment, read back from the PDF (``fill_parts``).
COMMENT_TEXT = "Rotas must be published two weeks ahead, as agreed at the Ynys Môn forum."
# What a rights request holds about the person and the case: never printed in a pack.
PRIVATE = ("CASE-7781", "Gwenllian Parry, 12 Stryd Fawr, Bangor", "Asked why week 14 changed")


@pytest.fixture(autouse=True)
def pack_media(settings, tmp_path):
    """Each test stores packs in its own media directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored_pdfs(media: Path) -> list[Path]:
    return sorted((media / "packs").rglob("*.pdf")) if (media / "packs").exists() else []


def partial_files(media: Path) -> list[Path]:
    work = media / "packs-work"
    return sorted(work.glob("*")) if work.exists() else []


def fill_record(system, actor, *, history: int = 0, text: str = COMMENT):
    """Give ``system`` a record worth printing, through the real services (so with history)."""
    from django.db import transaction

    with transaction.atomic():
        return _fill_record(system, actor, history=history, text=text)


def _fill_record(system, actor, *, history, text):
    values = {
        "description": "Software that proposes weekly rotas for 420 home-care workers.",
        "team": "Adult Social Care Scheduling",
        "senior_responsible_owner": "Director of Social Services",
        "external_supplier_involvement": "yes",
        "external_supplier": "CareRoute Ltd",
        "detailed_description": text,
        "scope": "Proposes rotas only.",
        "benefit": "Shorter travel between visits.",
        "human_in_the_loop": "A scheduling officer approves every rota.",
        "employment_decisions": ["scheduling"],
        "worker_groups": "Home-care workers",
        "workers_affected": 430,
        "name_cy": "Cynllunydd rota gofal cartref",
    }
    for slug in ("summary", "owner", "rationale", "oversight", "workers", "welsh"):
        section = BY_SLUG.get(slug)
        if section is None:
            continue
        data = {k: v for k, v in values.items() if k in section.fields}
        if data:
            system = register_services.update_section(
                system, actor=actor, section=section, data=data, expected_fingerprint=None
            )
    spec = ModelSpecification.objects.create(
        system=system, model_name="Rota optimiser", model_version="4.2"
    )
    audit.record(actor, "specification.created", spec, changes=audit.diff({}, audit.snapshot(spec)))
    DataSpecification.objects.create(
        system=system, source_data_name="Care visits", data_modality="tabular"
    )
    register_services.add_attachment(
        system,
        actor=actor,
        title="Data protection impact assessment",
        uploaded=SimpleUploadedFile("dpia.txt", b"DPIA approved by the DPO on 3 May 2026.\n"),
    )
    for n in range(history):
        audit.record(
            actor,
            "system.updated",
            system,
            changes={"scope": [f"Scope, version {n}", f"Scope, version {n + 1}: {text}"]},
            note="Bulk history for the pack tests",
        )
    system.refresh_from_db()
    return system


@pytest.fixture
def rich_system(system, cast):
    return fill_record(system, cast.hr)


def fill_parts(system, cast, questionnaire, *, hostile: str = ""):
    """Give ``system`` everything the assessments and consultations parts print, through those
    apps' services: approved DPIA, EqIA and AIA, risks (one accepted, one overdue for review),
    actions with progress updates (one overdue), two consultations (one agreed, one where the
    union did not agree) with meetings, prompts and disclosures, a comment thread with a reply,
    a rep's concern with the employer's response, an anonymous concern and rights requests.
    ``hostile`` is put into a comment and the minutes of a meeting."""
    import datetime as dt

    from django.utils import timezone

    from assessments import services as assessments
    from assessments.models import Action, Risk
    from consultations import services as consultations
    from consultations.choices import Agreement, AttendeeSide
    from consultations.models import Concern
    from registers.models import AlgorithmicSystem
    from tests.oversight import conftest as oversight

    today = timezone.localdate()
    system = oversight.move(system, cast.hr, "tender_award", "development")
    approved = oversight.approve_assessments(system, cast, questionnaire)
    union = oversight.rep_union(cast)

    risks = [
        assessments.create_risk(
            system,
            actor=cast.hr,
            data={
                "category": category,
                "description": description,
                "likelihood": likelihood,
                "impact": impact,
                "owner": "Rhian Evans",
                "mitigation": "Monthly parity check with the unions.",
                "residual_likelihood": 2,
                "residual_impact": impact - 1,
                "review_due": today + dt.timedelta(days=30),
            },
            assessment=approved["dpia"],
        )
        for category, description, likelihood, impact in (
            ("DISCRIM", "Carers are given fewer preferred shifts.", 4, 4),
            ("INTENS", "Travel time between visits is squeezed.", 3, 3),
            ("JUDGE", "Schedulers accept every proposal unchecked.", 2, 2),
        )
    ]
    assessments.accept_risk(
        risks[2],
        actor=cast.manager,
        reason="Training covers overriding proposals.",
        until=today + dt.timedelta(days=90),
    )
    Risk.objects.filter(pk=risks[1].pk).update(review_due=today - dt.timedelta(days=3))
    actions = [
        assessments.create_action(
            system,
            actor=cast.hr,
            data={"description": text, "owner": "HR", "due_date": today + dt.timedelta(days=20)},
        )
        for text in ("Publish the parity report.", "Train every scheduler.")
    ]
    for days, progress, note in ((9, "progressing", "Draft shared."), (2, "progressing", "Sent.")):
        assessments.add_progress_update(
            actions[0],
            actor=cast.hr,
            on=today - dt.timedelta(days=days),
            progress=progress,
            note=note,
        )
    Action.objects.filter(pk=actions[1].pk).update(due_date=today - dt.timedelta(days=5))

    oversight.conclude_consultation(system, cast)  # the current stage, agreed
    disputed = consultations.create_consultation(
        actor=cast.hr,
        system=system,
        stage="tender_award",
        unions=[union],
        summary="Which supplier to appoint.",
    )
    consultations.open_consultation(disputed, actor=cast.hr)
    consultations.update_points(
        disputed,
        actor=cast.hr,
        values={p.pk: (True, "Covered at the first meeting.") for p in disputed.points.all()[:2]},
    )
    consultations.record_meeting(
        disputed,
        actor=cast.hr,
        held_on=today - dt.timedelta(days=2),
        title="Supplier shortlist",
        attendees=[
            {"name": "Rhian Evans", "role": "HR", "side": AttendeeSide.EMPLOYER},
            {
                "name": "Dafydd Morgan",
                "role": "Steward",
                "side": AttendeeSide.UNION,
                "union": union,
            },
        ],
        minutes=f"The shortlist was discussed. {hostile}".strip(),
        decisions="Ask the suppliers about data retention.",
    )
    consultations.share(disputed, actor=cast.hr, obj=system)
    consultations.share_document(
        disputed, actor=cast.hr, title="Tender specification", reference="TS-2026-04"
    )
    consultations.record_position(
        disputed,
        actor=cast.rep,
        position=Agreement.NOT_AGREED,
        statement="The preferred supplier keeps data for seven years.",
    )
    consultations.conclude_consultation(
        disputed,
        actor=cast.hr,
        outcome=Agreement.NOT_AGREED,
        outcome_summary="The employer goes ahead; the union's objection is recorded.",
    )

    thread = consultations.add_comment(
        actor=cast.rep, system=system, target=system, body=COMMENT_TEXT
    )
    consultations.add_comment(
        actor=cast.hr, system=system, target=None, parent=thread, body="Noted: added to A1."
    )
    consultations.resolve_thread(thread, actor=cast.hr)
    if hostile:
        consultations.add_comment(
            actor=cast.rep, system=system, target=approved["aia"], body=hostile
        )

    concern = consultations.raise_concern(
        actor=cast.rep,
        system=system,
        category="INTENS",
        summary="Breaks are squeezed",
        details="Visits are booked back to back.",
    )
    consultations.respond_to_concern(
        concern, actor=cast.hr, text="Ten minutes between visits from next month."
    )
    AlgorithmicSystem.objects.filter(pk=system.pk).update(publication_status="published")
    anonymous = consultations.raise_anonymous_concern(
        system=oversight.fresh(system),
        category="SURV",
        summary="Location tracking off duty",
        details="The app tracks us after the last visit.",
    )
    Concern.objects.filter(pk=anonymous.pk).update(due_on=today - dt.timedelta(days=2))

    case, person, summary = PRIVATE
    for n, kind in enumerate(("explanation", "human_review", "explanation")):
        request = consultations.log_rights_request(
            actor=cast.hr,
            system=system,
            case_reference=f"{case}-{n}",
            kind=kind,
            received_on=today - dt.timedelta(days=40 * n),
            decision_reference="Rota week 14",
            requester_details=person,
            summary=summary,
        )
        if n == 1:
            consultations.close_rights_request(
                request, actor=cast.hr, closed_on=today, outcome="upheld", outcome_notes=person
            )
    return oversight.fresh(system)


@pytest.fixture
def pack_questionnaire(db):
    import json

    from assessments import questionnaire as engine
    from assessments import services as assessments

    definition = json.loads((engine.DATA_DIR / engine.DEFAULT_FILE).read_text(encoding="utf-8"))
    questionnaire, _outcome = assessments.load_questionnaire(definition, publish=True)
    return questionnaire


@pytest.fixture
def full_system(rich_system, cast, pack_questionnaire):
    """``rich_system`` with everything the assessments and consultations parts print."""
    return fill_parts(rich_system, cast, pack_questionnaire)


# --- Real broker and workers ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Broker:
    url: str
    queue: str


@pytest.fixture
def broker(settings, transactional_db):
    """The test process sends to the real Redis (DB 4) on a queue of its own."""
    require_redis(REDIS_URL)
    from govreg.celery import app

    queue = f"packs-test-{uuid.uuid4().hex[:10]}"
    settings.PACKS_QUEUE = queue
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = REDIS_URL
    app.conf.task_always_eager = False
    yield Broker(REDIS_URL, queue)
    app.conf.broker_url, app.conf.task_always_eager = saved
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    # Messages a killed worker left unacknowledged: kombu would restore them to this test's
    # queue after the visibility timeout, where nothing consumes them. DB 4 is the pack tests'.
    client.delete("unacked", "unacked_index")


def use_broker(url: str) -> None:
    """Point the test process's Celery app at another broker (an outage or a throw-away Redis)."""
    from govreg.celery import app

    app.conf.broker_url = url


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path
    name: str
    stopped: bool = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole worker (main process, pool child and beat)."""
        if not self.stopped:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
            self.stopped = True

    def stop(self) -> None:
        if self.stopped:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        self.stopped = True


@dataclass
class WorkerStarter:
    settings: object
    broker: Broker
    tmp_path: Path
    started: list[Worker] = field(default_factory=list)

    def __call__(
        self,
        *,
        broker_url: str | None = None,
        fault: str = "",
        beat: bool = True,
        wait: bool = True,
    ) -> Worker:
        n = len(self.started) + 1
        name = f"packs{n}-{uuid.uuid4().hex[:6]}@localhost"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": postgres_url(self.settings),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": broker_url or self.broker.url,
            "MEDIA_ROOT": str(self.settings.MEDIA_ROOT),
            "PACKS_QUEUE": self.broker.queue,
            "PACKS_LEASE_SECONDS": "4",
            "PACKS_HEARTBEAT_SECONDS": "1",
            "PACKS_SWEEP_SECONDS": "1",
            "PACKS_SEND_GRACE_SECONDS": "1",
            "PACKS_RESEND_AFTER_SECONDS": "30",
            "PACKS_TEST_FAULT": fault,
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            CELERY,
            "-A",
            "govreg",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            self.broker.queue,
            "-n",
            name,
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            command += ["-B", "-s", str(self.tmp_path / f"beat-schedule-{n}")]
        log_path = self.tmp_path / f"worker-{n}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log_path, name)
        self.started.append(worker)
        if wait:
            wait_for(
                lambda: "ready." in worker.log() or process.poll() is not None,
                timeout=45,
                what=f"worker {name} to start",
            )
            assert process.poll() is None, worker.log()
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def start_worker(settings, broker, tmp_path):
    starter = WorkerStarter(settings, broker, tmp_path)
    yield starter
    starter.stop_all()


@dataclass
class RedisServer:
    """A throw-away redis-server on its own port, stopped and started by PID."""

    port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: redis_reachable(self.url), timeout=15, what="redis-server to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def throwaway_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(free_port(), tmp_path)
    yield server
    server.stop()

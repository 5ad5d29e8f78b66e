"""Mixed-journey soak (QUALITY.md P7): reads, writes and pack requests for a fixed time.

    python bench/soak.py            # 60 s, 8 users
    python bench/soak.py --short    # CI: 15 s, 4 users

gunicorn (2 workers) and one Celery worker on loopback, PostgreSQL (BENCH_DATABASE_URL) and
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/11). Users of several bodies and roles
sign in through the login form and loop: 70 % reads (register, system page, history), 20 %
writes (comment, section edit, concern), 10 % pack requests (a soak of this size adds sign-offs
through the oversight tests instead: a sign-off needs the gate, so it cannot repeat in a loop).
Every write carries a unique token. Afterwards it counts: 5xx responses (must be 0), lost
writes (a write answered with success whose token is not in the database: must be 0),
conflicts (409: the lost-update check working), read p95, changes to a body's records that
recorded no audit event (captured by the database, ``audit.outside``: must be 0),
`verify_audit_log`, and whether every pack requested is ready within 2 minutes. Exits non-zero
on any 5xx, lost write, unaudited change or broken chain.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, gunicorn, seeded_environment, sign_in  # noqa: E402

PASSWORD = "bench-password"  # noqa: S105
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FINGERPRINT = re.compile(r'name="fingerprint" value="([^"]*)"')
TARGET_TYPE = re.compile(r'name="target_type" value="([^"]*)"')
TARGET_ID = re.compile(r'name="target_id" value="([^"]*)"')


class User:
    def __init__(self, host, port, email):
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookie = sign_in(host, port, email, PASSWORD)
        self.email = email

    def get(self, path):
        self.conn.request("GET", path, headers={"Cookie": self.cookie})
        response = self.conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")

    def post(self, path, fields, referer):
        body = urllib.parse.urlencode(fields)
        self.conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": self.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": referer,
            },
        )
        response = self.conn.getresponse()
        response.read()
        return response.status


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true")
    options = parser.parse_args()
    duration, users_n, systems = (15.0, 4, 500) if options.short else (60.0, 8, 2000)

    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    env = seeded_environment(
        systems,
        10,
        REDIS_URL=redis_url,
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # The per-user pack limit counts over the run alone, so packs of a run a few minutes
        # earlier do not refuse this run's requests.
        PACKS_REQUEST_WINDOW_SECONDS=str(int(duration)),
    )
    os.environ.update(env)

    import django

    django.setup()
    from django.urls import reverse

    from assessments.choices import RiskCategory
    from audit import outside
    from audit.models import AuditEvent
    from consultations.models import Comment, Concern
    from packs.models import AuditPack
    from registers.models import AlgorithmicSystem

    bodies = [f"bench-body-{n:03d}" for n in range(4)]
    targets = {
        slug: list(
            AlgorithmicSystem.objects.filter(organisation__slug=slug)
            .order_by("id")
            .values_list("uuid", flat=True)[:20]
        )
        for slug in bodies
    }
    category = RiskCategory.values[0]
    packs_before = set(AuditPack.objects.values_list("pk", flat=True))
    outside.seal_all()  # so that what is captured below is this run's

    worker = subprocess.Popen(
        [
            # As docs/operations.md recommends: packs are background work, pages come first.
            "nice",
            "-n",
            "10",
            sys.executable,
            "-m",
            "celery",
            "-A",
            "govreg",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    stats = Counter()
    read_latencies: list[float] = []
    successes: dict[str, list[str]] = {"comment": [], "section": [], "concern": []}
    lock = threading.Lock()

    with gunicorn(env) as (host, port):
        base = f"http://{host}:{port}"

        def journey(index: int):
            slug = bodies[index % len(bodies)]
            role = ("hr", "rep", "auditor", "hr", "rep", "manager", "hr", "rep")[index % 8]
            user = User(host, port, f"{role}@{slug}.example")
            rng = random.Random(index)  # noqa: S311
            stop_at = time.monotonic() + duration
            while time.monotonic() < stop_at:
                public_id = rng.choice(targets[slug])
                roll = rng.random()
                token = f"soak-{uuid.uuid4().hex}"
                if roll < 0.70:
                    path = rng.choice(
                        [
                            reverse("registers:system_list"),
                            reverse("registers:system_detail", args=[public_id]),
                            reverse("registers:system_history", args=[public_id]),
                        ]
                    )
                    started = time.monotonic()
                    status, _ = user.get(path)
                    took = (time.monotonic() - started) * 1000
                    with lock:
                        read_latencies.append(took)
                        stats[f"read {status // 100}xx"] += 1
                    continue
                if roll < 0.90:
                    kinds = {
                        "hr": ["section"],
                        "rep": ["comment", "concern"],
                        "manager": ["comment"],
                    }
                    if role not in kinds:  # auditors read and request packs; they do not write
                        continue
                    kind = rng.choice(kinds[role])
                    if kind == "section":
                        form = reverse("registers:section_edit", args=[public_id, "rationale"])
                        status, html = user.get(form)
                        fields = {
                            "csrfmiddlewaretoken": CSRF.search(html).group(1),
                            "fingerprint": FINGERPRINT.search(html).group(1).replace("&quot;", '"'),
                            "detailed_description": "Synthetic detail.",
                            "scope": token,
                            "benefit": "Synthetic benefit.",
                        }
                    elif kind == "comment":
                        form = reverse("consultations:comment_create", args=[public_id])
                        status, html = user.get(form)
                        fields = {
                            "csrfmiddlewaretoken": CSRF.search(html).group(1),
                            "target_type": TARGET_TYPE.search(html).group(1),
                            "target_id": TARGET_ID.search(html).group(1),
                            "body": token,
                        }
                    else:
                        form = reverse("consultations:concern_create", args=[public_id])
                        status, html = user.get(form)
                        fields = {
                            "csrfmiddlewaretoken": CSRF.search(html).group(1),
                            "category": category,
                            "summary": token,
                            "details": "Raised during the soak test.",
                        }
                    status = user.post(form, fields, base + form)
                    with lock:
                        stats[f"write {kind} {status}"] += 1
                        if status in (301, 302, 303):
                            successes[kind].append(token)
                    continue
                form = reverse("registers:system_detail", args=[public_id])
                status, html = user.get(form)
                path = reverse("packs:request_system", args=[public_id])
                status = user.post(
                    path,
                    {"csrfmiddlewaretoken": CSRF.search(html).group(1), "language": "en"},
                    base + form,
                )
                with lock:
                    stats[f"pack request {status}"] += 1

        threads = [threading.Thread(target=journey, args=(i,)) for i in range(users_n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    new_packs = AuditPack.objects.exclude(pk__in=packs_before)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and new_packs.exclude(status="ready").exists():
        time.sleep(2)
    waited = 120 - max(0.0, deadline - time.monotonic())
    unfinished = Counter(new_packs.exclude(status="ready").values_list("status", flat=True))
    worker.terminate()
    worker.wait(timeout=30)

    lost = {
        "comment": len(successes["comment"])
        - Comment.objects.filter(body__in=successes["comment"]).count(),
        "concern": len(successes["concern"])
        - Concern.objects.filter(summary__in=successes["concern"]).count(),
        "section": sum(
            0 if AuditEvent.objects.filter(changes__scope__1=token).exists() else 1
            for token in successes["section"]
        ),
    }
    # Every change the application made recorded its own audit event: none was captured.
    unaudited = outside.pending().count()
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    ordered = sorted(read_latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    errors_5xx = sum(
        n for key, n in stats.items() if key.endswith(" 5xx") or key.split()[-1].startswith("5")
    )

    print(f"\nSoak: {users_n} users for {duration:.0f} s (gunicorn -w 2, 1 Celery worker)")
    for key in sorted(stats):
        print(f"  {key:32} {stats[key]}")
    print(f"  reads: {len(ordered)}, p95 {p95:.1f} ms")
    print(f"  successful writes: { {k: len(v) for k, v in successes.items()} }")
    print(f"  lost writes: {lost} (total {sum(lost.values())})")
    print(f"  5xx responses: {errors_5xx} (429 = the per-user pack-request limit working)")
    print(
        f"  packs requested: {new_packs.count()}, not ready after {waited:.0f} s: {dict(unfinished) or 0}"
    )
    print(f"  changes to records made without an audit event: {unaudited}")
    print(f"  verify_audit_log: {'exit 0' if verify.returncode == 0 else 'FAILED'}")
    return (
        1 if unaudited or errors_5xx or sum(lost.values()) or verify.returncode or unfinished else 0
    )


if __name__ == "__main__":
    sys.exit(main())

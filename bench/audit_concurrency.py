"""The audit log under concurrent writes (QUALITY.md R10): complete, one entry per change, no
forks, and what the chain locks cost.

    python bench/audit_concurrency.py            # 8 processes × 150 mutations
    python bench/audit_concurrency.py --short    # CI: 4 processes × 25

Processes (each with its own database connection, as gunicorn's workers) edit record sections,
comment and add risks on a system of each of two bodies through the services, and change the
systems with a bulk ``QuerySet.update()`` and with raw SQL, all at once. Every mutation
carries a unique token. The bulk and raw changes record no audit event themselves: the
database captures them at COMMIT and ``seal_outside_changes`` then records them in the body's
chain (``audit.outside``). Afterwards: every successful mutation has exactly one audit entry
carrying its token (none missing, none doubled, nothing else recorded); positions are unique
and gapless in each body's chain; ``verify_audit_log`` exits 0. It prints the p95 and median
of the wait for a chain's lock (the latency the lock adds to a write: the two bodies' writers
each queue for their own body's chain), of how long a writer holds it (from taking it to the
end of its COMMIT), of a statement that waits for no lock (what queueing for the CPU alone
costs) and of the whole ``audit.record`` call, each beside the same figures for one process
alone. Each service is its own transaction, as when a view calls it. Uses the benchmark
database (BENCH_DATABASE_URL), seeding it if needed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, percentile, report_problems, seeded_environment  # noqa: E402

TOKEN = re.compile(r"r10-[0-9a-f]{12}")
# Through the services (edit, comment, risk), and around them (bulk QuerySet.update(), raw SQL).
KINDS = ("edit", "comment", "risk", "bulk", "raw")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true")
    options = parser.parse_args()
    workers_n, per_worker = (4, 25) if options.short else (8, 150)
    systems, bodies = (1000, 10) if options.short else (10_000, 50)
    env = seeded_environment(systems, bodies, static=False, CONN_MAX_AGE="0")
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.db import connection, transaction

    from accounts.models import User
    from assessments import services as assessment_services
    from audit import outside
    from audit import services as audit
    from audit.models import AuditEvent
    from consultations import services as consultation_services
    from registers import services as register_services
    from registers.models import AlgorithmicSystem
    from registers.sections import BY_SLUG

    targets = []
    for reference in ("bench-00001", "bench-00002"):
        system = AlgorithmicSystem.objects.get(reference=reference)
        org = system.organisation.slug
        targets.append(
            (
                system,
                User.objects.get(email=f"hr@{org}.example"),
                User.objects.get(email=f"rep@{org}.example"),
            )
        )

    # Per process (each has its own copy after the fork): the whole audit.record call, the wait
    # for the chain's lock inside it, and how long the lock was then held (until COMMIT ended).
    # On two shared cores even a statement that waits for no lock slows down under load (the
    # process and its server backend queue for the CPU): ``round_trips`` times one, the SET
    # row lock of the body that audit.record takes just before the chain's (FOR KEY SHARE: it
    # waits only for a change to the body itself, which nothing here makes).
    timings: list[float] = []
    waits: list[float] = []
    holds: list[float] = []
    round_trips: list[float] = []
    acquired: list[float] = []
    timing_lock = threading.Lock()
    original_record, original_lock = audit.record, audit._lock_heads

    def timed_record(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original_record(*args, **kwargs)
        finally:
            with timing_lock:
                timings.append((time.perf_counter() - started) * 1000)

    def timed_lock(chains):
        started = time.perf_counter()
        try:
            return original_lock(chains)
        finally:
            now = time.perf_counter()
            with timing_lock:
                waits.append((now - started) * 1000)
                acquired.append(now)

    def time_round_trip(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.startswith("SELECT 1 FROM accounts_organisation"):
                round_trips.append((time.perf_counter() - started) * 1000)

    audit.record, audit._lock_heads = timed_record, timed_lock

    def mutate(kind: str, system, hr, rep, token: str) -> None:
        acquired.clear()
        try:
            _mutate(kind, system, hr, rep, token)
        finally:
            if acquired:
                holds.append((time.perf_counter() - acquired[0]) * 1000)

    def _mutate(kind: str, system, hr, rep, token: str) -> None:
        # Each service is its own transaction, as when a view calls it: the COMMIT follows
        # the audit entry at once (an outer atomic block would add a RELEASE SAVEPOINT).
        if kind == "edit":
            register_services.update_section(
                system,
                actor=hr,
                section=BY_SLUG["summary"],
                data={"description": f"Edited under load {token}."},
                expected_fingerprint=None,
            )
        elif kind == "comment":
            consultation_services.add_comment(
                actor=rep, system=system, target=system, body=f"Load comment {token}"
            )
        elif kind == "risk":
            assessment_services.create_risk(
                system,
                actor=hr,
                data={
                    "category": "INTENS",
                    "description": f"Load risk {token}",
                    "likelihood": 2,
                    "impact": 3,
                    "owner": "Head of HR",
                },
            )
        elif kind == "bulk":  # bypasses the services: no audit event of its own
            with transaction.atomic():
                AlgorithmicSystem.objects.filter(pk=system.pk).update(maintenance=f"Bulk {token}")
        else:  # raw SQL, as from a database console
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE registers_algorithmicsystem SET maintenance = %s WHERE id = %s",
                    [f"Raw {token}", system.pk],
                )

    # One process alone first, through the services: the chain lock never waits.
    with connection.execute_wrapper(time_round_trip):
        for i in range(20):
            system, hr, rep = targets[i % 2]
            kind = KINDS[i % 3]
            mutate(kind, system, hr, rep, f"r10-{uuid.uuid4().hex[:12]}")
    alone = {
        "timings": list(timings),
        "waits": list(waits),
        "holds": list(holds),
        "round_trips": list(round_trips),
    }
    series = (timings, waits, holds, round_trips)
    for values in series:
        values.clear()

    outside.seal_all()  # anything captured earlier is not this run's
    body_ids = sorted({system.organisation_id for system, _hr, _rep in targets})
    start = {chain: head[0] for chain, head in audit.chain_heads(body_ids).items()}
    # Processes, as gunicorn's workers are (threads would also wait for each other's GIL).
    context = multiprocessing.get_context("fork")
    outcomes = context.Queue()
    connection.close()  # each process opens its own

    def worker(n: int) -> None:
        for values in series:
            values.clear()
        succeeded, around, failures = [], [], Counter()
        with connection.execute_wrapper(time_round_trip):
            for i in range(per_worker):
                system, hr, rep = targets[(n + i) % 2]
                kind = KINDS[(n + i) % len(KINDS)]
                token = f"r10-{uuid.uuid4().hex[:12]}"
                try:
                    mutate(kind, system, hr, rep, token)
                except Exception as error:  # noqa: BLE001 - counted and reported
                    failures[f"{type(error).__name__}: {str(error).splitlines()[0][:90]}"] += 1
                else:
                    succeeded.append(token)
                    if kind in ("bulk", "raw"):
                        around.append(token)
        connection.close()
        outcomes.put((succeeded, around, dict(failures), [list(values) for values in series]))

    began = time.perf_counter()
    processes = [context.Process(target=worker, args=(n,)) for n in range(workers_n)]
    for process in processes:
        process.start()
    succeeded, bulk_or_raw, failures = [], 0, Counter()
    for _process in processes:
        tokens, around, failed, measured = outcomes.get(timeout=900)
        succeeded += tokens
        bulk_or_raw += len(around)
        failures.update(failed)
        for values, more in zip(series, measured, strict=True):
            values += more
    for process in processes:
        process.join(timeout=60)
    elapsed = time.perf_counter() - began
    audit.record, audit._lock_heads = original_record, original_lock

    # The bulk and raw changes were captured at their COMMIT; record them in the chains now.
    sealing = time.perf_counter()
    sealed = outside.seal_all()
    sealing = time.perf_counter() - sealing
    events = [
        event
        for chain, after in start.items()
        for event in AuditEvent.objects.filter(chain=chain, position__gt=after)
        .order_by("position")
        .values_list("chain", "position", "changes")
    ]
    # A token counts where it is the new value (an edit's entry also shows the value before).
    seen = Counter(
        token
        for _c, _p, changes in events
        for pair in changes.values()
        for token in set(TOKEN.findall(str(pair[-1] if isinstance(pair, list) else pair)))
    )
    missing = [t for t in succeeded if seen[t] == 0]
    doubled = [t for t in succeeded if seen[t] > 1]
    per_chain = {
        chain: [p for c, p, _changes in events if c == chain] for chain in start
    }  # each chain's new positions, in order
    gapless = all(
        positions == list(range(start[chain] + 1, start[chain] + 1 + len(positions)))
        for chain, positions in per_chain.items()
    )
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"],
        cwd=ROOT,
        env={**os.environ},
        capture_output=True,
        text=True,
    )

    attempted = workers_n * per_worker
    print(f"\nAudit log under concurrent writes: {workers_n} processes × {per_worker} mutations")
    print(f"  mutations committed {len(succeeded)} of {attempted} in {elapsed:.1f} s", end="")
    print(f" ({', '.join(f'{k} {v}' for k, v in failures.items()) or 'no failures'})")
    print(f"  audit entries written {len(events)}; missing {len(missing)}; doubled {len(doubled)}")
    print(
        "  positions unique and gapless in each body's chain: "
        + ("yes" if gapless else "NO")
        + f" ({', '.join(str(len(p)) for p in per_chain.values())} entries)"
    )
    print(f"  verify_audit_log: {'exit 0' if verify.returncode == 0 else 'FAILED'}")

    def figures(values: list[float]) -> str:
        return f"p95 {percentile(values, 95):.2f} ms (median {statistics.median(values):.2f})"

    for label, values, key in (
        ("chain-lock wait (what the lock adds to a write)", waits, "waits"),
        ("chain lock held, from taking it to the end of COMMIT", holds, "holds"),
        ("a statement that waits for no lock (CPU queueing)", round_trips, "round_trips"),
        ("audit.record (all of it)", timings, "timings"),
    ):
        print(f"  {label}: {figures(values)} under load; alone {figures(alone[key])}")
    print(
        f"  bulk QuerySet.update() and raw SQL: {bulk_or_raw} committed, captured by the "
        f"database and {sealed} recorded by seal_outside_changes in {sealing:.2f} s"
    )
    problems = []
    if sealed != bulk_or_raw:
        problems.append(f"{bulk_or_raw} bulk or raw changes committed but {sealed} captured")
    if missing or doubled or len(events) != len(succeeded):
        problems.append("audit entries do not match the committed mutations 1:1")
    if not gapless:
        problems.append("positions have gaps or repeats")
    if verify.returncode != 0:
        problems.append("verify_audit_log failed:\n" + verify.stdout + verify.stderr)
    if failures:
        problems.append(f"mutations failed: {dict(failures)}")
    return report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())

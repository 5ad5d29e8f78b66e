"""Backup and restore drill (QUALITY.md R12): dump, drop, restore, prove nothing changed.

    python bench/backup_drill.py [--short]

Seeds BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/govreg_bench), dumps it
with pg_dump -Fc, restores into a fresh database with pg_restore --single-transaction, then
compares the row count of every table, checks every audit chain (the installation's and each
body's) against the heads ``verify_audit_log`` printed before the dump, and checks that the
append-only trigger still fires and a raw UPDATE is still captured (``audit.outside``).
Prints the dump size and RTO.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BENCH_SECRET_KEY, bench_database_url, ensure_database, manage  # noqa: E402


def psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-tAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def row_counts(url: str) -> dict[str, int]:
    tables = psql(
        url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    ).split()
    return {t: int(psql(url, f'SELECT count(*) FROM "{t}"')) for t in tables}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true")
    options = parser.parse_args()
    source = bench_database_url()
    # Named after the source, so that drills of different benchmark databases never collide.
    restored_name = source.rsplit("/", 1)[1] + "_restore_drill"
    target = source.rsplit("/", 1)[0] + "/" + restored_name
    admin = source.rsplit("/", 1)[0] + "/postgres"
    env = {
        "DATABASE_URL": source,
        "SECRET_KEY": BENCH_SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "govreg.settings",
        "DEBUG": "0",
    }
    ensure_database(source)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_bench", "--systems", "1000" if options.short else "10000", "--force")

    printed = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    heads_before = [  # CHAIN:POSITION:HASH, one per chain
        line.split("Chain head: ", 1)[1] for line in printed.splitlines() if "Chain head: " in line
    ]
    counts_before = row_counts(source)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "govreg.dump"
        started = time.monotonic()
        subprocess.run(["pg_dump", "-Fc", "-d", source, "-f", str(dump)], check=True)
        dumped = time.monotonic()
        subprocess.run(
            ["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{restored_name}"'], check=True
        )
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{restored_name}"'], check=True)
        subprocess.run(
            ["pg_restore", "--single-transaction", "--no-owner", "-d", target, str(dump)],
            check=True,
        )
        restored = time.monotonic()
        size = dump.stat().st_size

    counts_after = row_counts(target)
    differing = {
        t: (counts_before[t], counts_after.get(t))
        for t in counts_before
        if counts_before[t] != counts_after.get(t)
    }
    verify = subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"]
        + [f"--against={head}" for head in heads_before],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **env, "DATABASE_URL": target},
        capture_output=True,
        text=True,
    )
    trigger = subprocess.run(
        ["psql", target, "-tAc", "UPDATE audit_auditevent SET note = 'x' WHERE position = 1"],
        capture_output=True,
        text=True,
    )
    trigger_fires = trigger.returncode != 0 and "append-only" in trigger.stderr

    def captured() -> int:
        out = subprocess.run(
            ["psql", target, "-tAc", "SELECT count(*) FROM audit_outsidechange"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout)

    before_raw = captured()
    subprocess.run(  # a change made outside GovReg, in its own transaction
        [
            "psql",
            target,
            "-qc",
            "UPDATE registers_algorithmicsystem SET maintenance = maintenance || '.' "
            "WHERE id = (SELECT min(id) FROM registers_algorithmicsystem)",
        ],
        check=True,
    )
    capture_fires = captured() == before_raw + 1

    print("Backup and restore drill")
    print(f"  tables compared:        {len(counts_before)} ({sum(counts_before.values())} rows)")
    print(f"  tables with different row counts: {len(differing)} {differing or ''}")
    print(f"  dump size:              {size / 1024 / 1024:.1f} MiB")
    print(f"  dump time:              {dumped - started:.1f} s")
    print(f"  restore time (RTO):     {restored - dumped:.1f} s")
    print(f"  chain heads before dump: {len(heads_before)} (e.g. {heads_before[0][:30]}…)")
    print(
        f"  verify_audit_log --against every head: {'exit 0' if verify.returncode == 0 else 'FAILED'}"
    )
    print(f"  append-only trigger fires after restore: {'yes' if trigger_fires else 'NO'}")
    print(f"  a raw UPDATE is captured after restore: {'yes' if capture_fires else 'NO'}")
    subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{restored_name}"'], check=True)
    return 0 if not differing and verify.returncode == 0 and trigger_fires and capture_fires else 1


if __name__ == "__main__":
    sys.exit(main())

"""Page benchmarks at scale (QUALITY.md P1–P3): GovReg's pages beside the physical-limit ladder.

    python bench/pages.py            # full: 10,000 systems in 50 bodies, 20 s per endpoint
    python bench/pages.py --short    # CI: 1,000 systems in 10 bodies, 3 s per endpoint

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/govreg_bench;
created if missing). Prints p50/p95/p99, requests per second and each page's ratio to the
ladder rungs measured in the same run. Figures, not pass/fail: speed is never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, gunicorn, load, report, sign_in  # noqa: E402

PASSWORD = "bench-password"  # noqa: S105


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    check = subprocess.run(
        ["psql", admin_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    )
    if check.stdout.strip() != "1":
        subprocess.run(
            ["psql", admin_url, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True
        )


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true", help="small data, short runs (CI)")
    options = parser.parse_args()
    systems, bodies, duration, warmup = (
        (1000, 10, 3.0, 1.0) if options.short else (10_000, 50, 20.0, 5.0)
    )

    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govreg_bench")
    ensure_database(url)
    env = {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "seed_bench", "--systems", str(systems), "--bodies", str(bodies), "--force")

    with gunicorn(env) as (host, port):
        council = sign_in(host, port, "auditor@bench-council.example", PASSWORD)
        body_hr = sign_in(host, port, "hr@bench-body-000.example", PASSWORD)
        probe = load(host, port, "probe", "/bench/l0/", duration=0.5, warmup=0)
        assert "gunicorn" in probe.server.lower(), f"not gunicorn: {probe.server!r}"

        def run(name, path, cookie):
            return load(
                host, port, name, path, cookie, concurrency=2, warmup=warmup, duration=duration
            )

        ladder = [
            run("L0 empty response", "/bench/l0/", council),
            run("L1 raw SQL (50 rows, JSON)", "/bench/l1/", council),
            run("L2 ORM values (50 rows, JSON)", "/bench/l2/", council),
            run("L3 bare page (50 rows)", "/bench/l3/", council),
        ]
        pages = [
            run("register, council auditor", "/systems/", council),
            run(
                "register, 3 filters + search",
                "/systems/?lifecycle_stage=in_use&publication_status=published&q=rota",
                council,
            ),
            run("register, one body's HR", "/systems/", body_hr),
            run("system page", "/systems/1/", council),
            run("public register", "/transparency/", ""),
        ]
    print(
        f"\nGovReg page benchmarks: {systems} systems in {bodies} bodies; gunicorn -w 2; concurrency 2"
    )
    report(ladder + pages)
    l2, l3 = ladder[2].p50, ladder[3].p50
    print("\nRatios (p50):")
    for r in pages:
        print(f"  {r.name:34} {r.p50 / l3:5.2f} × L3   {r.p50 / l2:5.2f} × L2")
    errors = sum(r.errors for r in ladder + pages)
    print(f"\nnon-2xx responses: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

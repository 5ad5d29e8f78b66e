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
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    gunicorn,
    load,
    load_side_by_side,
    open_model,
    report,
    report_problems,
    seeded_environment,
    server_header,
    sign_in,
)

PASSWORD = "bench-password"  # noqa: S105


def rich_system_id(url: str) -> str:
    out = subprocess.run(
        [
            "psql",
            url,
            "-tAc",
            "SELECT uuid FROM registers_algorithmicsystem WHERE reference = 'bench-00000'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def ratio_line(name: str, value: float, base: float, target: float | None = None) -> str:
    ratio = value / base if base else float("nan")
    verdict = "" if target is None else ("  ok" if ratio <= target else f"  OVER {target}×")
    return f"  {name:46} {ratio:5.2f}{verdict}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--short", action="store_true", help="small data, short runs (CI)")
    options = parser.parse_args()
    short = options.short
    systems, bodies, duration, warmup = (1000, 10, 3.0, 1.0) if short else (10_000, 50, 20.0, 5.0)
    # The endpoints measured side by side take turns, in rounds of duration / rounds seconds.
    rounds = 1 if short else 4

    env = seeded_environment(systems, bodies)
    os.environ.pop("REDIS_URL", None)  # no broker: the pages never queue work here
    url = env["DATABASE_URL"]
    rich = rich_system_id(url)

    mode = "short" if short else "full"
    print(f"\nGovReg page benchmarks ({mode}): {systems} systems in {bodies} bodies; gunicorn -w 2")
    results = []
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as server_log:
        with gunicorn(env, log=server_log.name) as (host, port):
            council = sign_in(host, port, "auditor@bench-council.example", PASSWORD)
            body_hr = sign_in(host, port, "hr@bench-body-000.example", PASSWORD)
            server = server_header(host, port)
            assert "gunicorn" in server.lower(), f"not gunicorn: {server!r}"

            def run(name, path, cookie, concurrency=2, seconds=duration):
                result = load(
                    host, port, name, path, cookie, concurrency, warmup=warmup, duration=seconds
                )
                results.append(result)
                return result

            def side_by_side(endpoints, concurrency=2, seconds=duration):
                measured = load_side_by_side(
                    host,
                    port,
                    endpoints,
                    concurrency,
                    warmup=warmup,
                    duration=seconds,
                    rounds=rounds,
                )
                results.extend(measured)
                return measured

            # P2 and P3: service time at c=2 (c = workers), the ladder in the same run, every
            # endpoint taking its turn in each round.
            *ladder, register, filtered, one_body, system_page, api, public = side_by_side(
                [
                    ("L0 empty response", "/bench/l0/", council),
                    ("L1 raw SQL (50 rows, JSON)", "/bench/l1/", council),
                    ("L2 ORM values (50 rows, JSON)", "/bench/l2/", council),
                    ("L3 bare page (50 rows)", "/bench/l3/", council),
                    ("register, council auditor", "/systems/", council),
                    (
                        "register, 3 filters + search",
                        "/systems/?lifecycle_stage=in_use&publication_status=published&q=rota",
                        council,
                    ),
                    ("register, one body's HR", "/systems/", body_hr),
                    ("system page (20 risks, 20 comments)", f"/systems/{rich}/", council),
                    ("API list (50)", "/api/v1/systems/", council),
                    ("public register", "/transparency/", ""),
                ]
            )
            pages = [register, filtered, one_body, system_page, api, public]
            print(
                f"client: {register.client}; c=2; {duration:g} s per endpoint after {warmup:g} s "
                f"warm-up, in {rounds} round(s) taking turns\n"
            )
            report(ladder + pages)
            l2, l3 = ladder[2], ladder[3]
            print("\nP3 ratios (p50):")
            for r in pages:
                print(ratio_line(f"{r.name} / L3", r.p50, l3.p50))
            print(
                ratio_line(
                    "register, council auditor / L3 (target ≤ 1.5)", register.p50, l3.p50, 1.5
                )
            )
            print(
                ratio_line("register, council auditor / L2 (target ≤ 6)", register.p50, l2.p50, 6)
            )
            print(ratio_line("API list / L2 (target ≤ 2)", api.p50, l2.p50, 2))
            print("\nP2 targets (p95): register ≤ 50 ms, system page ≤ 75 ms, API list ≤ 30 ms")
            for r, target in ((register, 50), (filtered, 50), (system_page, 75), (api, 30)):
                print(f"  {r.name:46} p95 {r.p95:6.1f} ms  {'ok' if r.p95 <= target else 'OVER'}")

            # P4: closed-loop throughput at c=8, the register beside the bare page.
            throughput = side_by_side(
                [
                    ("L3 bare page, c=8", "/bench/l3/", council),
                    ("register, c=8", "/systems/", council),
                ],
                concurrency=8,
            )
            print("\nP4 throughput at c=8:")
            report(throughput)
            print(
                ratio_line(
                    "register / L3 throughput (target ≥ 0.75)", throughput[1].rps, throughput[0].rps
                )
            )

            # P5: a fixed arrival rate (open model) at half the capacity for the mix it sends:
            # register and system page in turn, whose capacity is the harmonic mean of each
            # page's throughput with both workers busy (c=2). Measured again just before, not
            # taken from P2 minutes earlier: a shared machine's speed drifts within a run, and
            # half of what it could do then may be most of what it can do now.
            capacity = side_by_side(
                [
                    ("register, c=2, just before P5", "/systems/", council),
                    ("system page, c=2, just before P5", f"/systems/{rich}/", council),
                ],
                seconds=duration / 2,
            )
            mix_capacity = 2 / sum(1 / r.rps for r in capacity)
            rate = max(1.0, mix_capacity / 2)
            open_result = open_model(
                host,
                port,
                f"register + system page at {rate:.0f} req/s",
                ["/systems/", f"/systems/{rich}/"],
                council,
                rate,
                10 if short else 30,
            )
            results.append(open_result)
            print(
                "\nP5 open model (Poisson arrivals at half capacity; targets p95 ≤ 100, p99 ≤ 200 ms):"
            )
            report([*capacity, open_result])
            print(f"  mix capacity {mix_capacity:.1f} req/s; arrivals at {rate:.1f} req/s")

            # P8: concurrency doubling on the register until p95 passes 1 s.
            stress = [
                run(f"register, c={c}", "/systems/", council, c, 2 if short else 10)
                for c in ((2, 4, 8, 16) if short else (2, 4, 8, 16, 32, 64))
            ]
        timeouts = server_log.read().count("WORKER TIMEOUT")
    print("\nP8 stress (register list, concurrency doubling):")
    report(stress)
    knee = [r.name for r in stress if r.p95 < 1000]
    print(f"  knee (last step with p95 < 1 s): {knee[-1] if knee else 'none'}")
    print(f"  gunicorn worker timeouts: {timeouts}")

    errors = sum(r.errors for r in results)
    print(f"\nnon-2xx responses: {errors}")
    problems = []
    if errors:
        problems.append(f"{errors} non-2xx responses")
    if timeouts:
        problems.append(f"{timeouts} gunicorn worker timeouts")
    return report_problems(problems)


if __name__ == "__main__":
    sys.exit(main())

"""Shared benchmark machinery: a gunicorn server on loopback and a closed-loop HTTP client.

Never time runserver or Django's test client: both distort (quality-anchors §0.1). The server
here is gunicorn with 2 sync workers, DEBUG off; the client keeps one persistent connection per
concurrent user and records each request's latency.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105


def bench_database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govreg_bench")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
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
    # As docs/operations.md recommends for a production database (data on SSD, mostly cached).
    subprocess.run(
        ["psql", admin_url, "-c", f'ALTER DATABASE "{name}" SET random_page_cost = 1.1'],
        check=True,
        capture_output=True,
    )


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, check=True
    )


def seeded_environment(systems: int, bodies: int, *, static: bool = True, **extra: str) -> dict:
    """The benchmark database migrated and seeded (``seed_bench``: idempotent), and the
    environment for production settings with the ladder's views (``bench/settings.py``)."""
    url = bench_database_url()
    ensure_database(url)
    env = {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    manage(env, "migrate", "--no-input", "-v0")
    if static:
        manage(env, "collectstatic", "--no-input", "-v0")
    manage(env, "seed_bench", "--systems", str(systems), "--bodies", str(bodies), "--force")
    return env


def report_problems(problems: list[str]) -> int:
    """Print each problem for the reader (and CI's log); the exit code says whether any."""
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, log: str | None = None):
    """Start gunicorn on a free loopback port; yield ``(host, port)``; stop it afterwards.
    ``log``: a file for gunicorn's own messages (worker timeouts are counted from it)."""
    port = free_port()
    full_env = {**os.environ, **env}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "govreg.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *(["--error-logfile", log] if log else []),
        ],
        cwd=ROOT,
        env=full_env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield "127.0.0.1", port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def sign_in(host: str, port: int, email: str, password: str) -> str:
    """Sign in through the real login form; return the Cookie header value."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    body = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": token}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(cookies),
            "Referer": f"http://{host}:{port}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"sign-in as {email} failed: HTTP {response.status}")
    cookies.update(_cookies(response))
    return _cookie_header(cookies)


def _cookies(response) -> dict[str, str]:
    found = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name] = rest.split(";", 1)[0]
    return found


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Result:
    """Figures for one endpoint: latencies in milliseconds."""

    name: str
    requests: int = 0
    seconds: float = 0.0
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    errors: int = 0
    client: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def server_header(host: str, port: int, path: str = "/healthz") -> str:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.getheader("Server", "")


WRK = shutil.which("wrk")
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")


def load(host, port, name, path, cookie="", concurrency=2, warmup=2.0, duration=5.0) -> Result:
    """Closed-loop load on one endpoint (``load_side_by_side`` with one)."""
    endpoints = [(name, path, cookie)]
    (result,) = load_side_by_side(
        host, port, endpoints, concurrency, warmup=warmup, duration=duration
    )
    return result


def load_side_by_side(
    host, port, endpoints, concurrency=2, *, warmup=2.0, duration=5.0, rounds=1
) -> list[Result]:
    """Closed-loop load: ``concurrency`` connections, each sending the next request on its
    answer, on each of ``endpoints`` (``(name, path, cookie)``) for ``duration`` seconds.

    With ``rounds`` > 1 the endpoints take turns, ``duration / rounds`` seconds at a time,
    and each one's latencies are merged over its turns. A shared machine whose speed drifts
    during a run then slows every endpoint alike, so their ratios hold; measured one after
    the other, the ladder's rungs and the pages could be timed minutes apart on a different
    machine. wrk when installed (a C client: it costs the server's CPU almost nothing);
    otherwise a Python client, one endpoint after the other, which on a 2-core machine takes
    CPU from the server."""
    if not WRK:
        return [
            _python_load(host, port, name, path, cookie, concurrency, warmup, duration)
            for name, path, cookie in endpoints
        ]
    if warmup:
        for _name, path, cookie in endpoints:
            _wrk(host, port, path, cookie, concurrency, warmup)
    runs: dict[str, list[dict]] = {name: [] for name, _path, _cookie in endpoints}
    for _round in range(rounds):
        for name, path, cookie in endpoints:
            runs[name].append(_wrk(host, port, path, cookie, concurrency, duration / rounds))
    return [_merged(name, runs[name]) for name, _path, _cookie in endpoints]


def _merged(name: str, runs: list[dict]) -> Result:
    """One endpoint's wrk runs as one result: their latencies pooled, not averaged."""
    counts: Counter[int] = Counter()
    for run in runs:
        counts.update({int(us): n for us, n in run["latencies"].items()})
    return Result(
        name,
        requests=sum(run["requests"] for run in runs),
        seconds=sum(run["duration_us"] for run in runs) / 1e6,
        p50=_counted_percentile(counts, 50) / 1000,
        p95=_counted_percentile(counts, 95) / 1000,
        p99=_counted_percentile(counts, 99) / 1000,
        errors=sum(run["non2xx"] + run["socket_errors"] for run in runs),
        client="wrk",
    )


def _counted_percentile(counts: Counter[int], p: float) -> float:
    """The ``p``th percentile of values given as ``{value: how many times}``."""
    total = sum(counts.values())
    if not total:
        return float("nan")
    rank, seen = p / 100 * total, 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return float(value)
    return float(max(counts))


def _wrk(host, port, path, cookie, concurrency, seconds) -> dict:
    threads = min(concurrency, 2)
    command = [
        WRK,
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://{host}:{port}{path}")
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def _python_load(host, port, name, path, cookie, concurrency, warmup, duration) -> Result:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = time.monotonic()
    measure_from = start + warmup
    stop_at = measure_from + duration

    def user():
        nonlocal errors
        conn = http.client.HTTPConnection(host, port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        while True:
            sent = time.monotonic()
            if sent >= stop_at:
                break
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            took = (time.monotonic() - sent) * 1000
            if sent >= measure_from:
                with lock:
                    latencies.append(took)
                    if not 200 <= response.status < 300:
                        errors += 1
        conn.close()

    threads = [threading.Thread(target=user) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(
        name,
        requests=len(latencies),
        seconds=duration,
        p50=statistics.median(latencies) if latencies else float("nan"),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        errors=errors,
        client="python",
    )


def open_model(host, port, name, paths, cookie, rate, duration, seed=20261122) -> Result:
    """Requests arriving at ``rate`` a second on average (Poisson arrivals, a fixed seed) for
    ``duration`` seconds over ``paths`` in turn, whatever the server's speed: each request is
    sent at its scheduled moment on a connection of its own, and its latency is counted from
    that moment, so a slow answer delays nothing else and nothing is left out (no coordinated
    omission). An asyncio client: at these rates it needs a few per cent of one core."""
    rng = random.Random(seed)
    moments, at = [], 0.0
    while at < duration:
        moments.append(at)
        at += rng.expovariate(rate)
    header = f"Cookie: {cookie}\r\n" if cookie else ""
    requests = [
        f"GET {paths[i % len(paths)]} HTTP/1.1\r\nHost: {host}:{port}\r\n{header}"
        "Connection: close\r\n\r\n".encode()
        for i in range(len(moments))
    ]

    async def one(start: float, moment: float, request: bytes):
        await asyncio.sleep(max(0.0, start + moment - time.perf_counter()))
        scheduled = start + moment
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # to the end: the server closes the connection
        writer.close()
        return (time.perf_counter() - scheduled) * 1000, int(status_line.split()[1])

    async def run():
        start = time.perf_counter() + 0.1
        return await asyncio.gather(
            *(one(start, m, r) for m, r in zip(moments, requests, strict=True))
        )

    answers = asyncio.run(run())
    latencies = [ms for ms, _status in answers]
    return Result(
        name,
        requests=len(answers),
        seconds=duration,
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        errors=sum(1 for _ms, status in answers if not 200 <= status < 300),
        client="asyncio, Poisson arrivals",
    )


def report(results: list[Result]) -> None:
    print(
        f"{'endpoint':36} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>7}"
    )
    for r in results:
        print(
            f"{r.name:36} {r.requests:6d} {r.rps:7.1f} {r.p50:8.2f} {r.p95:8.2f} {r.p99:8.2f} {r.errors:7d}"
        )

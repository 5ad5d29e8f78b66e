"""Shared benchmark machinery: a gunicorn server on loopback and a closed-loop HTTP client.

Never time runserver or Django's test client: both distort (quality-anchors §0.1). The server
here is gunicorn with 2 sync workers, DEBUG off; the client keeps one persistent connection per
concurrent user and records each request's latency.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2):
    """Start gunicorn on a free loopback port; yield ``(host, port)``; stop it afterwards."""
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
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    server: str = ""

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


def load(host, port, name, path, cookie="", concurrency=2, warmup=2.0, duration=5.0) -> Result:
    """Closed-loop load: ``concurrency`` users, each sending the next request on its answer."""
    result = Result(name)
    lock = threading.Lock()
    start = time.monotonic()
    measure_from = start + warmup
    stop_at = measure_from + duration

    def user():
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
                    result.latencies_ms.append(took)
                    if response.status >= 300:
                        result.errors += 1
                    result.server = response.getheader("Server", "")
        conn.close()

    threads = [threading.Thread(target=user) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = duration
    return result


def report(results: list[Result]) -> None:
    print(
        f"{'endpoint':34} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>7}"
    )
    for r in results:
        print(
            f"{r.name:34} {len(r.latencies_ms):6d} {r.rps:7.1f} {r.p50:8.2f} {r.pct(95):8.2f} {r.pct(99):8.2f} {r.errors:7d}"
        )

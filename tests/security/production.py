"""The production settings, as ``govreg.settings`` computes them with ``DEBUG`` off and a real
secret, read in a fresh interpreter (the test settings change a few things)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz"


def production_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(
        SECRET_KEY=SECRET, ALLOWED_HOSTS="govreg.example", DJANGO_SETTINGS_MODULE="govreg.settings"
    )
    return env


@cache
def production_settings() -> dict:
    """The security settings as ``govreg.settings`` computes them for production (DEBUG off,
    a real secret), read in a fresh interpreter."""
    env = production_env()
    names = [
        "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
        "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS",
        "CONTENT_SECURITY_POLICY", "MIDDLEWARE", "ACCOUNT_RATE_LIMITS",
        "ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE", "CELERY_ACCEPT_CONTENT", "SECURE_PROXY_SSL_HEADER",
    ]  # fmt: skip
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])

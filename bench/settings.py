"""Benchmark settings: production settings plus the ladder's bare views (bench/urls.py)."""

from govreg.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
GOVREG_RATE_LIMITS_ENABLED = False  # measure page speed, not the limiter

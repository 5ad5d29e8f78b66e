"""Test settings: the real settings, with a test secret, fast hashing and captured e-mail."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="govreg-test-media-"))

from govreg.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
STATIC_ROOT = tempfile.mkdtemp(prefix="govreg-test-static-")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Rate limits count requests per address across the whole run; the tests that check them
# switch them on (tests/api, tests/transparency).
GOVREG_RATE_LIMITS_ENABLED = False
# Each test starts from an empty cache (cache.clear()): never a shared Redis, even when the
# environment names one (tests/security/test_shared_cache.py starts processes that do).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

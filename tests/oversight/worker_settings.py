"""Settings of the Celery worker that the worker tests start: the test settings, with e-mail
written to files (``OVERSIGHT_TEST_EMAIL_DIR``) so the test process can read what was sent."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["OVERSIGHT_TEST_EMAIL_DIR"]

"""Settings of the Celery worker started by the notification worker tests: the test settings,
with e-mail written to files in ``GOVREG_TEST_EMAIL_DIR`` so the test process can read what the
worker sent."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["GOVREG_TEST_EMAIL_DIR"]

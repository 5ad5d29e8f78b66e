"""The Celery application.

Workers run ``celery -A govreg worker``; beat runs ``celery -A govreg beat``. Configuration
comes from Django settings under the ``CELERY_`` prefix (see ``govreg/settings.py``): the
broker is ``REDIS_URL``; with no broker configured, tasks run in-process (eager).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govreg.settings")

app = Celery("govreg")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

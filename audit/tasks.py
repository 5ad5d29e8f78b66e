"""Scheduled work of the audit log (Celery beat: ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from . import outside


@shared_task(name="audit.seal_outside_changes")
def seal_outside_changes() -> int:
    """Record in the log the changes made outside GovReg since the last run."""
    return outside.seal_all()

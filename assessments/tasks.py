"""Scheduled work of the assessments app (Celery beat: ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from . import services


@shared_task(name="assessments.tasks.reopen_expired_acceptances")
def reopen_expired_acceptances() -> int:
    """Reopen every risk whose acceptance has run out (daily)."""
    return services.reopen_expired_acceptances()

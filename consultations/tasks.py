"""Celery tasks of the consultations app (thin: they call the services)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def flag_overdue_concerns() -> int:
    """Flag concerns whose response is overdue and tell HR (run periodically by Celery beat;
    each concern is flagged once, so running it often is harmless)."""
    return services.flag_overdue_concerns()

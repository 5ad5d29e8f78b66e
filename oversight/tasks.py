"""Celery tasks: thin wrappers around ``oversight.services`` (scheduled in settings)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_reminders() -> int:
    """The daily reminders of reviews, actions and concerns coming due or overdue."""
    return services.send_reminders()


@shared_task(acks_late=True)
def notify_stale_signoffs() -> int:
    """Tell managers, once per sign-off, that a change has made their sign-off out of date."""
    return services.notify_stale_signoffs()

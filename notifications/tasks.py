"""Celery tasks: thin wrappers that load rows and call ``notifications.services``."""

from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification (a no-op if it has already been sent)."""
    return services.send_email(notification_id)


@shared_task(acks_late=True)
def send_pending_emails() -> int:
    """Queue the e-mails that did not go out (run periodically by Celery beat)."""
    ids = services.pending_ids()
    for notification_id in ids:
        send_notification_email.delay(notification_id)
    return len(ids)

"""Telling people what happened: a row on their notifications page and an e-mail.

The one entry point for every app is :func:`notify`::

    from notifications.services import notify

    notify(
        reps,
        event="consultation.opened",
        subject=_("Consultation opened: {system}").format(system=system.name),
        body=_("The employer has opened the … consultation."),
        url=consultation.get_absolute_url(),
    )

``notify`` must be called inside the transaction that made the change it reports: it writes
one ``Notification`` per person and, once that transaction commits, queues one Celery task per
notification to e-mail it (``notifications.tasks.send_notification_email``). Nothing is sent
inside the request. If the broker cannot be reached the rows are kept and the periodic task
``notifications.tasks.send_pending_emails`` sends them later.

Pass text already translated (``gettext``, or :func:`bilingual` for a message in every
language GovReg speaks) and a site-relative ``url`` (``/systems/12/…``); the e-mail adds
``SITE_URL`` in front of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Notification

logger = logging.getLogger(__name__)

_emails_suppressed: ContextVar[bool] = ContextVar("govreg_emails_suppressed", default=False)


def notify(users: Iterable, *, event: str, subject: str, body: str, url: str) -> list[Notification]:
    """Record ``event`` for each of ``users`` and e-mail each of them once the transaction
    commits.

    ``users``: User instances (duplicates and inactive accounts are skipped).
    ``event``: a dotted code, e.g. ``"concern.raised"``, ``"system.signed_off"``.
    ``subject``: one line (line breaks are folded); ``body``: plain text.
    ``url``: a site-relative path to the page about the event.

    Returns the notifications written (in the order of ``users``).
    """
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("url must be a site-relative path")
    subject = " ".join(str(subject).split())[:300]
    language = translation.get_language() or settings.LANGUAGE_CODE
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                user=user,
                event=event,
                subject=subject,
                body=str(body),
                url=url,
                language=language,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if _emails_suppressed.get():
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in created]).update(emailed_at=now)
        return created
    for notification in created:
        transaction.on_commit(partial(_enqueue, notification.pk))
    return created


def _enqueue(notification_id: int) -> None:
    from .tasks import send_notification_email

    try:
        send_notification_email.delay(notification_id)
    except Exception:  # noqa: BLE001 - the row is kept; the periodic sweep sends it later
        logger.warning(
            "Could not queue the e-mail for notification %s; it will be retried.",
            notification_id,
            exc_info=True,
        )


@contextlib.contextmanager
def emails_suppressed() -> Iterator[None]:
    """Write notifications without e-mailing them (demo data and bulk imports only)."""
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


def bilingual(make: Callable[[], str], *, separator: str = "\n\n") -> str:
    """``make()`` rendered in each language of ``settings.LANGUAGES`` (Welsh and English),
    joined by ``separator``; a text that is the same in both appears once."""
    versions: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = str(make())
        if text not in versions:
            versions.append(text)
    return separator.join(versions)


def link(name: str, *args) -> str:
    """The page a notification points at. Links use the unprefixed (English) URL; the page
    offers Cymraeg."""
    with translation.override("en"):
        return reverse(name, args=args)


def absolute_url(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def send_email(notification_id: int) -> bool:
    """E-mail one notification if it has not been sent yet. Returns whether it was sent.

    Runs in the Celery worker. The row stays locked while the message is handed to the mail
    server, so two copies of the task cannot both send it; if sending fails nothing is marked
    and the task retries.
    """
    error: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        with translation.override(notification.language):
            text = render_to_string(
                "notifications/email.txt",
                {"notification": notification, "link": absolute_url(notification.url)},
            )
        try:
            EmailMessage(
                subject=notification.subject,
                body=text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.user.email],
            ).send()
        except Exception as exc:  # noqa: BLE001 - counted below, then re-raised for a retry
            error = exc
        else:
            Notification.objects.filter(pk=notification.pk).update(
                emailed_at=timezone.now(), email_attempts=F("email_attempts") + 1
            )
    if error is not None:
        Notification.objects.filter(pk=notification_id).update(
            email_attempts=F("email_attempts") + 1
        )
        raise error
    return True


@transaction.atomic
def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )


@transaction.atomic
def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def pending_ids(
    *, older_than_seconds: int = 300, max_attempts: int = 5, limit: int = 500
) -> list[int]:
    """Notifications whose e-mail has not gone out (broker down, mail server failing)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.email_pending()
        .filter(created_at__lt=cutoff, email_attempts__lt=max_attempts)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )

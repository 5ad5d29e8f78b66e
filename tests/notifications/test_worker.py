"""Raising a concern e-mails HR from a real Celery worker, through the real Redis broker."""

import email
from email import policy

import pytest
from django.core import mail

from consultations import services
from notifications.models import Notification
from tests.factories import SystemFactory
from tests.services import wait_for


@pytest.mark.worker
def test_a_raised_concern_is_emailed_to_hr_by_the_worker_with_a_link(
    cast, celery_worker, email_dir
):
    system = SystemFactory(organisation=cast.organisation, accountable_manager=cast.manager)
    concern = services.raise_concern(
        actor=cast.rep,
        system=system,
        category="SURV",
        summary="Tracked between visits",
        details="The app asks for location all day.",
    )
    # The request (here, the service call) only queued the task: nothing was sent in-process.
    notification = Notification.objects.get(event="concern.raised")
    assert not mail.outbox
    try:
        files = wait_for(
            lambda: sorted(email_dir.glob("*.log")),
            timeout=30,
            what="the worker to send the e-mail",
        )
    except AssertionError as error:
        raise AssertionError(f"{error}\n\nWorker log:\n{celery_worker()}") from None
    raw = files[0].read_bytes().split(b"\n" + b"-" * 79 + b"\n")[0]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "hr@body.example"
    assert "Tracked between visits" in message["Subject"]
    body = message.get_content()
    assert f"http://127.0.0.1:8000/systems/{system.uuid}/concerns/{concern.uuid}/" in body
    wait_for(
        lambda: Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists(),
        timeout=10,
        what="the notification to be marked as e-mailed",
    )
    assert "send_notification_email" in celery_worker()
    assert len(files) == 1  # one e-mail for the one HR officer

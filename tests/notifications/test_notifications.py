"""notify(): a row per person, one e-mail task per row after the commit; the notifications page."""

from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from notifications import services
from notifications.models import Notification
from notifications.tasks import send_notification_email, send_pending_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(users, **kwargs):
    values = {
        "event": "test.event",
        "subject": "Something happened",
        "body": "Details.",
        "url": "/systems/1/",
    }
    values.update(kwargs)
    return services.notify(users, **values)


def test_it_writes_one_row_per_person_and_emails_only_after_the_commit(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        rows = notify([cast.hr, cast.rep, cast.hr])
    assert [r.user for r in rows] == [cast.hr, cast.rep]
    assert len(callbacks) == 2 and not mail.outbox
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["hr@body.example", "rep@body.example"]
    message = next(m for m in mail.outbox if m.to == ["hr@body.example"])
    assert message.subject == "Something happened"
    assert "Details." in message.body and "http://127.0.0.1:8000/systems/1/" in message.body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_a_rolled_back_change_sends_nothing(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify([cast.hr])
                raise RuntimeError("the change failed")
    assert not Notification.objects.exists() and not mail.outbox


def test_inactive_people_are_skipped(cast):
    cast.auditor.is_active = False
    cast.auditor.save()
    assert notify([cast.auditor]) == []


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "systems/1/"])
def test_the_link_must_be_a_site_path(cast, url):
    with pytest.raises(ValueError):
        notify([cast.hr], url=url)


def test_a_subject_is_one_line(cast):
    (row,) = notify([cast.hr], subject="Line one\nBcc: someone@evil.example")
    assert row.subject == "Line one Bcc: someone@evil.example"


def test_an_email_is_sent_once_however_often_the_task_runs(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify([cast.hr])
    assert send_notification_email.delay(row.pk).get() is False  # already sent on commit
    Notification.objects.filter(pk=row.pk).update(emailed_at=None)
    mail.outbox.clear()
    assert send_notification_email.delay(row.pk).get() is True
    assert send_notification_email.delay(row.pk).get() is False
    assert len(mail.outbox) == 1


def test_a_failed_send_is_counted_kept_and_swept_later(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise SMTPException("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify([cast.hr])  # the on-commit send fails: logged, not raised
    row.refresh_from_db()
    assert row.emailed_at is None and row.email_attempts >= 1
    monkeypatch.undo()
    Notification.objects.filter(pk=row.pk).update(created_at=row.created_at.replace(year=2020))
    assert send_pending_emails.delay().get() == 1
    row.refresh_from_db()
    assert row.emailed_at is not None and len(mail.outbox) == 1


def test_emails_can_be_suppressed_for_demo_data(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with services.emails_suppressed():
            (row,) = notify([cast.hr])
    assert row.pk and not mail.outbox
    assert services.pending_ids(older_than_seconds=0) == []


def test_bilingual_text_appears_once_when_both_languages_say_the_same():
    assert services.bilingual(lambda: "GovReg") == "GovReg"


# --- The notifications page -----------------------------------------------------------------


def test_people_see_only_their_own_notifications(client, cast):
    notify([cast.hr], subject="For HR")
    notify([cast.rep], subject="For the rep")
    client.force_login(cast.hr)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "For HR" in html and "For the rep" not in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, cast):
    (row,) = notify([cast.hr], url="/systems/7/concerns/3/")
    client.force_login(cast.hr)
    response = client.get(reverse("notifications:open", args=[row.uuid]))
    assert response.status_code == 302 and response["Location"] == "/systems/7/concerns/3/"
    row.refresh_from_db()
    assert row.is_read


def test_another_persons_notification_is_not_found(client, cast):
    (row,) = notify([cast.rep])
    client.force_login(cast.hr)
    assert client.get(reverse("notifications:open", args=[row.uuid])).status_code == 404
    row.refresh_from_db()
    assert not row.is_read


def test_mark_all_as_read(client, cast):
    notify([cast.hr], subject="One")
    notify([cast.hr], subject="Two")
    (theirs,) = notify([cast.rep])
    client.force_login(cast.hr)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=cast.hr, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_runs_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notify([cast.hr])
    client.force_login(cast.hr)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("notifications:list"))
    for i in range(60):
        notify([cast.hr], subject=f"Event {i}")
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("notifications:list"))
    assert "Event 59" in response.content.decode()


def test_text_in_notifications_is_escaped(client, cast):
    notify([cast.hr], subject="<script>alert(1)</script>", body="<b>x</b>")
    client.force_login(cast.hr)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html


def test_a_user_without_an_email_address_is_skipped():
    person = UserFactory(email="x@example.org")
    person.email = ""
    assert services.notify([person], event="e", subject="s", body="b", url="/") == []

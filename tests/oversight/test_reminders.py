"""The daily reminders job, run day by day on a frozen clock: each review, action and concern
response is reminded a week before, a day before and when overdue, once each and never again."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from assessments import services as assessment_services
from assessments.choices import Progress
from consultations import services as consultation_services
from consultations.models import Concern
from notifications.models import Notification
from oversight import services
from oversight.models import Reminder
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = dt.date(2026, 3, 1)
DUE = dt.date(2026, 3, 12)


def morning(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=LONDON)


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


@pytest.fixture
def due_things(cast, time_machine):
    """A system in use whose review, one action and one concern response are all due on DUE."""
    time_machine.move_to(morning(START), tick=False)
    system = SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage="in_use",
        next_review_date=DUE,
    )
    action = assessment_services.create_action(
        system,
        actor=cast.hr,
        data={"description": "Retrain officers.", "owner": "Training lead", "due_date": DUE},
    )
    concern = consultation_services.raise_concern(
        actor=cast.rep,
        system=system,
        category="INTENS",
        summary="Breaks squeezed",
        details="On double-up visits.",
    )
    Concern.objects.filter(pk=concern.pk).update(due_on=DUE)
    Notification.objects.all().delete()  # the notices of raising the concern
    return system, action, concern


def sent(kind):
    return sorted((r.threshold, r.due_date) for r in Reminder.objects.filter(kind=kind))


def test_each_reminder_goes_out_once_over_three_weeks_of_daily_runs(due_things, cast, time_machine):
    system, action, concern = due_things
    per_day = {}
    for day in days(START, DUE + dt.timedelta(days=10)):
        time_machine.move_to(morning(day), tick=False)
        per_day[day] = services.send_reminders()
        assert services.send_reminders() == 0  # a second run the same day sends nothing

    week_before, day_before, overdue = (
        DUE - dt.timedelta(days=7),
        DUE - dt.timedelta(days=1),
        DUE + dt.timedelta(days=1),
    )
    assert {day: n for day, n in per_day.items() if n} == {
        week_before: 3,
        day_before: 3,
        overdue: 2,
    }
    assert sent("review") == [("day", DUE), ("overdue", DUE), ("week", DUE)]
    assert sent("action") == [("day", DUE), ("overdue", DUE), ("week", DUE)]
    # An overdue response to a concern is flagged once by the consultations app's own job.
    assert sent("concern") == [("day", DUE), ("week", DUE)]

    digests = Notification.objects.filter(event="oversight.reminders")
    # HR hears of everything; the accountable manager of the review, and of the overdue action.
    assert sorted(n.created_at.astimezone(LONDON).date() for n in digests.filter(user=cast.hr)) == [
        week_before,
        day_before,
        overdue,
    ]
    assert sorted(
        n.created_at.astimezone(LONDON).date() for n in digests.filter(user=cast.manager)
    ) == [
        week_before,
        day_before,
        overdue,
    ]
    assert not digests.filter(user__in=[cast.rep, cast.auditor]).exists()
    first = digests.filter(user=cast.hr).order_by("created_at").first()
    assert (
        system.name in first.body
        and "Retrain officers." in first.body
        and "Breaks squeezed" in first.body
    )
    assert "12 March 2026" in first.body


def test_days_without_a_run_lose_nothing_and_send_only_the_latest_reminder(
    due_things, cast, time_machine
):
    time_machine.move_to(morning(DUE - dt.timedelta(days=3)), tick=False)
    assert services.send_reminders() == 3  # within the week: the week reminders
    time_machine.move_to(morning(DUE + dt.timedelta(days=5)), tick=False)
    assert services.send_reminders() == 2  # the job missed the day before: only "overdue" now
    assert sent("review") == [("overdue", DUE), ("week", DUE)]


def test_a_new_due_date_is_reminded_afresh(due_things, cast, time_machine):
    system, action, _concern = due_things
    time_machine.move_to(morning(DUE + dt.timedelta(days=1)), tick=False)
    services.send_reminders()
    later = DUE + dt.timedelta(days=30)
    assessment_services.update_action(action, actor=cast.hr, data={"due_date": later})
    time_machine.move_to(morning(later - dt.timedelta(days=1)), tick=False)
    services.send_reminders()
    assert ("day", later) in sent("action")


def test_finished_things_are_not_reminded(due_things, cast, time_machine):
    system, action, concern = due_things
    assessment_services.add_progress_update(
        action, actor=cast.hr, on=START, progress=Progress.ACHIEVED, note="All trained."
    )
    consultation_services.respond_to_concern(concern, actor=cast.hr, text="Break rule added.")
    services.retire(system, actor=cast.manager, reason="Replaced.")
    for day in days(START, DUE + dt.timedelta(days=3)):
        time_machine.move_to(morning(day), tick=False)
        assert services.send_reminders() == 0
    assert not Reminder.objects.exists()


def test_only_systems_in_pilot_or_use_have_their_reviews_reminded(cast, time_machine):
    time_machine.move_to(morning(DUE), tick=False)
    for stage in ("planning", "development", "paused", "retired"):
        SystemFactory(organisation=cast.organisation, lifecycle_stage=stage, next_review_date=DUE)
    pilot = SystemFactory(
        organisation=cast.organisation, lifecycle_stage="pilot", next_review_date=DUE
    )
    assert services.send_reminders() == 1
    assert Reminder.objects.get().object_id == pilot.pk


def test_the_beat_schedule_runs_the_job_daily_and_checks_signoffs_often():
    from govreg.celery import app

    app.loader.import_default_modules()
    daily = settings.CELERY_BEAT_SCHEDULE["oversight-daily-reminders"]
    assert daily["task"] == "oversight.tasks.send_reminders"
    assert daily["task"] in app.tasks
    assert daily["schedule"].hour == {7} and daily["schedule"].minute == {0}
    stale = settings.CELERY_BEAT_SCHEDULE["oversight-stale-signoffs"]
    assert stale["task"] in app.tasks and stale["schedule"] <= 15 * 60


def test_the_task_runs_the_job(due_things, time_machine):
    from oversight.tasks import send_reminders

    time_machine.move_to(morning(DUE - dt.timedelta(days=1)), tick=False)
    assert send_reminders.delay().get() == 3

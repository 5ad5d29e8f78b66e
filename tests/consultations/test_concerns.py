"""Concerns: raised by reps, answered by HR, escalated, resolved, reopened; due dates and
overdue flagging."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consultations import services
from consultations.choices import ConcernStatus, ConcernUpdateKind
from consultations.models import Concern
from consultations.services import WorkflowError
from notifications.models import Notification

from .conftest import rep_union

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def raise_one(cast, system, **kwargs):
    values = {"category": "INTENS", "summary": "Breaks squeezed", "details": "Members skip breaks."}
    values.update(kwargs)
    return services.raise_concern(actor=cast.rep, system=system, **values)


def test_a_rep_raises_a_concern_due_in_twenty_working_days_and_hr_is_emailed(
    cast, system, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            concern = raise_one(cast, system)
    assert concern.status == ConcernStatus.OPEN
    assert concern.due_on == dt.date(2026, 3, 30)
    assert concern.union == rep_union(cast) and concern.raised_by == cast.rep
    assert concern.updates.get().kind == ConcernUpdateKind.RAISED
    assert set(
        Notification.objects.filter(event="concern.raised").values_list("user__email", flat=True)
    ) == {"hr@body.example"}
    (message,) = mail.outbox
    assert message.to == ["hr@body.example"]
    assert f"http://127.0.0.1:8000/systems/{system.uuid}/concerns/{concern.uuid}/" in message.body


def test_the_response_time_is_set_per_organisation(cast, system):
    cast.organisation.concern_response_working_days = 5
    cast.organisation.save()
    with time_machine.travel(dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC), tick=False):
        concern = raise_one(cast, system)
    # Wednesday 1 April + 5 working days, skipping Good Friday and Easter Monday.
    assert concern.due_on == dt.date(2026, 4, 10)


@pytest.mark.parametrize("role", ["hr", "admin", "manager", "auditor"])
def test_only_reps_raise_concerns_as_the_union(cast, system, role):
    with pytest.raises(PermissionDenied):
        services.raise_concern(
            actor=cast.by_role(role), system=system, category="INTENS", summary="x", details="y"
        )


def test_nobody_raises_a_concern_about_another_bodys_system(cast, other_system):
    with pytest.raises(PermissionDenied):
        raise_one(cast, other_system)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("summary", "", "Enter the summary"),
        ("summary", "x" * 201, "200 characters or fewer"),
        ("details", "  ", "Enter the details"),
        ("details", "x" * 5001, "5,000 characters or fewer"),
        ("category", "", "Choose the category"),
        ("category", "NOT-A-CODE", "Choose a category"),
    ],
)
def test_bad_input_is_refused(cast, system, field, value, message):
    with pytest.raises(WorkflowError, match=message):
        raise_one(cast, system, **{field: value})
    assert not Concern.objects.exists()


def test_hr_responds_and_the_reps_are_told(cast, system, django_capture_on_commit_callbacks):
    concern = raise_one(cast, system)
    with django_capture_on_commit_callbacks(execute=True):
        services.respond_to_concern(concern, actor=cast.hr, text="We will reserve breaks.")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESPONDED
    response = concern.updates.get(kind=ConcernUpdateKind.RESPONSE)
    assert (response.actor, response.text) == (cast.hr, "We will reserve breaks.")
    assert Notification.objects.filter(event="concern.responded", user=cast.rep).exists()
    assert [m.to for m in mail.outbox] == [["rep@body.example"]]
    assert "We will reserve breaks." in mail.outbox[0].body


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_only_hr_and_admins_respond_on_the_employers_behalf(cast, system, role):
    concern = raise_one(cast, system)
    with pytest.raises(PermissionDenied):
        services.respond_to_concern(concern, actor=cast.by_role(role), text="We say so.")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN and concern.updates.count() == 1


def test_an_empty_response_is_refused(cast, system):
    concern = raise_one(cast, system)
    with pytest.raises(WorkflowError):
        services.respond_to_concern(concern, actor=cast.hr, text="   ")


# status before → allowed actions (escalate, resolve, reopen, respond)
TRANSITIONS = {
    ConcernStatus.OPEN: {
        "escalate": ConcernStatus.ESCALATED,
        "resolve": ConcernStatus.RESOLVED,
        "respond": ConcernStatus.RESPONDED,
    },
    ConcernStatus.RESPONDED: {
        "escalate": ConcernStatus.ESCALATED,
        "resolve": ConcernStatus.RESOLVED,
        "respond": ConcernStatus.RESPONDED,
    },
    ConcernStatus.ESCALATED: {
        "resolve": ConcernStatus.RESOLVED,
        "respond": ConcernStatus.RESPONDED,
    },
    ConcernStatus.RESOLVED: {"reopen": ConcernStatus.OPEN},
}


def _reach(cast, concern, status):
    if status == ConcernStatus.RESPONDED:
        services.respond_to_concern(concern, actor=cast.hr, text="Answer.")
    elif status == ConcernStatus.ESCALATED:
        services.escalate_concern(concern, actor=cast.rep, reason="Not enough.")
    elif status == ConcernStatus.RESOLVED:
        services.resolve_concern(concern, actor=cast.rep)
    concern.refresh_from_db()
    assert concern.status == status


def _do(cast, concern, action):
    if action == "escalate":
        return services.escalate_concern(concern, actor=cast.rep, reason="Still happening.")
    if action == "resolve":
        return services.resolve_concern(concern, actor=cast.rep, note="Sorted.")
    if action == "reopen":
        return services.reopen_concern(concern, actor=cast.rep, reason="It is back.")
    return services.respond_to_concern(concern, actor=cast.hr, text="Answer.")


@pytest.mark.parametrize("start", list(TRANSITIONS))
@pytest.mark.parametrize("action", ["escalate", "resolve", "reopen", "respond"])
def test_status_transitions(cast, system, start, action):
    concern = raise_one(cast, system)
    _reach(cast, concern, start)
    expected = TRANSITIONS[start].get(action)
    if expected is None:
        with pytest.raises(WorkflowError):
            _do(cast, concern, action)
        concern.refresh_from_db()
        assert concern.status == start
    else:
        assert _do(cast, concern, action).status == expected
        assert AuditEvent.objects.filter(object_type="consultations.concern").count() >= 2


def test_escalating_sets_a_fresh_due_date_and_tells_hr(cast, system):
    with time_machine.travel(MONDAY, tick=False):
        concern = raise_one(cast, system)
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, tzinfo=dt.UTC), tick=False):
        services.escalate_concern(concern, actor=cast.rep, reason="No answer yet.")
    concern.refresh_from_db()
    assert concern.due_on == dt.date(2026, 4, 15)  # 20 working days after 16 March, Easter skipped
    assert Notification.objects.filter(event="concern.escalated", user=cast.hr).exists()


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_managers_and_auditors_do_not_move_concerns(cast, system, role):
    concern = raise_one(cast, system)
    for service, kwargs in (
        (services.escalate_concern, {"reason": "x"}),
        (services.resolve_concern, {"note": ""}),
    ):
        with pytest.raises(PermissionDenied):
            service(concern, actor=cast.by_role(role), **kwargs)


def test_escalating_needs_a_reason(cast, system):
    concern = raise_one(cast, system)
    with pytest.raises(WorkflowError, match="reason"):
        services.escalate_concern(concern, actor=cast.rep, reason=" ")


def test_overdue_concerns_are_flagged_once_and_hr_is_told(cast, system):
    with time_machine.travel(MONDAY, tick=False):
        concern = raise_one(cast, system)
        answered = raise_one(cast, system, summary="Answered")
        services.respond_to_concern(answered, actor=cast.hr, text="Done.")
    assert concern.due_on == dt.date(2026, 3, 30)
    with time_machine.travel(dt.datetime(2026, 3, 30, 12, tzinfo=dt.UTC), tick=False):
        assert services.flag_overdue_concerns() == 0  # due today: not yet overdue
        assert not Concern.objects.overdue().exists()
    with time_machine.travel(dt.datetime(2026, 3, 31, 9, tzinfo=dt.UTC), tick=False):
        assert list(Concern.objects.overdue()) == [concern]
        concern.refresh_from_db()
        assert concern.is_overdue
        assert services.flag_overdue_concerns() == 1
        assert services.flag_overdue_concerns() == 0
    concern.refresh_from_db()
    assert concern.overdue_flagged_at is not None
    assert concern.updates.filter(kind=ConcernUpdateKind.OVERDUE).count() == 1
    assert Notification.objects.filter(event="concern.overdue", user=cast.hr).count() == 1
    assert AuditEvent.objects.get(action="concern.overdue").actor_label == "GovReg"


def test_a_concern_escalated_after_being_flagged_can_be_flagged_again(cast, system):
    with time_machine.travel(MONDAY, tick=False):
        concern = raise_one(cast, system)
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        assert services.flag_overdue_concerns() == 1
        services.escalate_concern(concern, actor=cast.rep, reason="Still no answer.")
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        assert services.flag_overdue_concerns() == 1


def test_the_overdue_task_runs_the_service(cast, system):
    from consultations.tasks import flag_overdue_concerns

    with time_machine.travel(MONDAY, tick=False):
        raise_one(cast, system)
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        assert flag_overdue_concerns.delay().get() == 1


# --- Pages ----------------------------------------------------------------------------------


def test_a_rep_raises_a_concern_through_the_page(client, cast, system):
    client.force_login(cast.rep)
    url = reverse("consultations:concern_create", args=[system.uuid])
    response = client.post(
        url, {"category": "SURV", "summary": "Tracking", "details": "Location all day."}
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == concern.get_absolute_url()
    page = client.get(concern.get_absolute_url())
    assert "Tracking" in page.content.decode()


def test_a_concern_form_with_errors_keeps_what_was_typed(client, cast, system):
    client.force_login(cast.rep)
    url = reverse("consultations:concern_create", args=[system.uuid])
    response = client.post(url, {"category": "", "summary": "", "details": "My details stay here."})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "<title>Error:" in html and 'href="#id_summary"' in html and 'href="#id_category"' in html
    )
    assert "My details stay here." in html
    assert not Concern.objects.exists()


def test_hr_responds_through_the_page_and_a_rep_cannot(client, cast, system):
    concern = raise_one(cast, system)
    url = reverse("consultations:concern_respond", args=[system.uuid, concern.uuid])
    client.force_login(cast.rep)
    assert client.post(url, {"text": "Answer from a rep", "category": ""}).status_code == 403
    client.force_login(cast.hr)
    response = client.post(url, {"text": "", "category": "INTENS"})
    assert response.status_code == 200 and "Enter the response." in response.content.decode()
    response = client.post(url, {"text": "The employer's answer.", "category": "INTENS"})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.RESPONDED
    assert not concern.updates.filter(text="Answer from a rep").exists()


def test_a_rep_escalates_through_the_page(client, cast, system):
    concern = raise_one(cast, system)
    client.force_login(cast.rep)
    url = reverse("consultations:concern_escalate", args=[system.uuid, concern.uuid])
    response = client.post(url, {"text": ""})
    assert response.status_code == 200
    assert "<title>Error:" in response.content.decode()
    assert "Enter why you are escalating the concern." in response.content.decode()
    response = client.post(url, {"text": "No answer."})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ESCALATED


def test_an_illegal_transition_through_the_page_is_a_message_not_a_crash(client, cast, system):
    concern = raise_one(cast, system)
    services.resolve_concern(concern, actor=cast.rep)
    client.force_login(cast.rep)
    url = reverse("consultations:concern_escalate", args=[system.uuid, concern.uuid])
    response = client.post(url, {"text": "Why not."})
    assert response.status_code == 200
    assert "Only an open or answered concern can be escalated." in response.content.decode()


def test_overdue_concerns_are_shown_as_overdue_in_words(client, cast, system):
    with time_machine.travel(MONDAY, tick=False):
        concern = raise_one(cast, system)
    client.force_login(cast.auditor)
    with time_machine.travel(dt.datetime(2026, 4, 20, 9, tzinfo=dt.UTC), tick=False):
        html = client.get(concern.get_absolute_url()).content.decode()
    assert "Overdue" in html


def test_an_auditor_reads_concerns_but_sees_no_buttons(client, cast, system):
    concern = raise_one(cast, system)
    client.force_login(cast.auditor)
    html = client.get(concern.get_absolute_url()).content.decode()
    assert "Breaks squeezed" in html
    assert "Send the response" not in html and "Escalate" not in html


def test_due_dates_use_the_local_date(cast, system):
    # 23:30 on Sunday 1 March UTC is still Sunday in London; the due date counts from it.
    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        concern = raise_one(cast, system)
        assert timezone.localdate() == dt.date(2026, 3, 1)
    assert concern.due_on == dt.date(2026, 3, 27)

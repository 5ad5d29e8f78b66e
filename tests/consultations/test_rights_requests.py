"""The rights requests log: due one calendar month after receipt (three when extended), closed
with an outcome, personal details minimised."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from consultations import services
from consultations.models import RightsRequest
from consultations.services import WorkflowError

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC)


def log(cast, system, **kwargs):
    values = {
        "case_reference": "HR-1",
        "kind": "human_review",
        "received_on": dt.date(2026, 3, 3),
        "decision_reference": "Rota week 9",
        "requester_details": "",
        "summary": "Asked for a person to review the rota.",
    }
    values.update(kwargs)
    with time_machine.travel(NOW, tick=False):
        return services.log_rights_request(actor=cast.hr, system=system, **values)


def test_a_request_is_due_a_calendar_month_later_on_a_working_day(cast, system):
    request = log(cast, system)
    # 3 April 2026 is Good Friday and 6 April Easter Monday: due Tuesday 7 April.
    assert request.due_on == dt.date(2026, 4, 7)
    assert AuditEvent.objects.get(action="rights_request.logged").system_id == system.pk


def test_a_request_received_at_the_end_of_january_is_due_at_the_end_of_february(cast, system):
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.UTC), tick=False):
        request = services.log_rights_request(
            actor=cast.hr,
            system=system,
            case_reference="HR-2",
            kind="access",
            received_on=dt.date(2027, 1, 31),
            decision_reference="",
            requester_details="",
            summary="",
        )
    assert request.due_on == dt.date(2027, 3, 1)  # 28 February 2027 is a Sunday


def test_extending_adds_two_months_and_needs_a_reason_and_the_date_the_person_was_told(
    cast, system
):
    request = log(cast, system)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(WorkflowError, match="reason"):
            services.extend_rights_request(
                request, actor=cast.hr, reason="", notified_on=dt.date(2026, 3, 10)
            )
        with pytest.raises(WorkflowError, match="between the date received and today"):
            services.extend_rights_request(
                request, actor=cast.hr, reason="Complex.", notified_on=dt.date(2026, 3, 1)
            )
        request = services.extend_rights_request(
            request, actor=cast.hr, reason="Complex.", notified_on=dt.date(2026, 3, 10)
        )
        assert request.due_on == dt.date(2026, 6, 3)
        with pytest.raises(WorkflowError, match="already"):
            services.extend_rights_request(
                request, actor=cast.hr, reason="Again.", notified_on=dt.date(2026, 3, 10)
            )


def test_closing_records_the_date_and_outcome(cast, system):
    request = log(cast, system)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(WorkflowError, match="outcome"):
            services.close_rights_request(
                request, actor=cast.hr, closed_on=dt.date(2026, 3, 19), outcome="", outcome_notes=""
            )
        with pytest.raises(WorkflowError):
            services.close_rights_request(
                request,
                actor=cast.hr,
                closed_on=dt.date(2026, 3, 21),
                outcome="upheld",
                outcome_notes="",
            )
        request = services.close_rights_request(
            request,
            actor=cast.hr,
            closed_on=dt.date(2026, 3, 19),
            outcome="upheld",
            outcome_notes="Rota changed.",
        )
    assert request.is_closed and not request.is_overdue
    with pytest.raises(WorkflowError, match="already closed"):
        services.close_rights_request(
            request,
            actor=cast.hr,
            closed_on=dt.date(2026, 3, 19),
            outcome="upheld",
            outcome_notes="",
        )


def test_open_requests_past_their_due_date_are_overdue(cast, system):
    request = log(cast, system)
    with time_machine.travel(dt.datetime(2026, 4, 8, 9, tzinfo=dt.UTC), tick=False):
        assert request.is_overdue
        assert list(RightsRequest.objects.overdue()) == [request]
    with time_machine.travel(dt.datetime(2026, 4, 7, 9, tzinfo=dt.UTC), tick=False):
        assert not request.is_overdue


def test_a_case_reference_is_unique_per_system(cast, system):
    log(cast, system)
    with pytest.raises(WorkflowError, match="already logged"):
        log(cast, system, case_reference="hr-1")


def test_a_future_received_date_is_refused(cast, system):
    with pytest.raises(WorkflowError, match="today or in the past"):
        log(cast, system, received_on=dt.date(2026, 3, 21))


def test_changing_the_received_date_moves_the_due_date(cast, system):
    request = log(cast, system)
    with time_machine.travel(NOW, tick=False):
        request = services.update_rights_request(
            request,
            actor=cast.hr,
            case_reference="HR-1",
            kind="human_review",
            received_on=dt.date(2026, 3, 10),
            decision_reference="",
            requester_details="",
            summary="",
        )
    assert request.due_on == dt.date(2026, 4, 10)


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_only_hr_and_admins_manage_the_log(cast, system, role):
    with pytest.raises(PermissionDenied):
        with time_machine.travel(NOW, tick=False):
            services.log_rights_request(
                actor=cast.by_role(role),
                system=system,
                case_reference="X",
                kind="access",
                received_on=dt.date(2026, 3, 3),
                decision_reference="",
                requester_details="",
                summary="",
            )


@pytest.mark.parametrize(
    ("role", "sees_details"),
    [("hr", True), ("admin", True), ("rep", False), ("auditor", False), ("manager", False)],
)
def test_personal_details_are_shown_only_to_those_who_handle_the_request(
    client, cast, system, role, sees_details
):
    request = log(cast, system, requester_details="Needed: works nights on ward 7")
    client.force_login(cast.by_role(role))
    html = client.get(
        reverse("consultations:rights_detail", args=[system.uuid, request.uuid])
    ).content.decode()
    assert "HR-1" in html
    assert ("works nights on ward 7" in html) is sees_details


def test_the_form_reports_bad_dates_and_keeps_the_rest(client, cast, system):
    client.force_login(cast.hr)
    url = reverse("consultations:rights_create", args=[system.uuid])
    response = client.post(
        url,
        {
            "case_reference": "HR-9",
            "kind": "access",
            "received_on": "31/02/2026",
            "summary": "Kept text",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Enter a real date" in html and "Kept text" in html
    assert 'href="#id_received_on"' in html
    assert not RightsRequest.objects.exists()
    response = client.post(
        url, {"case_reference": "HR-9", "kind": "access", "received_on": "2026-03-02"}
    )
    assert response.status_code == 302

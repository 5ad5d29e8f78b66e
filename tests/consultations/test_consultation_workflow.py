"""Consultations through the services: planning, opening, the checklist, meetings, disclosures,
union positions and the outcome (disagreement recorded, not hidden)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEvent
from consultations import services, toolkit
from consultations.choices import Agreement, ConsultationStatus, DisclosureKind, Stage
from consultations.models import Disclosure, DiscussionPoint
from consultations.services import WorkflowError
from notifications.models import Notification
from tests.factories import MembershipFactory, UnionFactory, UserFactory

from .conftest import attendees, open_one, plan, rep_union

pytestmark = pytest.mark.django_db


def test_planning_a_consultation_copies_the_stage_prompts_as_its_checklist(cast, system):
    consultation = plan(cast, system, Stage.DEVELOPMENT)
    keys = list(consultation.points.values_list("key", flat=True))
    assert keys == [p.key for p in toolkit.guide(Stage.DEVELOPMENT).prompts]
    assert consultation.status == ConsultationStatus.PLANNED
    event = AuditEvent.objects.get(action="consultation.created")
    assert event.system_id == system.pk
    assert event.changes["unions"] == [None, [rep_union(cast).pk]]


def test_every_stage_has_prompts_with_unique_keys():
    counts = {stage: len(toolkit.guide(stage).prompts) for stage in Stage}
    assert counts == {
        Stage.PLANNING: 4,
        Stage.TENDER: 5,
        Stage.DEVELOPMENT: 7,
        Stage.DEPLOYMENT: 6,
        Stage.OVERSIGHT: 7,
    }
    keys = [p.key for stage in Stage for p in toolkit.guide(stage).prompts]
    assert len(keys) == len(set(keys))


def test_it_refuses_a_second_unconcluded_consultation_for_a_stage(cast, system):
    plan(cast, system)
    with pytest.raises(WorkflowError):
        plan(cast, system)


def test_it_needs_a_union(cast, system):
    with pytest.raises(WorkflowError, match="union"):
        services.create_consultation(actor=cast.hr, system=system, stage=Stage.PLANNING, unions=[])


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_only_hr_and_admins_plan_consultations(cast, system, role):
    with pytest.raises(PermissionDenied):
        services.create_consultation(
            actor=cast.by_role(role), system=system, stage=Stage.PLANNING, unions=[rep_union(cast)]
        )


def test_opening_tells_the_reps_of_the_unions_involved_and_no_one_else(
    cast, system, django_capture_on_commit_callbacks
):
    union = rep_union(cast)
    second_rep = UserFactory(email="rep2@body.example")
    MembershipFactory(
        user=second_rep, organisation=cast.organisation, role="union_rep", union=union
    )
    outside_union_rep = UserFactory(email="gmb@body.example")
    MembershipFactory(
        user=outside_union_rep,
        organisation=cast.organisation,
        role="union_rep",
        union=UnionFactory(),
    )
    consultation = plan(cast, system)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_consultation(consultation, actor=cast.hr)
    notified = set(
        Notification.objects.filter(event="consultation.opened").values_list(
            "user__email", flat=True
        )
    )
    assert notified == {"rep@body.example", "rep2@body.example"}
    assert sorted(m.to[0] for m in mail.outbox) == ["rep2@body.example", "rep@body.example"]
    assert f"/systems/{system.uuid}/consultation/{consultation.uuid}/" in mail.outbox[0].body


def test_a_consultation_opens_once(cast, system):
    consultation = open_one(cast, system)
    with pytest.raises(WorkflowError):
        services.open_consultation(consultation, actor=cast.hr)


def test_the_parties_mark_prompts_discussed_while_open(cast, system):
    consultation = plan(cast, system)
    point = consultation.points.first()
    with pytest.raises(WorkflowError, match="open"):
        services.update_points(consultation, actor=cast.rep, values={point.pk: (True, "x")})
    services.open_consultation(consultation, actor=cast.hr)
    changed = services.update_points(
        consultation, actor=cast.rep, values={point.pk: (True, "Members raised breaks.")}
    )
    point.refresh_from_db()
    assert changed == 1
    assert point.discussed and point.notes == "Members raised breaks."
    assert point.updated_by == cast.rep
    # Saving the same values again changes nothing and records nothing.
    assert (
        services.update_points(
            consultation, actor=cast.hr, values={point.pk: (True, "Members raised breaks.")}
        )
        == 0
    )
    assert AuditEvent.objects.filter(action="consultation.point_updated").count() == 1


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_managers_and_auditors_do_not_mark_the_checklist(cast, system, role):
    consultation = open_one(cast, system)
    point = consultation.points.first()
    with pytest.raises(PermissionDenied):
        services.update_points(
            consultation, actor=cast.by_role(role), values={point.pk: (True, "")}
        )


def test_a_point_of_another_consultation_is_ignored(cast, system, other, other_system):
    consultation = open_one(cast, system)
    foreign = open_one(other, other_system)
    foreign_point = foreign.points.first()
    assert (
        services.update_points(consultation, actor=cast.hr, values={foreign_point.pk: (True, "x")})
        == 0
    )
    foreign_point.refresh_from_db()
    assert not foreign_point.discussed


def test_a_meeting_records_attendees_minutes_and_decisions(cast, system):
    consultation = open_one(cast, system)
    meeting = services.record_meeting(
        consultation,
        actor=cast.hr,
        held_on=timezone.localdate(),
        attendees=attendees(cast) + [{"name": " ", "role": "", "side": "employer", "union": None}],
        minutes="Minutes.",
        decisions="Decided.",
    )
    assert [a.name for a in meeting.attendees.all()] == ["Rhian Evans", "Dafydd Morgan"]
    assert meeting.attendees.get(name="Dafydd Morgan").union == rep_union(cast)
    event = AuditEvent.objects.get(action="meeting.recorded")
    assert "Dafydd Morgan" in " ".join(event.changes["attendees"][1])


def test_a_meeting_needs_a_past_date_and_someone_attending(cast, system):
    consultation = open_one(cast, system)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(WorkflowError, match="today or in the past"):
        services.record_meeting(
            consultation, actor=cast.hr, held_on=tomorrow, attendees=attendees(cast)
        )
    with pytest.raises(WorkflowError, match="at least one person"):
        services.record_meeting(
            consultation, actor=cast.hr, held_on=timezone.localdate(), attendees=[]
        )


def test_sharing_the_record_freezes_its_version_and_hash_and_tells_the_reps(
    cast, system, django_capture_on_commit_callbacks
):
    consultation = open_one(cast, system)
    with django_capture_on_commit_callbacks(execute=True):
        disclosure, created = services.share(consultation, actor=cast.hr, obj=system)
    assert created
    assert disclosure.kind == DisclosureKind.RECORD
    assert disclosure.version == system.version
    assert len(disclosure.sha256) == 64
    assert disclosure.label == f"System record, version {system.version}"
    assert Notification.objects.filter(event="disclosure.made", user=cast.rep).exists()
    assert any("System record" in m.subject for m in mail.outbox)
    # The same content again is the same disclosure; a changed record is a new one.
    again, created_again = services.share(consultation, actor=cast.hr, obj=system)
    assert (again.pk, created_again) == (disclosure.pk, False)
    system.description = "Changed."
    system.version += 1
    system.save()
    changed, created_changed = services.share(consultation, actor=cast.hr, obj=system)
    assert (
        created_changed
        and changed.sha256 != disclosure.sha256
        and changed.version == system.version
    )
    assert AuditEvent.objects.filter(action="disclosure.made").count() == 2


def test_another_systems_record_cannot_be_shared(cast, system):
    from tests.factories import SystemFactory

    consultation = open_one(cast, system)
    elsewhere = SystemFactory(organisation=cast.organisation)
    with pytest.raises(WorkflowError):
        services.share(consultation, actor=cast.hr, obj=elsewhere)
    assert not Disclosure.objects.exists()


def test_a_document_shared_outside_govreg_is_logged(cast, system):
    consultation = open_one(cast, system)
    disclosure = services.share_document(
        consultation, actor=cast.hr, title="Tender specification v2", reference="PROC-1"
    )
    assert disclosure.kind == DisclosureKind.DOCUMENT and disclosure.sha256 == ""
    with pytest.raises(WorkflowError):
        services.share_document(consultation, actor=cast.hr, title="  ")


def test_a_rep_records_their_unions_position_and_hr_is_told(cast, system):
    consultation = open_one(cast, system)
    position = services.record_position(
        consultation, actor=cast.rep, position=Agreement.AGREED, statement="We agree."
    )
    assert position.union == rep_union(cast)
    assert Notification.objects.filter(
        event="consultation.position_recorded", user=cast.hr
    ).exists()


def test_agreeing_with_conditions_needs_the_conditions(cast, system):
    consultation = open_one(cast, system)
    with pytest.raises(WorkflowError, match="conditions"):
        services.record_position(
            consultation,
            actor=cast.rep,
            position=Agreement.AGREED_WITH_CONDITIONS,
            statement="Yes, if.",
        )


def test_a_rep_whose_union_is_not_involved_cannot_record_a_position(cast, system):
    consultation = services.open_consultation(
        services.create_consultation(
            actor=cast.hr, system=system, stage=Stage.PLANNING, unions=[UnionFactory()]
        ),
        actor=cast.hr,
    )
    with pytest.raises(WorkflowError, match="not one of the unions"):
        services.record_position(
            consultation, actor=cast.rep, position=Agreement.AGREED, statement="x"
        )


@pytest.mark.parametrize("role", ["hr", "admin", "manager", "auditor"])
def test_only_reps_record_the_unions_position(cast, system, role):
    consultation = open_one(cast, system)
    with pytest.raises(PermissionDenied):
        services.record_position(
            consultation, actor=cast.by_role(role), position=Agreement.AGREED, statement="x"
        )


def test_no_position_is_recorded_before_the_consultation_opens(cast, system):
    consultation = plan(cast, system)
    with pytest.raises(WorkflowError, match="open"):
        services.record_position(
            consultation, actor=cast.rep, position=Agreement.AGREED, statement="x"
        )


def test_it_does_not_conclude_without_every_unions_position(cast, system):
    consultation = open_one(cast, system)
    with pytest.raises(WorkflowError, match="Waiting for the position"):
        services.conclude_consultation(
            consultation, actor=cast.hr, outcome=Agreement.AGREED, outcome_summary=""
        )


@pytest.mark.parametrize(
    ("position", "outcome", "allowed"),
    [
        (Agreement.NOT_AGREED, Agreement.AGREED, False),
        (Agreement.NOT_AGREED, Agreement.AGREED_WITH_CONDITIONS, False),
        (Agreement.NOT_AGREED, Agreement.NOT_AGREED, True),
        (Agreement.AGREED_WITH_CONDITIONS, Agreement.AGREED, False),
        (Agreement.AGREED_WITH_CONDITIONS, Agreement.AGREED_WITH_CONDITIONS, True),
        (Agreement.AGREED, Agreement.AGREED, True),
        (Agreement.AGREED, Agreement.NOT_AGREED, True),
    ],
)
def test_the_outcome_never_claims_more_agreement_than_the_unions_gave(
    cast, system, position, outcome, allowed
):
    consultation = open_one(cast, system)
    services.record_position(
        consultation,
        actor=cast.rep,
        position=position,
        statement="Our view.",
        conditions="Only if.",
    )
    if allowed:
        concluded = services.conclude_consultation(
            consultation, actor=cast.hr, outcome=outcome, outcome_summary="As recorded."
        )
        assert concluded.status == ConsultationStatus.CONCLUDED and concluded.outcome == outcome
    else:
        with pytest.raises(WorkflowError, match="disagreement is recorded, not hidden"):
            services.conclude_consultation(
                consultation, actor=cast.hr, outcome=outcome, outcome_summary="Papering over."
            )
        consultation.refresh_from_db()
        assert consultation.status == ConsultationStatus.OPEN


def test_the_latest_position_of_a_union_counts_and_earlier_ones_are_kept(cast, system):
    consultation = open_one(cast, system)
    services.record_position(
        consultation, actor=cast.rep, position=Agreement.NOT_AGREED, statement="No."
    )
    services.record_position(
        consultation, actor=cast.rep, position=Agreement.AGREED, statement="Now yes."
    )
    services.conclude_consultation(
        consultation, actor=cast.hr, outcome=Agreement.AGREED, outcome_summary=""
    )
    assert consultation.positions.count() == 2


def test_a_concluded_consultation_cannot_be_changed(cast, system):
    consultation = open_one(cast, system)
    services.record_position(
        consultation, actor=cast.rep, position=Agreement.AGREED, statement="Yes."
    )
    services.conclude_consultation(
        consultation, actor=cast.hr, outcome=Agreement.AGREED, outcome_summary=""
    )
    with pytest.raises(WorkflowError):
        services.update_consultation(
            consultation, actor=cast.hr, unions=[rep_union(cast)], summary="x", planned_start=None
        )
    with pytest.raises(WorkflowError):
        services.record_position(
            consultation, actor=cast.rep, position=Agreement.NOT_AGREED, statement="x"
        )
    with pytest.raises(WorkflowError):
        services.update_points(
            consultation, actor=cast.hr, values={DiscussionPoint.objects.first().pk: (True, "")}
        )
    # A new consultation for the same stage may start once the earlier one concluded.
    assert plan(cast, system).pk != consultation.pk


def test_an_outcome_other_than_agreed_needs_its_detail(cast, system):
    consultation = open_one(cast, system)
    services.record_position(
        consultation, actor=cast.rep, position=Agreement.NOT_AGREED, statement="No."
    )
    with pytest.raises(WorkflowError, match="outcome in detail"):
        services.conclude_consultation(
            consultation, actor=cast.hr, outcome=Agreement.NOT_AGREED, outcome_summary="  "
        )


def test_an_assessment_version_is_shared_in_one_click(cast, system):
    from assessments import services as assessment_services

    dpia = assessment_services.start_assessment(system, actor=cast.hr, kind="dpia")
    consultation = open_one(cast, system)
    disclosure, created = services.share(consultation, actor=cast.hr, obj=dpia)
    assert created and disclosure.kind == DisclosureKind.ASSESSMENT
    assert disclosure.version == dpia.version and len(disclosure.sha256) == 64
    assert disclosure.target == dpia

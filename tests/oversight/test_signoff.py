"""Sign-off: the gate it needs, the hash it binds to, staleness, separation of duties and
immutability (the services; the pages are in test_signoff_pages.py)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import Role
from assessments.choices import Kind, Progress
from assessments.models import Action, Assessment
from audit.models import AuditEvent
from consultations.choices import Stage
from notifications.models import Notification
from oversight import hashing, services
from oversight.choices import Decision
from oversight.models import ImmutableRecord, Reminder, SignOff
from registers.gates import gate
from registers.models import AlgorithmicSystem, ModelSpecification
from registers.services import save_specifications
from tests.assessments.conftest import approve, complete_dpia
from tests.factories import MembershipFactory, SystemFactory, UserFactory

from .conftest import conclude_consultation, edit, fresh, make_ready, sign

pytestmark = pytest.mark.django_db


def later(days):
    return timezone.localdate() + dt.timedelta(days=days)


# --- Recording a decision ---------------------------------------------------------------------


def test_the_accountable_manager_signs_off_and_the_hash_binds_the_content(ready_system, cast):
    signoff = sign(ready_system, cast.manager, statement="Safe to pilot.")

    digest, snapshot = hashing.content_hash(fresh(ready_system))
    assert signoff.content_hash == digest
    assert signoff.snapshot == snapshot
    assert hashing.hash_of(signoff.snapshot) == signoff.content_hash  # recomputable from the row
    assert signoff.snapshot_version == 2 and snapshot["format"] == 2
    assert set(snapshot) == {
        "format",
        "record",
        "model_specifications",
        "data_specifications",
        "assessments",
        "consultations",
    }
    assert {k for k, v in snapshot["assessments"].items() if v} == {"dpia", "eqia", "aia"}
    assert snapshot["consultations"][0]["outcome"] == "agreed"
    assert signoff.signed_by == cast.manager
    assert signoff.record_version == fresh(ready_system).version
    event = AuditEvent.objects.get(action="system.signed_off")
    assert event.system_id == ready_system.pk
    assert event.changes["content_hash"] == [None, digest]
    assert signoff.audit_position == event.position - 1
    assert services.signoff_status(fresh(ready_system)).state == "current"
    item = next(i for i in gate(fresh(ready_system)).items if i.key == "sign_off")
    assert item.done
    assert gate(fresh(ready_system)).passed


def test_the_hash_is_canonical_json_of_the_material_content(ready_system):
    import hashlib
    import json

    digest, snapshot = hashing.content_hash(fresh(ready_system))
    blob = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert digest == hashlib.sha256(blob.encode("utf-8")).hexdigest()
    assert hashing.content_hash(fresh(ready_system))[0] == digest  # stable


def test_signing_off_needs_the_rest_of_the_gate_and_says_exactly_what_is_missing(system, cast):
    with pytest.raises(services.WorkflowError) as refused:
        sign(system, cast.manager)
    assert [item.key for item in refused.value.missing] == [
        "dpia",
        "eqia",
        "aia",
        "aia_findings",
        "consultation",
    ]
    assert not SignOff.objects.exists()


def test_the_missing_list_shrinks_to_what_is_still_missing(system, cast, questionnaire):
    conclude_consultation(system, cast, stage=Stage.PLANNING)
    dpia = approve(complete_dpia(system, cast.hr), cast.hr, cast.admin)
    assert dpia.status == "approved"
    with pytest.raises(services.WorkflowError) as refused:
        sign(system, cast.manager)
    assert [item.key for item in refused.value.missing] == ["eqia", "aia", "aia_findings"]


def test_refusing_needs_no_gate(system, cast):
    signoff = sign(system, cast.manager, Decision.REFUSED, statement="Not without an EqIA.")
    assert signoff.decision == Decision.REFUSED
    assert services.signoff_status(fresh(system)).state == "refused"
    item = next(i for i in gate(fresh(system)).items if i.key == "sign_off")
    assert not item.done and "refused" in str(item.detail)


def test_conditions_become_tracked_actions(ready_system, cast):
    signoff = sign(
        ready_system,
        cast.manager,
        Decision.CONDITIONAL,
        conditions=[
            services.Condition("Quarterly bias audit with UNISON.", "Head of HR", later(90)),
            services.Condition("Train every scheduling officer.", "Training lead", later(30)),
        ],
    )
    actions = list(
        Action.objects.filter(system=ready_system, source_ref="sign-off").order_by("number")
    )
    assert [(a.description, a.owner, a.due_date, a.source_ref, a.progress) for a in actions] == [
        (
            "Quarterly bias audit with UNISON.",
            "Head of HR",
            later(90),
            "sign-off",
            Progress.NOT_STARTED,
        ),
        (
            "Train every scheduling officer.",
            "Training lead",
            later(30),
            "sign-off",
            Progress.NOT_STARTED,
        ),
    ]
    assert [c["action_id"] for c in signoff.conditions] == [a.pk for a in actions]
    assert all(a.created_by == cast.manager for a in actions)
    assert (
        AuditEvent.objects.filter(
            action="action.created", system_id=ready_system.pk, position__gt=signoff.audit_position
        ).count()
        == 2
    )
    assert (
        services.signoff_status(fresh(ready_system)).state == "current"
    )  # actions are not material


@pytest.mark.parametrize(
    "decision, conditions, message",
    [
        (Decision.CONDITIONAL, [], "at least one condition"),
        (Decision.APPROVED, [services.Condition("x", "y", dt.date(2099, 1, 1))], "only be set"),
        (
            Decision.CONDITIONAL,
            [services.Condition("Do it", "HR", dt.date(2000, 1, 1))],
            "today or in the future",
        ),
        (
            Decision.CONDITIONAL,
            [services.Condition("  ", "HR", dt.date(2099, 1, 1))],
            "condition 1",
        ),
        (Decision.CONDITIONAL, [services.Condition("Do it", "", dt.date(2099, 1, 1))], "lead"),
        ("maybe", [], "Choose your decision"),
    ],
)
def test_bad_decisions_and_conditions_are_refused(
    ready_system, cast, decision, conditions, message
):
    with pytest.raises(services.WorkflowError, match=message):
        sign(ready_system, cast.manager, decision, conditions=conditions)
    assert not SignOff.objects.exists()
    assert not Action.objects.filter(source_ref="sign-off").exists()


def test_a_statement_is_required(ready_system, cast):
    with pytest.raises(services.WorkflowError, match="statement"):
        sign(ready_system, cast.manager, statement="   ")


def test_a_signature_needs_a_confirmed_identity(ready_system, cast):
    with pytest.raises(services.WorkflowError, match="Confirm your identity"):
        sign(ready_system, cast.manager, reauthenticated_with="")


def test_a_signature_against_content_that_changed_since_it_was_shown_is_refused(ready_system, cast):
    shown, _snapshot = hashing.content_hash(fresh(ready_system))
    edit(ready_system, cast.hr, "rationale", scope="Now also proposes overtime.")
    with pytest.raises(services.ContentChanged):
        sign(ready_system, cast.manager, expected_hash=shown)
    assert not SignOff.objects.exists()
    now, _snapshot = hashing.content_hash(fresh(ready_system))
    assert sign(ready_system, cast.manager, expected_hash=now).content_hash == now


# --- Who may sign -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hr", "rep", "auditor", "admin"])
def test_only_the_accountable_manager_may_sign(ready_system, cast, role):
    with pytest.raises(PermissionDenied):
        sign(ready_system, cast.by_role(role))


def test_another_senior_manager_of_the_body_may_not_sign(ready_system, cast):
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=cast.organisation, role=Role.SENIOR_MANAGER)
    with pytest.raises(PermissionDenied):
        sign(ready_system, colleague)


def test_nobody_from_another_body_may_sign(ready_system, other):
    for person in (other.manager, other.admin):
        with pytest.raises(PermissionDenied):
            sign(ready_system, person)


def dual_role_manager(cast):
    """The accountable manager also holds the HR role in the body."""
    MembershipFactory(user=cast.manager, organisation=cast.organisation, role=Role.HR_OFFICER)
    from accounts.permissions import forget_memberships

    forget_memberships(cast.manager)
    return cast.manager


def test_nobody_signs_off_a_record_they_changed(ready_system, cast):
    manager = dual_role_manager(cast)
    edit(ready_system, manager, "rationale", benefit="Fairer weekends.")
    with pytest.raises(services.WorkflowError, match="cannot sign it off yourself"):
        sign(ready_system, manager)
    assert not SignOff.objects.exists()


def test_nobody_signs_off_an_assessment_they_prepared(system, cast, questionnaire):
    manager = dual_role_manager(cast)
    make_ready(system, cast, questionnaire)
    eqia = Assessment.objects.get(system=system, kind=Kind.EQIA, status="approved")
    eqia.contributors.add(manager)  # they edited the approved version
    with pytest.raises(services.WorkflowError, match="cannot sign it off yourself"):
        sign(system, manager)


def test_nobody_signs_off_a_system_they_recorded(cast, questionnaire):
    manager = dual_role_manager(cast)
    system = SystemFactory(
        organisation=cast.organisation, accountable_manager=manager, created_by=manager
    )
    make_ready(system, cast, questionnaire)
    with pytest.raises(services.WorkflowError, match="cannot sign it off yourself"):
        sign(system, manager)


# --- Staleness: hash binding and the audit log -------------------------------------------------


def test_changing_one_field_makes_the_signoff_stale_and_putting_it_back_does_not_help(
    signed_system, cast
):
    original = signed_system.benefit
    edit(signed_system, cast.hr, "rationale", benefit="Shorter travel.")
    status = services.signoff_status(fresh(signed_system))
    assert status.state == "stale"
    assert not status.hash_matches

    edit(signed_system, cast.hr, "rationale", benefit=original)
    status = services.signoff_status(fresh(signed_system))
    assert status.hash_matches  # the content is the same as signed again …
    assert status.state == "stale"  # … but a change happened after the signature
    assert [e.action for e in status.later_events] == ["system.updated", "system.updated"]
    item = next(i for i in gate(fresh(signed_system)).items if i.key == "sign_off")
    assert not item.done and "Re-sign required" in str(item.detail)
    assert not gate(fresh(signed_system)).passed

    (row,) = services.changes_since(status.later_events)
    assert row.what == "Benefits"
    assert row.changed_back is True
    assert row.at_signature == row.now == (original or "–")

    sign(signed_system, cast.manager, statement="Signed again after the change.")
    assert services.signoff_status(fresh(signed_system)).state == "current"


def test_the_diff_shows_each_field_at_the_signature_and_now(signed_system, cast):
    edit(signed_system, cast.hr, "rationale", scope="Proposes rotas and overtime.")
    edit(signed_system, cast.hr, "rationale", scope="Proposes rotas, overtime and leave.")
    edit(signed_system, cast.hr, "readiness", build_or_buy="build")
    rows = services.changes_since(services.signoff_status(fresh(signed_system)).later_events)
    by_field = {row.what: row for row in rows}
    assert by_field["Scope"].now == "Proposes rotas, overtime and leave."
    assert by_field["Scope"].at_signature == "–"
    assert by_field["Scope"].who == str(cast.hr)
    assert by_field["Build or buy"].now == "Build in-house"  # the choice's label, not its code


def test_changes_that_are_not_material_keep_the_signoff_current(signed_system, cast):
    services.change_stage(fresh(signed_system), actor=cast.hr, to_stage="pilot", reason="Agreed.")
    services.schedule_review(fresh(signed_system), actor=cast.hr, due=later(40))
    AlgorithmicSystem.objects.filter(pk=signed_system.pk).update(publication_status="published")
    assert services.signoff_status(fresh(signed_system)).state == "current"


def test_a_new_approved_assessment_version_makes_the_signoff_stale(signed_system, cast):
    dpia = approve(complete_dpia(fresh(signed_system), cast.hr), cast.hr, cast.admin)
    assert dpia.version == 2
    status = services.signoff_status(fresh(signed_system))
    assert status.state == "stale"
    assert [e.action for e in status.later_events] == ["assessment.approved"]


def test_a_changed_consultation_outcome_makes_the_signoff_stale(signed_system, cast):
    conclude_consultation(signed_system, cast, stage=Stage.PLANNING)
    assert services.signoff_status(fresh(signed_system)).state == "stale"


def test_a_new_specification_makes_the_signoff_stale(signed_system, cast):
    from registers.forms import FORMSETS

    formset_class = FORMSETS["models"]
    data = {
        "model_specifications-TOTAL_FORMS": "1",
        "model_specifications-INITIAL_FORMS": "0",
        "model_specifications-0-model_name": "Rota optimiser",
    }
    formset = formset_class(data, instance=fresh(signed_system))
    assert formset.is_valid(), formset.errors
    save_specifications(fresh(signed_system), actor=cast.hr, formset=formset)
    assert ModelSpecification.objects.filter(system=signed_system).exists()
    assert services.signoff_status(fresh(signed_system)).state == "stale"


def test_a_change_made_outside_the_services_is_caught_by_the_hash(signed_system):
    AlgorithmicSystem.objects.filter(pk=signed_system.pk).update(scope="Changed with SQL.")
    status = services.signoff_status(fresh(signed_system))
    assert status.later_events == []
    assert status.state == "stale" and not status.hash_matches


def test_a_change_before_the_signature_does_not_make_it_stale(ready_system, cast):
    edit(ready_system, cast.hr, "rationale", scope="Before signing.")
    sign(ready_system, cast.manager)
    assert services.signoff_status(fresh(ready_system)).state == "current"


# --- The manager is told, once ----------------------------------------------------------------


def test_the_manager_is_told_once_when_a_signoff_goes_out_of_date(
    signed_system, cast, django_capture_on_commit_callbacks, mailoutbox
):
    assert services.notify_stale_signoffs() == 0
    edit(signed_system, cast.hr, "rationale", scope="Changed after the signature.")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_stale_signoffs() == 1
    assert services.notify_stale_signoffs() == 0  # not again
    edit(signed_system, cast.hr, "rationale", scope="And again.")
    assert services.notify_stale_signoffs() == 0  # still the same out-of-date sign-off

    (note,) = Notification.objects.filter(event="system.resign_required")
    assert note.user == cast.manager
    assert f"/systems/{signed_system.uuid}/sign-off/" == note.url
    assert [m.to for m in mailoutbox] == [[cast.manager.email]]
    assert "Re-sign required" in mailoutbox[0].subject
    assert Reminder.objects.filter(kind="resign").count() == 1

    sign(signed_system, cast.manager, statement="Signed again.")
    edit(signed_system, cast.hr, "rationale", scope="Changed after the new signature.")
    assert services.notify_stale_signoffs() == 1  # a new sign-off went out of date


def test_a_refused_or_replaced_signoff_is_not_reported_as_stale(signed_system, cast):
    sign(signed_system, cast.manager, Decision.REFUSED, statement="Changed my mind.")
    edit(signed_system, cast.hr, "rationale", scope="Changed.")
    assert services.notify_stale_signoffs() == 0


# --- Immutability -----------------------------------------------------------------------------


def test_a_signoff_cannot_be_changed_or_deleted_through_the_model(signed_system):
    signoff = SignOff.objects.get()
    signoff.statement = "Rewritten."
    with pytest.raises(ImmutableRecord):
        signoff.save()
    with pytest.raises(ImmutableRecord):
        signoff.delete()
    with pytest.raises(ImmutableRecord):
        SignOff.objects.filter(pk=signoff.pk).update(decision="refused")
    with pytest.raises(ImmutableRecord):
        SignOff.objects.all().delete()
    assert SignOff.objects.get().statement != "Rewritten."


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_or_delete_a_signoff(signed_system):
    signoff = SignOff.objects.get()
    for sql in (
        "UPDATE oversight_signoff SET statement = 'Rewritten.' WHERE id = %s",
        "DELETE FROM oversight_signoff WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [signoff.pk])
    assert SignOff.objects.get().statement == signoff.statement


def test_the_admin_shows_signoffs_read_only(client, signed_system):
    admin_user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    signoff = SignOff.objects.get()
    url = f"/admin/oversight/signoff/{signoff.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"statement": "Rewritten.", "decision": "refused"}).status_code == 403
    assert (
        client.post(f"/admin/oversight/signoff/{signoff.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/oversight/signoff/add/").status_code == 403
    response = client.post(
        "/admin/oversight/signoff/",
        {"action": "delete_selected", "_selected_action": [signoff.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert SignOff.objects.get().statement == signoff.statement


def test_the_api_offers_no_way_to_change_a_signoff(client, signed_system, cast):
    signoff = SignOff.objects.get()
    client.force_login(cast.manager)
    for method in ("put", "patch", "delete", "post"):
        response = getattr(client, method)(
            f"/api/v1/signoffs/{signoff.pk}/",
            data={"decision": "refused"},
            content_type="application/json",
        )
        assert response.status_code in (401, 403, 404, 405), (method, response.status_code)
    client.force_login(cast.hr)
    response = client.patch(
        f"/api/v1/systems/{signed_system.uuid}/",
        data={"signoffs": [], "content_hash": "0" * 64, "decision": "refused"},
        content_type="application/json",
    )
    assert response.status_code < 500
    after = SignOff.objects.get()
    assert (after.decision, after.content_hash, after.statement) == (
        signoff.decision,
        signoff.content_hash,
        signoff.statement,
    )


def test_a_system_with_a_signoff_cannot_be_deleted(signed_system):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        SystemFactory._meta.model.objects.filter(pk=signed_system.pk).delete()

"""The lifecycle of an assessment version: draft → in review → approved → superseded,
separation of duties, and version freezing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction

from assessments import services
from assessments.choices import Kind, Status
from assessments.models import Assessment
from audit.models import AuditEvent

from .conftest import approve, complete_dpia, complete_eqia, start

pytestmark = pytest.mark.django_db


def test_a_new_assessment_starts_as_a_draft_version_one(system, cast):
    dpia = start(system, Kind.DPIA, cast.hr)
    assert (dpia.version, dpia.status, dpia.prepared_by) == (1, Status.DRAFT, cast.hr)
    # The GovReg default: workers are vulnerable data subjects.
    assert dpia.content["wp248_criteria"] == ["vulnerable_data_subjects"]
    assert AuditEvent.objects.filter(action="assessment.started", object_id=str(dpia.pk)).exists()


def test_starting_again_returns_the_open_version_rather_than_a_second_one(system, cast):
    first = start(system, Kind.DPIA, cast.hr)
    again = start(system, Kind.DPIA, cast.admin)
    assert again.pk == first.pk
    assert Assessment.objects.filter(system=system, kind=Kind.DPIA).count() == 1


def test_the_database_refuses_two_open_versions_of_one_kind(system, cast):
    start(system, Kind.DPIA, cast.hr)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(system=system, kind=Kind.DPIA, version=2, prepared_by=cast.hr)


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_only_preparers_may_start_an_assessment(system, cast, role):
    with pytest.raises(PermissionDenied):
        start(system, Kind.DPIA, cast.by_role(role))


def test_submit_moves_a_complete_draft_into_review(system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    dpia.refresh_from_db()
    assert dpia.status == Status.IN_REVIEW
    assert dpia.submitted_by == cast.hr


def test_submit_refuses_missing_required_fields_and_lists_them(system, cast):
    dpia = start(system, Kind.DPIA, cast.hr)
    with pytest.raises(services.WorkflowError) as caught:
        services.submit(dpia, actor=cast.hr)
    fields = {p.field for p in caught.value.problems}
    assert {"aims_and_processing_type", "lawful_basis_art6", "data_categories"} <= fields
    assert any(p.section == "risks" for p in caught.value.problems)
    dpia.refresh_from_db()
    assert dpia.status == Status.DRAFT


@pytest.mark.parametrize("role", ["rep", "manager", "auditor"])
def test_only_preparers_may_submit(system, cast, role):
    dpia = complete_dpia(system, cast.hr)
    with pytest.raises(PermissionDenied):
        services.submit(dpia, actor=cast.by_role(role))


def test_a_version_in_review_cannot_be_edited(system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    with pytest.raises(services.WorkflowError):
        services.save_section(
            dpia, actor=cast.hr, section_slug="need", values={"why_dpia_needed": "x"}
        )


def test_return_for_changes_needs_a_comment_and_reopens_the_draft(system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    with pytest.raises(services.WorkflowError):
        services.return_for_changes(dpia, actor=cast.manager, comment="  ")
    services.return_for_changes(dpia, actor=cast.manager, comment="Say how long rotas are kept.")
    dpia.refresh_from_db()
    assert dpia.status == Status.DRAFT
    assert dpia.returned_comment == "Say how long rotas are kept."
    services.save_section(
        dpia, actor=cast.hr, section_slug="nature", values={"retention": "18 months"}
    )


def test_the_hr_officer_cannot_return_or_approve(system, cast):
    dpia = complete_dpia(system, cast.admin)
    services.submit(dpia, actor=cast.admin)
    with pytest.raises(PermissionDenied):
        services.return_for_changes(dpia, actor=cast.hr, comment="No")
    with pytest.raises(PermissionDenied):
        services.approve(dpia, actor=cast.hr)


def test_the_accountable_manager_approves_and_the_version_freezes(system, cast):
    dpia = approve(complete_dpia(system, cast.hr), cast.hr, cast.manager)
    assert dpia.status == Status.APPROVED
    assert dpia.approved_by == cast.manager
    assert len(dpia.content_hash) == 64
    assert dpia.content_hash == dpia.compute_hash()
    assert dpia.next_review_due is not None
    with pytest.raises(services.WorkflowError):
        services.save_section(
            dpia, actor=cast.hr, section_slug="need", values={"why_dpia_needed": "x"}
        )
    with pytest.raises(services.WorkflowError):
        services.save_row(
            dpia, actor=cast.hr, section_slug="risks", row_id=None, values={"description": "x"}
        )


def test_an_organisation_admin_may_approve(system, cast):
    dpia = approve(complete_dpia(system, cast.hr), cast.hr, cast.admin)
    assert dpia.approved_by == cast.admin


def test_a_senior_manager_not_accountable_for_the_system_cannot_approve(
    system, cast, second_manager
):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    with pytest.raises(PermissionDenied):
        services.approve(dpia, actor=second_manager)


@pytest.mark.parametrize("how", ["prepared", "edited", "submitted"])
def test_nobody_approves_a_version_they_prepared_edited_or_submitted(system, cast, how):
    preparer = cast.admin if how == "prepared" else cast.hr
    dpia = complete_dpia(system, preparer)
    if how == "edited":
        services.save_section(
            dpia,
            actor=cast.admin,
            section_slug="need",
            values={"related_documents": "Business case"},
        )
    services.submit(dpia, actor=cast.admin if how == "submitted" else preparer)
    with pytest.raises(services.WorkflowError, match="someone else must approve"):
        services.approve(dpia, actor=cast.admin)
    dpia.refresh_from_db()
    assert dpia.status == Status.IN_REVIEW


def test_the_database_refuses_an_approver_who_is_the_preparer(system, cast):
    dpia = complete_dpia(system, cast.admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=dpia.pk).update(
            status=Status.APPROVED,
            approved_by=cast.admin,
            approved_at=dpia.created_at,
            content_hash="x" * 64,
        )


def test_approval_refuses_what_is_missing_for_approval(system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.save_section(
        dpia, actor=cast.hr, section_slug="signoff", values={"dpo_advice_summary": None}
    )
    services.submit(dpia, actor=cast.hr)  # allowed: only [A] fields are missing
    with pytest.raises(services.WorkflowError) as caught:
        services.approve(dpia, actor=cast.manager)
    assert any(p.field == "dpo_advice_summary" for p in caught.value.problems)


def test_a_new_version_copies_the_approved_one_which_stays_readable(system, cast):
    v1 = approve(complete_dpia(system, cast.hr), cast.hr, cast.manager)
    frozen = dict(v1.content)
    v2 = start(system, Kind.DPIA, cast.hr)
    assert (v2.version, v2.status) == (2, Status.DRAFT)
    assert v2.content == frozen
    services.save_section(
        v2, actor=cast.hr, section_slug="nature", values={"retention": "18 months"}
    )
    v1.refresh_from_db()
    assert v1.content == frozen
    assert v1.status == Status.APPROVED  # until v2 is approved
    approve(v2, cast.hr, cast.admin)
    v1.refresh_from_db()
    assert v1.status == Status.SUPERSEDED
    assert v1.content == frozen
    assert v1.content_hash == v1.compute_hash()


def test_the_content_hash_is_stable_and_changes_with_the_content(system, cast):
    dpia = complete_dpia(system, cast.hr)
    first = dpia.compute_hash()
    assert Assessment.objects.get(pk=dpia.pk).compute_hash() == first
    services.save_section(dpia, actor=cast.hr, section_slug="nature", values={"retention": "Other"})
    dpia.refresh_from_db()
    assert dpia.compute_hash() != first


def test_approved_snapshot_lists_the_approved_version_of_each_kind(system, cast):
    assert services.approved_snapshot(system) == {"dpia": None, "eqia": None, "aia": None}
    dpia = approve(complete_dpia(system, cast.hr), cast.hr, cast.manager)
    eqia = approve(complete_eqia(system, cast.hr), cast.hr, cast.manager)
    snapshot = services.approved_snapshot(system)
    assert snapshot["dpia"] == {
        "type": "dpia",
        "id": dpia.pk,
        "version": 1,
        "content_hash": dpia.content_hash,
        "approved_at": dpia.approved_at.isoformat(),
        "screened_out": False,
    }
    assert snapshot["eqia"]["content_hash"] == eqia.content_hash
    assert snapshot["aia"] is None
    v2 = start(system, Kind.DPIA, cast.hr)
    services.save_section(
        v2, actor=cast.hr, section_slug="nature", values={"retention": "18 months"}
    )
    assert services.approved_snapshot(system)["dpia"]["id"] == dpia.pk  # drafts do not count
    approve(v2, cast.hr, cast.admin)
    assert services.approved_snapshot(system)["dpia"]["version"] == 2
    assert services.approved_snapshot(system)["dpia"]["content_hash"] != dpia.content_hash


def test_every_transition_is_in_the_audit_log(system, cast):
    dpia = complete_dpia(system, cast.hr)
    services.submit(dpia, actor=cast.hr)
    services.return_for_changes(dpia, actor=cast.manager, comment="Fix")
    services.submit(dpia, actor=cast.hr)
    services.approve(dpia, actor=cast.manager)
    actions = list(
        AuditEvent.objects.filter(object_type="assessments.assessment", object_id=str(dpia.pk))
        .order_by("position")
        .values_list("action", flat=True)
    )
    assert actions[0] == "assessment.started"
    assert actions[-4:] == [
        "assessment.submitted",
        "assessment.returned",
        "assessment.submitted",
        "assessment.approved",
    ]
    assert all(e.system_id == system.pk for e in AuditEvent.objects.filter(object_id=str(dpia.pk)))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_the_database_refuses_changes_to_a_frozen_version(system, cast):
    dpia = approve(complete_dpia(system, cast.hr), cast.hr, cast.manager)
    for change in (
        {"content": {}},
        {"content_hash": "f" * 64},
        {"status": Status.DRAFT},
        {"approved_by": cast.admin},
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            Assessment.objects.filter(pk=dpia.pk).update(**change)
    Assessment.objects.filter(pk=dpia.pk).update(status=Status.SUPERSEDED)  # the one change allowed
    with pytest.raises(DatabaseError), transaction.atomic():
        Assessment.objects.filter(pk=dpia.pk).update(status=Status.APPROVED)

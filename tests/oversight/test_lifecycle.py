"""Lifecycle moves through one service: every move allowed and refused, for each role, with the
gate for pilot and use; pause and stop at any time for the accountable manager."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from notifications.models import Notification
from oversight import services
from oversight.choices import FORWARD_MOVES, TransitionKind
from oversight.models import LifecycleTransition, ReviewPolicy
from registers.choices import LifecycleStage
from tests.factories import MembershipFactory, SystemFactory, UnionFactory, UserFactory

from .conftest import conclude_consultation, fresh, move, rep_union, sign

pytestmark = pytest.mark.django_db

STAGES = [s.value for s in LifecycleStage]
ROLES = ["hr", "rep", "manager", "auditor", "admin"]
REASON = "Agreed at the project board."


def at(cast, stage, **kwargs):
    return SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage=stage,
        **kwargs,
    )


# --- Which moves exist ------------------------------------------------------------------------


UNGATED_PAIRS = [
    (a, b)
    for a in STAGES
    for b in STAGES
    if not (b in FORWARD_MOVES[a] and b in ("pilot", "in_use"))  # gated: tested below
]


@pytest.mark.parametrize("from_stage, to_stage", UNGATED_PAIRS)
def test_every_change_of_stage_that_needs_no_gate_is_allowed_or_refused(cast, from_stage, to_stage):
    system = at(cast, from_stage)
    if to_stage in FORWARD_MOVES[from_stage]:
        transition = services.change_stage(system, actor=cast.hr, to_stage=to_stage, reason=REASON)
        assert (transition.from_stage, transition.to_stage) == (from_stage, to_stage)
        assert fresh(system).lifecycle_stage == to_stage
    else:
        with pytest.raises(services.WorkflowError):
            services.change_stage(system, actor=cast.hr, to_stage=to_stage, reason=REASON)
        assert fresh(system).lifecycle_stage == from_stage
        assert not LifecycleTransition.objects.exists()


@pytest.mark.parametrize(
    "from_stage, to_stage",
    [("development", "pilot"), ("development", "in_use"), ("pilot", "in_use")],
)
def test_a_move_into_pilot_or_use_is_refused_with_exactly_what_is_missing(
    cast, from_stage, to_stage
):
    system = at(cast, from_stage)
    with pytest.raises(services.WorkflowError) as refused:
        services.change_stage(system, actor=cast.hr, to_stage=to_stage, reason=REASON)
    assert [item.key for item in refused.value.missing] == [
        "dpia",
        "eqia",
        "aia",
        "aia_findings",
        "consultation",
        "sign_off",
    ]
    assert "cannot move" in refused.value.message
    assert fresh(system).lifecycle_stage == from_stage


def test_an_out_of_date_signoff_alone_stops_the_move(signed_system, cast):
    from .conftest import edit

    edit(signed_system, cast.hr, "rationale", scope="Changed after the signature.")
    with pytest.raises(services.WorkflowError) as refused:
        services.change_stage(fresh(signed_system), actor=cast.hr, to_stage="pilot", reason=REASON)
    assert [item.key for item in refused.value.missing] == ["sign_off"]


def test_a_move_into_pilot_then_use_passes_the_gate_and_is_recorded(signed_system, cast):
    signoff = services.latest_signoff(signed_system)
    transition = services.change_stage(
        fresh(signed_system), actor=cast.hr, to_stage="pilot", reason="Pilot on two teams."
    )
    assert transition.kind == TransitionKind.CHANGE
    assert (transition.from_stage, transition.to_stage, transition.actor, transition.reason) == (
        "development",
        "pilot",
        cast.hr,
        "Pilot on two teams.",
    )
    assert transition.signoff == signoff
    event = AuditEvent.objects.filter(action="system.stage_changed").latest("position")
    assert event.changes["lifecycle_stage"] == ["development", "pilot"]
    assert event.note == "Pilot on two teams."
    assert event.actor == cast.hr
    # The consultation for "in use" is the deployment one: pilot and use share it.
    conclude_consultation(signed_system, cast)
    sign(signed_system, cast.manager, statement="Signed for use.")
    services.change_stage(
        fresh(signed_system), actor=cast.hr, to_stage="in_use", reason="Pilot went well."
    )
    assert fresh(signed_system).lifecycle_stage == "in_use"


def test_a_reason_is_required(cast):
    system = at(cast, "planning")
    with pytest.raises(services.WorkflowError, match="reason"):
        services.change_stage(system, actor=cast.hr, to_stage="tender_award", reason=" ")
    with pytest.raises(services.WorkflowError, match="reason"):
        services.pause(at(cast, "in_use"), actor=cast.manager, reason="")


def test_change_stage_cannot_pause_or_retire(cast):
    system = at(cast, "in_use")
    for stage in ("paused", "retired"):
        with pytest.raises(services.WorkflowError, match="Only the accountable senior manager"):
            services.change_stage(system, actor=cast.hr, to_stage=stage, reason=REASON)


# --- Who may move what ------------------------------------------------------------------------

ACTIONS = {
    # action: (roles allowed, starting stage)
    "change_stage": ({"hr", "admin"}, "planning"),
    "pause": ({"manager"}, "in_use"),
    "retire": ({"manager"}, "pilot"),
    "restart": ({"manager"}, "paused"),
}


def do(action, system, actor):
    if action == "change_stage":
        return services.change_stage(system, actor=actor, to_stage="tender_award", reason=REASON)
    if action == "restart":
        return services.restart(system, actor=actor, to_stage="development", reason=REASON)
    return getattr(services, action)(system, actor=actor, reason=REASON)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_role_may_take_exactly_its_lifecycle_actions(cast, role, action):
    allowed, stage = ACTIONS[action]
    system = at(cast, stage)
    if role in allowed:
        do(action, system, cast.by_role(role))
        assert LifecycleTransition.objects.filter(system=system).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            do(action, system, cast.by_role(role))
        assert fresh(system).lifecycle_stage == stage


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_nobody_moves_another_bodys_system(cast, other, role, action):
    _allowed, stage = ACTIONS[action]
    system = at(cast, stage)
    with pytest.raises(PermissionDenied):
        do(action, system, other.by_role(role))
    assert fresh(system).lifecycle_stage == stage


def test_a_manager_who_is_not_accountable_for_the_system_may_not_pause_it(cast):
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=cast.organisation, role=Role.SENIOR_MANAGER)
    system = at(cast, "in_use")
    for action in ("pause", "retire"):
        with pytest.raises(PermissionDenied):
            do(action, system, colleague)


def test_only_hr_and_admins_move_into_pilot_with_the_gate_passed(signed_system, cast):
    for role in ("rep", "manager", "auditor"):
        with pytest.raises(PermissionDenied):
            services.change_stage(
                fresh(signed_system), actor=cast.by_role(role), to_stage="pilot", reason=REASON
            )
    services.change_stage(fresh(signed_system), actor=cast.admin, to_stage="pilot", reason=REASON)
    assert fresh(signed_system).lifecycle_stage == "pilot"


# --- Pause, stop and restart ------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_the_manager_pauses_from_any_stage_at_once_without_the_gate(cast, stage):
    system = at(cast, stage)
    if stage in ("paused", "retired"):
        with pytest.raises(services.WorkflowError, match="already"):
            services.pause(system, actor=cast.manager, reason="Concerns raised by UNISON.")
        return
    transition = services.pause(system, actor=cast.manager, reason="Concerns raised by UNISON.")
    assert fresh(system).lifecycle_stage == "paused"
    assert (transition.kind, transition.from_stage, transition.actor) == (
        "pause",
        stage,
        cast.manager,
    )
    event = AuditEvent.objects.get(action="system.paused")
    assert event.note == "Concerns raised by UNISON."


@pytest.mark.parametrize("stage", STAGES)
def test_the_manager_stops_and_retires_from_any_stage(cast, stage):
    system = at(cast, stage, next_review_date=timezone.localdate())
    if stage == "retired":
        with pytest.raises(services.WorkflowError, match="already retired"):
            services.retire(system, actor=cast.manager, reason="No longer needed.")
        return
    services.retire(system, actor=cast.manager, reason="No longer needed.")
    system = fresh(system)
    assert system.lifecycle_stage == "retired"
    assert system.next_review_date is None  # nothing left to review
    assert AuditEvent.objects.get(action="system.retired").changes["lifecycle_stage"] == [
        stage,
        "retired",
    ]


@pytest.mark.parametrize("stage", STAGES)
def test_only_a_paused_system_restarts(cast, stage):
    system = at(cast, stage)
    if stage != "paused":
        with pytest.raises(services.WorkflowError, match="Only a paused system"):
            services.restart(system, actor=cast.manager, to_stage="development", reason=REASON)


def test_a_system_restarts_where_it_was_paused_and_into_use_only_with_the_gate(signed_system, cast):
    services.change_stage(fresh(signed_system), actor=cast.hr, to_stage="pilot", reason=REASON)
    services.pause(fresh(signed_system), actor=cast.manager, reason="Breaks squeezed.")
    assert services.restart_targets(fresh(signed_system)) == ["pilot", "in_use"]
    with pytest.raises(services.WorkflowError, match="cannot restart"):
        services.restart(
            fresh(signed_system), actor=cast.manager, to_stage="planning", reason=REASON
        )

    from .conftest import edit

    edit(signed_system, cast.hr, "oversight", human_in_the_loop="A break rule now applies.")
    with pytest.raises(services.WorkflowError) as refused:
        services.restart(fresh(signed_system), actor=cast.manager, to_stage="pilot", reason=REASON)
    # A paused system's consultation is the deployment one; the change needs a new signature.
    assert [item.key for item in refused.value.missing] == ["consultation", "sign_off"]
    assert fresh(signed_system).lifecycle_stage == "paused"

    conclude_consultation(signed_system, cast)
    sign(signed_system, cast.manager, statement="The break rule fixes it.")
    transition = services.restart(
        fresh(signed_system), actor=cast.manager, to_stage="pilot", reason="Fixed."
    )
    assert (transition.kind, transition.from_stage, transition.to_stage) == (
        "restart",
        "paused",
        "pilot",
    )
    assert fresh(signed_system).lifecycle_stage == "pilot"


def test_a_system_paused_before_use_restarts_in_its_stage_without_the_gate(cast):
    system = at(cast, "tender_award")
    services.pause(system, actor=cast.manager, reason="Procurement on hold.")
    assert services.restart_targets(fresh(system)) == ["tender_award"]
    services.restart(fresh(system), actor=cast.manager, to_stage="tender_award", reason="Resumed.")
    assert fresh(system).lifecycle_stage == "tender_award"


def test_pause_and_stop_tell_hr_and_the_reps_of_the_unions_involved(
    cast, django_capture_on_commit_callbacks, mailoutbox
):
    system = at(cast, "in_use")
    conclude_consultation(system, cast, stage="deployment")
    outsider_rep = UserFactory(email="gmb-rep@body.example")
    MembershipFactory(
        user=outsider_rep, organisation=cast.organisation, role=Role.UNION_REP, union=UnionFactory()
    )
    Notification.objects.all().delete()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.pause(system, actor=cast.manager, reason="Concerns about breaks.")
    assert {n.user for n in Notification.objects.filter(event="system.paused")} == {
        cast.hr,
        cast.rep,
    }
    assert sorted(m.to[0] for m in mailoutbox) == sorted([cast.hr.email, cast.rep.email])
    assert all("Concerns about breaks." in m.body for m in mailoutbox)
    assert all("Paused" in m.subject for m in mailoutbox)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.retire(fresh(system), actor=cast.manager, reason="Stopped for good.")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([cast.hr.email, cast.rep.email])
    assert all("Stopped and retired" in m.subject for m in mailoutbox)


def test_without_a_consultation_every_rep_of_the_body_is_told(
    cast, django_capture_on_commit_callbacks
):
    second_rep = UserFactory(email="gmb-rep@body.example")
    MembershipFactory(
        user=second_rep, organisation=cast.organisation, role=Role.UNION_REP, union=UnionFactory()
    )
    system = at(cast, "in_use")
    with django_capture_on_commit_callbacks(execute=True):
        services.pause(system, actor=cast.manager, reason="Paused.")
    assert {n.user for n in Notification.objects.filter(event="system.paused")} == {
        cast.hr,
        cast.rep,
        second_rep,
    }
    assert rep_union(cast) is not None


# --- Review dates set by moves ----------------------------------------------------------------


def test_going_live_sets_the_first_review_by_impact_level(signed_system, cast):
    level = services.impact_level(fresh(signed_system))
    policy = ReviewPolicy.for_organisation(cast.organisation.pk)
    expected_months = min(policy.months_for(level), policy.first_review_within_months)
    move(signed_system, cast.hr, "pilot")
    assert fresh(signed_system).next_review_date == services.add_months(
        timezone.localdate(), expected_months
    )


def test_the_default_intervals_follow_the_impact_level():
    policy = ReviewPolicy(organisation_id=1)
    assert [policy.months_for(level) for level in ("I", "II", "III", "IV", "")] == [24, 12, 6, 3, 3]


def test_the_bodys_own_interval_for_the_level_is_used(ready_system, cast):
    level = services.impact_level(fresh(ready_system))
    assert level in ("I", "II", "III", "IV")
    field = {
        "I": "months_level_i",
        "II": "months_level_ii",
        "III": "months_level_iii",
        "IV": "months_level_iv",
    }[level]
    services.update_review_policy(cast.organisation, actor=cast.admin, data={field: 2})
    assert services.review_months(fresh(ready_system)) == 2
    sign(ready_system, cast.manager)
    move(ready_system, cast.hr, "pilot")
    assert fresh(ready_system).next_review_date == services.add_months(timezone.localdate(), 2)


def test_add_months_keeps_to_the_calendar():
    import datetime as dt

    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert services.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)

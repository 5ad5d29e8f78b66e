"""Every oversight page and action for anonymous users, each role of the owning body and of
another body; the lifecycle forms, the audit form and the review intervals through the pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight import services
from oversight.models import LifecycleTransition, PostDeploymentAudit, ReviewPolicy, SignOff
from tests.factories import SystemFactory

from .conftest import fresh, sign
from .test_audits import record

pytestmark = pytest.mark.django_db

ROLES = ["hr", "rep", "manager", "auditor", "admin"]


@pytest.fixture
def world(cast):
    """A system in use with a refused sign-off and a post-deployment audit, and a paused one."""
    system = SystemFactory(
        organisation=cast.organisation, accountable_manager=cast.manager, lifecycle_stage="in_use"
    )
    signoff = sign(system, cast.manager, "refused", statement="Not yet.")
    audit = record(system, cast.hr, bias_rows=[])
    paused = SystemFactory(
        organisation=cast.organisation, accountable_manager=cast.manager, lifecycle_stage="in_use"
    )
    services.pause(paused, actor=cast.manager, reason="Concerns.")
    return {"system": fresh(system), "signoff": signoff, "audit": audit, "paused": fresh(paused)}


def pages(world):
    system, paused = world["system"], world["paused"]
    return {
        "signoff": reverse("oversight:signoff", args=[system.uuid]),
        "signoff_detail": world["signoff"].get_absolute_url(),
        "change_stage": reverse("oversight:change_stage", args=[system.uuid]),
        "pause": reverse("oversight:pause", args=[system.uuid]),
        "retire": reverse("oversight:retire", args=[system.uuid]),
        "restart": reverse("oversight:restart", args=[paused.uuid]),
        "audit_create": reverse("oversight:audit_create", args=[system.uuid]),
        "audit_detail": world["audit"].get_absolute_url(),
        "review_policy": reverse("oversight:review_policy", args=[system.organisation.slug]),
    }


OWN_BODY = {
    "signoff": {"manager"},
    "signoff_detail": set(ROLES),
    "change_stage": {"hr", "admin"},
    "pause": {"manager"},
    "retire": {"manager"},
    "restart": {"manager"},
    "audit_create": {"hr", "admin", "manager"},
    "audit_detail": set(ROLES),
    "review_policy": {"admin"},
}


@pytest.mark.parametrize("page", sorted(OWN_BODY))
def test_anonymous_users_are_sent_to_sign_in(client, world, page):
    response = client.get(pages(world)[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", sorted(OWN_BODY))
@pytest.mark.parametrize("role", ROLES)
def test_own_body(client, cast, world, role, page):
    client.force_login(cast.by_role(role))
    response = client.get(pages(world)[page])
    assert response.status_code == (200 if role in OWN_BODY[page] else 403)


@pytest.mark.parametrize("page", sorted(OWN_BODY))
@pytest.mark.parametrize("role", ROLES)
def test_another_bodys_pages_are_not_found(client, other, world, role, page):
    client.force_login(other.by_role(role))
    assert client.get(pages(world)[page]).status_code == 404


def test_a_signoff_or_audit_of_another_system_is_not_found_under_this_one(client, cast, world):
    client.force_login(cast.auditor)
    other_system = SystemFactory(organisation=cast.organisation)
    assert (
        client.get(
            reverse("oversight:signoff_detail", args=[other_system.uuid, world["signoff"].uuid])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("oversight:audit_detail", args=[other_system.uuid, world["audit"].uuid])
        ).status_code
        == 404
    )


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_signoff_page_cannot_change_it(client, cast, world, method):
    client.force_login(cast.manager)
    response = getattr(client, method)(
        world["signoff"].get_absolute_url(), {"statement": "Rewritten."}
    )
    assert response.status_code == 405
    assert SignOff.objects.get().statement == "Not yet."


# --- Actions through the pages ----------------------------------------------------------------

ACTIONS = {
    # page: (roles that succeed, what the system's stage becomes)
    "pause": ({"manager"}, "paused"),
    "retire": ({"manager"}, "retired"),
}


@pytest.mark.parametrize("page", sorted(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_pause_and_stop_through_the_pages(client, cast, world, role, page):
    allowed, after = ACTIONS[page]
    system = world["system"]
    client.force_login(cast.by_role(role))
    response = client.post(pages(world)[page], {"reason": "Workers' concerns."})
    if role in allowed:
        assert response.status_code == 302
        assert (
            response["Location"]
            == reverse("registers:system_detail", args=[system.uuid]) + "#oversight"
        )
        assert fresh(system).lifecycle_stage == after
    else:
        assert response.status_code == 403
        assert fresh(system).lifecycle_stage == "in_use"


@pytest.mark.parametrize("page", sorted(ACTIONS))
def test_pause_and_stop_of_another_bodys_system_are_not_found(client, other, world, page):
    client.force_login(other.manager)
    assert client.post(pages(world)[page], {"reason": "x"}).status_code == 404
    assert fresh(world["system"]).lifecycle_stage == "in_use"


def test_a_pause_without_a_reason_shows_the_error_and_changes_nothing(client, cast, world):
    client.force_login(cast.manager)
    response = client.post(pages(world)["pause"], {"reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert 'href="#id_reason"' in html
    assert fresh(world["system"]).lifecycle_stage == "in_use"


def test_pausing_a_paused_system_explains_why_not(client, cast, world):
    client.force_login(cast.manager)
    response = client.get(reverse("oversight:pause", args=[world["paused"].uuid]))
    assert "already" in response.content.decode()
    response = client.post(
        reverse("oversight:pause", args=[world["paused"].uuid]), {"reason": "Again."}
    )
    assert response.status_code == 200
    assert "already" in response.content.decode()


def test_a_refused_move_shows_the_checklist_and_keeps_the_reason(client, cast):
    system = SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage="development",
    )
    client.force_login(cast.hr)
    url = reverse("oversight:change_stage", args=[system.uuid])
    response = client.post(url, {"to_stage": "pilot", "reason": "Ready to pilot with two teams."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "cannot move to “Pilot”" in html
    missing = [item.key for item in response.context["missing"]]
    assert missing == ["dpia", "eqia", "aia", "aia_findings", "consultation", "sign_off"]
    assert "Current sign-off by the accountable senior manager" in html
    assert "Ready to pilot with two teams." in html  # nothing typed is lost
    assert fresh(system).lifecycle_stage == "development"


def test_a_move_before_pilot_through_the_page(client, cast):
    system = SystemFactory(organisation=cast.organisation, lifecycle_stage="planning")
    client.force_login(cast.admin)
    url = reverse("oversight:change_stage", args=[system.uuid])
    page = client.get(url).content.decode()
    assert (
        'value="tender_award"' in page
        and 'value="development"' in page
        and 'value="pilot"' not in page
    )
    response = client.post(url, {"to_stage": "tender_award", "reason": "Business case approved."})
    assert response.status_code == 302
    transition = LifecycleTransition.objects.get(system=system)
    assert (transition.to_stage, transition.actor, transition.reason) == (
        "tender_award",
        cast.admin,
        "Business case approved.",
    )


def test_an_unknown_target_stage_is_a_form_error(client, cast):
    system = SystemFactory(organisation=cast.organisation, lifecycle_stage="planning")
    client.force_login(cast.hr)
    response = client.post(
        reverse("oversight:change_stage", args=[system.uuid]),
        {"to_stage": "retired", "reason": "x"},
    )
    assert response.status_code == 200
    assert "Choose one of the stages listed" in response.content.decode()
    assert fresh(system).lifecycle_stage == "planning"


def test_a_restart_through_the_page(client, cast):
    system = SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage="development",
    )
    services.pause(system, actor=cast.manager, reason="Supplier issue.")
    client.force_login(cast.manager)
    response = client.post(
        reverse("oversight:restart", args=[system.uuid]),
        {"to_stage": "development", "reason": "Fixed."},
    )
    assert response.status_code == 302
    assert fresh(system).lifecycle_stage == "development"


def test_setting_a_missing_review_date(client, cast):
    system = SystemFactory(organisation=cast.organisation, lifecycle_stage="in_use")
    url = reverse("oversight:schedule_review", args=[system.uuid])
    client.force_login(cast.rep)
    assert client.post(url).status_code == 403
    client.force_login(cast.hr)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    months = ReviewPolicy.for_organisation(cast.organisation.pk).months_not_assessed
    assert fresh(system).next_review_date == services.add_months(timezone.localdate(), months)


# --- The post-deployment audit form -----------------------------------------------------------


def audit_form(**overrides):
    today = timezone.localdate()
    data = {
        "period_start": (today - dt.timedelta(days=90)).isoformat(),
        "period_end": today.isoformat(),
        "conducted_on": today.isoformat(),
        "conducted_by": "Rhian Evans (HR), Dafydd Morgan (UNISON)",
        "worker_feedback": "Workers like the shorter travel.",
        "feedback_sources": ["survey"],
        "rep_access": "",
        "outcome": "continue",
        "outcome_reasons": "Works as agreed.",
        "next_review_date": "",
        "bias-TOTAL_FORMS": "1",
        "bias-INITIAL_FORMS": "0",
        "bias-MIN_NUM_FORMS": "0",
        "bias-MAX_NUM_FORMS": "30",
        "bias-0-characteristic": "sex",
        "bias-0-groups": "Women against men",
        "bias-0-metric": "selection_rate_ratio",
        "bias-0-value": "0.92",
        "bias-0-threshold": "0.8",
        "bias-0-passes_when": "",
        "bias-0-method": "",
    }
    for q in ("purpose", "work", "mitigations", "unplanned", "technical", "rules"):
        data[f"{q}_rating"] = "yes"
        data[f"{q}_evidence"] = f"Evidence about {q}."
        data[f"{q}_follow_up"] = ""
    data.update(overrides)
    return data


def test_recording_an_audit_through_the_page(client, cast):
    system = SystemFactory(
        organisation=cast.organisation,
        lifecycle_stage="in_use",
        employment_decisions=["scheduling"],
    )
    client.force_login(cast.hr)
    response = client.post(reverse("oversight:audit_create", args=[system.uuid]), audit_form())
    audit = PostDeploymentAudit.objects.get()
    assert response.status_code == 302 and response["Location"] == audit.get_absolute_url()
    assert audit.bias_results.get().passed is True
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Does the system do what it should?" in page and "Pass" in page


def test_an_incomplete_audit_keeps_what_was_typed(client, cast):
    system = SystemFactory(
        organisation=cast.organisation,
        lifecycle_stage="in_use",
        employment_decisions=["scheduling"],
    )
    client.force_login(cast.hr)
    response = client.post(
        reverse("oversight:audit_create", args=[system.uuid]),
        audit_form(
            work_rating="no",
            work_evidence="Breaks squeezed on long shifts.",
            **{"bias-0-groups": ""},
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert 'href="#id_bias-0-groups"' in html
    assert "Breaks squeezed on long shifts." in html
    # The bias row was fixed, but a "No" still needs to say what will be done.
    response = client.post(
        reverse("oversight:audit_create", args=[system.uuid]),
        audit_form(work_rating="no", work_evidence="Breaks squeezed on long shifts."),
    )
    html = response.content.decode()
    assert 'href="#id_work_follow_up"' in html
    assert not PostDeploymentAudit.objects.exists()


def test_adding_a_bias_row_keeps_the_form_without_errors(client, cast):
    system = SystemFactory(organisation=cast.organisation, lifecycle_stage="in_use")
    client.force_login(cast.hr)
    response = client.post(
        reverse("oversight:audit_create", args=[system.uuid]),
        {**audit_form(conducted_by=""), "add_bias_row": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Error:" not in html.split("</title>")[0]
    assert 'name="bias-TOTAL_FORMS" value="2"' in html
    assert "Women against men" in html


def test_an_audit_outcome_the_recorder_cannot_take_is_explained(client, cast):
    system = SystemFactory(
        organisation=cast.organisation, accountable_manager=cast.manager, lifecycle_stage="in_use"
    )
    client.force_login(cast.hr)
    response = client.post(
        reverse("oversight:audit_create", args=[system.uuid]), audit_form(outcome="pause")
    )
    assert response.status_code == 200
    assert "Only the system&#x27;s accountable senior manager" in response.content.decode()
    assert fresh(system).lifecycle_stage == "in_use"


# --- Review intervals -------------------------------------------------------------------------


def test_an_administrator_sets_the_review_intervals(client, cast):
    from audit.models import AuditEvent

    client.force_login(cast.admin)
    url = reverse("oversight:review_policy", args=[cast.organisation.slug])
    form = dict(ReviewPolicy.DEFAULTS.items())
    form["months_level_iv"] = 2
    assert client.post(url, form).status_code == 302
    assert ReviewPolicy.objects.get(organisation=cast.organisation).months_level_iv == 2
    event = AuditEvent.objects.get(action="review_policy.updated")
    assert event.changes == {"months_level_iv": [3, 2]}
    assert event.organisation_id == cast.organisation.pk
    response = client.post(url, {**form, "months_level_i": 0})
    assert response.status_code == 200 and "<title>Error:" in response.content.decode()


def test_the_review_intervals_of_another_body_are_not_found(client, cast, other):
    client.force_login(cast.admin)
    url = reverse("oversight:review_policy", args=[other.organisation.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, dict(ReviewPolicy.DEFAULTS)).status_code == 404
    assert not ReviewPolicy.objects.exists()


# --- The system page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_system_page_offers_each_role_its_controls(client, cast, role):
    system = SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage="development",
    )
    client.force_login(cast.by_role(role))
    html = client.get(reverse("registers:system_detail", args=[system.uuid])).content.decode()
    links = set(
        re.findall(
            r'href="/systems/[0-9a-f-]{36}/(sign-off|stage|pause|retire|restart|audits/new)/"', html
        )
    )
    expected = {
        "hr": {"stage"},
        "admin": {"stage"},
        "manager": {"sign-off", "pause", "retire"},
        "rep": set(),
        "auditor": set(),
    }[role]
    assert links == expected
    assert "Sign-off and lifecycle" in html


def test_a_paused_and_a_retired_system_say_so_prominently(client, cast, world):
    client.force_login(cast.rep)
    html = client.get(
        reverse("registers:system_detail", args=[world["paused"].uuid])
    ).content.decode()
    head = html.split('id="oversight"')[0]
    assert "This system is paused" in head and "Concerns." in head
    services.retire(world["system"], actor=cast.manager, reason="Replaced by a new contract.")
    html = client.get(
        reverse("registers:system_detail", args=[world["system"].uuid])
    ).content.decode()
    head = html.split('id="oversight"')[0]
    assert "stopped and retired" in head and "Replaced by a new contract." in head

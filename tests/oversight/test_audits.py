"""Post-deployment audits: the guidance's six questions with evidence, bias-audit figures,
worker feedback, the outcome, and the next review date the audit sets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from oversight import services
from oversight.choices import AuditQuestion, Outcome, Rating
from oversight.models import ImmutableRecord, PostDeploymentAudit, ReviewPolicy
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def answers(rating=Rating.YES, **overrides):
    out = []
    for question in AuditQuestion:
        r = overrides.get(question.value, rating)
        out.append(
            services.Answer(
                question.value,
                r,
                f"Evidence for {question.value}.",
                "" if r == Rating.YES else "Fix it.",
            )
        )
    return out


def bias(value="0.91", threshold="0.80", metric="selection_rate_ratio"):
    return services.BiasRow("sex", "Women against men", metric, Decimal(value), Decimal(threshold))


def record(system, actor, **kwargs):
    values = {
        "period_start": today() - dt.timedelta(days=180),
        "period_end": today() - dt.timedelta(days=1),
        "conducted_on": today(),
        "conducted_by": "HR and the UNISON branch secretary",
        "answers": answers(),
        "bias_rows": [bias()],
        "worker_feedback": "Mostly positive; breaks squeezed on long shifts.",
        "feedback_sources": ["survey", "meetings"],
        "outcome": Outcome.CONTINUE,
        "outcome_reasons": "Works as agreed.",
    }
    values.update(kwargs)
    return services.record_audit(system, actor=actor, **values)


@pytest.fixture
def live(cast):
    return SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        lifecycle_stage="in_use",
        employment_decisions=["scheduling"],
    )


def test_an_audit_records_the_answers_bias_results_and_sets_the_next_review(live, cast):
    audit = record(
        live,
        cast.hr,
        answers=answers(work=Rating.PARTLY),
        bias_rows=[bias("0.78", "0.80"), bias("0.02", "0.05", "error_rate_gap")],
    )
    assert [a.question for a in audit.answers.all()] == [q.value for q in AuditQuestion]
    work = audit.answers.get(question="work")
    assert (work.rating, work.follow_up) == ("partly", "Fix it.")
    assert [(r.passes_when, r.passed) for r in audit.bias_results.all()] == [
        ("at_least", False),
        ("at_most", True),
    ]
    months = ReviewPolicy.for_organisation(cast.organisation.pk).months_not_assessed
    assert audit.next_review_date == services.add_months(today(), months)
    live.refresh_from_db()
    assert live.next_review_date == audit.next_review_date
    event = AuditEvent.objects.get(action="post_deployment_audit.recorded")
    assert event.changes["bias_results_failed"] == [None, 1]
    assert AuditEvent.objects.filter(action="system.review_scheduled", system_id=live.pk).exists()
    assert Notification.objects.filter(
        event="post_deployment_audit.recorded", user=cast.manager
    ).exists()


def test_a_chosen_next_review_date_is_kept(live, cast):
    audit = record(live, cast.hr, next_review_date=today() + dt.timedelta(days=45))
    assert audit.next_review_date == today() + dt.timedelta(days=45)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"answers": answers()[:5]}, "rules_rating"),
        ({"bias_rows": []}, "bias"),
        ({"period_start": today(), "period_end": today() - dt.timedelta(days=3)}, "period_end"),
        ({"conducted_on": today() + dt.timedelta(days=1)}, "conducted_on"),
        ({"next_review_date": today() - dt.timedelta(days=1)}, "next_review_date"),
        ({"outcome": "maybe"}, "outcome"),
    ],
)
def test_incomplete_or_inconsistent_audits_are_refused(live, cast, kwargs, field):
    with pytest.raises(ValidationError) as refused:
        record(live, cast.hr, **kwargs)
    assert field in refused.value.message_dict
    assert not PostDeploymentAudit.objects.exists()


def test_an_answer_other_than_yes_says_what_will_be_done(live, cast):
    given = [services.Answer("purpose", Rating.NO, "It misses visits.", ""), *answers()[1:]]
    with pytest.raises(ValidationError) as refused:
        record(live, cast.hr, answers=given)
    assert list(refused.value.message_dict) == ["purpose_follow_up"]


def test_bias_figures_are_optional_for_systems_that_decide_nothing_about_individuals(cast):
    system = SystemFactory(
        organisation=cast.organisation,
        lifecycle_stage="pilot",
        employment_decisions=["information"],
    )
    assert record(system, cast.hr, bias_rows=[]).bias_results.count() == 0


@pytest.mark.parametrize("stage", ["planning", "tender_award", "development", "retired"])
def test_only_a_system_in_use_or_paused_is_audited(cast, stage):
    system = SystemFactory(organisation=cast.organisation, lifecycle_stage=stage)
    with pytest.raises(services.WorkflowError):
        record(system, cast.hr)


@pytest.mark.parametrize(
    "role, allowed",
    [("hr", True), ("admin", True), ("manager", True), ("rep", False), ("auditor", False)],
)
def test_who_may_record_an_audit(live, cast, role, allowed):
    if allowed:
        record(live, cast.by_role(role))
    else:
        with pytest.raises(PermissionDenied):
            record(live, cast.by_role(role))


def test_nobody_records_an_audit_of_another_bodys_system(live, other):
    for role in ("hr", "admin", "manager"):
        with pytest.raises(PermissionDenied):
            record(live, other.by_role(role))


def test_an_outcome_of_pause_pauses_the_system_at_once_and_only_the_manager_may_record_it(
    live, cast
):
    with pytest.raises(services.WorkflowError, match="accountable senior manager"):
        record(live, cast.hr, outcome=Outcome.PAUSE)
    assert not PostDeploymentAudit.objects.exists()

    audit = record(live, cast.manager, outcome=Outcome.PAUSE, outcome_reasons="Breaks squeezed.")
    live.refresh_from_db()
    assert live.lifecycle_stage == "paused"
    assert live.next_review_date == audit.next_review_date
    event = AuditEvent.objects.get(action="system.paused")
    assert "Breaks squeezed." in event.note


def test_an_outcome_of_stop_retires_the_system(live, cast):
    with pytest.raises(services.WorkflowError):
        record(live, cast.admin, outcome=Outcome.STOP)
    audit = record(
        live, cast.manager, outcome=Outcome.STOP, outcome_reasons="Bias could not be fixed."
    )
    live.refresh_from_db()
    assert live.lifecycle_stage == "retired"
    assert live.next_review_date is None and audit.next_review_date is None


def test_an_audit_is_never_edited(live, cast):
    audit = record(live, cast.hr)
    audit.outcome = Outcome.STOP
    with pytest.raises(ImmutableRecord):
        audit.save()
    with pytest.raises(ImmutableRecord):
        audit.answers.first().delete()

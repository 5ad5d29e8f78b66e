"""Demo oversight: a system signed off with conditions, one whose sign-off went out of date
after a post-deployment audit led to a change, a system paused by its manager, and the history
of the systems already paused or retired. Built through the services (so with history) and
idempotent: a system that already has a sign-off or a lifecycle move is left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from consultations import services as consultations
from consultations.choices import Agreement, ConsultationStatus
from consultations.models import Consultation
from notifications.services import emails_suppressed
from registers import services as registers
from registers.choices import LifecycleStage
from registers.models import AlgorithmicSystem
from registers.sections import BY_SLUG

from . import services
from .choices import (
    AuditQuestion,
    BiasMetric,
    Characteristic,
    Decision,
    FeedbackSource,
    Outcome,
    Rating,
    TransitionKind,
)
from .models import LifecycleTransition, SignOff


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def build(demo: dict) -> None:
    systems = demo.get("systems", {})
    with emails_suppressed():
        for reference, builder in BUILDERS.items():
            system = systems.get(reference)
            if system is None:
                continue
            system = AlgorithmicSystem.objects.get(pk=system.pk)
            if (
                SignOff.objects.filter(system=system).exists()
                or LifecycleTransition.objects.filter(system=system).exists()
            ):
                continue
            with transaction.atomic():
                builder(demo, system)


def _people(demo, system):
    slug = system.organisation.slug
    return demo["users"][(slug, "hr")], demo["users"][(slug, "manager")]


def rota_planner(demo, system):
    """Signed off; audited after deployment (continue with changes); the change the audit
    asked for is made to the record, so the sign-off is out of date: re-sign required."""
    hr, manager = _people(demo, system)
    services.sign_off(
        system,
        actor=manager,
        decision=Decision.APPROVED,
        statement=(
            "I have read the record, the approved DPIA, EqIA and AIA and UNISON's conditions. "
            "Every rota is approved by a scheduling officer, and the conditions are in the rota "
            "rules and the contract. The planner may stay in use across all home-care teams."
        ),
        reauthenticated_with="password",
    )
    yes = (
        "Travel time per visit down 12%; every rota approved by an officer (sample of 40 checked)."
    )
    services.record_audit(
        system,
        actor=hr,
        period_start=_days(-190),
        period_end=_days(-10),
        conducted_on=_days(-5),
        conducted_by=(
            "Rhian Evans (HR Business Partner), Dafydd Morgan (UNISON Branch Secretary), "
            "two scheduling officers"
        ),
        answers=[
            services.Answer(AuditQuestion.PURPOSE, Rating.YES, yes),
            services.Answer(
                AuditQuestion.WORK,
                Rating.PARTLY,
                "Survey of 120 home-care workers: 71% say rotas are fairer; 18% of part-time "
                "workers say their breaks are squeezed on double-up visits.",
                "Add a minimum 20-minute break rule for shifts over 6 hours (action with the supplier).",
            ),
            services.Answer(
                AuditQuestion.MITIGATIONS,
                Rating.YES,
                "9-visit cap applied in every rota sampled; travel time paid; quarterly UNISON review held twice.",
            ),
            services.Answer(
                AuditQuestion.UNPLANNED,
                Rating.PARTLY,
                "Rural teams get longer shifts because of travel; not foreseen in the DPIA or EqIA.",
                "Record the risk in the register and review rural shift lengths with UNISON next quarter.",
            ),
            services.Answer(
                AuditQuestion.TECHNICAL,
                Rating.PARTLY,
                "Uptime 99.6%. Bias audit: part-time workers get proportionally more weekend "
                "visits (ratio 0.78 against the 0.8 threshold).",
                "Supplier to rebalance weekend allocation by contracted hours; re-test in 3 months.",
            ),
            services.Answer(
                AuditQuestion.RULES,
                Rating.YES,
                "The local agreement with UNISON is followed: officers approve every rota, reps "
                "examined 30 rotas in September.",
            ),
        ],
        bias_rows=[
            services.BiasRow(
                Characteristic.WORKING_PATTERN,
                "Part-time against full-time workers: weekend visits per contracted hour",
                BiasMetric.SELECTION_RATE_RATIO,
                Decimal("0.78"),
                Decimal("0.80"),
                method="Rotas of weeks 14–39; ratio of rates per contracted hour.",
            ),
            services.BiasRow(
                Characteristic.SEX,
                "Women against men: share of weekend visits",
                BiasMetric.SELECTION_RATE_RATIO,
                Decimal("0.93"),
                Decimal("0.80"),
            ),
            services.BiasRow(
                Characteristic.AGE,
                "Workers aged 55 and over against under 55: travel-time errors",
                BiasMetric.ERROR_RATE_GAP,
                Decimal("0.0200"),
                Decimal("0.0500"),
            ),
        ],
        worker_feedback=(
            "Workers value shorter travel and fairer weekends, but part-time workers report "
            "squeezed breaks and more weekend work. Raised through the survey, two concerns and "
            "UNISON's review of 30 rotas."
        ),
        feedback_sources=[
            FeedbackSource.SURVEY,
            FeedbackSource.CONCERNS,
            FeedbackSource.REP_ACCESS,
        ],
        rep_access="UNISON reps examined 30 rotas with scheduling officers on 12 September.",
        outcome=Outcome.CONTINUE_WITH_CHANGES,
        outcome_reasons=(
            "Continue, with a break rule for long shifts and rebalanced weekend allocation for "
            "part-time workers, re-tested in three months."
        ),
    )
    # The change the audit asked for goes into the record: a material change after the
    # signature, so the accountable manager must sign again.
    section = BY_SLUG["deployment"]
    registers.update_section(
        system,
        actor=hr,
        section=section,
        data={
            "human_decisions_and_review": (
                "Every rota is approved by a scheduling officer, who checks that shifts over 6 "
                "hours include a 20-minute break. Workers can ask for a change through their "
                "team leader."
            )
        },
        expected_fingerprint=None,
    )


def nurse_rostering(demo, system):
    """The deployment consultation, on which the RCN agreed with conditions, is concluded and
    the accountable manager signs off with conditions."""
    hr, manager = _people(demo, system)
    consultation = Consultation.objects.filter(
        system=system, status=ConsultationStatus.OPEN
    ).first()
    if consultation is not None:
        consultations.conclude_consultation(
            consultation,
            actor=hr,
            outcome=Agreement.AGREED_WITH_CONDITIONS,
            outcome_summary=(
                "Continued use agreed with the RCN, on condition that flexible-working "
                "arrangements are applied before each roster is generated."
            ),
        )
    try:
        services.sign_off(
            system,
            actor=manager,
            decision=Decision.CONDITIONAL,
            statement=(
                "The auto-roster may stay in use. Ward managers approve every roster; the RCN's "
                "condition on flexible working is mine to see through."
            ),
            conditions=[
                services.Condition(
                    text="Apply approved flexible-working arrangements as fixed constraints before each roster run.",
                    owner="Head of Workforce Systems",
                    due_date=_days(60),
                ),
                services.Condition(
                    text="Share the night-shift distribution per ward with the RCN every quarter.",
                    owner="Deputy Director of Nursing",
                    due_date=_days(90),
                ),
            ],
            reauthenticated_with="password",
        )
    except services.WorkflowError:
        return  # the gate's other items are not met in this demo data: leave it unsigned
    services.schedule_review(system, actor=hr)


def absence_analytics(demo, system):
    """A pilot whose review is overdue (so the dashboard and the reminders have one)."""
    hr, _manager = _people(demo, system)
    services.schedule_review(system, actor=hr, due=_days(-12))


def lone_worker(demo, system):
    """Paused by the accountable manager, who found location data kept longer than agreed."""
    _hr, manager = _people(demo, system)
    services.pause(
        system,
        actor=manager,
        reason=(
            "Location history is kept for 90 days, not the 24 hours agreed with PCS. Paused "
            "until the supplier changes the retention setting and the DPIA is reviewed."
        ),
    )


def _history(stage: str, reason: str):
    """A system paused or retired before this workflow existed: its move is recorded from the
    audit log's stage change, so the page shows who did it, when and why."""

    def build(demo, system):
        from audit.models import AuditEvent

        _hr, manager = _people(demo, system)
        event = (
            AuditEvent.objects.filter(system_id=system.pk, action="system.stage_changed")
            .order_by("-position")
            .first()
        )
        if system.lifecycle_stage != stage:
            return
        LifecycleTransition.objects.create(
            system=system,
            kind=TransitionKind.PAUSE if stage == LifecycleStage.PAUSED else TransitionKind.RETIRE,
            from_stage=LifecycleStage.IN_USE,
            to_stage=stage,
            reason=reason,
            actor=manager,
            actor_label=manager.email,
            at=event.created_at if event else timezone.now(),
        )

    return build


BUILDERS = {
    "home-care-rota-planner": rota_planner,
    "nurse-e-rostering": nurse_rostering,
    "absence-analytics": absence_analytics,
    "site-lone-worker-monitoring": lone_worker,
    "contact-centre-productivity": _history(
        LifecycleStage.PAUSED,
        "UNISON raised concerns that idle-time targets intensify work. Paused until the "
        "measures are agreed and an equality impact assessment is approved.",
    ),
    "staff-bank-matching": _history(
        LifecycleStage.RETIRED,
        "A review with the RCN found the reliability score penalised staff with caring "
        "responsibilities. Stopped and retired.",
    ),
}

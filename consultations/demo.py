"""Demo consultations in every status, with meetings, disclosures, union positions, concerns
(in every status, one overdue), comment threads and rights requests. Written through the
services (so the audit history is real); e-mails are not sent for demo data."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notifications.services import emails_suppressed

from . import services, targets
from .choices import (
    Agreement,
    AttendeeSide,
    DisclosureKind,
    RightsOutcome,
    RightsRequestKind,
    Stage,
)
from .models import Concern, ConcernUpdate, Consultation


def build(demo: dict) -> None:
    systems = demo.get("systems", {})
    with emails_suppressed():
        for reference, builder in BUILDERS.items():
            system = systems.get(reference)
            if system is None or Consultation.objects.filter(system=system).exists():
                continue
            with transaction.atomic():
                builder(demo, system)


def _people(demo, system):
    slug = system.organisation.slug
    return (
        demo["users"][(slug, "hr")],
        demo["users"][(slug, "rep")],
        demo["users"][(slug, "manager")],
    )


def _days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def _tick_all(consultation, actor, notes: dict[int, str] | None = None) -> None:
    points = list(consultation.points.all())
    services.update_points(
        consultation,
        actor=actor,
        values={p.pk: (True, (notes or {}).get(i, "")) for i, p in enumerate(points)},
    )


def _backdate(concern: Concern, days: int) -> None:
    """Demo history: a concern raised some time ago (its due date moves with it)."""
    raised = timezone.now() - dt.timedelta(days=days)
    due = services.concern_due(concern.system.organisation, timezone.localdate(raised))
    Concern.objects.filter(pk=concern.pk).update(raised_at=raised, due_on=due)
    ConcernUpdate.objects.filter(concern=concern, kind="raised").update(created_at=raised)


def _share_record(consultation, hr) -> None:
    services.share(consultation, actor=hr, obj=consultation.system)


def _share_first_assessment(consultation, hr) -> None:
    for kind, obj in targets.disclosable(consultation.system):
        if kind == DisclosureKind.ASSESSMENT:
            services.share(consultation, actor=hr, obj=obj)
            return


def rota_planner(demo, system):
    hr, rep, manager = _people(demo, system)
    unison = demo["unions"]["unison"]
    # Planning: concluded, agreed.
    planning = services.create_consultation(
        actor=hr,
        system=system,
        stage=Stage.PLANNING,
        unions=[unison],
        summary="Whether to replace spreadsheet rotas with scheduling software, and what it must do for home-care workers.",
        planned_start=_days_ago(540),
    )
    services.open_consultation(planning, actor=hr)
    _tick_all(
        planning,
        hr,
        {
            0: "Manual rotas take three officers two days a week; workers report long unpaid travel between visits."
        },
    )
    services.record_meeting(
        planning,
        actor=hr,
        held_on=_days_ago(500),
        title="Planning meeting with UNISON",
        attendees=[
            {
                "name": "Rhian Evans",
                "role": "HR Business Partner",
                "side": AttendeeSide.EMPLOYER,
                "union": None,
            },
            {
                "name": "Dafydd Morgan",
                "role": "Branch Secretary",
                "side": AttendeeSide.UNION,
                "union": unison,
            },
            {
                "name": "A home-care worker",
                "role": "Home-care worker",
                "side": AttendeeSide.WORKER,
                "union": unison,
            },
        ],
        minutes="Discussed the problems with spreadsheet rotas and the risks of automated scheduling: squeezed breaks, travel time, fairness of weekend work.",
        decisions="Proceed to tender with a requirement that every rota is approved by a scheduling officer.",
    )
    _share_record(planning, hr)
    services.record_position(
        planning,
        actor=rep,
        position=Agreement.AGREED,
        statement="UNISON supports replacing spreadsheet rotas, provided officers approve every rota.",
    )
    services.conclude_consultation(
        planning,
        actor=hr,
        outcome=Agreement.AGREED,
        outcome_summary="Agreed to tender, with human approval of every rota as a requirement.",
    )
    # Deployment: concluded, agreed with conditions.
    deployment = services.create_consultation(
        actor=hr,
        system=system,
        stage=Stage.DEPLOYMENT,
        unions=[unison],
        summary="Going live across all home-care teams.",
        planned_start=_days_ago(200),
    )
    services.open_consultation(deployment, actor=hr)
    _tick_all(deployment, hr)
    services.record_meeting(
        deployment,
        actor=hr,
        held_on=_days_ago(190),
        title="Go-live review",
        attendees=[
            {
                "name": "Rhian Evans",
                "role": "HR Business Partner",
                "side": AttendeeSide.EMPLOYER,
                "union": None,
            },
            {
                "name": "Dafydd Morgan",
                "role": "Branch Secretary",
                "side": AttendeeSide.UNION,
                "union": unison,
            },
            {
                "name": "CareRoute account manager",
                "role": "Supplier",
                "side": AttendeeSide.SUPPLIER,
                "union": None,
            },
        ],
        minutes="Pilot results reviewed: travel time down 12%; two teams reported breaks being squeezed.",
        decisions="Maximum of 9 visits per shift written into the rota rules; quarterly review with UNISON.",
    )
    _share_record(deployment, hr)
    _share_first_assessment(deployment, hr)
    services.record_position(
        deployment,
        actor=rep,
        position=Agreement.AGREED_WITH_CONDITIONS,
        statement="UNISON agrees to go-live across all teams.",
        conditions="No more than 9 visits per shift; travel time paid; quarterly review of rota quality with UNISON.",
    )
    services.conclude_consultation(
        deployment,
        actor=hr,
        outcome=Agreement.AGREED_WITH_CONDITIONS,
        outcome_summary="Go-live agreed with UNISON's three conditions, now in the rota rules and the contract.",
    )
    # Comments on the record.
    thread = services.add_comment(
        actor=rep,
        system=system,
        target=system,
        body="The record says officers approve every rota. How many rotas were changed by an officer last quarter?",
    )
    services.add_comment(
        actor=hr,
        system=system,
        target=None,
        parent=thread,
        body="About 1 in 5 rotas was changed. The quarterly report is attached to the evidence.",
    )
    services.resolve_thread(thread, actor=rep)
    services.add_comment(
        actor=manager,
        system=system,
        target=system,
        body="Please add the travel-time correction process for rural areas to the deployment section.",
    )
    # Concerns: responded, resolved, and an overdue anonymous one.
    responded = services.raise_concern(
        actor=rep,
        system=system,
        category="INTENS",
        summary="Breaks squeezed on the Llanfair rota",
        details="Members on the Llanfair team report that the proposed rotas leave less than 20 minutes for lunch on long shifts.",
    )
    _backdate(responded, 12)
    services.respond_to_concern(
        responded,
        actor=hr,
        text="The rota rules now reserve a 30-minute break in any shift over 6 hours. The scheduling officer has been reminded to check breaks before approving.",
    )
    resolved = services.raise_concern(
        actor=rep,
        system=system,
        category="ACCURACY",
        summary="Travel times wrong for hill roads",
        details="The software underestimates travel on single-track roads by up to 15 minutes.",
    )
    _backdate(resolved, 60)
    services.respond_to_concern(
        resolved, actor=hr, text="Travel-time corrections added for 40 rural postcodes."
    )
    services.resolve_concern(
        resolved, actor=rep, note="Checked with members: travel times are now realistic."
    )
    anonymous = services.raise_anonymous_concern(
        system=system,
        category="SURV",
        summary="Is my location tracked between visits?",
        details="The app asks for my location all the time. Is the council tracking where I go between visits?",
    )
    _backdate(anonymous, 40)
    services.flag_overdue_concerns()
    # Rights requests.
    closed = services.log_rights_request(
        actor=hr,
        system=system,
        case_reference="HR-2025-0412",
        kind=RightsRequestKind.HUMAN_REVIEW,
        received_on=_days_ago(70),
        decision_reference="Rota week 32",
        requester_details="",
        summary="Asked for a person to review a rota that gave them four weekends in a row.",
    )
    services.close_rights_request(
        closed,
        actor=hr,
        closed_on=_days_ago(55),
        outcome=RightsOutcome.UPHELD,
        outcome_notes="A scheduling officer reviewed the rota and swapped two weekends.",
    )
    services.log_rights_request(
        actor=hr,
        system=system,
        case_reference="HR-2025-0519",
        kind=RightsRequestKind.EXPLANATION,
        received_on=_days_ago(10),
        decision_reference="Rota week 44",
        requester_details="",
        summary="Asked why their visits were moved to another area.",
    )
    extended = services.log_rights_request(
        actor=hr,
        system=system,
        case_reference="HR-2025-0533",
        kind=RightsRequestKind.ACCESS,
        received_on=_days_ago(20),
        decision_reference="",
        requester_details="",
        summary="Asked for all location data held about them.",
    )
    services.extend_rights_request(
        extended,
        actor=hr,
        notified_on=_days_ago(15),
        reason="Location data is held by the supplier in three systems and must be collated.",
    )


def cv_shortlisting(demo, system):
    hr, rep, _manager = _people(demo, system)
    unison = demo["unions"]["unison"]
    tender = services.create_consultation(
        actor=hr,
        system=system,
        stage=Stage.TENDER,
        unions=[unison],
        summary="The tender specification, the questions to bidders and how bids will be weighted.",
        planned_start=_days_ago(30),
    )
    services.open_consultation(tender, actor=hr)
    points = list(tender.points.all())
    services.update_points(
        tender,
        actor=rep,
        values={
            points[1].pk: (
                True,
                "UNISON asked for candidates' data to stay in the UK and be deleted after 12 months.",
            )
        },
    )
    services.record_meeting(
        tender,
        actor=hr,
        held_on=_days_ago(14),
        title="Tender questions workshop",
        attendees=[
            {
                "name": "Rhian Evans",
                "role": "HR Business Partner",
                "side": AttendeeSide.EMPLOYER,
                "union": None,
            },
            {
                "name": "Dafydd Morgan",
                "role": "Branch Secretary",
                "side": AttendeeSide.UNION,
                "union": unison,
            },
        ],
        minutes="Went through the draft specification.",
        decisions="Add a question on bias testing across protected characteristics; weight it at 15%.",
    )
    _share_record(tender, hr)
    services.share_document(
        tender,
        actor=hr,
        title="Draft tender specification v0.3",
        reference="Procurement file DCC-2025-044",
        note="Sections 4 (data) and 7 (evaluation) are the ones to look at.",
    )
    comment = services.add_comment(
        actor=rep,
        system=system,
        target=tender,
        body="Ranking applicants by similarity to past hires risks repeating past discrimination. We want the bias testing results before award.",
    )
    services.mark_comment_as_concern(
        comment, actor=rep, category="DISCRIM", summary="Ranking may repeat past discrimination"
    )


def contact_centre(demo, system):
    hr, rep, _manager = _people(demo, system)
    unison = demo["unions"]["unison"]
    deployment = services.create_consultation(
        actor=hr,
        system=system,
        stage=Stage.DEPLOYMENT,
        unions=[unison],
        summary="Continued use of the productivity dashboard after the pilot.",
    )
    services.open_consultation(deployment, actor=hr)
    services.record_meeting(
        deployment,
        actor=hr,
        held_on=_days_ago(45),
        title="Review of the productivity dashboard",
        attendees=[
            {
                "name": "Rhian Evans",
                "role": "HR Business Partner",
                "side": AttendeeSide.EMPLOYER,
                "union": None,
            },
            {
                "name": "Dafydd Morgan",
                "role": "Branch Secretary",
                "side": AttendeeSide.UNION,
                "union": unison,
            },
        ],
        minutes="UNISON reported advisers skipping breaks to keep idle time down.",
        decisions="No agreement reached. The system is paused while the measures are reviewed.",
    )
    services.record_position(
        deployment,
        actor=rep,
        position=Agreement.NOT_AGREED,
        statement="UNISON does not agree to idle-time measures being shown to team leaders: they push advisers to skip breaks.",
    )
    services.conclude_consultation(
        deployment,
        actor=hr,
        outcome=Agreement.NOT_AGREED,
        outcome_summary="UNISON does not agree to the idle-time measure. The system is paused while alternatives are considered.",
    )
    escalated = services.raise_concern(
        actor=rep,
        system=system,
        category="INTENS",
        summary="Advisers skipping breaks",
        details="Since the dashboard was introduced, advisers skip breaks to keep their idle time low.",
    )
    _backdate(escalated, 35)
    services.respond_to_concern(
        escalated, actor=hr, text="Team leaders have been told not to use idle time in one-to-ones."
    )
    services.escalate_concern(
        escalated,
        actor=rep,
        reason="Team leaders still see the idle-time figures. We want the measure removed from the dashboard.",
    )


def inclusive_recruitment(demo, system):
    hr, _rep, _manager = _people(demo, system)
    services.create_consultation(
        actor=hr,
        system=system,
        stage=Stage.PLANNING,
        unions=[demo["unions"]["unison"]],
        summary="Whether software that checks job adverts for exclusionary language would help the BME workforce action plan.",
        planned_start=timezone.localdate() + dt.timedelta(days=21),
    )


def nurse_rostering(demo, system):
    hr, rep, _manager = _people(demo, system)
    rcn = demo["unions"]["rcn"]
    deployment = services.create_consultation(
        actor=hr,
        system=system,
        stage=Stage.DEPLOYMENT,
        unions=[rcn],
        summary="Annual review of the auto-roster rules with the RCN.",
    )
    services.open_consultation(deployment, actor=hr)
    _share_record(deployment, hr)
    services.record_position(
        deployment,
        actor=rep,
        position=Agreement.AGREED_WITH_CONDITIONS,
        statement="The RCN agrees to continued use.",
        conditions="Requests for flexible working are applied before the roster is generated.",
    )
    concern = services.raise_anonymous_concern(
        system=system,
        category="",
        summary="Night shifts not shared fairly",
        details="The same nurses on our ward seem to get most of the night shifts.",
    )
    _backdate(concern, 8)
    services.respond_to_concern(
        concern,
        actor=hr,
        category="DISCRIM",
        text="The ward's night shifts for the last 6 months were checked: they were evenly spread except for two staff who asked for nights. Ward managers will share the figures at the next team meeting.",
    )


def hr_chatbot(demo, system):
    hr, rep, _manager = _people(demo, system)
    development = services.create_consultation(
        actor=hr,
        system=system,
        stage=Stage.DEVELOPMENT,
        unions=[demo["unions"]["pcs"]],
        summary="Testing the chatbot's answers, in English and Welsh, with staff.",
    )
    services.open_consultation(development, actor=hr)
    services.add_comment(
        actor=rep,
        system=system,
        target=development,
        body="Members testing the Welsh answers found the chatbot mixing up policies. Can we see the test results?",
    )
    services.raise_concern(
        actor=rep,
        system=system,
        category="WELSH",
        summary="Welsh answers less accurate than English",
        details="In testing, 6 of 20 Welsh answers cited the wrong policy, against 1 of 20 in English.",
    )


BUILDERS = {
    "home-care-rota-planner": rota_planner,
    "cv-shortlisting": cv_shortlisting,
    "contact-centre-productivity": contact_centre,
    "inclusive-recruitment-pilot": inclusive_recruitment,
    "nurse-e-rostering": nurse_rostering,
    "hr-policy-chatbot": hr_chatbot,
}

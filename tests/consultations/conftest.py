"""Consultation state built with the real services, in ``body`` and in ``other_body``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.models import Membership, Role
from consultations import services
from consultations.choices import AttendeeSide, Stage
from consultations.models import Comment, Concern, Consultation, Meeting, RightsRequest
from registers.choices import PublicationStatus
from tests.factories import SystemFactory


def rep_union(cast):
    return Membership.objects.get(user=cast.rep, role=Role.UNION_REP).union


def attendees(cast):
    return [
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
            "union": rep_union(cast),
        },
    ]


def plan(cast, system, stage=Stage.DEPLOYMENT, **kwargs) -> Consultation:
    return services.create_consultation(
        actor=cast.hr,
        system=system,
        stage=stage,
        unions=[rep_union(cast)],
        summary="Go-live.",
        **kwargs,
    )


def open_one(cast, system, stage=Stage.DEPLOYMENT) -> Consultation:
    consultation = plan(cast, system, stage)
    return services.open_consultation(consultation, actor=cast.hr)


@dataclass
class World:
    """One of each thing about a system of a body."""

    system: object
    consultation: Consultation
    meeting: Meeting
    comment: Comment
    rep_comment: Comment
    concern: Concern
    rights_request: RightsRequest


def build_world(cast, system) -> World:
    consultation = open_one(cast, system)
    meeting = services.record_meeting(
        consultation,
        actor=cast.hr,
        held_on=timezone.localdate() - dt.timedelta(days=1),
        attendees=attendees(cast),
        minutes="Talked it through.",
    )
    comment = services.add_comment(actor=cast.hr, system=system, target=system, body="A question.")
    rep_comment = services.add_comment(
        actor=cast.rep, system=system, target=consultation, body="Breaks are being squeezed."
    )
    concern = services.raise_concern(
        actor=cast.rep,
        system=system,
        category="INTENS",
        summary="Breaks",
        details="Breaks are short.",
    )
    rights_request = services.log_rights_request(
        actor=cast.hr,
        system=system,
        case_reference="CASE-1",
        kind="explanation",
        received_on=timezone.localdate(),
        decision_reference="",
        requester_details="",
        summary="",
    )
    return World(system, consultation, meeting, comment, rep_comment, concern, rights_request)


@pytest.fixture
def world(cast, system):
    return build_world(cast, system)


@pytest.fixture
def other_world(other, other_system):
    return build_world(other, other_system)


@pytest.fixture
def published_system(cast):
    return SystemFactory(
        organisation=cast.organisation,
        accountable_manager=cast.manager,
        reference="published-rota",
        publication_status=PublicationStatus.PUBLISHED,
    )

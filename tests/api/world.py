"""One of each thing the API serves, in ``body`` (and a system in ``other_body``), built with the
apps' own services. Each object is made on first use, so a test pays only for what it touches;
the ``new_…`` methods make a fresh one on every call (for operations that change state once)."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import cached_property

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, User
from assessments import services as assessment_services
from assessments.choices import Kind
from assessments.models import Action, Assessment, Risk
from consultations import services as consultation_services
from consultations.choices import AttendeeSide, Stage
from consultations.models import Comment, Concern, Consultation, RightsRequest
from oversight import services as oversight_services
from oversight.choices import Decision
from oversight.models import SignOff
from packs import services as pack_services
from packs.models import AuditPack, PackScope, PackStatus, pack_storage
from registers.models import AlgorithmicSystem
from tests.conftest import Cast
from tests.factories import SystemFactory

PDF = b"%PDF-1.7\n% GovReg API test pack\n"


def today() -> dt.date:
    return timezone.localdate()


def public_id(obj) -> str:
    """How the API names ``obj``: its ``uuid`` (a pack's primary key is one)."""
    return str(getattr(obj, "uuid", obj.pk))


# The attribute of ``World`` holding the body's object that each area's ``…/{id}/`` names.
AREA_OBJECTS = {
    "systems": "system",
    "assessments": "assessment",
    "risks": "risk",
    "actions": "action",
    "consultations": "consultation",
    "comments": "thread",
    "concerns": "concern",
    "rights-requests": "rights_request",
    "sign-offs": "signoff",
    "packs": "pack",
}


class World:
    def __init__(self, cast: Cast, other: Cast, outsider: User):
        self.cast, self.other, self.outsider = cast, other, outsider
        self.body: Organisation = cast.organisation
        self.marker = f"marker-{uuid.uuid4().hex[:12]}"
        self.system: AlgorithmicSystem = self.new_system()
        self.other_system = SystemFactory(
            organisation=other.organisation,
            accountable_manager=other.manager,
            name=f"other-{uuid.uuid4().hex[:12]}",
        )

    def object_of(self, area: str):
        """The body's object of an area of the API (``"risks"``, …), made on first use."""
        return getattr(self, AREA_OBJECTS[area])

    # --- systems ------------------------------------------------------------------------------

    def new_system(self) -> AlgorithmicSystem:
        return SystemFactory(
            organisation=self.body,
            accountable_manager=self.cast.manager,
            name=f"System {self.marker} {uuid.uuid4().hex[:6]}",
        )

    def version(self) -> int:
        return AlgorithmicSystem.objects.get(pk=self.system.pk).version

    # --- assessments --------------------------------------------------------------------------

    @cached_property
    def assessment(self) -> Assessment:
        """A draft DPIA of ``system``, started by the HR officer."""
        return assessment_services.start_assessment(self.system, actor=self.cast.hr, kind=Kind.DPIA)

    @cached_property
    def row(self) -> str:
        return self.new_row()

    def new_row(self) -> str:
        return assessment_services.save_row(
            self.assessment,
            actor=self.cast.hr,
            section_slug="processors",
            row_id=None,
            values={"name": f"Processor {uuid.uuid4().hex[:6]}", "art28_contract": "yes"},
        )

    def new_complete_draft(self) -> Assessment:
        """A DPIA draft ready to submit (the demo's content), on a system of its own."""
        from tests.assessments.conftest import complete_dpia

        return complete_dpia(self.new_system(), self.cast.hr)

    def new_in_review(self) -> Assessment:
        draft = self.new_complete_draft()
        return assessment_services.submit(draft, actor=self.cast.hr)

    # --- risks and actions --------------------------------------------------------------------

    @cached_property
    def risk(self) -> Risk:
        return assessment_services.create_risk(
            self.system,
            actor=self.cast.hr,
            data={
                "category": "SURV",
                "description": f"Tracking breaks {self.marker}",
                "likelihood": 4,
                "impact": 3,
                "owner": "Head of HR",
            },
        )

    @cached_property
    def action(self) -> Action:
        return assessment_services.create_action(
            self.system,
            actor=self.cast.hr,
            data={
                "description": f"Review the break rules {self.marker}",
                "owner": "HR",
                "due_date": today() + dt.timedelta(days=30),
                "risk": self.risk,
            },
        )

    def revision(self, model, pk) -> int:
        return model.objects.values_list("revision", flat=True).get(pk=pk)

    # --- consultation -------------------------------------------------------------------------

    @cached_property
    def union(self):
        return Membership.objects.get(user=self.cast.rep, role=Role.UNION_REP).union

    @cached_property
    def consultation(self) -> Consultation:
        consultation = consultation_services.create_consultation(
            actor=self.cast.hr,
            system=self.system,
            stage=Stage.DEPLOYMENT,
            unions=[self.union],
            summary="Going live.",
        )
        consultation = consultation_services.open_consultation(consultation, actor=self.cast.hr)
        consultation_services.record_meeting(
            consultation,
            actor=self.cast.hr,
            held_on=today() - dt.timedelta(days=1),
            attendees=[
                {"name": "Rhian Evans", "role": "HR", "side": AttendeeSide.EMPLOYER, "union": None},
                {"name": "Dafydd", "role": "Rep", "side": AttendeeSide.UNION, "union": self.union},
            ],
            minutes="Talked it through.",
        )
        consultation_services.share(consultation, actor=self.cast.hr, obj=self.system)
        consultation_services.record_position(
            consultation, actor=self.cast.rep, position="agreed", statement="Fine by us."
        )
        return consultation

    @cached_property
    def thread(self) -> Comment:
        return self.new_thread()

    def new_thread(self, *, resolved: bool = False) -> Comment:
        thread = consultation_services.add_comment(
            actor=self.cast.hr, system=self.system, target=self.system, body="A question?"
        )
        if resolved:
            consultation_services.resolve_thread(thread, actor=self.cast.hr)
        return thread

    @cached_property
    def concern(self) -> Concern:
        return self.new_concern()

    def new_concern(self, *, resolved: bool = False) -> Concern:
        concern = consultation_services.raise_concern(
            actor=self.cast.rep,
            system=self.system,
            category="INTENS",
            summary="Breaks squeezed",
            details="The rota leaves no time for breaks.",
        )
        if resolved:
            consultation_services.resolve_concern(concern, actor=self.cast.rep)
        return concern

    @cached_property
    def rights_request(self) -> RightsRequest:
        return self.new_rights_request()

    def new_rights_request(self) -> RightsRequest:
        return consultation_services.log_rights_request(
            actor=self.cast.hr,
            system=self.system,
            case_reference=f"CASE-{uuid.uuid4().hex[:8]}",
            kind="explanation",
            received_on=today() - dt.timedelta(days=3),
            decision_reference="Rota week 12",
            requester_details="Employee 4411, night shift",
            summary="Why was my shift moved?",
        )

    # --- oversight and packs ------------------------------------------------------------------

    @cached_property
    def signoff(self) -> SignOff:
        """A refusal by the accountable manager (a refusal needs no gate)."""
        return oversight_services.sign_off(
            AlgorithmicSystem.objects.get(pk=self.system.pk),
            actor=self.cast.manager,
            decision=Decision.REFUSED,
            statement="Not until the consultation concludes.",
            reauthenticated_with="password",
        )

    @cached_property
    def pack(self) -> AuditPack:
        """A system pack, made ready without rendering (the API only needs the row and a file)."""
        pack = pack_services.request_pack(
            actor=self.cast.hr, scope=PackScope.SYSTEM, system=self.system, language="en"
        ).pack
        name = pack_storage().save(pack_services.storage_name(pack), ContentFile(PDF))
        AuditPack.objects.filter(pk=pack.pk).update(
            status=PackStatus.READY, file=name, page_count=1, byte_size=len(PDF), sha256="a" * 64
        )
        pack.refresh_from_db()
        return pack

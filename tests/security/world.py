"""Two bodies, each with one of everything GovReg keeps, built through the apps' services.

``build_world()`` gives ``body`` (``world.a``) and ``other_body`` (``world.b``) the same set of
objects: a live system with evidence, specifications, assessments (an approved DPIA and its next
draft, an AIA), risks, actions and progress, a consultation with a meeting, disclosures and the
union's position, comment threads, concerns with responses, rights requests, a sign-off, a
post-deployment audit, a ready pack, notifications and an API token, plus a published system for
the public pages. Every free-text value carries the body's random marker (to find leaks between
bodies) and the XSS payload of ``payloads.py``; URL fields hold a ``javascript:`` URL.

Objects that are written once and never changed (sign-offs, audits, approved versions, the audit
log) get the payload when they are made; the rest are filled afterwards by ``plant()``.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, User
from api import services as api_services
from assessments import questionnaire as engine
from assessments import schema
from assessments import services as assessment_services
from assessments.choices import Kind
from assessments.models import Action, ActionUpdate, Assessment, Risk
from consultations import services as consultation_services
from consultations.choices import AttendeeSide, Stage
from consultations.models import (
    Comment,
    Concern,
    ConcernUpdate,
    Consultation,
    Disclosure,
    DiscussionPoint,
    Meeting,
    MeetingAttendee,
    RightsRequest,
    UnionPosition,
)
from notifications.models import Notification
from oversight import services as oversight_services
from oversight.choices import AuditQuestion, Decision, Outcome, Rating
from oversight.models import PostDeploymentAudit, SignOff
from packs import services as pack_services
from packs.models import AuditPack, PackScope, PackStatus, pack_storage
from registers import services as register_services
from registers.choices import PublicationStatus
from registers.models import AlgorithmicSystem, Attachment, DataSpecification, ModelSpecification
from registers.sections import BY_SLUG
from tests.assessments.conftest import approve, complete_dpia
from tests.conftest import Cast, make_cast
from tests.factories import OrganisationFactory, SystemFactory, UserFactory
from tests.packs.factories import PartnershipCouncilFactory

from .payloads import JS_URL, PAYLOAD, text

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class Side:
    """One body and its objects."""

    cast: Cast
    marker: str
    organisation: Organisation
    system: AlgorithmicSystem
    published: AlgorithmicSystem
    attachment: Attachment
    approved_dpia: Assessment
    dpia: Assessment  # the draft next version of the approved DPIA
    fields_section: str  # a section of fields of the DPIA
    rows_section: str  # a section of repeatable rows of the DPIA
    row: str  # a row of ``rows_section``
    aia: Assessment
    risk: Risk
    action: Action
    consultation: Consultation
    meeting: Meeting
    thread: Comment
    concern: Concern
    rights_request: RightsRequest
    signoff: SignOff
    audit: PostDeploymentAudit
    pack: AuditPack
    notification: Notification
    token_id: uuid.UUID
    extra: dict = field(default_factory=dict)

    def user(self, role: str) -> User:
        return self.cast.by_role(role)


@dataclass
class World:
    a: Side  # the body whose objects every URL points at
    b: Side  # another body, with the same objects
    outsider: User  # signed in, no membership anywhere
    council: object

    @property
    def markers(self) -> tuple[str, str]:
        return self.a.marker, self.b.marker


def questionnaire():
    from assessments.models import Questionnaire

    found = Questionnaire.objects.filter(status="published").first()
    if found:
        return found
    definition = json.loads((engine.DATA_DIR / engine.DEFAULT_FILE).read_text(encoding="utf-8"))
    q, _outcome = assessment_services.load_questionnaire(definition, publish=True)
    return q


def rep_union(cast: Cast):
    return Membership.objects.get(user=cast.rep, role=Role.UNION_REP).union


def _text_fields(spec_fields) -> list[str]:
    return [f.name for f in spec_fields if f.kind in (schema.TEXT, schema.TEXTAREA)]


def _url_fields(spec_fields) -> list[str]:
    return [f.name for f in spec_fields if f.kind == schema.URL]


def fill_assessment_text(assessment: Assessment, actor, marker: str) -> tuple[str, str, str]:
    """Put the payload in every text answer of a draft DPIA (sections and rows).

    Returns a section of fields, a section of rows and one of its rows (for the URLs)."""
    definition = assessment.definition
    fields_section = rows_section = row_id = None
    for section in definition.sections:
        if section.rows:
            names = _text_fields(section.rows.fields)
            urls = _url_fields(section.rows.fields)
            for row in schema.rows_of(assessment.content, section):
                values = {k: v for k, v in row.items() if k != "id"}
                values.update({name: text(marker, name) for name in names})
                values.update(dict.fromkeys(urls, JS_URL))
                saved = assessment_services.save_row(
                    assessment, actor=actor, section_slug=section.slug, row_id=row["id"],
                    values=values,
                )  # fmt: skip
                assessment.refresh_from_db()
                if rows_section is None and not section.rows.fixed:
                    rows_section, row_id = section.slug, saved
        else:
            names = _text_fields(section.fields)
            if names:
                assessment_services.save_section(
                    assessment,
                    actor=actor,
                    section_slug=section.slug,
                    values={name: text(marker, name) for name in names},
                )
                assessment.refresh_from_db()
                if fields_section is None:
                    fields_section = section.slug
    assert fields_section and rows_section and row_id, "the DPIA has sections of both kinds"
    return fields_section, rows_section, row_id


def build_side(cast: Cast, council) -> Side:
    hr, rep, manager = cast.hr, cast.rep, cast.manager
    org = cast.organisation
    marker = f"mk{uuid.uuid4().hex[:14]}"
    org.councils.add(council)

    system = SystemFactory(
        organisation=org,
        accountable_manager=manager,
        name=f"System {marker}",
        reference=f"live-{org.slug}",
        lifecycle_stage="in_use",
        employment_decisions=["scheduling"],
    )
    # Every section of the record through the service (so the history shows the payload too).
    register_services.update_section(
        system,
        actor=hr,
        section=BY_SLUG["summary"],
        data={
            **register_services.section_values(system, BY_SLUG["summary"]),
            "name": text(marker, "name"),
            "one_sentence_description": text(marker, "summary"),
            "description": text(marker, "description"),
        },
        expected_fingerprint=None,
    )
    system.refresh_from_db()
    published = SystemFactory(
        organisation=org,
        accountable_manager=manager,
        name=f"Published {org.slug}",
        reference=f"published-{org.slug}",
        publication_status=PublicationStatus.PUBLISHED,
    )
    ModelSpecification.objects.create(system=system, model_name=text(marker, "model"))
    DataSpecification.objects.create(system=system, source_data_name=text(marker, "data"))
    attachment = register_services.add_attachment(
        system,
        actor=hr,
        title=text(marker, "evidence"),
        uploaded=SimpleUploadedFile(f"evidence-{marker}.pdf", PDF),
    )

    # Assessments: an approved DPIA (version 1), its next version as a draft, and an AIA.
    approved_dpia = approve(complete_dpia(system, hr), hr, manager)
    dpia = assessment_services.start_assessment(system, actor=hr, kind=Kind.DPIA)
    fields_section, rows_section, row = fill_assessment_text(dpia, hr, marker)
    questionnaire()
    aia = assessment_services.start_assessment(system, actor=hr, kind=Kind.AIA)

    risk = assessment_services.create_risk(
        system,
        actor=hr,
        data={
            "category": "SURV",
            "description": text(marker, "risk"),
            "likelihood": 4,
            "impact": 3,
            "owner": text(marker, "owner")[:100],
        },
    )
    action = assessment_services.create_action(
        system,
        actor=hr,
        data={
            "description": text(marker, "action"),
            "owner": "HR",
            "due_date": today() + dt.timedelta(days=30),
            "risk": risk,
        },
    )
    assessment_services.add_progress_update(
        action, actor=hr, on=today(), progress="progressing", note=text(marker, "progress")
    )

    union = rep_union(cast)
    consultation = consultation_services.create_consultation(
        actor=hr, system=system, stage=Stage.OVERSIGHT, unions=[union],
        summary=text(marker, "consultation"),
    )  # fmt: skip
    consultation = consultation_services.open_consultation(consultation, actor=hr)
    meeting = consultation_services.record_meeting(
        consultation,
        actor=hr,
        held_on=today() - dt.timedelta(days=1),
        attendees=[
            {
                "name": text(marker, "attendee")[:100],
                "role": "HR",
                "side": AttendeeSide.EMPLOYER,
                "union": None,
            },
            {"name": "Dafydd", "role": "Rep", "side": AttendeeSide.UNION, "union": union},
        ],  # fmt: skip
        title=text(marker, "meeting")[:200],
        minutes=text(marker, "minutes"),
        decisions=text(marker, "decisions"),
    )
    consultation_services.share(consultation, actor=hr, obj=system, note=text(marker, "note"))
    consultation_services.share_document(
        consultation, actor=hr, title=text(marker, "document")[:200], reference="REF-1",
        note=text(marker, "document note"),
    )  # fmt: skip
    consultation_services.record_position(
        consultation, actor=rep, position="agreed", statement=text(marker, "statement"),
    )  # fmt: skip
    thread = consultation_services.add_comment(
        actor=hr, system=system, target=system, body=text(marker, "comment")
    )
    consultation_services.add_comment(
        actor=rep, system=system, target=None, body=text(marker, "reply"), parent=thread
    )
    consultation_services.add_comment(
        actor=rep, system=system, target=risk, body=text(marker, "comment on a risk")
    )
    concern = consultation_services.raise_concern(
        actor=rep,
        system=system,
        category="INTENS",
        summary=text(marker, "concern")[:200],
        details=text(marker, "details"),
    )
    consultation_services.respond_to_concern(concern, actor=hr, text=text(marker, "response"))
    concern.refresh_from_db()
    rights_request = consultation_services.log_rights_request(
        actor=hr,
        system=system,
        case_reference=f"CASE-{marker}",
        kind="explanation",
        received_on=today() - dt.timedelta(days=3),
        decision_reference=text(marker, "decision")[:200],
        requester_details=text(marker, "requester"),
        summary=text(marker, "rights"),
    )

    signoff = oversight_services.sign_off(
        AlgorithmicSystem.objects.get(pk=system.pk),
        actor=manager,
        decision=Decision.REFUSED,
        statement=text(marker, "sign-off"),
        reauthenticated_with="password",
    )
    audit = oversight_services.record_audit(
        AlgorithmicSystem.objects.get(pk=system.pk),
        actor=hr,
        period_start=today() - dt.timedelta(days=180),
        period_end=today() - dt.timedelta(days=1),
        conducted_on=today(),
        conducted_by=text(marker, "auditors"),
        answers=[
            oversight_services.Answer(
                q.value, Rating.PARTLY, text(marker, "evidence"), text(marker, "follow-up")
            )
            for q in AuditQuestion
        ],  # fmt: skip
        bias_rows=[
            oversight_services.BiasRow(
                "sex",
                text(marker, "groups")[:200],
                "selection_rate_ratio",
                Decimal("0.91"),
                Decimal("0.80"),
                method=text(marker, "method"),
            )
        ],  # fmt: skip
        worker_feedback=text(marker, "feedback"),
        feedback_sources=["survey"],
        rep_access=text(marker, "rep access"),
        outcome=Outcome.CONTINUE,
        outcome_reasons=text(marker, "reasons"),
    )

    pack = pack_services.request_pack(
        actor=rep, scope=PackScope.SYSTEM, system=system, language="en"
    ).pack
    name = pack_storage().save(pack_services.storage_name(pack), ContentFile(PDF))
    AuditPack.objects.filter(pk=pack.pk).update(
        status=PackStatus.READY, file=name, page_count=1, byte_size=len(PDF), sha256="a" * 64
    )
    pack.refresh_from_db()

    notification = Notification.objects.filter(user=hr).order_by("pk").first()
    assert notification is not None, "raising a concern notifies HR"
    token, _raw = api_services.create_token(user=hr, name=text(marker, "token")[:100])

    side = Side(
        cast=cast,
        marker=marker,
        organisation=org,
        system=system,
        published=published,
        attachment=attachment,
        approved_dpia=approved_dpia,
        dpia=dpia,
        fields_section=fields_section,
        rows_section=rows_section,
        row=row,
        aia=aia,
        risk=risk,
        action=action,
        consultation=consultation,
        meeting=meeting,
        thread=thread,
        concern=concern,
        rights_request=rights_request,
        signoff=signoff,
        audit=audit,
        pack=pack,
        notification=notification,
        token_id=token.uuid,
    )
    plant(side)
    return side


# --- Filling every free-text field --------------------------------------------------------------

# Text columns that are not free text a person writes: identifiers, hashes, codes, file names
# made by GovReg, and values GovReg computes.
NOT_FREE_TEXT = {
    "accounts.User": {"password", "first_name", "last_name", "email"},
    "audit.AuditEvent": {"action", "object_type", "object_id", "prev_hash", "hash"},
    "registers.AlgorithmicSystem": {"standard_version", "companies_house_number"},
    "registers.Attachment": {"file", "content_type", "sha256"},
    "assessments.Assessment": {"content_hash", "level"},
    "assessments.Risk": {"source_ref"},
    "assessments.Action": {"source_ref"},
    "consultations.DiscussionPoint": {"key", "prompt_text"},
    "consultations.Disclosure": {"object_id", "sha256"},
    "consultations.Comment": {"object_id"},
    "oversight.SignOff": {"content_hash"},
    "oversight.LifecycleTransition": {"actor_label"},
    "oversight.PostDeploymentAudit": {"impact_level"},
    "notifications.Notification": {"event", "url", "language"},
    "packs.AuditPack": {"content_key", "claimed_by", "file", "sha256", "snapshot_sha256"},
    "api.ApiToken": {"prefix", "secret_hash"},
}


def free_text_fields(model) -> list[models.Field]:
    skip = NOT_FREE_TEXT.get(model._meta.label, set())
    out = []
    for f in model._meta.concrete_fields:
        if f.name in skip or getattr(f, "choices", None):
            continue
        if isinstance(f, models.SlugField | models.EmailField | models.FileField):
            continue
        if isinstance(f, models.CharField | models.TextField):
            out.append(f)
    return out


# Mutable rows whose text ``plant`` overwrites (append-only rows got the payload when made).
PLANTED = (
    AlgorithmicSystem,
    ModelSpecification,
    DataSpecification,
    Attachment,
    Risk,
    Action,
    ActionUpdate,
    Consultation,
    DiscussionPoint,
    Meeting,
    MeetingAttendee,
    Disclosure,
    UnionPosition,
    Comment,
    Concern,
    ConcernUpdate,
    RightsRequest,
    Notification,
    AuditPack,
)


def _rows(model, side: Side):
    if model is Notification:
        return Notification.objects.filter(user__memberships__organisation=side.organisation)
    if model is AuditPack:
        return AuditPack.objects.filter(organisation=side.organisation)
    return model._default_manager.filter(**{f"{model.tenant_path}": side.organisation})


def plant(side: Side) -> None:
    """Overwrite every free-text column of the side's mutable rows with marker + payload (and
    URL columns with a ``javascript:`` URL), straight in the database."""
    for model in PLANTED:
        values = {}
        for f in free_text_fields(model):
            if isinstance(f, models.URLField):
                # The record's own website stays valid (saving a section checks the whole
                # record); a specification's source gets the javascript: URL.
                if model is not AlgorithmicSystem:
                    values[f.name] = JS_URL
                continue
            value = text(side.marker, f.name)
            if f.max_length and len(value) > f.max_length:
                value = f"{side.marker} {PAYLOAD}"[: f.max_length]
            values[f.name] = value
        if model is AlgorithmicSystem:
            rows = _rows(model, side).filter(pk=side.system.pk)
        else:
            rows = _rows(model, side)
        rows.update(**values)
    # Body names are public (the transparency register), so they carry the payload only.
    Organisation.objects.filter(pk=side.organisation.pk).update(
        name=f"{side.organisation.slug} {PAYLOAD}", name_cy=f"{side.organisation.slug} {PAYLOAD}"
    )
    # Approved versions are frozen (a database trigger): the draft carries the payload.
    Assessment.objects.filter(system__organisation=side.organisation, status="draft").update(
        returned_comment=text(side.marker, "returned")
    )
    for key in ("hr", "rep", "manager", "auditor", "admin"):
        User.objects.filter(pk=side.user(key).pk).update(
            full_name=text(side.marker, key), job_title=text(side.marker, "job")
        )
    side.system.refresh_from_db()


def build_world() -> World:
    council = PartnershipCouncilFactory(slug="security-council", name=f"Council {PAYLOAD}"[:200])
    body = OrganisationFactory(slug="body", name="Demo Body Council", name_cy="Cyngor Corff Demo")
    other_body = OrganisationFactory(slug="other-body", name="Other Body", name_cy="Corff Arall")
    a = build_side(make_cast(body, "body"), council)
    b = build_side(make_cast(other_body, "other"), council)
    outsider = UserFactory(email="outsider@example.org")
    return World(a=a, b=b, outsider=outsider, council=council)

"""Union consultation and worker voice.

- ``Consultation``: one per system and stage of the toolkit (planning; tender and award;
  development and customisation; deployment and contract management; oversight), with the
  unions involved, a checklist of the toolkit's prompts (``DiscussionPoint``), ``Meeting``s,
  ``Disclosure``s, each union's recorded ``UnionPosition`` and the outcome.
- ``Comment``: threaded comments on any record of a system (the record, an assessment, a
  risk, a consultation), through a generic reference plus the system for tenancy.
- ``Concern``: raised by a rep (or from a rep's comment), or anonymously by a worker; the
  employer responds; its ``ConcernUpdate``s are the timeline.
- ``RightsRequest``: the log of worker-rights requests about a system.

Every write goes through ``consultations/services.py``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govreg.public_ids import PublicIdModel

from . import toolkit
from .choices import (
    AWAITING_RESPONSE,
    Agreement,
    AttendeeSide,
    ConcernSource,
    ConcernStatus,
    ConcernUpdateKind,
    ConsultationStatus,
    DisclosureKind,
    RightsOutcome,
    RightsRequestKind,
    RiskCategory,
    Stage,
)

MAX_TEXT = 5000  # characters in any comment, concern, response, note or statement
MAX_MINUTES = 20000


def today() -> dt.date:
    return timezone.localdate()


# --- Consultations ------------------------------------------------------------------------


class ConsultationQuerySet(models.QuerySet):
    def with_positions(self):
        """With the unions involved and every recorded position (two more queries)."""
        return self.prefetch_related(
            "unions",
            Prefetch("positions", queryset=UnionPosition.objects.select_related("union")),
        )

    def for_detail(self):
        return self.select_related(
            "system__organisation", "created_by", "opened_by", "concluded_by"
        ).prefetch_related(
            "unions",
            "points",
            Prefetch(
                "positions", queryset=UnionPosition.objects.select_related("union", "recorded_by")
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.prefetch_related(
                    Prefetch("attendees", queryset=MeetingAttendee.objects.select_related("union"))
                ),
            ),
            Prefetch("disclosures", queryset=Disclosure.objects.select_related("shared_by")),
        )

    def awaiting_view_of(self, union_ids):
        """Open consultations involving one of ``union_ids`` that has not recorded a position."""
        return (
            self.filter(status=ConsultationStatus.OPEN, unions__in=union_ids)
            .exclude(
                Exists(
                    UnionPosition.objects.filter(consultation=OuterRef("pk"), union__in=union_ids)
                )
            )
            .distinct()
        )


class Consultation(PublicIdModel):
    """The consultation with the recognised unions about one system at one stage."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("system"),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.PLANNED,
    )
    unions = models.ManyToManyField(
        "accounts.Union", related_name="consultations", verbose_name=_("unions involved")
    )
    summary = models.TextField(
        _("what is being consulted on"),
        max_length=MAX_TEXT,
        blank=True,
        help_text=_(
            "What the employer proposes at this stage and what it wants the unions' view on."
        ),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Agreement.choices, blank=True)
    outcome_summary = models.TextField(
        _("outcome in detail"),
        max_length=MAX_TEXT,
        blank=True,
        help_text=_("What was agreed, the conditions, or where the parties disagree."),
    )
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["system_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "stage"],
                condition=~Q(status="concluded"),
                name="one_unconcluded_consultation_per_stage",
            ),
            models.CheckConstraint(
                condition=~Q(status="concluded") | (~Q(outcome="") & Q(concluded_at__isnull=False)),
                name="concluded_consultation_has_outcome",
            ),
        ]

    def __str__(self):
        return str(_("%(stage)s consultation") % {"stage": self.get_stage_display()})

    def get_absolute_url(self):
        return reverse("consultations:detail", args=[self.system.uuid, self.uuid])

    @property
    def guide(self) -> toolkit.StageGuide:
        return toolkit.guide(self.stage)

    def current_positions(self) -> list[UnionPosition]:
        """The newest position of each union (uses prefetched ``positions``)."""
        latest: dict[int, UnionPosition] = {}
        for position in sorted(self.positions.all(), key=lambda p: (p.recorded_at, p.pk)):
            latest[position.union_id] = position
        return sorted(latest.values(), key=lambda p: str(p.union))

    def unions_without_position(self) -> list:
        have = {p.union_id for p in self.positions.all()}
        return [union for union in self.unions.all() if union.pk not in have]


class DiscussionPoint(models.Model):
    """One of the toolkit's prompts for the stage, as a checklist item the parties mark."""

    tenant_path = "consultation__system__organisation"

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="points",
        verbose_name=_("consultation"),
    )
    key = models.CharField(_("prompt"), max_length=80)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    prompt_text = models.TextField(_("prompt as first shown"))
    discussed = models.BooleanField(_("discussed"), default=False)
    notes = models.TextField(_("notes"), max_length=MAX_TEXT, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("prompt for discussion")
        verbose_name_plural = _("prompts for discussion")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "key"], name="unique_prompt_per_consultation"
            )
        ]

    def __str__(self):
        return str(self.text)

    @property
    def text(self):
        return toolkit.prompt_text(self.key) or self.prompt_text

    @property
    def system_id(self):
        return self.consultation.system_id


class Meeting(PublicIdModel):
    """A consultation meeting: who attended, the minutes and the decisions."""

    tenant_path = "consultation__system__organisation"

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("consultation"),
    )
    held_on = models.DateField(_("date of the meeting"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), max_length=MAX_MINUTES, blank=True)
    decisions = models.TextField(_("decisions"), max_length=MAX_TEXT, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["held_on", "id"]

    def __str__(self):
        return self.title or str(_("Meeting on %(date)s") % {"date": self.held_on.isoformat()})

    @property
    def system_id(self):
        return self.consultation.system_id


class MeetingAttendee(models.Model):
    tenant_path = "meeting__consultation__system__organisation"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("meeting")
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    side = models.CharField(_("attending for"), max_length=12, choices=AttendeeSide.choices)
    union = models.ForeignKey(
        "accounts.Union",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("union"),
    )

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Disclosure(models.Model):
    """Something shared with the union reps, frozen as it was shared (label, version, hash)."""

    tenant_path = "consultation__system__organisation"

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="disclosures",
        verbose_name=_("consultation"),
    )
    kind = models.CharField(_("what was shared"), max_length=12, choices=DisclosureKind.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    label = models.CharField(_("title"), max_length=300)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of what was shared"), max_length=64, blank=True)
    reference = models.CharField(
        _("document reference or link"),
        max_length=500,
        blank=True,
        help_text=_("Where the reps can find it: a file reference, or a link."),
    )
    note = models.TextField(_("note"), max_length=MAX_TEXT, blank=True)
    shared_at = models.DateTimeField(_("shared"), default=timezone.now)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared by"),
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-shared_at", "-id"]

    def __str__(self):
        return self.label

    @property
    def system_id(self):
        return self.consultation.system_id


class UnionPosition(models.Model):
    """A union's position at a consultation. A new position supersedes the union's earlier one;
    earlier ones are kept."""

    tenant_path = "consultation__system__organisation"

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name=_("consultation"),
    )
    union = models.ForeignKey(
        "accounts.Union", on_delete=models.PROTECT, related_name="+", verbose_name=_("union")
    )
    position = models.CharField(_("position"), max_length=24, choices=Agreement.choices)
    statement = models.TextField(_("the union's view"), max_length=MAX_TEXT)
    conditions = models.TextField(_("conditions"), max_length=MAX_TEXT, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("union position")
        verbose_name_plural = _("union positions")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.union}: {self.get_position_display()}"

    @property
    def system_id(self):
        return self.consultation.system_id


# --- Comments -----------------------------------------------------------------------------


class CommentQuerySet(models.QuerySet):
    def on(self, obj):
        """Comments on ``obj`` (any model instance)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )

    def threads(self):
        """Thread-starting comments with their replies and authors (three queries)."""
        return (
            self.filter(parent__isnull=True)
            .select_related("author", "resolved_by", "reopened_by", "concern")
            .prefetch_related(
                Prefetch(
                    "replies",
                    queryset=Comment.objects.select_related("author", "concern").order_by(
                        "created_at", "id"
                    ),
                )
            )
            .order_by("-created_at", "-id")
        )


class Comment(PublicIdModel):
    """A comment on a system's record, assessment, risk or consultation. A comment without a
    parent starts a thread; replies point at the thread's first comment."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("system"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("about")
    )
    object_id = models.CharField(_("object id"), max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    target_label = models.CharField(_("about"), max_length=300)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return str(
            _("Comment by %(author)s on %(target)s")
            % {"author": self.author, "target": self.target_label}
        )

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


# --- Concerns -----------------------------------------------------------------------------


class ConcernQuerySet(models.QuerySet):
    def awaiting_response(self):
        return self.filter(status__in=AWAITING_RESPONSE)

    def overdue(self, on: dt.date | None = None):
        return self.awaiting_response().filter(due_on__lt=on or today())

    def not_resolved(self):
        return self.exclude(status=ConcernStatus.RESOLVED)

    def for_list(self):
        return self.select_related("system__organisation", "union", "raised_by")


class Concern(PublicIdModel):
    """A concern about a system. Anonymous concerns store no identity of any kind."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name=_("system"),
    )
    source = models.CharField(_("raised"), max_length=12, choices=ConcernSource.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    union = models.ForeignKey(
        "accounts.Union",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("union"),
    )
    source_comment = models.OneToOneField(
        Comment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concern",
        verbose_name=_("from comment"),
    )
    category = models.CharField(
        _("category"), max_length=12, choices=RiskCategory.choices, blank=True
    )
    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), max_length=MAX_TEXT)
    status = models.CharField(
        _("status"), max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.OPEN
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    due_on = models.DateField(_("response due"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged as overdue"), null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="anonymous")
                | (Q(raised_by__isnull=True) & Q(union__isnull=True)),
                name="anonymous_concern_has_no_identity",
            ),
            models.CheckConstraint(
                condition=Q(source="anonymous") | Q(raised_by__isnull=False),
                name="rep_concern_names_the_rep",
            ),
        ]

    def __str__(self):
        return self.summary

    def get_absolute_url(self):
        return reverse("consultations:concern_detail", args=[self.system.uuid, self.uuid])

    @property
    def reference(self) -> str:
        return f"C-{self.pk:05d}" if self.pk else ""

    @property
    def is_anonymous(self) -> bool:
        return self.source == ConcernSource.ANONYMOUS

    @property
    def awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE

    @property
    def is_overdue(self) -> bool:
        return self.awaiting_response and self.due_on < today()


class ConcernUpdate(models.Model):
    """One entry of a concern's timeline: raised, a response, escalated, resolved, reopened."""

    tenant_path = "concern__system__organisation"

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="updates", verbose_name=_("concern")
    )
    kind = models.CharField(_("what happened"), max_length=12, choices=ConcernUpdateKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("text"), max_length=MAX_TEXT, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("concern update")
        verbose_name_plural = _("concern updates")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.concern_id} {self.kind}"


# --- Rights requests ----------------------------------------------------------------------


class RightsRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def overdue(self, on: dt.date | None = None):
        return self.open().filter(due_on__lt=on or today())

    def for_list(self):
        return self.select_related("system")


class RightsRequest(PublicIdModel):
    """A worker's request to exercise a right about a system. Identified by the body's case
    reference: personal details only when they are needed to handle it."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.PROTECT,
        related_name="rights_requests",
        verbose_name=_("system"),
    )
    case_reference = models.CharField(
        _("case reference"),
        max_length=50,
        help_text=_("Your case reference, not the person's name."),
    )
    kind = models.CharField(_("type of request"), max_length=16, choices=RightsRequestKind.choices)
    received_on = models.DateField(_("received"))
    due_on = models.DateField(_("response due"))
    extended = models.BooleanField(_("extended by two months"), default=False)
    extension_reason = models.TextField(
        _("reason for the extension"), max_length=MAX_TEXT, blank=True
    )
    extension_notified_on = models.DateField(
        _("date the person was told of the extension"), null=True, blank=True
    )
    decision_reference = models.CharField(
        _("decision it is about"),
        max_length=200,
        blank=True,
        help_text=_("A reference to the decision, for example a rota week or case number."),
    )
    requester_details = models.TextField(
        _("details of the person"),
        max_length=1000,
        blank=True,
        help_text=_("Only if you need them to handle the request. Leave empty otherwise."),
    )
    summary = models.TextField(_("what was asked"), max_length=MAX_TEXT, blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=RightsOutcome.choices, blank=True
    )
    outcome_notes = models.TextField(_("outcome in detail"), max_length=MAX_TEXT, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "case_reference"], name="unique_case_reference_per_system"
            ),
            models.CheckConstraint(
                condition=(Q(closed_on__isnull=True) & Q(outcome=""))
                | (Q(closed_on__isnull=False) & ~Q(outcome="")),
                name="closed_rights_request_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.case_reference} ({self.get_kind_display()})"

    def get_absolute_url(self):
        return reverse("consultations:rights_detail", args=[self.system.uuid, self.uuid])

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_on < today()

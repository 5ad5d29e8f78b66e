"""Impact assessments (DPIA, EqIA, AIA) in versions, the risk register and the action plan.

An ``Assessment`` row is one *version* of one kind of assessment of one system. Its content is
structured JSON, validated by the kind's definition (``dpia.py``, ``eqia.py``) or, for the AIA,
by the questionnaire it answers (``questionnaire.py``). A version moves draft → in review →
approved; approving freezes it (its ``content_hash`` is set and it is never edited again) and
the previously approved version becomes superseded. Later edits start a new version.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from govreg.public_ids import PublicIdModel

from . import questionnaire as engine
from .choices import (
    IMPACT_CHOICES,
    LIKELIHOOD_CHOICES,
    OPEN_STATUSES,
    SHORT_NAMES,
    GoodWorkPrinciple,
    Kind,
    Progress,
    QuestionnaireStatus,
    RiskCategory,
    RiskStatus,
    Status,
    band_for,
)
from .schema import sha256

_ENGINE_CACHE: dict[str, engine.Questionnaire] = {}


class QuestionnaireQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=QuestionnaireStatus.PUBLISHED)

    def latest_published(self, slug: str | None = None):
        qs = self.published().order_by("-published_at", "-id")
        if slug:
            qs = qs.filter(slug=slug)
        return qs.first()


class Questionnaire(models.Model):
    """A versioned AIA questionnaire definition (questions, weights and rules are data).

    Loaded with ``manage.py load_questionnaire PATH``. A published questionnaire is immutable:
    every AIA records the exact questionnaire it answered, so its score never changes.
    """

    slug = models.SlugField(_("slug"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=QuestionnaireStatus.choices,
        default=QuestionnaireStatus.DRAFT,
    )
    title = models.CharField(_("title"), max_length=300)
    title_cy = models.CharField(_("title (Welsh)"), max_length=300, blank=True)
    attribution = models.TextField(_("source and attribution"), blank=True)
    definition = models.JSONField(_("definition"))
    sha256 = models.CharField(_("SHA-256 of the definition"), max_length=64)
    max_raw = models.PositiveIntegerField(_("maximum impact score"))
    max_mitigation = models.PositiveIntegerField(_("maximum mitigation score"))
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        verbose_name = _("AIA questionnaire")
        verbose_name_plural = _("AIA questionnaires")
        ordering = ["slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "version"], name="unique_questionnaire_version"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_questionnaire_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.display_title} ({self.slug} v{self.version})"

    @property
    def display_title(self) -> str:
        return self.title_cy if get_language() == "cy" and self.title_cy else self.title

    def engine(self) -> engine.Questionnaire:
        """The loaded questionnaire (validated once per process and definition)."""
        loaded = _ENGINE_CACHE.get(self.sha256)
        if loaded is None:
            loaded = engine.load_definition(self.definition)
            _ENGINE_CACHE[self.sha256] = loaded
        return loaded


class AssessmentQuerySet(models.QuerySet):
    def current(self):
        """The latest versions: drafts, those in review and the approved ones."""
        return self.exclude(status=Status.SUPERSEDED)

    def for_panel(self):
        return (
            self.current()
            .select_related("prepared_by", "approved_by", "questionnaire")
            .defer("questionnaire__definition")
            .order_by("kind", "-version")
        )

    def awaiting_approval_by(self, user, organisation_ids):
        return self.filter(status=Status.IN_REVIEW, system__organisation_id__in=organisation_ids)


class Assessment(PublicIdModel):
    """One version of a DPIA, EqIA or AIA of one system."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("system"),
    )
    kind = models.CharField(_("kind of assessment"), max_length=8, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    content = models.JSONField(_("content"), default=dict, blank=True)
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("questionnaire answered"),
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        blank=True,
        verbose_name=_("people who edited this version"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    returned_comment = models.TextField(_("changes requested"), blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    level = models.CharField(_("impact level"), max_length=3, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["system", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "kind", "version"], name="unique_assessment_version"
            ),
            models.UniqueConstraint(
                fields=["system", "kind"],
                condition=Q(status__in=["draft", "in_review"]),
                name="one_open_version_per_kind",
            ),
            models.UniqueConstraint(
                fields=["system", "kind"],
                condition=Q(status="approved"),
                name="one_approved_version_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review"])
                | (
                    Q(approved_by__isnull=False)
                    & Q(approved_at__isnull=False)
                    & ~Q(content_hash="")
                ),
                name="approved_assessment_is_frozen",
            ),
            models.CheckConstraint(
                condition=~Q(approved_by=models.F("prepared_by")),
                name="approver_is_not_preparer",
            ),
            models.CheckConstraint(
                condition=~Q(kind="aia") | Q(questionnaire__isnull=False),
                name="aia_names_its_questionnaire",
            ),
        ]

    def __str__(self):
        return f"{self.short_name} v{self.version} – {self.system}"

    def get_absolute_url(self):
        return reverse("assessments:detail", args=[self.system.uuid, self.uuid])

    @property
    def short_name(self) -> str:
        return str(SHORT_NAMES[self.kind])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_frozen(self) -> bool:
        return not self.is_open

    @cached_property
    def definition(self):
        from .definitions import definition_for

        return definition_for(self.kind)

    def compute_hash(self) -> str:
        """SHA-256 over the canonical JSON of what was assessed (stable across processes)."""
        payload = {"kind": self.kind, "content": self.content}
        if self.questionnaire_id:
            q = self.questionnaire
            payload["questionnaire"] = {"slug": q.slug, "version": q.version, "sha256": q.sha256}
        return sha256(payload)


class RiskQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=RiskStatus.CLOSED)

    def for_register(self):
        return self.select_related("system", "accepted_by", "assessment").order_by(
            "-likelihood", "-impact", "number"
        )

    def heat_counts(self) -> dict[tuple[int, int], int]:
        """Risks per (likelihood, impact) cell: one query."""
        rows = self.order_by().values_list("likelihood", "impact").annotate(n=Count("id"))
        return {(likelihood, impact): n for likelihood, impact, n in rows}

    def acceptance_expired(self, today: dt.date):
        return self.filter(status=RiskStatus.ACCEPTED, accepted_until__lt=today)


class Risk(PublicIdModel):
    """A risk in the system's risk register, scored likelihood × impact on 1–5 scales."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.CASCADE,
        related_name="risks",
        verbose_name=_("system"),
    )
    number = models.PositiveIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=10, choices=RiskCategory.choices)
    gwc_principle = models.CharField(
        _("Good Work Charter principle"),
        max_length=20,
        choices=GoodWorkPrinciple.choices,
        blank=True,
    )
    description = models.TextField(_("description"))
    affected_groups = models.TextField(_("groups affected"), blank=True)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"),
        choices=LIKELIHOOD_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"),
        choices=IMPACT_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    owner = models.CharField(_("risk owner"), max_length=200)
    mitigation = models.TextField(_("mitigation"), blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"),
        choices=LIKELIHOOD_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"),
        choices=IMPACT_CHOICES,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    review_due = models.DateField(_("review due"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    acceptance_reason = models.TextField(_("why the risk is accepted"), blank=True)
    accepted_until = models.DateField(_("accepted until"), null=True, blank=True)
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_risks",
        verbose_name=_("from assessment"),
    )
    source_ref = models.CharField(_("source in the assessment"), max_length=80, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["system", "number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="unique_risk_number"),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scores_1_to_5",
            ),
            models.CheckConstraint(
                condition=(
                    Q(residual_likelihood__isnull=True, residual_impact__isnull=True)
                    | Q(
                        residual_likelihood__gte=1,
                        residual_likelihood__lte=5,
                        residual_impact__gte=1,
                        residual_impact__lte=5,
                    )
                ),
                name="risk_residual_scores_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted")
                | (
                    Q(accepted_by__isnull=False)
                    & Q(accepted_until__isnull=False)
                    & ~Q(acceptance_reason="")
                ),
                name="accepted_risk_records_who_why_until",
            ),
        ]
        indexes = [models.Index(fields=["system", "status"])]

    def __str__(self):
        return f"R{self.number}: {self.description[:60]}"

    def get_absolute_url(self):
        return reverse("assessments:risk_detail", args=[self.system.uuid, self.uuid])

    @property
    def reference(self) -> str:
        return f"R{self.number}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> str | None:
        return band_for(self.score)

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood and self.residual_impact:
            return self.residual_likelihood * self.residual_impact
        return None

    @property
    def residual_band(self) -> str | None:
        return band_for(self.residual_score)

    @property
    def acceptance_expired(self) -> bool:
        return (
            self.status == RiskStatus.ACCEPTED
            and self.accepted_until is not None
            and self.accepted_until < timezone.localdate()
        )

    @property
    def review_overdue(self) -> bool:
        return (
            self.status != RiskStatus.CLOSED
            and self.review_due is not None
            and self.review_due < timezone.localdate()
        )


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(progress=Progress.ACHIEVED)

    def overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def for_plan(self):
        return self.select_related("system", "risk", "assessment").order_by("due_date", "number")


class Action(PublicIdModel):
    """A mitigation action in the system's action plan, with dated progress updates."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("system"),
    )
    number = models.PositiveIntegerField(_("number"))
    description = models.TextField(_("action"))
    owner = models.CharField(_("lead"), max_length=200)
    due_date = models.DateField(_("due date"))
    progress = models.CharField(
        _("progress"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    risk = models.ForeignKey(
        Risk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("risk it mitigates"),
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("from assessment"),
    )
    assessment_kind = models.CharField(
        _("kind of assessment it comes from"), max_length=8, choices=Kind.choices, blank=True
    )
    source_ref = models.CharField(_("source in the assessment"), max_length=80, blank=True)
    completed_on = models.DateField(_("achieved on"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["system", "due_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="unique_action_number"),
            models.CheckConstraint(
                condition=~Q(progress="achieved") | Q(completed_on__isnull=False),
                name="achieved_action_has_date",
            ),
        ]
        indexes = [models.Index(fields=["system", "progress", "due_date"])]

    def __str__(self):
        return f"A{self.number}: {self.description[:60]}"

    def get_absolute_url(self):
        return reverse("assessments:action_detail", args=[self.system.uuid, self.uuid])

    @property
    def reference(self) -> str:
        return f"A{self.number}"

    @property
    def is_overdue(self) -> bool:
        return self.progress != Progress.ACHIEVED and self.due_date < timezone.localdate()


class ActionUpdate(models.Model):
    """A dated progress update on an action, kept as history."""

    tenant_path = "action__system__organisation"

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="updates", verbose_name=_("action")
    )
    on = models.DateField(_("date of the update"))
    progress = models.CharField(_("progress"), max_length=12, choices=Progress.choices)
    note = models.TextField(_("what has happened"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["action", "-on", "-id"]

    def __str__(self):
        return f"{self.action.reference} {self.on}: {self.get_progress_display()}"

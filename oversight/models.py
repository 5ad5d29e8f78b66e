"""Human in command: sign-offs, lifecycle moves, review intervals, post-deployment audits and
the reminders sent about them.

- ``SignOff``: the accountable senior manager's decision on a system, bound to a SHA-256 hash
  of the record, its approved assessments and consultation outcomes (``oversight/hashing.py``).
  Immutable once written: services only create them, the model refuses updates and deletes and,
  on PostgreSQL, so does a trigger.
- ``LifecycleTransition``: who moved a system between stages, when and why (append-only).
- ``ReviewPolicy``: months between reviews by impact level, per organisation.
- ``PostDeploymentAudit`` with its ``AuditAnswer``s (the guidance's six questions) and
  ``BiasResult``s.
- ``Reminder``: one row per reminder sent, unique per (kind, object, due date, threshold), so
  the daily job can never send the same reminder twice.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.models import Action
from govreg.public_ids import PublicIdModel
from registers.choices import LifecycleStage
from registers.fields import MultipleChoiceField

from .choices import (
    APPROVALS,
    SNAPSHOT_VERSION,
    AuditQuestion,
    BiasMetric,
    Characteristic,
    Decision,
    FeedbackSource,
    Outcome,
    PassesWhen,
    Rating,
    ReauthMethod,
    ReminderKind,
    SnapshotVersion,
    Threshold,
    TransitionKind,
)


class ImmutableRecord(Exception):
    """A change to a record that is written once and never edited."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecord(f"{self.model._meta.label} rows are never changed")

    def delete(self):
        raise ImmutableRecord(f"{self.model._meta.label} rows are never deleted")


class AppendOnly(models.Model):
    """A row that is written once: saving an existing row or deleting one is refused."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{self._meta.label} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"{self._meta.label} rows are never deleted")


# --- Review intervals ---------------------------------------------------------------------

MONTHS = [MinValueValidator(1), MaxValueValidator(60)]


class ReviewPolicy(models.Model):
    """How often a body reviews its systems in pilot or use, by AIA impact level."""

    tenant_path = "organisation"
    DEFAULTS = {
        "months_level_i": 24,
        "months_level_ii": 12,
        "months_level_iii": 6,
        "months_level_iv": 3,
        "months_not_assessed": 3,
        "first_review_within_months": 6,
    }

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="review_policy",
        verbose_name=_("organisation"),
    )
    months_level_i = models.PositiveSmallIntegerField(
        _("level I: months between reviews"), default=24, validators=MONTHS
    )
    months_level_ii = models.PositiveSmallIntegerField(
        _("level II: months between reviews"), default=12, validators=MONTHS
    )
    months_level_iii = models.PositiveSmallIntegerField(
        _("level III: months between reviews"), default=6, validators=MONTHS
    )
    months_level_iv = models.PositiveSmallIntegerField(
        _("level IV: months between reviews"), default=3, validators=MONTHS
    )
    months_not_assessed = models.PositiveSmallIntegerField(
        _("no approved AIA yet: months between reviews"),
        default=3,
        validators=MONTHS,
        help_text=_("Used until an algorithmic impact assessment gives the system a level."),
    )
    first_review_within_months = models.PositiveSmallIntegerField(
        _("first review after going live: within months"),
        default=6,
        validators=MONTHS,
        help_text=_(
            "The first review after a system starts a pilot or use comes no later than this."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")

    def __str__(self):
        return str(_("Review intervals of %(organisation)s") % {"organisation": self.organisation})

    @classmethod
    def for_organisation(cls, organisation_id: int) -> ReviewPolicy:
        """The body's policy, or an unsaved one with the defaults."""
        return cls.objects.filter(organisation_id=organisation_id).first() or cls(
            organisation_id=organisation_id
        )

    def months_for(self, level: str | None) -> int:
        return {
            "I": self.months_level_i,
            "II": self.months_level_ii,
            "III": self.months_level_iii,
            "IV": self.months_level_iv,
        }.get(level or "", self.months_not_assessed)

    def rows(self) -> list[tuple[str, int]]:
        return [
            ("I", self.months_level_i),
            ("II", self.months_level_ii),
            ("III", self.months_level_iii),
            ("IV", self.months_level_iv),
        ]


# --- Sign-off -----------------------------------------------------------------------------

MAX_CONDITIONS = 10  # conditions on one sign-off


class SignOffQuerySet(AppendOnlyQuerySet):
    def latest_first(self):
        return self.order_by("-signed_at", "-pk")

    def for_panel(self):
        return self.select_related("signed_by").latest_first()


class SignOff(PublicIdModel, AppendOnly):
    """The accountable manager's decision on a system as it stood at ``signed_at``.

    ``content_hash`` is the SHA-256 of ``snapshot`` (the record's material fields, its model
    and data specifications, the approved assessment versions with their hashes, and the
    concluded consultations' outcomes) in the format ``snapshot_version``: version 1 (sign-offs
    recorded before public identifiers) names people, assessments and consultations by their
    database keys, version 2 by their public identifiers. Staleness recomputes the hash in the
    sign-off's own format (``oversight.hashing``). ``audit_position`` is the position, in its
    body's audit chain, of the event that recorded this sign-off (a body's positions keep
    increasing across the installation chain and its own: ``audit.models``): any material
    change recorded after it makes the sign-off out of date, for good (see
    ``oversight.services.signoff_status``).
    """

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.PROTECT,
        related_name="signoffs",
        verbose_name=_("system"),
    )
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    statement = models.TextField(_("statement"), max_length=5000)
    conditions = models.JSONField(
        _("conditions"),
        default=list,
        blank=True,
        help_text=_("Each condition with its lead, due date and the action that tracks it."),
    )
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    snapshot = models.JSONField(_("content signed"))
    snapshot_version = models.PositiveSmallIntegerField(
        _("format of the content signed"),
        choices=SnapshotVersion.choices,
        default=SNAPSHOT_VERSION,
        help_text=_("The content hash is recomputed in this format."),
    )
    record_version = models.PositiveIntegerField(_("record version"))
    lifecycle_stage = models.CharField(
        _("lifecycle stage when signed"), max_length=20, choices=LifecycleStage.choices
    )
    audit_position = models.PositiveBigIntegerField(_("audit log position"), default=0)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed"))
    reauthenticated_with = models.CharField(
        _("identity confirmed with"), max_length=10, choices=ReauthMethod.choices
    )

    objects = SignOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["system", "-signed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="conditional") | ~models.Q(conditions=[]),
                name="conditional_signoff_has_conditions",
            ),
            models.CheckConstraint(
                condition=models.Q(decision="conditional") | models.Q(conditions=[]),
                name="only_conditional_signoff_has_conditions",
            ),
            models.CheckConstraint(
                condition=models.Q(snapshot_version__in=SnapshotVersion.values),
                name="known_snapshot_version",
            ),
        ]

    def __str__(self):
        return str(
            _("%(decision)s: %(system)s (%(when)s)")
            % {
                "decision": self.get_decision_display(),
                "system": self.system,
                "when": self.signed_at.date().isoformat() if self.signed_at else "",
            }
        )

    def get_absolute_url(self):
        return reverse("oversight:signoff_detail", args=[self.system.uuid, self.uuid])

    @property
    def is_approval(self) -> bool:
        return self.decision in APPROVALS

    @cached_property
    def condition_rows(self) -> list[dict]:
        """The conditions, each with the public identifier of the action it became
        (``action_uuid``, for its link). For many sign-offs, ``with_condition_rows``."""
        return with_condition_rows([self])[0].condition_rows

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


# --- Lifecycle ----------------------------------------------------------------------------


def with_condition_rows(signoffs) -> list[SignOff]:
    """``signoffs`` with their ``condition_rows`` filled in. The conditions store the keys of the
    actions they became; their public identifiers come from one query for all the sign-offs."""
    signoffs = list(signoffs)
    keys = {c["action_id"] for s in signoffs for c in s.conditions if c.get("action_id")}
    found = dict(Action.objects.filter(pk__in=keys).values_list("pk", "uuid")) if keys else {}
    for signoff in signoffs:
        signoff.condition_rows = [
            {**c, "action_uuid": found.get(c.get("action_id"))} for c in signoff.conditions
        ]
    return signoffs


class LifecycleTransitionQuerySet(AppendOnlyQuerySet):
    def for_panel(self):
        return self.select_related("actor").order_by("-at", "-pk")


class LifecycleTransition(AppendOnly):
    """One move of a system between lifecycle stages: who, when, why."""

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.PROTECT,
        related_name="transitions",
        verbose_name=_("system"),
    )
    kind = models.CharField(_("kind of move"), max_length=10, choices=TransitionKind.choices)
    from_stage = models.CharField(_("from"), max_length=20, choices=LifecycleStage.choices)
    to_stage = models.CharField(_("to"), max_length=20, choices=LifecycleStage.choices)
    reason = models.TextField(_("reason"), max_length=5000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by (as recorded)"), max_length=254)
    at = models.DateTimeField(_("when"))
    signoff = models.ForeignKey(
        SignOff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sign-off it relied on"),
    )

    objects = LifecycleTransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("lifecycle move")
        verbose_name_plural = _("lifecycle moves")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["system", "-at"])]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


# --- Post-deployment audits ---------------------------------------------------------------


class PostDeploymentAuditQuerySet(AppendOnlyQuerySet):
    def for_panel(self):
        return self.select_related("recorded_by").order_by("-conducted_on", "-pk")


class PostDeploymentAudit(PublicIdModel, AppendOnly):
    """An audit of a system in pilot or use, using the WPC guidance's questions.

    Recorded once it has been carried out (it is a record, never edited: a correction is a new
    audit). Recording it sets the system's next review date; an outcome of pause or stop pauses
    or retires the system at once.
    """

    tenant_path = "system__organisation"

    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.PROTECT,
        related_name="post_deployment_audits",
        verbose_name=_("system"),
    )
    period_start = models.DateField(_("period audited: from"))
    period_end = models.DateField(_("period audited: to"))
    conducted_on = models.DateField(_("date of the audit"))
    conducted_by = models.TextField(
        _("who carried it out"),
        max_length=2000,
        help_text=_("Names and roles, including the union representatives who took part."),
    )
    worker_feedback = models.TextField(
        _("summary of worker feedback"),
        max_length=5000,
        help_text=_("What workers and their representatives said, and how it was gathered."),
    )
    feedback_sources = MultipleChoiceField(
        _("where the feedback came from"), options=FeedbackSource.choices
    )
    rep_access = models.TextField(
        _("union reps' access to the system"),
        max_length=5000,
        blank=True,
        help_text=_(
            "When representatives examined decisions made or supported by the system in this "
            "period, and what they found."
        ),
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices)
    outcome_reasons = models.TextField(
        _("reasons for the outcome"),
        max_length=5000,
        help_text=_("Why, and any changes to be made."),
    )
    impact_level = models.CharField(_("impact level at the audit"), max_length=3, blank=True)
    next_review_date = models.DateField(
        _("next review due"), null=True, blank=True, help_text=_("None when the audit stopped it.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))

    objects = PostDeploymentAuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("post-deployment audit")
        verbose_name_plural = _("post-deployment audits")
        ordering = ["-conducted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="audit_period_in_order",
            ),
        ]

    def __str__(self):
        return str(
            _("Post-deployment audit of %(system)s on %(date)s")
            % {"system": self.system, "date": self.conducted_on.isoformat()}
        )

    def get_absolute_url(self):
        return reverse("oversight:audit_detail", args=[self.system.uuid, self.uuid])


class AuditAnswer(AppendOnly):
    """The answer to one of the six questions, with its evidence."""

    tenant_path = "audit__system__organisation"

    audit = models.ForeignKey(
        PostDeploymentAudit,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("audit"),
    )
    position = models.PositiveSmallIntegerField(_("order"))
    question = models.CharField(_("question"), max_length=16, choices=AuditQuestion.choices)
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    evidence = models.TextField(_("evidence"), max_length=5000)
    follow_up = models.TextField(_("what will be done"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("audit answer")
        verbose_name_plural = _("audit answers")
        ordering = ["audit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="one_answer_per_question"),
        ]

    def __str__(self):
        return f"{self.get_question_display()} {self.get_rating_display()}"


class BiasResult(AppendOnly):
    """One bias-audit figure: a metric comparing groups, against the threshold the body chose."""

    tenant_path = "audit__system__organisation"

    audit = models.ForeignKey(
        PostDeploymentAudit,
        on_delete=models.CASCADE,
        related_name="bias_results",
        verbose_name=_("audit"),
    )
    position = models.PositiveSmallIntegerField(_("order"))
    characteristic = models.CharField(
        _("characteristic"), max_length=24, choices=Characteristic.choices
    )
    groups = models.CharField(_("groups compared"), max_length=300)
    metric = models.CharField(_("metric"), max_length=24, choices=BiasMetric.choices)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=4)
    passes_when = models.CharField(_("passes when"), max_length=10, choices=PassesWhen.choices)
    passed = models.BooleanField(_("passed"))
    method = models.TextField(_("method"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("bias-audit result")
        verbose_name_plural = _("bias-audit results")
        ordering = ["audit", "position"]

    def __str__(self):
        return f"{self.get_metric_display()} {self.groups}: {self.value}"

    @staticmethod
    def evaluate(value: Decimal, threshold: Decimal, passes_when: str) -> bool:
        if passes_when == PassesWhen.AT_MOST:
            return value <= threshold
        return value >= threshold


# --- Reminders ----------------------------------------------------------------------------


class Reminder(models.Model):
    """A reminder sent about one due date (a review, an action, a concern) or one stale
    sign-off. The unique constraint makes sending idempotent: the daily job inserts the row and
    notifies only when the insert is new."""

    tenant_path = "system__organisation"

    kind = models.CharField(_("about"), max_length=10, choices=ReminderKind.choices)
    object_id = models.BigIntegerField(_("object id"))
    due_date = models.DateField(_("due date"))
    threshold = models.CharField(_("when"), max_length=10, choices=Threshold.choices)
    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("system"),
    )
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "due_date", "threshold"], name="one_reminder_per_event"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} {self.due_date} {self.threshold}"
